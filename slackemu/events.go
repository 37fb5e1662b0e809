package slackemu

import (
	"encoding/json"
	"fmt"
	"slices"
)

// verificationToken is the deprecated token field Slack still puts in
// payloads; Socket Mode apps ignore it.
const verificationToken = "emuVerificationToken"

// eventCallbackLocked wraps an inner event in the Events API outer object
// (slack-protocol.md §2.1) and returns it with its event_id.
func (s *Server) eventCallbackLocked(event map[string]any) (json.RawMessage, string) {
	eventID := fmt.Sprintf("Ev0EMU%06d", s.nextSeqLocked())
	outer := map[string]any{
		"token":      verificationToken,
		"team_id":    teamID,
		"api_app_id": appID,
		"event":      event,
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": s.opts.Now().Unix(), // an integer: slack-go's decoding is strict (must-do #7)
		"authorizations": []map[string]any{{
			"enterprise_id": nil, "team_id": teamID, "user_id": botUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-emu-" + eventID,
		"context_team_id":       teamID,
		"context_enterprise_id": nil,
	}
	return mustJSON(outer), eventID
}

// queueEventLocked builds an event envelope for later sending (after the
// lock is released) if the bot hears channel c.
func (s *Server) queueEventLocked(out *[]*envelope, c *Channel, event map[string]any) {
	if c != nil && !c.hasMember(botUserID) {
		return // the bot only hears conversations it is in
	}
	payload, id := s.eventCallbackLocked(event)
	*out = append(*out, eventEnvelope(payload, id))
}

// sendAll delivers envelopes built under the lock; call without it.
func (s *Server) sendAll(envs []*envelope) {
	for _, e := range envs {
		if err := s.send(e); err != nil {
			s.log.Warn("deliver event", "err", err)
		}
	}
}

// botProfile is the bot_profile object on the bot's own messages.
func botProfile(name string) map[string]any {
	return map[string]any{
		"id": botID, "deleted": false, "name": name, "updated": 1700000000,
		"app_id": appID, "team_id": teamID,
		"icons": map[string]any{"image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png"},
	}
}

// wireLocked renders m as Slack renders a message object in events and
// Web API answers.
func (s *Server) wireLocked(m *Message) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "team": teamID}
	if m.User != "" {
		out["user"] = m.User
	}
	switch {
	case m.BotID == botID:
		out["bot_id"] = m.BotID
		out["app_id"] = appID
		out["bot_profile"] = botProfile(s.opts.BotName)
	case m.BotID != "":
		// A legacy integration's post: subtype bot_message, no user (§2.2).
		out["subtype"] = "bot_message"
		out["bot_id"] = m.BotID
		out["username"] = m.Username
		out["icons"] = map[string]any{"emoji": ":robot_face:"}
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.ClientMsgID != "" {
		out["client_msg_id"] = m.ClientMsgID
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
		if m.ThreadTS == m.TS {
			replies := s.ws.replies(m.Channel, m.TS)
			var users []string
			for _, r := range replies {
				if !slices.Contains(users, r.User) {
					users = append(users, r.User)
				}
			}
			out["reply_count"] = len(replies)
			out["reply_users_count"] = len(users)
			out["reply_users"] = users
			if len(replies) > 0 {
				out["latest_reply"] = replies[len(replies)-1].TS
			}
		} else if parent, ok := s.ws.message(m.Channel, m.ThreadTS); ok {
			out["parent_user_id"] = parent.User
		}
	}
	if m.Edited != nil {
		out["edited"] = m.Edited
	}
	if len(m.Reactions) > 0 {
		out["reactions"] = m.Reactions
	}
	return out
}

// messageEventLocked is the `message` event for a new message m in c: a
// user's message or the bot's own post echoed back (bots hear themselves, §2.2).
func (s *Server) messageEventLocked(c *Channel, m *Message) map[string]any {
	ev := s.wireLocked(m)
	delete(ev, "reply_count")
	delete(ev, "reply_users_count")
	delete(ev, "reply_users")
	delete(ev, "latest_reply")
	ev["channel"] = c.ID
	ev["channel_type"] = c.channelType()
	ev["event_ts"] = m.TS
	return ev
}

// mentionEventLocked is the app_mention twin of a message that mentions the bot.
func (s *Server) mentionEventLocked(c *Channel, m *Message) map[string]any {
	ev := s.messageEventLocked(c, m)
	ev["type"] = "app_mention"
	delete(ev, "channel_type")
	delete(ev, "parent_user_id")
	return ev
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackemu: marshal %T: %v", v, err)) // only our own maps reach here
	}
	return b
}
