package config

import (
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncerr/syncerr/catalog"
)

// Problem is one thing wrong with the configuration.
type Problem struct {
	Var     string // the environment variable, e.g. SLACK_BOT_TOKEN
	Message string // what is wrong, never containing a secret value
}

func (p Problem) String() string { return p.Var + ": " + p.Message }

// Error lists every problem Load found.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "invalid configuration:\n  " + strings.Join(lines, "\n  ")
}

// Load reads every variable through lookup (os.LookupEnv in production, a
// map in tests), applies defaults and checks the result. The error, if
// any, is an *Error listing every problem.
func Load(lookup func(string) (string, bool)) (Config, error) {
	var (
		cfg      Config
		problems []Problem
	)
	v := reflect.ValueOf(&cfg).Elem()
	unread := map[string]bool{} // missing or unparseable: check() says nothing more
	for _, d := range Describe() {
		raw, set := lookup(d.Name)
		if !set {
			raw = d.Default
		}
		f := v.FieldByName(d.field)
		if d.Required && strings.TrimSpace(raw) == "" {
			problems = append(problems, Problem{d.Name, "required, not set"})
			unread[d.Name] = true
			continue
		}
		if msg := decode(f, raw); msg != "" {
			if !d.Secret {
				msg += fmt.Sprintf(" (got %q)", shorten(raw))
			}
			problems = append(problems, Problem{d.Name, msg})
			unread[d.Name] = true
		}
	}
	for _, p := range cfg.check() {
		if !unread[p.Var] {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		// In the table's order, so an operator reads them top to bottom.
		order := map[string]int{}
		for i, d := range Describe() {
			order[d.Name] = i
		}
		slices.SortStableFunc(problems, func(a, b Problem) int { return order[a.Var] - order[b.Var] })
		return cfg, &Error{Problems: problems}
	}
	return cfg, nil
}

// decode parses raw into f by the field's type, returning what is wrong
// without repeating the value: the caller adds it when it is no secret.
func decode(f reflect.Value, raw string) string {
	raw = strings.TrimSpace(raw)
	switch f.Interface().(type) {
	case string, Secret:
		f.SetString(raw)
	case []string:
		var list []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		f.Set(reflect.ValueOf(list))
	case int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return "must be a whole number"
		}
		f.SetInt(int64(n))
	case bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return "must be true or false"
		}
		f.SetBool(b)
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return "must be a duration such as 30s, 10m or 1h"
		}
		f.SetInt(int64(d))
	default:
		// A field of a new type needs a case here; the tests load every
		// field, so this cannot ship.
		panic(fmt.Sprintf("config: no decoder for %s", f.Type()))
	}
	return ""
}

// shorten keeps an echoed (non-secret) value readable.
func shorten(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

var (
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	botID     = regexp.MustCompile(`^B[A-Z0-9]{2,}$`)
)

// check validates the decoded values. Token problems state the length of
// what was given, never the value.
func (c *Config) check() []Problem {
	var ps []Problem
	add := func(name, format string, args ...any) {
		ps = append(ps, Problem{name, fmt.Sprintf(format, args...)})
	}
	token := func(name, value, prefix, other, otherName string) {
		switch {
		case value == "":
			// Reported as missing already.
		case strings.HasPrefix(value, other):
			add(name, "must start with %s (got a value of length %d that starts like %s: are the two tokens swapped?)",
				prefix, len(value), otherName)
		case !strings.HasPrefix(value, prefix):
			add(name, "must start with %s (got a value of length %d)", prefix, len(value))
		case strings.ContainsFunc(value, func(r rune) bool { return r <= ' ' || r > '~' }):
			add(name, "contains spaces or unprintable characters (got a value of length %d)", len(value))
		}
	}
	token("SLACK_APP_TOKEN", c.AppToken.Reveal(), "xapp-", "xoxb-", "a bot token")
	token("SLACK_BOT_TOKEN", c.BotToken.Reveal(), "xoxb-", "xapp-", "an app-level token")

	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("SLACK_API_URL", "must be an absolute http(s) URL such as https://slack.com/api/ (got %q)", shorten(c.APIURL))
	} else if u.User != nil {
		add("SLACK_API_URL", "must not carry credentials")
	} else if !strings.HasSuffix(c.APIURL, "/") {
		// slack-go appends method names to the base URL as is.
		c.APIURL += "/"
	}

	for _, ch := range c.AutoReplyChannels {
		if ch == "*" {
			if len(c.AutoReplyChannels) > 1 {
				add("SYNCERR_AUTOREPLY_CHANNELS", "* means every channel and cannot be combined with channel IDs")
			}
			continue
		}
		if !channelID.MatchString(ch) {
			add("SYNCERR_AUTOREPLY_CHANNELS", "%q is not a channel ID (C… or G…; Slack shows it at the bottom of the channel's details)", shorten(ch))
		}
	}
	for _, id := range c.AllowedBotIDs {
		if !botID.MatchString(id) {
			add("SYNCERR_ALLOWED_BOT_IDS", "%q is not a bot ID (B…, the bot_id field of the integration's messages)", shorten(id))
		}
	}
	if len(c.CatalogFiles) > 0 {
		if _, err := catalog.Load(c.CatalogFiles...); err != nil {
			add("SYNCERR_CATALOG_FILES", "%v", err)
		}
	}

	if c.HTTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			add("SYNCERR_HTTP_ADDR", "must be host:port or :port, or empty to disable (got %q)", shorten(c.HTTPAddr))
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			add("SYNCERR_HTTP_ADDR", "port must be a number from 0 to 65535 (got %q)", shorten(port))
		}
	}
	c.LogLevel = strings.ToLower(c.LogLevel)
	if !oneOf(c.LogLevel, "debug", "info", "warn", "error") {
		add("SYNCERR_LOG_LEVEL", "must be debug, info, warn or error (got %q)", shorten(c.LogLevel))
	}
	c.LogFormat = strings.ToLower(c.LogFormat)
	if !oneOf(c.LogFormat, "json", "console") {
		add("SYNCERR_LOG_FORMAT", "must be json or console (got %q)", shorten(c.LogFormat))
	}
	between := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			add(name, "must be from %d to %d (got %d)", lo, hi, v)
		}
	}
	between("SYNCERR_WORKERS", c.Workers, 1, 256)
	between("SYNCERR_QUEUE_SIZE", c.QueueSize, 1, 65536)
	during := func(name string, v, lo, hi time.Duration, why string) {
		if v < lo || v > hi {
			add(name, "must be from %s to %s%s (got %s)", lo, hi, why, v)
		}
	}
	during("SYNCERR_SHUTDOWN_GRACE", c.ShutdownGrace, time.Second, 10*time.Minute, "")
	// Slack retries a delivery for a few minutes; a shorter memory
	// would answer a late retry twice (protocol notes §2.5).
	during("SYNCERR_DEDUP_TTL", c.DedupTTL, 10*time.Minute, 24*time.Hour, ", as Slack retries deliveries for minutes")
	return ps
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
