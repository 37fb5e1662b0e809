package slackemu

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxUpdateText is the text length chat.update rejects with msg_too_long
// (slack-protocol.md §5.2).
const maxUpdateText = 4000

func (s *Server) authTest(*apiRequest) (map[string]any, error) {
	return map[string]any{
		"url": "https://" + teamDomain + ".slack.com/", "team": teamName, "user": s.opts.BotName,
		"team_id": teamID, "user_id": botUserID, "bot_id": botID, "app_id": appID,
		"is_enterprise_install": false,
	}, nil
}

func (s *Server) appsConnectionsOpen(*apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if wait := time.Until(s.sock.cooldownUntil); wait > 0 {
		return nil, &apiError{code: "ratelimited", status: 429, retryAfter: int(wait.Seconds()) + 1}
	}
	return map[string]any{"url": s.openConnectionURLLocked()}, nil
}

// postChannelLocked resolves the channel a bot call names and checks the bot
// may write there.
func (s *Server) postChannelLocked(ref string) (*Channel, error) {
	if ref == "" {
		return nil, fail("channel_not_found")
	}
	c, ok := s.ws.channel(ref)
	if !ok {
		return nil, fail("channel_not_found")
	}
	if !c.hasMember(botUserID) {
		return nil, fail("not_in_channel")
	}
	return c, nil
}

// threadRootLocked resolves a thread_ts argument to the thread's parent.
// A reply's ts resolves to its parent, as Slack does.
func (s *Server) threadRootLocked(c *Channel, threadTS string) (*Message, error) {
	parent, ok := s.ws.message(c.ID, threadTS)
	if !ok || parent.EphemeralTo != "" {
		return nil, fail("thread_not_found")
	}
	if parent.ThreadTS != "" && parent.ThreadTS != parent.TS {
		parent, _ = s.ws.message(c.ID, parent.ThreadTS)
	}
	return parent, nil
}

// messageContent validates text and blocks arguments (no_text, invalid_blocks).
func messageContent(r *apiRequest) (string, json.RawMessage, error) {
	text, rawBlocks := r.arg("text"), r.arg("blocks")
	blocks, err := parseBlocks(rawBlocks, maxMessageBlocks)
	if err != nil {
		return "", nil, err
	}
	if text == "" && blocks == nil && r.arg("attachments") == "" {
		return "", nil, fail("no_text")
	}
	return text, blocks, nil
}

