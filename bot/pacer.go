package bot

import (
	"context"
	"sync"
	"time"
)

// pacer spaces posts to one channel by interval: Slack allows about one
// message per second per channel and answers bursts with 429s
// (docs: web-api/rate-limits). Each caller reserves the next free slot of
// its channel, so concurrent workers queue fairly without a goroutine per
// channel.
type pacer struct {
	mu       sync.Mutex
	clock    Clock
	interval time.Duration
	next     map[string]time.Time // channel → earliest time of its next post
}

func newPacer(clock Clock, interval time.Duration) *pacer {
	return &pacer{clock: clock, interval: interval, next: make(map[string]time.Time)}
}

// wait blocks until channel may be posted to, or ctx ends.
func (p *pacer) wait(ctx context.Context, channel string) error {
	p.mu.Lock()
	now := p.clock.Now()
	slot := now
	if n, ok := p.next[channel]; ok && n.After(now) {
		slot = n
	}
	p.next[channel] = slot.Add(p.interval)
	if len(p.next) > 10_000 { // forget idle channels
		for ch, n := range p.next {
			if n.Before(now) {
				delete(p.next, ch)
			}
		}
	}
	p.mu.Unlock()
	d := slot.Sub(now)
	if d <= 0 {
		return nil
	}
	select {
	case <-p.clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
