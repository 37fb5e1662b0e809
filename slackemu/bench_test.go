package slackemu_test

import (
	"testing"

	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

// BenchmarkEventRoundTrip measures one user message going from the control
// side to a real slack-go Socket Mode client's Events channel (the client
// acks each one as it arrives).
func BenchmarkEventRoundTrip(b *testing.B) {
	s := newServer(b, slackemu.Options{})
	bt := startBot(b, s, ackAll)
	for b.Loop() {
		if _, err := s.PostUserMessage("#identity-ops", "@alice", "sync failed", ""); err != nil {
			b.Fatal(err)
		}
		if evt := bt.next(b); evt.Type != socketmode.EventTypeEventsAPI {
			b.Fatalf("event %s", evt.Type)
		}
	}
}
