// Package bot is syncerr's Slack side: a Socket Mode loop that acks every
// envelope at once, hands the work to a bounded worker pool, and answers
// /syncerr, @mentions and pasted Cloud Sync errors with cards from bot/card.
//
// The loop follows docs/slack-protocol.md §8.3: auth.test first, one
// goroutine draining slack-go's Events channel (a slow consumer makes
// slack-go miss pings and lose frames, §8.2), dedup by event_id and by
// (channel, ts), and an outer reconnect loop because RunContext gives up on
// some errors and spins on too_many_websockets.
package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
)

// Bot is one running syncerr bot. Build it with New, start it with Run.
type Bot struct {
	opts   Options
	log    zerolog.Logger
	api    *slack.Client
	sm     *socketmode.Client
	cat    *catalog.Catalog
	engine *recognize.Engine
	m      *metrics
	seen   *seen
	pacer  *pacer

	autoAll      bool
	autoChannels map[string]bool
	allowedBots  map[string]bool

	// Who the bot is, from auth.test (and api_app_id of envelopes).
	userID, botID, teamID string
	appID                 atomic.Value // string

	ready     atomic.Bool
	connected atomic.Int64 // connections opened (Connected events)

	jobs chan job

	restartMu sync.Mutex
	restart   context.CancelFunc // ends the current RunContext (tight-loop guard)
	connects  []time.Time        // recent Connecting events

	loggedOnce sync.Map // "method/error" already explained in the log
}

// job is one unit of handler work for the pool.
type job struct {
	kind string
	run  func(ctx context.Context)
}

// New checks opts and builds the Slack clients; nothing touches the network
// until Run.
func New(opts Options) (*Bot, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Bot{
		opts:         opts,
		log:          opts.Logger.With().Str("component", "bot").Logger(),
		cat:          opts.Catalog,
		engine:       recognize.New(opts.Catalog),
		m:            newMetrics(opts.Registry),
		seen:         newSeen(opts.Clock.Now),
		pacer:        newPacer(opts.Clock, opts.PostInterval),
		autoChannels: make(map[string]bool),
		allowedBots:  make(map[string]bool),
		jobs:         make(chan job, opts.QueueSize),
	}
	for _, c := range opts.AutoReplyChannels {
		if c = strings.TrimSpace(c); c == "*" {
			b.autoAll = true
		} else if c != "" {
			b.autoChannels[c] = true
		}
	}
	for _, id := range opts.AllowedBotIDs {
		if id = strings.TrimSpace(id); id != "" {
			b.allowedBots[id] = true
		}
	}
	b.appID.Store("")
	slackLog := slackLogger{b.opts.Logger.With().Str("component", "slack-go").Logger()}
	clientOpts := []slack.Option{
		slack.OptionAppLevelToken(opts.AppToken),
		slack.OptionLog(slackLog),
		// Before the retry config, which wraps this client: each try gets
		// its own timeout.
		slack.OptionHTTPClient(&http.Client{Timeout: opts.APITimeout}),
		// 429s are retried by slack-go after their Retry-After (§5.2); only
		// rate limits, since a repeated post after a 5xx might double-post.
		slack.OptionRetryConfig(slack.RetryConfig{
			MaxRetries:         opts.MaxRetries,
			RetryAfterDuration: 30 * time.Second,
			RetryAfterJitter:   250 * time.Millisecond,
		}),
	}
	if opts.APIURL != "" {
		u := opts.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/" // slack-go appends the method name (§5.1)
		}
		clientOpts = append(clientOpts, slack.OptionAPIURL(u))
	}
	b.api = slack.New(opts.BotToken, clientOpts...)
	b.sm = socketmode.New(b.api, socketmode.OptionLog(slackLog))
	return b, nil
}

// slackLogger sends slack-go's own log lines to zerolog at debug level.
// slack-go redacts tokens and ticket URLs in them.
type slackLogger struct{ log zerolog.Logger }

func (l slackLogger) Output(_ int, s string) error {
	l.log.Debug().Msg(strings.TrimSpace(s))
	return nil
}

// Ready reports whether a Socket Mode connection is open: /readyz.
func (b *Bot) Ready() bool { return b.ready.Load() }

// Handler serves /healthz (the process runs), /readyz (a socket is
// connected) and /metrics (Prometheus).
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !b.Ready() {
			http.Error(w, "not connected to Slack", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.opts.Registry, promhttp.HandlerOpts{Registry: b.opts.Registry}))
	return mux
}

