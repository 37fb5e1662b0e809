// Package config reads syncerr's settings from the environment and checks
// them, reporting every problem at once and naming the variable of each.
//
// The struct tags follow kelseyhightower/envconfig (envconfig, default,
// required, desc), and envconfig enumerates the variables, so the table
// that `syncerr config` prints and the README shows cannot drift from the
// code. Values are read through an injected lookup function and parsed
// here rather than by envconfig.Process, which reads only the process
// environment, stops at the first bad value and echoes it in its error:
// a token must never appear in an error message or a log.
package config

import (
	"os"
	"time"
)

// Config is everything `syncerr serve` needs. Field names are the
// contract with cmd/syncerr; the variable names are the contract with
// operators.
//
// The two tokens are Secrets: however Config is printed or encoded (fmt,
// JSON, zerolog), they read "<secret>".
type Config struct {
	AppToken Secret `envconfig:"SLACK_APP_TOKEN" required:"true" secret:"true" desc:"App-level token (xapp-…) with connections:write, for Socket Mode"`
	BotToken Secret `envconfig:"SLACK_BOT_TOKEN" required:"true" secret:"true" desc:"Bot token (xoxb-…) from installing the app"`
	APIURL   string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"Slack Web API base URL; point it at slackemu to test"`

	AutoReplyChannels []string `envconfig:"SYNCERR_AUTOREPLY_CHANNELS" desc:"Channel IDs (C…/G…, comma-separated) where pasted errors get an answer unasked, or * for every channel the bot is in; default none"`
	AllowedBotIDs     []string `envconfig:"SYNCERR_ALLOWED_BOT_IDS" desc:"Bot IDs (B…, comma-separated) whose messages may be answered, e.g. an alerting integration; default none"`
	CatalogFiles      []string `envconfig:"SYNCERR_CATALOG_FILES" desc:"Overlay catalog YAML files (comma-separated) adding runbooks, owners, aliases or codes"`

	HTTPAddr  string `envconfig:"SYNCERR_HTTP_ADDR" default:":8080" desc:"Listen address for /healthz, /readyz and /metrics; empty disables it"`
	LogLevel  string `envconfig:"SYNCERR_LOG_LEVEL" default:"info" desc:"debug, info, warn or error; message text is logged only at debug"`
	LogFormat string `envconfig:"SYNCERR_LOG_FORMAT" default:"json" desc:"json, or console for humans"`

	Workers       int           `envconfig:"SYNCERR_WORKERS" default:"8" desc:"Events handled at once (1–256)"`
	QueueSize     int           `envconfig:"SYNCERR_QUEUE_SIZE" default:"256" desc:"Events waiting for a worker before new ones are refused (1–65536)"`
	ShutdownGrace time.Duration `envconfig:"SYNCERR_SHUTDOWN_GRACE" default:"10s" desc:"On SIGTERM, how long in-flight work may take to finish (1s–10m)"`
	DedupTTL      time.Duration `envconfig:"SYNCERR_DEDUP_TTL" default:"15m" desc:"How long a delivered event or message is remembered, so retries are answered once (10m–24h)"`

	// SlashAckAnswer is a knob because putting a response in a Socket
	// Mode ack is behaviour Slack documents thinly (protocol notes §1.6).
	SlashAckAnswer bool `envconfig:"SYNCERR_SLASH_ACK_ANSWER" default:"true" desc:"Answer /syncerr inside the Socket Mode ack when ready in time; false answers through response_url"`
}

// FromEnv loads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.LookupEnv) }
