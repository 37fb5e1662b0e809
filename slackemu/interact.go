package slackemu

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Slack's limits on response_url and trigger_id (docs handling-user-interaction).
const (
	responseURLUses     = 5
	responseURLLifetime = 30 * time.Minute
	triggerLifetime     = 3 * time.Second
)

// forgetIssuedAfter is when an issued response_url or trigger_id is dropped
// from memory, so a sandbox running for days does not keep every one. It is
// long past both lifetimes: until then a late use still gets expired_url or
// expired_trigger_id, as from Slack, and only after it no_such_url.
const forgetIssuedAfter = 24 * time.Hour

// trigger is an issued trigger_id: single use, valid for 3 s.
type trigger struct {
	issued time.Time
	used   bool
	user   string
}

// responseHook is an issued response_url.
type responseHook struct {
	kind    string // "commands", "actions" or "app"
	channel string
	user    string
	issued  time.Time
	uses    int
	// original is the message replace_original/delete_original act on: the
	// clicked message for actions, the last response for commands (a
	// command's own invocation can not be replaced, §3.2).
	original *Message
}

// newTriggerLocked issues a trigger_id in Slack's <digits>.<digits>.<hex32> shape.
func (s *Server) newTriggerLocked(user string) string {
	id := fmt.Sprintf("%d.%s.%s", s.opts.Now().Unix(), randomDigits(10), randomHex(32))
	s.trigs[id] = &trigger{issued: s.opts.Now(), user: user}
	s.forgetOldLocked()
	return id
}

// newHookLocked issues a response_url on the emulator, shaped like
// https://hooks.slack.com/{commands|actions|app}/T…/<digits>/<token>.
func (s *Server) newHookLocked(kind, channel, user string, original *Message) (*responseHook, string) {
	token := randomAlnum(24)
	hook := &responseHook{kind: kind, channel: channel, user: user, issued: s.opts.Now(), original: original}
	s.hooks[token] = hook
	s.forgetOldLocked()
	return hook, fmt.Sprintf("%s/hooks/%s/%s/%s/%s", s.url, kind, teamID, randomDigits(10), token)
}

// forgetOldLocked drops response_urls and trigger_ids issued more than
// forgetIssuedAfter ago. It walks the maps once every 1024 issues, so
// issuing stays O(1) amortised.
func (s *Server) forgetOldLocked() {
	s.issued++
	if s.issued%1024 != 0 {
		return
	}
	cutoff := s.opts.Now().Add(-forgetIssuedAfter)
	for token, h := range s.hooks {
		if h.issued.Before(cutoff) {
			delete(s.hooks, token)
		}
	}
	for id, t := range s.trigs {
		if t.issued.Before(cutoff) {
			delete(s.trigs, id)
		}
	}
}

// PostUserMessage posts text as user in channel (optionally in the thread
// threadTS) and delivers the events the bot hears: `message`, and
// `app_mention` too when the text mentions the bot. The text is what the user
// typed: & < > are escaped, URLs and @name/#name references become markup.
func (s *Server) PostUserMessage(channel, user, text, threadTS string) (string, error) {
	s.mu.Lock()
	c, u, err := s.resolveLocked(channel, user)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	if !c.hasMember(u.ID) {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: post as %s in %s: not_in_channel", u.Name, c.Name)
	}
	if strings.TrimSpace(text) == "" {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: post as %s: no_text", u.Name)
	}
	m := &Message{Channel: c.ID, User: u.ID, ClientMsgID: uuid()}
	if threadTS != "" {
		parent, err := s.threadRootLocked(c, threadTS)
		if err != nil {
			s.mu.Unlock()
			return "", fmt.Errorf("slackemu: post in thread %s: %w", threadTS, err)
		}
		m.ThreadTS = parent.TS
	}
	var rich json.RawMessage
	m.Text, rich = s.ws.formatUserText(text, randomAlnum(5))
	m.Blocks = json.RawMessage("[" + string(rich) + "]")
	var events []*envelope
	s.postLocked(c, m, &events)
	if mentionsBot(m.Text) && c.hasMember(botUserID) {
		s.queueEventLocked(&events, c, s.mentionEventLocked(c, m))
	}
	ts := m.TS
	s.mu.Unlock()
	s.sendAll(events)
	return ts, nil
}