// Run connects and serves until ctx ends, then stops reading, lets in-flight
// work finish within ShutdownGrace and returns nil. It returns an error
// only if the bot cannot start: bad tokens, or auth.test never answering
// before ctx ends.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.authenticate(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	b.log.Info().Str("bot_user_id", b.userID).Str("bot_id", b.botID).Str("team_id", b.teamID).
		Int("workers", b.opts.Workers).Int("queue", b.opts.QueueSize).Msg("authenticated")

	// Handlers get a context that outlives ctx by the grace period, so work
	// in flight at shutdown can still post its answer.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var workers sync.WaitGroup
	for range b.opts.Workers {
		workers.Go(func() { b.work(workCtx) })
	}

	sockCtx, stopSocket := context.WithCancel(ctx)
	socketDone := make(chan struct{})
	go func() {
		defer close(socketDone)
		b.runSocket(sockCtx)
	}()

	b.drain(ctx)

	// Shutdown: stop reading (the socket closes, Slack sends new events
	// elsewhere or retries them), then let the queue empty.
	stopSocket()
	b.ready.Store(false)
	b.m.connected.Set(0)
	close(b.jobs)
	finished := make(chan struct{})
	go func() { workers.Wait(); close(finished) }()
	select {
	case <-finished:
		b.log.Info().Msg("stopped: all work finished")
	case <-b.opts.Clock.After(b.opts.ShutdownGrace):
		cancelWork()
		<-finished
		b.log.Warn().Dur("grace", b.opts.ShutdownGrace).Msg("stopped: grace period over, in-flight work cancelled")
	}
	<-socketDone
	return nil
}

// authenticate calls auth.test until it answers: the bot must know its own
// IDs before it reads a single event, or it could answer itself (§2.5).
func (b *Bot) authenticate(ctx context.Context) error {
	delay := 500 * time.Millisecond
	for {
		res, err := b.api.AuthTestContext(ctx)
		if err == nil {
			b.userID, b.botID, b.teamID = res.UserID, res.BotID, res.TeamID
			return nil
		}
		b.apiError("auth.test", "", err)
		if fatalAuth(err) {
			return fmt.Errorf("bot: auth.test: %w (check SLACK_BOT_TOKEN)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.opts.Clock.After(jitter(delay)):
		}
		delay = min(2*delay, time.Minute)
	}
}

// fatalAuth reports Slack errors that no retry fixes.
func fatalAuth(err error) bool {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type":
			return true
		}
	}
	return false
}

// jitter returns d ± 25%, so a fleet of restarted bots does not reconnect
// in lock step.
func jitter(d time.Duration) time.Duration {
	return d*3/4 + rand.N(d/2+1)
}

// Reconnect pacing of the outer loop, and the tight-loop guard: more than
// maxConnects Connecting events within connectWindow means slack-go is
// spinning (too_many_websockets answered by an immediate reconnect, §8.2).
const (
	reconnectMin  = 500 * time.Millisecond
	reconnectMax  = 2 * time.Minute
	maxConnects   = 8
	connectWindow = 10 * time.Second
	stableAfter   = 30 * time.Second // a connection that lived this long resets the backoff
)

// runSocket runs slack-go's RunContext forever: it returns on fatal connect
// errors and when the guard cancels it, and neither should end the bot.
func (b *Bot) runSocket(ctx context.Context) {
	delay := reconnectMin
	for {
		runCtx, cancel := context.WithCancel(ctx)
		b.restartMu.Lock()
		b.restart = cancel
		b.restartMu.Unlock()
		started := b.opts.Clock.Now()
		err := b.sm.RunContext(runCtx)
		cancel()
		b.setReady(false)
		if ctx.Err() != nil {
			return
		}
		if b.opts.Clock.Now().Sub(started) > stableAfter {
			delay = reconnectMin
		}
		wait := jitter(delay)
		b.log.Warn().Err(err).Dur("retry_in", wait).Msg("socket mode stopped; reconnecting")
		select {
		case <-ctx.Done():
			return
		case <-b.opts.Clock.After(wait):
		}
		delay = min(2*delay, reconnectMax)
	}
}

// noteConnecting feeds the tight-loop guard.
func (b *Bot) noteConnecting() {
	now := b.opts.Clock.Now()
	b.restartMu.Lock()
	defer b.restartMu.Unlock()
	keep := b.connects[:0]
	for _, t := range b.connects {
		if now.Sub(t) < connectWindow {
			keep = append(keep, t)
		}
	}
	b.connects = append(keep, now)
	if len(b.connects) > maxConnects && b.restart != nil {
		b.log.Error().Int("connects", len(b.connects)).Dur("window", connectWindow).
			Msg("socket mode reconnecting in a tight loop (too_many_websockets? other syncerr processes running?); backing off")
		b.connects = b.connects[:0]
		b.restart()
	}
}

func (b *Bot) setReady(ok bool) {
	b.ready.Store(ok)
	if ok {
		b.m.connected.Set(1)
	} else {
		b.m.connected.Set(0)
	}
}

// work runs jobs until the queue is closed and empty.
func (b *Bot) work(ctx context.Context) {
	for j := range b.jobs {
		b.m.queueDepth.Set(float64(len(b.jobs)))
		b.runJob(ctx, j)
	}
}

// runJob runs one handler, turning a panic into a log line and a count:
// one bad payload must not take the bot down.
func (b *Bot) runJob(ctx context.Context, j job) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			b.m.panics.Inc()
			b.log.Error().Str("kind", j.kind).Interface("panic", r).Msg("handler panicked")
		}
		b.m.handleTime.WithLabelValues(j.kind).Observe(time.Since(start).Seconds())
	}()
	j.run(ctx)
}

// enqueue hands a job to the pool without blocking the drain loop.
func (b *Bot) enqueue(j job) bool {
	select {
	case b.jobs <- j:
		b.m.queueDepth.Set(float64(len(b.jobs)))
		return true
	default:
		b.m.dropped.WithLabelValues("queue_full").Inc()
		return false
	}
}
