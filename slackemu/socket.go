package slackemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxConnections is Slack's limit of concurrent Socket Mode connections per
// app (docs: using-socket-mode).
const maxConnections = 10

// connectCooldown is how long apps.connections.open answers 429 after a
// too_many_websockets disconnect. slack-go reconnects after a disconnect with
// no backoff at all, so without this the emulator and client spin (the probe
// in slack-protocol.md §8.2 saw 4,492 opens in one second); a 429 with
// Retry-After is the one signal slack-go honours.
const connectCooldown = time.Second

// errNoSocket means no Socket Mode connection is open; Slack shows the user
// "dispatch_failed" for a slash command in that case.
var errNoSocket = errors.New("dispatch_failed: no Socket Mode connection")

// Envelope types Slack sends over Socket Mode.
const (
	typeEventsAPI   = "events_api"
	typeSlash       = "slash_commands"
	typeInteractive = "interactive"
)

// sockets is the Socket Mode side of the server; guarded by Server.mu.
type sockets struct {
	conns         []*conn
	next          int                  // round-robin cursor
	opened        int                  // connections accepted since start
	tickets       map[string]bool      // issued, not yet used
	pending       map[string]*envelope // envelope_id → sent, not yet acked
	queue         []*envelope          // events_api envelopes waiting for a connection
	cooldownUntil time.Time
}

func newSockets() *sockets {
	return &sockets{tickets: make(map[string]bool), pending: make(map[string]*envelope)}
}

func (ss *sockets) all() []*conn { return append([]*conn(nil), ss.conns...) }

// conn is one accepted WebSocket.
type conn struct {
	id   int
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla allows one concurrent writer of data frames
	done chan struct{}
	once sync.Once
}

func (c *conn) writeJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// envelope is one Socket Mode delivery.
type envelope struct {
	id          string
	kind        string
	payload     json.RawMessage
	acceptsResp bool
	attempt     int
	// sentAt is real time, not the server's Clock: ack latency is the bot's
	// real responsiveness even when a test fakes the clock.
	sentAt time.Time
	// delivery is shared by every (re)delivery of one event; nil for slash
	// commands and interactions, which Slack never redelivers.
	delivery *delivery
	// onAck handles the ack's payload; it runs without the server lock.
	onAck func(payload json.RawMessage)
}

type delivery struct {
	eventID string
	acked   bool
}

// wireEnvelope is the JSON frame of an envelope (slack-protocol.md §1.5).
type wireEnvelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           *int            `json:"retry_attempt,omitempty"`
	RetryReason            *string         `json:"retry_reason,omitempty"`
	Payload                json.RawMessage `json:"payload"`
}

func (e *envelope) wire() wireEnvelope {
	w := wireEnvelope{EnvelopeID: e.id, Type: e.kind, AcceptsResponsePayload: e.acceptsResp, Payload: e.payload}
	if e.kind == typeEventsAPI {
		// The first delivery carries 0 and "", retries "timeout" (§1.9).
		reason := ""
		if e.attempt > 0 {
			reason = "timeout"
		}
		attempt := e.attempt
		w.RetryAttempt, w.RetryReason = &attempt, &reason
	}
	return w
}

// openConnectionURL issues a single-use WebSocket URL (apps.connections.open).
func (s *Server) openConnectionURLLocked() string {
	ticket := uuid()
	s.sock.tickets[ticket] = true
	return "ws" + s.url[len("http"):] + "/link/?ticket=" + ticket + "&app_id=" + appID
}

var upgrader = websocket.Upgrader{
	// slack-go always sends Origin: https://api.slack.com, which gorilla's
	// default same-origin check rejects (must-do #2). Browsers on the
	// emulator's own host (the sandbox UI) are allowed too.
	CheckOrigin: func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		return origin == "" || origin == "https://api.slack.com" ||
			origin == "http://"+r.Host || origin == "https://"+r.Host
	},
}