// PostIntegrationMessage posts text in channel as a legacy integration
// (an incoming webhook named username), which Slack delivers as a `message`
// with subtype bot_message, a bot_id and no user: the other kind of bot
// message a bot must not answer (§2.5).
func (s *Server) PostIntegrationMessage(channel, username, text string) (string, error) {
	s.mu.Lock()
	c, ok := s.ws.channel(channel)
	if !ok || channel == "" {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: channel %q: %w", channel, ErrNotFound)
	}
	if username == "" || strings.TrimSpace(text) == "" {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: post integration message: username and text are required")
	}
	m := &Message{Channel: c.ID, BotID: hookBotID, Username: username, Text: escapeText(text)}
	var events []*envelope
	s.postLocked(c, m, &events)
	ts := m.TS
	s.mu.Unlock()
	s.sendAll(events)
	return ts, nil
}

func (s *Server) resolveLocked(channel, user string) (*Channel, *User, error) {
	c, ok := s.ws.channel(channel)
	if !ok || channel == "" {
		return nil, nil, fmt.Errorf("slackemu: channel %q: %w", channel, ErrNotFound)
	}
	u, ok := s.ws.user(user)
	if !ok || user == "" {
		return nil, nil, fmt.Errorf("slackemu: user %q: %w", user, ErrNotFound)
	}
	return c, u, nil
}

// RunCommand has user run a slash command in channel and sends the
// slash_commands envelope. It returns the trigger_id and response_url the
// payload carries. With no socket open it fails like Slack's dispatch_failed.
// An ack payload is shown as Slack shows it: ephemeral by default,
// in_channel when asked.
func (s *Server) RunCommand(channel, user, command, text string) (string, string, error) {
	if !strings.HasPrefix(command, "/") || strings.ContainsAny(command, " \t\n") {
		return "", "", fmt.Errorf("slackemu: run command %q: must be /name", command)
	}
	s.mu.Lock()
	c, u, err := s.resolveLocked(channel, user)
	if err != nil {
		s.mu.Unlock()
		return "", "", err
	}
	trig := s.newTriggerLocked(u.ID)
	hook, hookURL := s.newHookLocked("commands", c.ID, u.ID, nil)
	escaped, _ := s.ws.formatUserText(text, "")
	payload := mustJSON(map[string]any{
		"token": verificationToken, "team_id": teamID, "team_domain": teamDomain,
		"channel_id": c.ID, "channel_name": c.Name, "user_id": u.ID, "user_name": u.Name,
		"command": command, "text": escaped, "api_app_id": appID,
		"is_enterprise_install": "false", // a string in the form-derived payload (§3.1)
		"response_url":          hookURL, "trigger_id": trig,
	})
	s.mu.Unlock()

	err = s.send(interactiveEnvelope(typeSlash, payload, true, func(ack json.RawMessage) {
		s.commandAck(hook, ack)
	}))
	if err != nil {
		return "", "", fmt.Errorf("slackemu: run command %s: %w", command, err)
	}
	return trig, hookURL, nil
}

// responseMessage is a message sent through an ack or a response_url.
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

// commandAck shows a slash command's ack payload, if it is a message.
func (s *Server) commandAck(hook *responseHook, ack json.RawMessage) {
	var msg responseMessage
	if len(ack) == 0 || json.Unmarshal(ack, &msg) != nil {
		return // no payload, or not a message (slack-go lets a bot ack with any value)
	}
	if msg.Text == "" && (msg.Blocks == nil || string(msg.Blocks) == "null") {
		return
	}
	msg.ReplaceOriginal, msg.DeleteOriginal = false, false
	if err := s.respond(hook, msg); err != nil {
		s.log.Warn("slash command ack payload", "err", err)
	}
}

