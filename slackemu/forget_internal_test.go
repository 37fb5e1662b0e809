package slackemu

import (
	"testing"
	"time"
)

// A sandbox runs for days: response_urls and trigger_ids issued long ago
// must not pile up.
func TestOldHooksAndTriggersAreForgotten(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	s, err := New(Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for range 50 { // 50 days of 500 slash commands each
		s.mu.Lock()
		for range 500 {
			s.newTriggerLocked("U1")
			s.newHookLocked("commands", "C1", "U1", nil)
		}
		s.mu.Unlock()
		clock.Advance(24 * time.Hour)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.hooks) > 5000 || len(s.trigs) > 5000 {
		t.Errorf("%d response_urls and %d trigger_ids kept of 25000 issued, want old ones forgotten", len(s.hooks), len(s.trigs))
	}
}

// Ack latencies are summarised over a recent window, not every ack ever.
func TestAckLatencyWindowIsBounded(t *testing.T) {
	var st statsState
	for i := range 3 * maxLatencies {
		st.recordAck(time.Duration(i))
	}
	if len(st.latencies) > maxLatencies {
		t.Errorf("%d latencies kept, want at most %d", len(st.latencies), maxLatencies)
	}
	if p := percentiles(st.latencies); p.Max != time.Duration(3*maxLatencies-1) || p.P50 < time.Duration(2*maxLatencies) {
		t.Errorf("percentiles %+v are not over the latest acks", p)
	}
}
