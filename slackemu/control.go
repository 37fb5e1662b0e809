package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// routes wires the Web API, Socket Mode, response_url and control endpoints.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/hooks/", s.handleHook)
	mux.HandleFunc("POST /emu/messages", s.controlPostMessage)
	mux.HandleFunc("GET /emu/messages", s.controlMessages)
	mux.HandleFunc("POST /emu/messages/update", s.controlEditMessage)
	mux.HandleFunc("POST /emu/messages/delete", s.controlDeleteMessage)
	mux.HandleFunc("POST /emu/commands", s.controlCommand)
	mux.HandleFunc("POST /emu/actions", s.controlAction)
	mux.HandleFunc("GET /emu/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Stats()) })
	mux.HandleFunc("POST /emu/faults", s.controlFault)
	mux.HandleFunc("POST /emu/views/submit", s.controlSubmitView)
	mux.HandleFunc("GET /emu/views", s.controlViews)
	mux.HandleFunc("POST /emu/shortcuts", s.controlShortcut)
	mux.HandleFunc("POST /emu/home", s.controlHome)
	mux.HandleFunc("POST /emu/invite", s.controlInvite)
	return mux
}

// Messages lists the messages of channel in ts order, ephemeral ones and
// response_url posts included. With threadTS it lists that thread (parent
// first); without, every message in the channel, thread replies included.
func (s *Server) Messages(channel, threadTS string) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channel(channel)
	if !ok || channel == "" {
		return nil, fmt.Errorf("slackemu: messages: channel %q: %w", channel, ErrNotFound)
	}
	out := []Message{}
	for _, m := range s.ws.messages[c.ID] {
		if threadTS == "" || m.TS == threadTS || m.ThreadTS == threadTS {
			cp := *m
			cp.Reactions = slices.Clone(m.Reactions)
			out = append(out, cp)
		}
	}
	return out, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeControlError maps an error to a status: 404 for unknown things, 409
// when no socket is connected, 400 otherwise.
func writeControlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, errNoSocket):
		status = http.StatusConflict
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// decodeControl reads a JSON request body into v, rejecting unknown fields so
// a typo is an error rather than a silently ignored setting.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request body: " + err.Error()})
		return false
	}
	return true
}

// control is the shape of every POST endpoint: decode the request into a
// Req (unknown fields rejected), act on it, and answer act's value as JSON
// or its error with writeControlError's status.
func control[Req any](w http.ResponseWriter, r *http.Request, act func(Req) (any, error)) {
	var req Req
	if !decodeControl(w, r, &req) {
		return
	}
	out, err := act(req)
	if err != nil {
		writeControlError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// done is the answer of an endpoint with nothing to say but success.
func done(err error) (any, error) { return struct{}{}, err }

// reqPostMessage is POST /emu/messages.
type reqPostMessage struct {
	Channel  string `json:"channel"`
	User     string `json:"user"`
	Text     string `json:"text"`
	ThreadTS string `json:"thread_ts"`
	// BotUsername, instead of user, posts as a legacy integration.
	BotUsername string `json:"bot_username"`
}

func (s *Server) controlPostMessage(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req reqPostMessage) (any, error) {
		var ts string
		var err error
		if req.BotUsername != "" && req.User == "" {
			ts, err = s.PostIntegrationMessage(req.Channel, req.BotUsername, req.Text)
		} else {
			ts, err = s.PostUserMessage(req.Channel, req.User, req.Text, req.ThreadTS)
		}
		return map[string]string{"ts": ts}, err
	})
}

// controlEditMessage has a user edit their message (Slack's chat.update
// as a user does it): the bot hears message_changed.
func (s *Server) controlEditMessage(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		Channel string `json:"channel"`
		User    string `json:"user"`
		TS      string `json:"ts"`
		Text    string `json:"text"`
	}) (any, error) {
		return done(s.EditUserMessage(req.Channel, req.User, req.TS, req.Text))
	})
}