// respond applies a response message on behalf of a hook (§3.2).
func (s *Server) respond(hook *responseHook, msg responseMessage) error {
	blocks, err := parseBlocks(string(msg.Blocks), maxMessageBlocks)
	if err != nil {
		return err
	}
	s.mu.Lock()
	c, ok := s.ws.channel(hook.channel)
	if !ok {
		s.mu.Unlock()
		return fail("channel_not_found")
	}
	var events []*envelope
	orig := hook.original
	if orig != nil {
		if _, live := s.ws.message(orig.Channel, orig.TS); !live {
			orig = nil
		}
	}
	switch {
	case msg.DeleteOriginal:
		if orig == nil {
			s.mu.Unlock()
			return fail("message_not_found")
		}
		s.deleteLocked(c, orig, &events)
		hook.original = nil
	case msg.ReplaceOriginal && orig != nil:
		if orig.EphemeralTo != "" {
			orig.Text, orig.Blocks = msg.Text, blocks
			s.notifyLocked()
		} else {
			s.editLocked(c, orig, msg.Text, blocks, botUserID, &events)
		}
	default:
		m := &Message{Channel: c.ID, User: botUserID, BotID: botID, Text: msg.Text, Blocks: blocks}
		if msg.ThreadTS != "" {
			if parent, err := s.threadRootLocked(c, msg.ThreadTS); err == nil {
				m.ThreadTS = parent.TS
			}
		}
		if msg.ResponseType == "in_channel" {
			s.postLocked(c, m, &events)
		} else {
			m.EphemeralTo = hook.user
			s.postEphemeralLocked(c, m)
		}
		if hook.kind == "commands" {
			hook.original = m
		}
	}
	s.mu.Unlock()
	s.sendAll(events)
	return nil
}

