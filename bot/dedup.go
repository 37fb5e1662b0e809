package bot

import (
	"sync"
	"time"
)

// seen remembers keys for a while: event IDs, (channel, ts) pairs and
// (channel, thread, code) triples. Keys are IDs only, never message text.
// Claim is atomic, so two workers racing on twins of one message (an
// app_mention and its message event) cannot both answer.
type seen struct {
	mu      sync.Mutex
	now     func() time.Time
	expiry  map[string]time.Time
	inserts int
	limit   int // most keys kept; see maxSeen
}

// maxSeen bounds memory if something floods the bot with unique keys.
const maxSeen = 200_000

func newSeen(now func() time.Time) *seen {
	return &seen{now: now, expiry: make(map[string]time.Time), limit: maxSeen}
}

// claim records key for ttl and reports whether it was new (or expired).
func (s *seen) claim(key string, ttl time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if exp, ok := s.expiry[key]; ok && now.Before(exp) {
		return false
	}
	// Sweep before inserting, so the key just claimed is never evicted.
	s.inserts++
	if s.inserts%1024 == 0 || len(s.expiry) >= s.limit {
		s.sweep(now)
	}
	s.expiry[key] = now.Add(ttl)
	return true
}

// sweep forgets expired keys and, if live ones still exceed the limit,
// arbitrary live ones down to 90% of it: under a flood a repeated answer is
// cheaper than unbounded memory, and the 10% headroom keeps the sweep from
// running on every insert.
func (s *seen) sweep(now time.Time) {
	for k, exp := range s.expiry {
		if !now.Before(exp) {
			delete(s.expiry, k)
		}
	}
	for k := range s.expiry {
		if len(s.expiry) <= s.limit*9/10 {
			break
		}
		delete(s.expiry, k)
	}
}

// has reports whether key is remembered and not expired.
func (s *seen) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expiry[key]
	return ok && s.now().Before(exp)
}

func (s *seen) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expiry)
}
