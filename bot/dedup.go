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
}

// maxSeen bounds memory if something floods the bot with unique keys;
// beyond it expired keys are swept on every insert.
const maxSeen = 200_000

func newSeen(now func() time.Time) *seen {
	return &seen{now: now, expiry: make(map[string]time.Time)}
}

// claim records key for ttl and reports whether it was new (or expired).
func (s *seen) claim(key string, ttl time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if exp, ok := s.expiry[key]; ok && now.Before(exp) {
		return false
	}
	s.expiry[key] = now.Add(ttl)
	s.inserts++
	if s.inserts%1024 == 0 || len(s.expiry) > maxSeen {
		for k, exp := range s.expiry {
			if !now.Before(exp) {
				delete(s.expiry, k)
			}
		}
	}
	return true
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
