package slackemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// RateLimitMode chooses how strictly the Web API enforces Slack's rate limits.
type RateLimitMode int

const (
	// RateLimitsOff never answers 429 (the default, so tests are not throttled).
	RateLimitsOff RateLimitMode = iota
	// RateLimitsRealistic applies Slack's per-tier budgets with bursts tolerated.
	RateLimitsRealistic
	// RateLimitsStrict applies the same budgets without bursts, so tests can
	// provoke a 429 with a handful of calls.
	RateLimitsStrict
)

// Options configures a Server. The zero value is a usable test server.
type Options struct {
	// Addr is the listen address; "" means 127.0.0.1 on a free port.
	Addr string
	// RateLimits selects the rate-limit behaviour (default RateLimitsOff).
	RateLimits RateLimitMode
	// RedeliverAfter is the redelivery schedule of an unacknowledged
	// events_api envelope: entry i is how long delivery i waits for its ack
	// before delivery i+1. Default {3s, 60s, 5min}: Slack's 3-second ack
	// deadline, then its 1- and 5-minute Events API retries.
	RedeliverAfter []time.Duration
	// PingInterval is how often each socket gets a WebSocket ping (default
	// 10s; slack-go reconnects when it sees none for 30s).
	PingInterval time.Duration
	// Now is the clock for timestamps, trigger_id and response_url expiry
	// (default time.Now); timers still run on real time. Ignored when Clock
	// is set.
	Now func() time.Time
	// Clock drives timestamps, expiry, the redelivery schedule and the
	// view_submission ack deadline (default: the real clock, or Now). Tests
	// pass a *FakeClock to cross the 3-second, 30-minute and retry timings
	// without waiting.
	Clock Clock
	// Logger receives the emulator's diagnostics (default: discarded).
	// Message text is only logged at debug level; tokens never.
	Logger *slog.Logger
	// BotName is the bot user's name (default "syncerr").
	BotName string
}

// Server is a running emulator. All methods are safe for concurrent use.
type Server struct {
	opts     Options
	log      *slog.Logger
	listener net.Listener
	http     *http.Server
	url      string
	appToken string
	botToken string

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change; see Wait
	closed  bool
	done    chan struct{} // closed by Close
	ws      *workspace
	sock    *sockets
	hooks   map[string]*responseHook // response_url token → hook
	trigs   map[string]*trigger      // trigger_id → trigger
	issued  int                      // hooks and triggers issued; see forgetOldLocked
	stats   statsState
	faults  faultState
	limits  *limiter
	seq     int // source of unique IDs
	timers  map[*timerRef]struct{}
}

// ErrNotFound reports that a channel, user, message or button named in a
// control call does not exist.
var ErrNotFound = errors.New("not found")

// New starts an emulator listening on opts.Addr with a seeded workspace:
// #identity-ops (the bot is a member), #general (it is not), users @alice and
// @bob, and the bot user.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.RedeliverAfter == nil {
		opts.RedeliverAfter = []time.Duration{3 * time.Second, time.Minute, 5 * time.Minute}
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 10 * time.Second
	}
	switch {
	case opts.Clock != nil:
	case opts.Now != nil:
		opts.Clock = nowOnly{now: opts.Now}
	default:
		opts.Clock = realClock{}
	}
	opts.Now = opts.Clock.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BotName == "" {
		opts.BotName = "syncerr"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("slackemu: listen on %s: %w", opts.Addr, err)
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		listener: ln,
		url:      "http://" + ln.Addr().String(),
		appToken: "xapp-1-" + appID + "-" + randomDigits(13) + "-" + randomHex(32),
		botToken: "xoxb-" + randomDigits(13) + "-" + randomDigits(13) + "-" + randomAlnum(24),
		changed:  make(chan struct{}),
		done:     make(chan struct{}),
		ws:       seedWorkspace(opts.BotName),
		sock:     newSockets(),
		hooks:    make(map[string]*responseHook),
		trigs:    make(map[string]*trigger),
		stats:    newStatsState(),
		limits:   newLimiter(opts.RateLimits),
		timers:   make(map[*timerRef]struct{}),
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	return s, nil
}

// URL is the server's base URL, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// APIURL is the Web API base for slack.OptionAPIURL (with the trailing slash
// slack-go needs).
func (s *Server) APIURL() string { return s.url + "/api/" }

// AppToken is the app-level token (xapp-…) for apps.connections.open.
func (s *Server) AppToken() string { return s.appToken }

// BotToken is the bot token (xoxb-…) for every other Web API method.
func (s *Server) BotToken() string { return s.botToken }

// Close drops every socket, stops all timers and shuts the HTTP server down.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	for t := range s.timers {
		t.stop()
	}
	conns := s.sock.all()
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	if err := s.http.Close(); err != nil {
		return fmt.Errorf("slackemu: close: %w", err)
	}
	return nil
}

// Wait blocks until cond returns true or ctx ends. cond is re-evaluated after
// every state change (message posted or edited, envelope sent or acked,
// connection opened or closed, …), never by polling. cond runs without the
// server's lock held, so it may call any Server method.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		// ch was taken before cond runs, so a change during cond is not missed.
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slackemu: wait: %w", ctx.Err())
		}
	}
}

// notifyLocked wakes every Wait; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// timerRef is a pending timer of the server's clock.
type timerRef struct{ stop func() bool }

// afterLocked runs f after d on the server's clock unless the server closes
// first; s.mu must be held. f runs without the lock.
func (s *Server) afterLocked(d time.Duration, f func()) {
	t := &timerRef{}
	s.timers[t] = struct{}{}
	t.stop = s.opts.Clock.AfterFunc(d, func() {
		s.mu.Lock()
		_, live := s.timers[t]
		delete(s.timers, t)
		s.mu.Unlock()
		if live {
			f()
		}
	})
}

// nextSeqLocked returns a number never returned before by this server.
func (s *Server) nextSeqLocked() int {
	s.seq++
	return s.seq
}
