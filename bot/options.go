package bot

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/syncerr/syncerr/catalog"
)

// Options configures a Bot. cmd/syncerr maps its environment config onto it;
// tests fill it by hand, pointing APIURL at slackemu.
type Options struct {
	AppToken string // xapp-…, only for apps.connections.open
	BotToken string // xoxb-…, every other Web API call
	APIURL   string // Slack's Web API base with trailing slash; "" means slack.com

	// AutoReplyChannels are the channel IDs where a pasted error gets an
	// unasked answer; "*" means every channel the bot is in.
	AutoReplyChannels []string
	// AllowedBotIDs are the bot IDs (B…) whose messages may be answered:
	// alerting integrations post Cloud Sync errors too.
	AllowedBotIDs []string

	Catalog *catalog.Catalog // nil means catalog.Default()

	Workers   int // handlers running at once (default 4)
	QueueSize int // envelopes waiting for a worker (default 256)

	// ShutdownGrace bounds how long in-flight work may run after the
	// context ends (default 10s).
	ShutdownGrace time.Duration
	// DedupTTL is how long an event_id or message is remembered; Slack
	// retries for up to 5 minutes after the first delivery, so at least 10
	// minutes (default 15m).
	DedupTTL time.Duration
	// SlashAckAnswer puts a slash command's answer in the ack when it is
	// ready in time and fits Slack's 20 KB ack limit.
	SlashAckAnswer bool

	// PostInterval is the pause between two posts to one channel (default
	// 1s: Slack allows about one message per second per channel).
	PostInterval time.Duration
	// MaxRetries is how often a Web API call answered 429 is retried after
	// its Retry-After (default 3).
	MaxRetries int
	// APITimeout bounds each Web API and response_url call (default 30s):
	// a call Slack never answers would otherwise hold its worker until
	// shutdown.
	APITimeout time.Duration

	Logger   zerolog.Logger
	Registry *prometheus.Registry // nil means a private one
	Clock    Clock                // nil means the wall clock
}

// Clock is the bot's view of time, injected so tests can cross dedup TTLs
// and pacing intervals without waiting.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

const minDedupTTL = 10 * time.Minute

// withDefaults fills zero fields and reports every unusable one at once.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.AppToken == "" {
		errs = append(errs, errors.New("bot: app token is empty"))
	}
	if o.BotToken == "" {
		errs = append(errs, errors.New("bot: bot token is empty"))
	}
	if o.Catalog == nil {
		o.Catalog = catalog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 10 * time.Second
	}
	if o.DedupTTL == 0 {
		o.DedupTTL = 15 * time.Minute
	}
	if o.DedupTTL < minDedupTTL {
		errs = append(errs, fmt.Errorf("bot: dedup TTL %s is below %s: Slack retries an event for 5 minutes", o.DedupTTL, minDedupTTL))
	}
	if o.PostInterval == 0 {
		o.PostInterval = time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	}
	if o.APITimeout <= 0 {
		o.APITimeout = 30 * time.Second
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	return o, errors.Join(errs...)
}