// controlDeleteMessage has a user delete their message: the bot hears
// message_deleted.
func (s *Server) controlDeleteMessage(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		Channel string `json:"channel"`
		User    string `json:"user"`
		TS      string `json:"ts"`
	}) (any, error) {
		return done(s.DeleteUserMessage(req.Channel, req.User, req.TS))
	})
}

// maxControlWait bounds a long poll on GET /emu/messages.
const maxControlWait = time.Minute

// controlMessages lists a channel or thread. With min=N and wait=DURATION
// it is a long poll: it answers once the listing holds at least N messages,
// or after wait (at most a minute) with what there is, so clients over
// HTTP can wait for the bot's answer as Wait does in process, without
// polling.
func (s *Server) controlMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	channel, thread := q.Get("channel"), q.Get("thread_ts")
	if q.Has("min") || q.Has("wait") {
		n, err1 := strconv.Atoi(q.Get("min"))
		d, err2 := time.ParseDuration(q.Get("wait"))
		if err1 != nil || err2 != nil || n < 0 || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "min wants a count and wait a duration such as 5s"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), min(d, maxControlWait))
		defer cancel()
		_ = s.Wait(ctx, func() bool {
			ms, err := s.Messages(channel, thread)
			return err != nil || len(ms) >= n // an unknown channel answers at once
		})
	}
	msgs, err := s.Messages(channel, thread)
	if err != nil {
		writeControlError(w, err)
		return
	}
	listed := make([]Message, len(msgs))
	for i, m := range msgs {
		listed[i] = listMessage(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": listed})
}

// listMessage is m as GET /emu/messages shows it: blocks and reactions as
// empty lists rather than null.
func listMessage(m Message) Message {
	if m.Blocks == nil {
		m.Blocks = json.RawMessage("[]")
	}
	if m.Reactions == nil {
		m.Reactions = []Reaction{}
	}
	return m
}

func (s *Server) controlCommand(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		Channel string `json:"channel"`
		User    string `json:"user"`
		Command string `json:"command"`
		Text    string `json:"text"`
	}) (any, error) {
		trig, hook, err := s.RunCommand(req.Channel, req.User, req.Command, req.Text)
		return map[string]string{"trigger_id": trig, "response_url": hook}, err
	})
}

func (s *Server) controlAction(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		Channel   string `json:"channel"`
		MessageTS string `json:"message_ts"`
		User      string `json:"user"`
		ActionID  string `json:"action_id"`
		Value     string `json:"value"`
	}) (any, error) {
		return done(s.Click(req.Channel, req.MessageTS, req.User, req.ActionID, req.Value))
	})
}

func (s *Server) controlFault(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(f Fault) (any, error) { return done(s.Fault(f)) })
}

func (s *Server) controlSubmitView(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		ViewID string                       `json:"view_id"`
		User   string                       `json:"user"`
		Values map[string]map[string]string `json:"values"`
	}) (any, error) {
		return s.SubmitView(req.ViewID, req.User, req.Values)
	})
}

func (s *Server) controlViews(w http.ResponseWriter, r *http.Request) {
	modals, home, err := s.Views(r.URL.Query().Get("user"))
	if err != nil {
		writeControlError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"modals": modals, "home": home})
}

func (s *Server) controlShortcut(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		CallbackID string `json:"callback_id"`
		Channel    string `json:"channel"`
		MessageTS  string `json:"message_ts"`
		User       string `json:"user"`
	}) (any, error) {
		trig, err := s.Shortcut(req.CallbackID, req.Channel, req.MessageTS, req.User)
		return map[string]string{"trigger_id": trig}, err
	})
}

func (s *Server) controlHome(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		User string `json:"user"`
	}) (any, error) {
		return done(s.OpenHome(req.User))
	})
}

func (s *Server) controlInvite(w http.ResponseWriter, r *http.Request) {
	control(w, r, func(req struct {
		Channel string `json:"channel"`
		User    string `json:"user"`
	}) (any, error) {
		ts, err := s.InviteBot(req.Channel, req.User)
		return map[string]string{"ts": ts}, err
	})
}
