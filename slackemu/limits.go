package slackemu

import (
	"math"
	"time"
)

// perMinute is each tier's budget (docs web-api/rate-limits: Tier 1 1+/min,
// Tier 2 20+, Tier 3 50+, Tier 4 100+). Special-tier methods other than
// posting get Tier 4's budget.
var perMinute = map[tier]float64{tier1: 1, tier2: 20, tier3: 50, tier4: 100, tierSpecial: 100}

// postsPerMinute is the posting limit: about one message per second per
// channel.
const postsPerMinute = 60

// bucket is a token bucket refilled continuously.
type bucket struct {
	tokens float64
	last   time.Time
}

// limiter enforces Web API rate limits; guarded by Server.mu.
type limiter struct {
	mode    RateLimitMode
	buckets map[string]*bucket
}

func newLimiter(mode RateLimitMode) *limiter {
	return &limiter{mode: mode, buckets: make(map[string]*bucket)}
}

// burst is how many calls may arrive at once: a realistic workspace
// tolerates a minute's budget (and a few posts) at once, strict mode none.
func (l *limiter) burst(rate float64, posting bool) float64 {
	switch {
	case l.mode == RateLimitsStrict:
		return 1
	case posting:
		return 4
	default:
		return rate
	}
}

// take spends one call from key's bucket, or returns how long until one is
// available.
func (l *limiter) take(key string, rate float64, posting bool, now time.Time) time.Duration {
	burst := l.burst(rate, posting)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(burst, b.tokens+elapsed.Minutes()*rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Minute))
}

// rateLimit returns the Retry-After seconds for a call that must be refused
// with 429, or 0. Limits are per method (one workspace, one app) and, for
// posting, per channel too. Buckets follow the injected clock.
func (s *Server) rateLimit(method string, m apiMethod, r *apiRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits.mode == RateLimitsOff {
		return 0
	}
	now := s.opts.Now()
	var wait time.Duration
	if m.posting {
		wait = s.limits.take(method+"/"+s.channelKeyLocked(r.arg("channel")), postsPerMinute, true, now)
	} else {
		wait = s.limits.take(method, perMinute[m.tier], false, now)
	}
	if wait <= 0 {
		return 0
	}
	return int(math.Ceil(wait.Seconds())) // Retry-After is whole seconds; slack-go rejects anything else
}

// channelKeyLocked normalises a channel argument so "#x" and its ID share a
// posting budget.
func (s *Server) channelKeyLocked(ref string) string {
	if c, ok := s.ws.channel(ref); ok && ref != "" {
		return c.ID
	}
	return ref
}
