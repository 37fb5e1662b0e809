package slackemu

import (
	"encoding/json"
	"fmt"
	"time"
)

// ackDeadline is how long Slack waits for an interaction's ack before it
// shows the user an error (docs: 3 seconds).
const ackDeadline = 3 * time.Second

// ViewOutcome is what became of a view submission, from its ack.
type ViewOutcome struct {
	// ResponseAction is the ack's response_action: "" (the view closed),
	// "errors", "update", "push" or "clear"; "timeout" when no ack came
	// within 3 s (the user sees an error and the view stays open).
	ResponseAction string `json:"response_action"`
	// Errors are the per-block messages of an "errors" answer.
	Errors map[string]string `json:"errors,omitempty"`
	// ViewID is the view on top of the user's stack afterwards ("" if none).
	ViewID string `json:"view_id"`
}

// SubmitView has user press Submit on the modal viewID with the given input
// values (values[block_id][action_id] = text, or an option's value for
// selects), sends the view_submission payload, waits for the ack and applies
// its response_action.
func (s *Server) SubmitView(viewID, user string, values map[string]map[string]string) (ViewOutcome, error) {
	s.mu.Lock()
	u, ok := s.ws.user(user)
	if !ok || user == "" {
		s.mu.Unlock()
		return ViewOutcome{}, fmt.Errorf("slackemu: submit view: user %q: %w", user, ErrNotFound)
	}
	stack := s.stackLocked(u.ID)
	if len(stack) == 0 || stack[len(stack)-1].ID != viewID {
		s.mu.Unlock()
		return ViewOutcome{}, fmt.Errorf("slackemu: submit view %s: not the modal on top for %s: %w", viewID, u.Name, ErrNotFound)
	}
	v := stack[len(stack)-1]
	state, err := viewValues(v.Blocks, values)
	if err != nil {
		s.mu.Unlock()
		return ViewOutcome{}, fmt.Errorf("slackemu: submit view %s: %w", viewID, err)
	}
	payload := mustJSON(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": teamID, "domain": teamDomain},
		"user": userObject(u), "api_app_id": appID, "token": verificationToken,
		"trigger_id": s.newTriggerLocked(u.ID), "view": wireView(v, state),
		// slack-go reads response_urls at the top level (§4.2).
		"response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	})
	s.mu.Unlock()

	acks := make(chan json.RawMessage, 1)
	// The deadline starts before the envelope leaves, so a test that moves a
	// FakeClock once it sees the envelope sent always finds the timer set.
	expired := make(chan struct{})
	stop := s.opts.Clock.AfterFunc(ackDeadline, func() { close(expired) })
	defer stop()
	if err := s.send(interactiveEnvelope(typeInteractive, payload, true, func(p json.RawMessage) { acks <- p })); err != nil {
		return ViewOutcome{}, fmt.Errorf("slackemu: submit view %s: %w", viewID, err)
	}
	select {
	case ack := <-acks:
		return s.applyViewAck(u.ID, v, ack)
	case <-expired:
		return ViewOutcome{ResponseAction: "timeout", ViewID: viewID}, nil
	case <-s.done:
		return ViewOutcome{}, fmt.Errorf("slackemu: submit view %s: server closed", viewID)
	}
}

// applyViewAck carries out a view_submission ack (§1.6).
func (s *Server) applyViewAck(user string, v *View, ack json.RawMessage) (ViewOutcome, error) {
	var answer struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(ack) > 0 && string(ack) != "null" {
		if err := json.Unmarshal(ack, &answer); err != nil {
			return ViewOutcome{}, fmt.Errorf("slackemu: view_submission ack: not a response object: %w", err)
		}
	}
	out := ViewOutcome{ResponseAction: answer.ResponseAction, Errors: answer.Errors}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	switch answer.ResponseAction {
	case "":
		delete(s.ws.views, v.ID) // closes this view, back to the one below
	case "clear":
		for _, x := range s.stackLocked(user) {
			delete(s.ws.views, x.ID)
		}
	case "errors":
		if len(answer.Errors) == 0 {
			return out, fmt.Errorf("slackemu: view_submission ack: response_action errors without errors")
		}
	case "update", "push":
		in, blocks, err := parseView(string(answer.View), "modal")
		if err != nil {
			return out, fmt.Errorf("slackemu: view_submission ack: %s view: %w", answer.ResponseAction, err)
		}
		if answer.ResponseAction == "update" {
			s.setViewLocked(v, in, blocks)
		} else if _, err := s.pushLocked(user, in, blocks); err != nil {
			return out, fmt.Errorf("slackemu: view_submission ack: push: %w", err)
		}
	default:
		return out, fmt.Errorf("slackemu: view_submission ack: unknown response_action %q", answer.ResponseAction)
	}
	if stack := s.stackLocked(user); len(stack) > 0 {
		out.ViewID = stack[len(stack)-1].ID
	}
	return out, nil
}

// Shortcut has user run the shortcut callbackID: a message shortcut on the
// message at messageTS in channel when both are given (message_action, with
// a response_url), else a global shortcut.
func (s *Server) Shortcut(callbackID, channel, messageTS, user string) (triggerID string, err error) {
	s.mu.Lock()
	u, ok := s.ws.user(user)
	if !ok || user == "" {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: shortcut: user %q: %w", user, ErrNotFound)
	}
	trig := s.newTriggerLocked(u.ID)
	p := map[string]any{
		"type": "shortcut", "token": verificationToken, "action_ts": formatTS(s.opts.Now()),
		"team": map[string]any{"id": teamID, "domain": teamDomain}, "user": userObject(u),
		"is_enterprise_install": false, "enterprise": nil, "callback_id": callbackID, "trigger_id": trig,
	}
	if channel != "" || messageTS != "" {
		c, ok := s.ws.channel(channel)
		var m *Message
		if ok {
			m, ok = s.ws.message(c.ID, messageTS)
		}
		if !ok || m.EphemeralTo != "" {
			s.mu.Unlock()
			return "", fmt.Errorf("slackemu: shortcut: message %s in %q: %w", messageTS, channel, ErrNotFound)
		}
		_, hookURL := s.newHookLocked("app", c.ID, u.ID, nil)
		p["type"] = "message_action"
		p["channel"] = map[string]any{"id": c.ID, "name": c.Name}
		p["response_url"] = hookURL
		p["message_ts"] = m.TS
		p["message"] = s.wireLocked(m)
	}
	s.mu.Unlock()
	// Fixtures and docs disagree on accepts_response_payload for shortcuts
	// (UNCONFIRMED); false matches the fixtures.
	if err := s.send(interactiveEnvelope(typeInteractive, mustJSON(p), false, nil)); err != nil {
		return "", fmt.Errorf("slackemu: shortcut %s: %w", callbackID, err)
	}
	return trig, nil
}

// InviteBot adds the bot to channel on inviter's behalf; the bot hears the
// channel_join message about itself, as in Slack.
func (s *Server) InviteBot(channel, inviter string) (string, error) {
	s.mu.Lock()
	c, u, err := s.resolveLocked(channel, inviter)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	if c.hasMember(botUserID) {
		s.mu.Unlock()
		return "", fmt.Errorf("slackemu: invite bot to %s: already_in_channel", c.Name)
	}
	c.Members = append(c.Members, botUserID)
	m := &Message{Channel: c.ID, User: botUserID, Text: "<@" + botUserID + "> has joined the channel"}
	m.TS = s.ws.newTS(s.opts.Now())
	s.ws.add(m)
	var events []*envelope
	s.queueEventLocked(&events, c, map[string]any{
		"type": "message", "subtype": "channel_join", "user": botUserID, "inviter": u.ID,
		"text": m.Text, "channel": c.ID, "channel_type": c.channelType(), "team": teamID,
		"ts": m.TS, "event_ts": m.TS,
	})
	s.notifyLocked()
	s.mu.Unlock()
	s.sendAll(events)
	return m.TS, nil
}