// handleHook serves response_url POSTs: JSON message payloads, up to 5 uses
// in 30 minutes. Answers are application/json so slack-go reports a refusal
// by its error code (must-do #10).
func (s *Server) handleHook(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	answer := func(status int, errCode string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		if errCode == "" {
			_, _ = w.Write([]byte(`{"ok":true}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": errCode})
	}
	if r.Method != http.MethodPost {
		answer(http.StatusMethodNotAllowed, "invalid_method")
		return
	}
	s.mu.Lock()
	hook, ok := s.hooks[token]
	var refusal string
	switch {
	case !ok:
		refusal = "no_such_url"
	case s.opts.Now().Sub(hook.issued) > responseURLLifetime:
		refusal = "expired_url"
	case hook.uses >= responseURLUses:
		refusal = "used_url"
	default:
		hook.uses++
	}
	s.mu.Unlock()
	if refusal == "no_such_url" {
		answer(http.StatusNotFound, refusal)
		return
	}
	if refusal != "" {
		answer(http.StatusOK, refusal)
		return
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var msg responseMessage
	if ctype != "application/json" || json.NewDecoder(r.Body).Decode(&msg) != nil {
		answer(http.StatusBadRequest, "invalid_payload")
		return
	}
	if err := s.respond(hook, msg); err != nil {
		answer(http.StatusOK, err.Error())
		return
	}
	answer(http.StatusOK, "")
}

// Click has user click the button (or other element) with actionID on the
// message at messageTS in channel, sending the block_actions payload Slack
// sends. value overrides the element's value when not empty. Buttons on an
// ephemeral message are clickable only by the user who sees it.
func (s *Server) Click(channel, messageTS, user, actionID, value string) error {
	s.mu.Lock()
	c, u, err := s.resolveLocked(channel, user)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	m, ok := s.ws.message(c.ID, messageTS)
	if !ok || (m.EphemeralTo != "" && m.EphemeralTo != u.ID) {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: click: message %s in %s: %w", messageTS, c.Name, ErrNotFound)
	}
	blockID, element, ok := findElement(m.Blocks, actionID)
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: click: no element with action_id %q on message %s: %w", actionID, messageTS, ErrNotFound)
	}
	action := map[string]any{
		"action_id": actionID, "block_id": blockID, "type": element["type"],
		"action_ts": formatTS(s.opts.Now()),
	}
	if text, ok := element["text"]; ok {
		action["text"] = text
	}
	if v, ok := element["value"]; ok {
		action["value"] = v
	}
	if value != "" {
		action["value"] = value
	}
	_, hookURL := s.newHookLocked("actions", c.ID, u.ID, m)
	container := map[string]any{
		"type": "message", "message_ts": m.TS, "channel_id": c.ID, "is_ephemeral": m.EphemeralTo != "",
	}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	payload := mustJSON(map[string]any{
		"type": "block_actions", "user": userObject(u), "api_app_id": appID, "token": verificationToken,
		"container": container, "trigger_id": s.newTriggerLocked(u.ID),
		"team": map[string]any{"id": teamID, "domain": teamDomain}, "enterprise": nil,
		"is_enterprise_install": false, "channel": map[string]any{"id": c.ID, "name": c.Name},
		"message": s.wireLocked(m), "state": map[string]any{"values": map[string]any{}},
		"response_url": hookURL,
		"actions":      []any{action},
	})
	s.mu.Unlock()
	if err := s.send(interactiveEnvelope(typeInteractive, payload, true, nil)); err != nil {
		return fmt.Errorf("slackemu: click %s: %w", actionID, err)
	}
	return nil
}

func userObject(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": teamID}
}

// findElement finds the interactive element with actionID in blocks: in an
// actions block's elements or as a section's accessory.
func findElement(blocks json.RawMessage, actionID string) (string, map[string]any, bool) {
	var parsed []struct {
		BlockID   string           `json:"block_id"`
		Elements  []map[string]any `json:"elements"`
		Accessory map[string]any   `json:"accessory"`
	}
	if json.Unmarshal(blocks, &parsed) != nil {
		return "", nil, false
	}
	for _, b := range parsed {
		for _, el := range append(b.Elements, b.Accessory) {
			if el != nil && el["action_id"] == actionID {
				return b.BlockID, el, true
			}
		}
	}
	return "", nil, false
}

// EditUserMessage has user edit their message at ts in channel; the bot hears
// message_changed.
func (s *Server) EditUserMessage(channel, user, ts, text string) error {
	s.mu.Lock()
	c, u, err := s.resolveLocked(channel, user)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	m, ok := s.ws.message(c.ID, ts)
	if !ok || m.EphemeralTo != "" || m.User != u.ID {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: edit: message %s by %s in %s: %w", ts, u.Name, c.Name, ErrNotFound)
	}
	escaped, rich := s.ws.formatUserText(text, randomAlnum(5))
	var events []*envelope
	s.editLocked(c, m, escaped, json.RawMessage("["+string(rich)+"]"), u.ID, &events)
	s.mu.Unlock()
	s.sendAll(events)
	return nil
}

// DeleteUserMessage has user delete their message at ts in channel; the bot
// hears message_deleted.
func (s *Server) DeleteUserMessage(channel, user, ts string) error {
	s.mu.Lock()
	c, u, err := s.resolveLocked(channel, user)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	m, ok := s.ws.message(c.ID, ts)
	if !ok || m.EphemeralTo != "" || m.User != u.ID {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: delete: message %s by %s in %s: %w", ts, u.Name, c.Name, ErrNotFound)
	}
	var events []*envelope
	s.deleteLocked(c, m, &events)
	s.mu.Unlock()
	s.sendAll(events)
	return nil
}