// handleLink accepts a Socket Mode WebSocket at /link/?ticket=….
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Warn("socket upgrade", "err", err)
		return
	}
	c := &conn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close()
		return
	}
	if len(s.sock.conns) >= maxConnections {
		// Slack sends too_many_websockets instead of hello (bolt-js#2021).
		s.sock.cooldownUntil = time.Now().Add(connectCooldown)
		s.mu.Unlock()
		_ = c.writeJSON(disconnectFrame("too_many_websockets"))
		c.close()
		return
	}
	s.sock.opened++
	c.id = s.sock.opened
	s.sock.conns = append(s.sock.conns, c)
	hello := helloFrame(len(s.sock.conns))
	s.notifyLocked()
	s.mu.Unlock()

	s.log.Debug("socket connected", "conn", c.id)
	if err := c.writeJSON(hello); err != nil {
		s.dropConn(c)
		return
	}
	s.flushQueue()
	go s.pingLoop(c)
	s.readLoop(c)
}

func helloFrame(numConnections int) map[string]any {
	return map[string]any{
		"type":            "hello",
		"num_connections": numConnections,
		"debug_info": map[string]any{
			"host":                        "applink-emu",
			"started":                     time.Now().UTC().Format("2006-01-02 15:04:05.000"),
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": appID},
	}
}

func disconnectFrame(reason string) map[string]any {
	return map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-emu"}}
}

// pingLoop sends WebSocket pings; slack-go reconnects after 30 s without one.
func (s *Server) pingLoop(c *conn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			s.mu.Lock()
			stopped := s.faults.stopPings
			s.mu.Unlock()
			if stopped {
				continue
			}
			payload := fmt.Sprintf("Ping from applink-emu-%d", c.id)
			if err := c.ws.WriteControl(websocket.PingMessage, []byte(payload), time.Now().Add(5*time.Second)); err != nil {
				s.dropConn(c)
				return
			}
		}
	}
}

// readLoop reads acks until the socket fails, then forgets the connection.
func (s *Server) readLoop(c *conn) {
	defer s.dropConn(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
			s.log.Warn("unusable frame from app", "conn", c.id, "bytes", len(data))
			continue
		}
		s.ack(ack.EnvelopeID, ack.Payload)
	}
}

// ack records an ack, from any connection (Slack accepts acks on any socket
// of the app). Acks for unknown envelopes are ignored (must-do #11).
func (s *Server) ack(envelopeID string, payload json.RawMessage) {
	s.mu.Lock()
	env, ok := s.sock.pending[envelopeID]
	if !ok {
		s.mu.Unlock()
		s.log.Debug("ack for unknown envelope", "envelope_id", envelopeID)
		return
	}
	delete(s.sock.pending, envelopeID)
	duplicate := env.delivery != nil && env.delivery.acked
	if env.delivery != nil {
		env.delivery.acked = true
		// One ack settles the event: the deliveries it superseded (or that
		// superseded it) are no longer waiting for anything.
		for id, other := range s.sock.pending {
			if other.delivery == env.delivery {
				delete(s.sock.pending, id)
			}
		}
	}
	s.stats.recordAck(time.Since(env.sentAt))
	onAck := env.onAck
	s.notifyLocked()
	s.mu.Unlock()
	if onAck != nil && !duplicate {
		onAck(payload)
	}
}

func (s *Server) dropConn(c *conn) {
	c.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.sock.conns {
		if x == c {
			s.sock.conns = append(s.sock.conns[:i], s.sock.conns[i+1:]...)
			s.notifyLocked()
			s.log.Debug("socket closed", "conn", c.id)
			return
		}
	}
}

// pickLocked chooses the connection for the next envelope (round robin: Slack
// guarantees no pattern, §1.8).
func (s *Server) pickLocked() *conn {
	n := len(s.sock.conns)
	if n == 0 {
		return nil
	}
	s.sock.next = (s.sock.next + 1) % n
	return s.sock.conns[s.sock.next]
}