func (s *Server) chatPostMessage(r *apiRequest) (map[string]any, error) {
	text, blocks, err := messageContent(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c, err := s.postChannelLocked(r.arg("channel"))
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	m := &Message{Channel: c.ID, User: botUserID, BotID: botID, Text: text, Blocks: blocks}
	var events []*envelope
	if ts := r.arg("thread_ts"); ts != "" {
		parent, err := s.threadRootLocked(c, ts)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		m.ThreadTS = parent.TS
	}
	s.postLocked(c, m, &events)
	res := map[string]any{"channel": c.ID, "ts": m.TS, "message": s.wireLocked(m)}
	s.mu.Unlock()
	s.sendAll(events)
	return res, nil
}

// postLocked stores a new visible message in c (stamping its ts and marking
// its thread's parent) and queues the `message` event the bot hears for it.
func (s *Server) postLocked(c *Channel, m *Message, events *[]*envelope) {
	m.TS = s.ws.newTS(s.opts.Now())
	if m.ThreadTS != "" {
		if parent, ok := s.ws.message(c.ID, m.ThreadTS); ok {
			parent.ThreadTS = parent.TS
		}
	}
	s.ws.add(m)
	s.queueEventLocked(events, c, s.messageEventLocked(c, m))
	s.notifyLocked()
}

// postEphemeralLocked stores an ephemeral message; they never produce events
// and never appear in history (§5.3).
func (s *Server) postEphemeralLocked(c *Channel, m *Message) {
	m.TS = s.ws.newTS(s.opts.Now())
	s.ws.add(m)
	s.notifyLocked()
}

func (s *Server) chatPostEphemeral(r *apiRequest) (map[string]any, error) {
	text, blocks, err := messageContent(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.postChannelLocked(r.arg("channel"))
	if err != nil {
		return nil, err
	}
	u, ok := s.ws.user(r.arg("user"))
	if !ok || r.arg("user") == "" {
		return nil, fail("user_not_found")
	}
	if !c.hasMember(u.ID) {
		return nil, fail("user_not_in_channel")
	}
	m := &Message{Channel: c.ID, User: botUserID, BotID: botID, Text: text, Blocks: blocks, EphemeralTo: u.ID}
	if ts := r.arg("thread_ts"); ts != "" {
		if parent, err := s.threadRootLocked(c, ts); err == nil {
			m.ThreadTS = parent.TS
		}
	}
	s.postEphemeralLocked(c, m)
	return map[string]any{"message_ts": m.TS}, nil
}

// ownMessageLocked finds a visible message of the bot for chat.update/delete.
func (s *Server) ownMessageLocked(r *apiRequest, notOwn string) (*Channel, *Message, error) {
	c, ok := s.ws.channel(r.arg("channel"))
	if !ok || r.arg("channel") == "" {
		return nil, nil, fail("channel_not_found")
	}
	m, ok := s.ws.message(c.ID, r.arg("ts"))
	if !ok || m.EphemeralTo != "" {
		return nil, nil, fail("message_not_found")
	}
	if m.User != botUserID {
		return nil, nil, fail(notOwn)
	}
	return c, m, nil
}

func (s *Server) chatUpdate(r *apiRequest) (map[string]any, error) {
	text, blocks, err := messageContent(r)
	if err != nil {
		return nil, err
	}
	if len([]rune(text)) > maxUpdateText {
		return nil, fail("msg_too_long")
	}
	s.mu.Lock()
	c, m, err := s.ownMessageLocked(r, "cant_update_message")
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var events []*envelope
	s.editLocked(c, m, text, blocks, botUserID, &events)
	res := map[string]any{"channel": c.ID, "ts": m.TS, "text": m.Text, "message": s.wireLocked(m)}
	s.mu.Unlock()
	s.sendAll(events)
	return res, nil
}

// editLocked replaces a visible message's content and queues message_changed.
func (s *Server) editLocked(c *Channel, m *Message, text string, blocks json.RawMessage, editor string, events *[]*envelope) {
	previous := s.wireLocked(m)
	m.Text, m.Blocks = text, blocks
	editTS := s.ws.newTS(s.opts.Now())
	m.Edited = &Edited{User: editor, TS: editTS}
	s.queueEventLocked(events, c, map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true,
		"channel": c.ID, "channel_type": c.channelType(), "ts": editTS, "event_ts": editTS,
		"message": s.wireLocked(m), "previous_message": previous,
	})
	s.notifyLocked()
}

func (s *Server) chatDelete(r *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	c, m, err := s.ownMessageLocked(r, "cant_delete_message")
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var events []*envelope
	s.deleteLocked(c, m, &events)
	s.mu.Unlock()
	s.sendAll(events)
	return map[string]any{"channel": c.ID, "ts": m.TS}, nil
}

// deleteLocked removes a message; visible ones produce message_deleted.
func (s *Server) deleteLocked(c *Channel, m *Message, events *[]*envelope) {
	s.ws.remove(m)
	if m.EphemeralTo == "" {
		ts := s.ws.newTS(s.opts.Now())
		s.queueEventLocked(events, c, map[string]any{
			"type": "message", "subtype": "message_deleted", "hidden": true,
			"channel": c.ID, "channel_type": c.channelType(), "ts": ts, "event_ts": ts,
			"deleted_ts": m.TS, "previous_message": s.wireLocked(m),
		})
	}
	s.notifyLocked()
}

func (s *Server) reactionsAdd(r *apiRequest) (map[string]any, error) {
	name := r.arg("name")
	if name == "" || strings.ContainsAny(name, ": ") {
		return nil, fail("invalid_name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.postChannelLocked(r.arg("channel"))
	if err != nil {
		return nil, err
	}
	m, ok := s.ws.message(c.ID, r.arg("timestamp"))
	if !ok || m.EphemeralTo != "" {
		return nil, fail("message_not_found")
	}
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return x.Name == name })
	if i < 0 {
		m.Reactions = append(m.Reactions, Reaction{Name: name})
		i = len(m.Reactions) - 1
	}
	if slices.Contains(m.Reactions[i].Users, botUserID) {
		return nil, fail("already_reacted")
	}
	m.Reactions[i].Users = append(m.Reactions[i].Users, botUserID)
	m.Reactions[i].Count++
	s.notifyLocked()
	return nil, nil
}

// historyChannelLocked resolves a channel the bot reads (history needs
// membership, §5.2 not_in_channel).
func (s *Server) historyChannelLocked(ref string) (*Channel, error) {
	return s.postChannelLocked(ref)
}

// page applies limit/cursor pagination; cursors are offsets.
func page(all []*Message, r *apiRequest) ([]*Message, map[string]any) {
	start, _ := strconv.Atoi(r.arg("cursor"))
	limit, err := strconv.Atoi(r.arg("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	start = min(max(start, 0), len(all))
	end := min(start+limit, len(all))
	meta := map[string]any{"has_more": end < len(all)}
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	meta["response_metadata"] = map[string]any{"next_cursor": next}
	return all[start:end], meta
}

func (s *Server) conversationsReplies(r *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.historyChannelLocked(r.arg("channel"))
	if err != nil {
		return nil, err
	}
	parent, err := s.threadRootLocked(c, r.arg("ts"))
	if err != nil {
		return nil, err
	}
	thread := append([]*Message{parent}, s.ws.replies(c.ID, parent.TS)...)
	msgs, res := page(thread, r)
	res["messages"] = s.wireAllLocked(msgs)
	return res, nil
}

func (s *Server) conversationsHistory(r *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.historyChannelLocked(r.arg("channel"))
	if err != nil {
		return nil, err
	}
	// Newest first; thread replies stay in their threads.
	var top []*Message
	all := s.ws.messages[c.ID]
	for i := len(all) - 1; i >= 0; i-- {
		m := all[i]
		if m.EphemeralTo == "" && (m.ThreadTS == "" || m.ThreadTS == m.TS) && inRange(m.TS, r) {
			top = append(top, m)
		}
	}
	msgs, res := page(top, r)
	res["messages"] = s.wireAllLocked(msgs)
	return res, nil
}

// inRange applies conversations.history's oldest/latest/inclusive bounds.
func inRange(ts string, r *apiRequest) bool {
	v, _ := strconv.ParseFloat(ts, 64)
	inclusive := r.arg("inclusive") == "1" || r.arg("inclusive") == "true"
	if o := r.arg("oldest"); o != "" {
		ov, _ := strconv.ParseFloat(o, 64)
		if v < ov || (v == ov && !inclusive) {
			return false
		}
	}
	if l := r.arg("latest"); l != "" {
		lv, _ := strconv.ParseFloat(l, 64)
		if v > lv || (v == lv && !inclusive) {
			return false
		}
	}
	return true
}

func (s *Server) wireAllLocked(msgs []*Message) []map[string]any {
	out := make([]map[string]any, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, s.wireLocked(m))
	}
	return out
}

func (s *Server) conversationsInfo(r *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channel(r.arg("channel"))
	if !ok || r.arg("channel") == "" {
		return nil, fail("channel_not_found")
	}
	return map[string]any{"channel": channelObject(c)}, nil
}

func channelObject(c *Channel) map[string]any {
	im := strings.HasPrefix(c.ID, "D")
	return map[string]any{
		"id": c.ID, "name": c.Name, "is_channel": !c.IsPrivate && !im, "is_group": c.IsPrivate,
		"is_im": im, "is_private": c.IsPrivate || im, "is_member": c.hasMember(botUserID),
		"is_archived": false, "num_members": len(c.Members), "created": 1700000000,
		"context_team_id": teamID,
	}
}

func (s *Server) usersInfo(r *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.user(r.arg("user"))
	if !ok || r.arg("user") == "" {
		return nil, fail("user_not_found")
	}
	user := map[string]any{
		"id": u.ID, "team_id": teamID, "name": u.Name, "real_name": u.Name, "deleted": false,
		"is_bot": u.IsBot, "tz": "UTC", "tz_offset": 0,
		"profile": map[string]any{"real_name": u.Name, "display_name": u.Name, "team": teamID},
	}
	if u.IsBot {
		user["profile"].(map[string]any)["bot_id"] = botID
		user["profile"].(map[string]any)["api_app_id"] = appID
	}
	return map[string]any{"user": user}, nil
}
