package slackemu

import (
	"slices"
	"sync"
	"time"
)

// Clock is the emulator's source of time: message timestamps, trigger_id
// (3 s) and response_url (30 min) expiry, the events_api redelivery schedule
// and the view_submission ack deadline all follow it. WebSocket pings,
// Retry-After cool-downs and ack latencies stay on the real clock, because
// the client on the other end of the socket (slack-go) measures them in real
// time.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f in its own goroutine (or, for a fake clock, from the
	// call that moves time) once d has passed; stop cancels it and reports
	// whether it did.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// nowOnly is a clock whose Now is injected (Options.Now) while its timers
// run on real time, as before Options.Clock existed.
type nowOnly struct{ now func() time.Time }

func (c nowOnly) Now() time.Time { return c.now() }

func (nowOnly) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// FakeClock is a Clock that moves only when told to, so a test can cross
// the 3-second redelivery and ack deadlines or the 30-minute response_url
// lifetime at once instead of sleeping. Timers due when time moves run
// synchronously, in deadline order, before Advance or Set returns: after
// Advance(3*time.Second) the redelivery has been written to the socket.
// It is safe for concurrent use.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
}

type fakeTimer struct {
	when time.Time
	seq  int // keeps timers with the same deadline in creation order
	f    func()
}

// NewFakeClock returns a fake clock reading start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f to run when the clock has moved d past now.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{when: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := len(c.timers)
		c.timers = slices.DeleteFunc(c.timers, func(x *fakeTimer) bool { return x == t })
		return len(c.timers) < n
	}
}

// Advance moves the clock forward by d, running every timer that falls due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	c.Set(target)
}

// Set moves the clock to t. Moving forward runs the timers due by t (a timer
// a callback schedules within the span runs too); moving back runs none.
func (c *FakeClock) Set(t time.Time) {
	for {
		c.mu.Lock()
		i := c.nextDueLocked(t)
		if i < 0 {
			c.now = t
			c.mu.Unlock()
			return
		}
		due := c.timers[i]
		c.timers = slices.Delete(c.timers, i, i+1)
		if due.when.After(c.now) {
			c.now = due.when
		}
		c.mu.Unlock()
		due.f() // without the lock: callbacks read the clock
	}
}

// Pending is the number of timers waiting to fire.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// nextDueLocked returns the index of the earliest timer due by t, or -1.
func (c *FakeClock) nextDueLocked(t time.Time) int {
	best := -1
	for i, x := range c.timers {
		if x.when.After(t) {
			continue
		}
		if best < 0 || x.when.Before(c.timers[best].when) ||
			(x.when.Equal(c.timers[best].when) && x.seq < c.timers[best].seq) {
			best = i
		}
	}
	return best
}