// send delivers a new envelope. events_api envelopes are queued when no
// socket is open and redelivered until acked; the others fail with
// errNoSocket, as Slack's dispatch does.
func (s *Server) send(env *envelope) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("slackemu: server closed")
	}
	c := s.pickLocked()
	if c == nil {
		if env.delivery == nil {
			s.mu.Unlock()
			return errNoSocket
		}
		s.sock.queue = append(s.sock.queue, env)
		s.notifyLocked()
		s.mu.Unlock()
		return nil
	}
	frame := s.dispatchLocked(env)
	s.mu.Unlock()
	s.write(c, frame)
	return nil
}

// eventEnvelope wraps an event_callback payload for delivery.
func eventEnvelope(payload json.RawMessage, eventID string) *envelope {
	return &envelope{kind: typeEventsAPI, payload: payload, delivery: &delivery{eventID: eventID}}
}

// interactiveEnvelope wraps an interaction (or, with kind typeSlash, a slash
// command) whose ack payload onAck handles.
func interactiveEnvelope(kind string, payload json.RawMessage, acceptsResp bool, onAck func(json.RawMessage)) *envelope {
	return &envelope{kind: kind, payload: payload, acceptsResp: acceptsResp, onAck: onAck}
}

// dispatchLocked registers env as sent now and schedules its redelivery.
func (s *Server) dispatchLocked(env *envelope) wireEnvelope {
	env.id = uuid()
	env.sentAt = time.Now()
	s.sock.pending[env.id] = env
	s.stats.sent++
	if env.attempt > 0 {
		s.stats.redelivered++
	}
	if env.delivery != nil && env.attempt < len(s.opts.RedeliverAfter) {
		s.afterLocked(s.opts.RedeliverAfter[env.attempt], func() { s.redeliver(env) })
	}
	s.notifyLocked()
	return env.wire()
}

// redeliver sends env again (same payload and event_id, new envelope_id,
// retry_attempt+1, retry_reason "timeout") if no delivery of it was acked.
func (s *Server) redeliver(prev *envelope) {
	s.mu.Lock()
	if s.closed || prev.delivery.acked {
		s.mu.Unlock()
		return
	}
	// A late ack for the unanswered envelope still settles the event
	// (through the shared delivery), so it stays pending too.
	env := &envelope{kind: prev.kind, payload: prev.payload, attempt: prev.attempt + 1, delivery: prev.delivery}
	c := s.pickLocked()
	if c == nil {
		s.sock.queue = append(s.sock.queue, env)
		s.mu.Unlock()
		return
	}
	frame := s.dispatchLocked(env)
	s.mu.Unlock()
	s.write(c, frame)
}

// flushQueue sends the events that waited for a connection.
func (s *Server) flushQueue() {
	for {
		s.mu.Lock()
		if len(s.sock.queue) == 0 || s.closed {
			s.mu.Unlock()
			return
		}
		c := s.pickLocked()
		if c == nil {
			s.mu.Unlock()
			return
		}
		env := s.sock.queue[0]
		s.sock.queue = s.sock.queue[1:]
		if env.delivery.acked {
			s.mu.Unlock()
			continue
		}
		frame := s.dispatchLocked(env)
		s.mu.Unlock()
		s.write(c, frame)
	}
}

// write sends a frame; a failed write drops the connection, and redelivery
// (for events) takes it from there.
func (s *Server) write(c *conn, frame wireEnvelope) {
	if err := c.writeJSON(frame); err != nil {
		s.log.Warn("socket write", "conn", c.id, "err", err)
		s.dropConn(c)
	}
}

// Disconnect sends a disconnect frame with reason ("warning",
// "refresh_requested", "link_disabled", "too_many_websockets") on every open
// socket and closes them, as Slack does.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := s.sock.all()
	s.mu.Unlock()
	for _, c := range conns {
		c.wmu.Lock()
		_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = c.ws.WriteJSON(disconnectFrame(reason))
		c.wmu.Unlock()
		s.dropConn(c)
	}
}

// DropSockets closes every socket without a word, like a network failure.
func (s *Server) DropSockets() {
	s.mu.Lock()
	conns := s.sock.all()
	s.mu.Unlock()
	for _, c := range conns {
		s.dropConn(c)
	}
}

// Connections is the number of open Socket Mode connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.conns)
}
