package slackemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Fixed IDs of the seeded workspace, shaped like Slack's (T… team, A… app,
// B… bot, U… user, C… channel) so code that checks prefixes behaves.
const (
	teamID     = "T0EMUTEAM1"
	teamDomain = "syncerr-sandbox"
	teamName   = "syncerr sandbox"
	appID      = "A0EMUAPP01"
	botID      = "B0EMUBOT01"
	botUserID  = "U0EMUBOT01"
	// hookBotID is the legacy integration (an incoming webhook) whose posts
	// arrive as subtype bot_message.
	hookBotID = "B0EMUHOOK1"
	aliceID   = "U0EMUALICE"
	bobID     = "U0EMUBOB01"
	opsID     = "C0EMUOPS01"
	generalID = "C0EMUGEN01"
)

// User is a workspace member as the emulator knows it.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	IsBot bool   `json:"is_bot"`
}

// Channel is a conversation and who is in it.
type Channel struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	IsPrivate bool     `json:"is_private"`
	Members   []string `json:"members"`
}

// Reaction is one emoji on a message and who added it.
type Reaction struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
	Count int      `json:"count"`
}

// Edited records the last edit of a message.
type Edited struct {
	User string `json:"user"`
	TS   string `json:"ts"`
}

// Message is a message as the control API shows it: ephemeral messages
// (EphemeralTo set) and response_url posts are included. Every field the
// control API promises is encoded, null or empty when unset, so an HTTP
// client can read any of them without knowing which are set.
type Message struct {
	Channel  string `json:"channel"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	// Username names the integration that posted a bot_message (see
	// PostIntegrationMessage); empty for the app's own bot and for users.
	Username    string          `json:"username,omitempty"`
	Text        string          `json:"text"`
	Blocks      json.RawMessage `json:"blocks"`
	Reactions   []Reaction      `json:"reactions"`
	Edited      *Edited         `json:"edited"`
	EphemeralTo string          `json:"ephemeral_to"`
	// ClientMsgID is set on messages typed by users.
	ClientMsgID string `json:"-"`
}

// workspace is the emulated team's state; guarded by Server.mu.
type workspace struct {
	users    []*User
	channels []*Channel
	messages map[string][]*Message // channel ID → messages in ts order
	lastTS   time.Time
	home     map[string]*View  // user ID → published Home tab
	views    map[string]*View  // view ID → open modal
	dms      map[string]string // user ID → DM channel ID with the bot
}

func seedWorkspace(botName string) *workspace {
	return &workspace{
		users: []*User{
			{ID: botUserID, Name: botName, IsBot: true},
			{ID: aliceID, Name: "alice"},
			{ID: bobID, Name: "bob"},
		},
		channels: []*Channel{
			{ID: opsID, Name: "identity-ops", Members: []string{botUserID, aliceID, bobID}},
			{ID: generalID, Name: "general", Members: []string{aliceID, bobID}},
		},
		messages: make(map[string][]*Message),
		home:     make(map[string]*View),
		views:    make(map[string]*View),
		dms:      make(map[string]string),
	}
}

// channel resolves "C…", "#name" or "name".
func (w *workspace) channel(ref string) (*Channel, bool) {
	name := strings.TrimPrefix(ref, "#")
	for _, c := range w.channels {
		if c.ID == ref || c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// user resolves "U…", "@name" or "name".
func (w *workspace) user(ref string) (*User, bool) {
	name := strings.TrimPrefix(ref, "@")
	for _, u := range w.users {
		if u.ID == ref || u.Name == name {
			return u, true
		}
	}
	return nil, false
}

func (c *Channel) hasMember(userID string) bool { return slices.Contains(c.Members, userID) }

// channelType is the Events API channel_type of c.
func (c *Channel) channelType() string {
	switch {
	case strings.HasPrefix(c.ID, "D"):
		return "im"
	case c.IsPrivate:
		return "group"
	default:
		return "channel"
	}
}

// newTS returns a message timestamp ("secs.micros") later than every one
// before it, so ts stays a unique, ordered message ID even with a frozen clock.
func (w *workspace) newTS(now time.Time) string {
	now = now.Truncate(time.Microsecond)
	if !now.After(w.lastTS) {
		now = w.lastTS.Add(time.Microsecond)
	}
	w.lastTS = now
	return formatTS(now)
}

func formatTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// message finds a message (ephemeral ones included) by channel and ts.
func (w *workspace) message(channelID, ts string) (*Message, bool) {
	for _, m := range w.messages[channelID] {
		if m.TS == ts {
			return m, true
		}
	}
	return nil, false
}

func (w *workspace) add(m *Message) {
	w.messages[m.Channel] = append(w.messages[m.Channel], m)
}

func (w *workspace) remove(m *Message) {
	w.messages[m.Channel] = slices.DeleteFunc(w.messages[m.Channel], func(x *Message) bool { return x == m })
}

// replies lists the visible replies of the thread rooted at ts, in order.
func (w *workspace) replies(channelID, ts string) []*Message {
	var out []*Message
	for _, m := range w.messages[channelID] {
		if m.ThreadTS == ts && m.TS != ts && m.EphemeralTo == "" {
			out = append(out, m)
		}
	}
	return out
}

// ChannelID returns the ID of a channel given its ID or name ("#identity-ops").
func (s *Server) ChannelID(ref string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channel(ref)
	if !ok {
		return "", fmt.Errorf("slackemu: channel %q: %w", ref, ErrNotFound)
	}
	return c.ID, nil
}

// UserID returns the ID of a user given its ID or name ("@alice").
func (s *Server) UserID(ref string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.user(ref)
	if !ok {
		return "", fmt.Errorf("slackemu: user %q: %w", ref, ErrNotFound)
	}
	return u.ID, nil
}

// Identity names the emulated team, app and bot.
type Identity struct {
	TeamID    string `json:"team_id"`
	AppID     string `json:"app_id"`
	BotID     string `json:"bot_id"`
	BotUserID string `json:"bot_user_id"`
	// IntegrationBotID is the bot_id of messages posted by
	// PostIntegrationMessage (a legacy integration, not the app), for
	// allow-listing it in the bot under test.
	IntegrationBotID string `json:"integration_bot_id"`
}

// Identity returns the IDs of the team, the app and its bot.
func (s *Server) Identity() Identity {
	return Identity{TeamID: teamID, AppID: appID, BotID: botID, BotUserID: botUserID, IntegrationBotID: hookBotID}
}

// AddUser adds a human user (name without "@") and returns its ID.
func (s *Server) AddUser(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ws.user(name); ok {
		return "", fmt.Errorf("slackemu: add user %q: already exists", name)
	}
	u := &User{ID: fmt.Sprintf("U0EMU%05d", s.nextSeqLocked()), Name: strings.TrimPrefix(name, "@")}
	s.ws.users = append(s.ws.users, u)
	s.notifyLocked()
	return u.ID, nil
}

// AddChannel adds a channel (name without "#") with the given member refs and
// returns its ID. Listing the bot ("@syncerr" or its ID) makes it a member.
func (s *Server) AddChannel(name string, private bool, members ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ws.channel(name); ok {
		return "", fmt.Errorf("slackemu: add channel %q: already exists", name)
	}
	c := &Channel{ID: fmt.Sprintf("C0EMU%05d", s.nextSeqLocked()), Name: strings.TrimPrefix(name, "#"), IsPrivate: private}
	for _, ref := range members {
		u, ok := s.ws.user(ref)
		if !ok {
			return "", fmt.Errorf("slackemu: add channel %q: user %q: %w", name, ref, ErrNotFound)
		}
		c.Members = append(c.Members, u.ID)
	}
	s.ws.channels = append(s.ws.channels, c)
	s.notifyLocked()
	return c.ID, nil
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func randomDigits(n int) string {
	var sb strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		sb.WriteByte(byte('0' + d.Int64()))
	}
	s := sb.String()
	if s[0] == '0' {
		s = "1" + s[1:]
	}
	return s
}

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[d.Int64()]
	}
	return string(b)
}

// uuid returns a random version-4 UUID, the shape of Socket Mode envelope IDs.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
