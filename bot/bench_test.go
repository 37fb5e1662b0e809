package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/syncerr/syncerr/bot"
	"github.com/syncerr/syncerr/slackemu"
)

// BenchmarkPasteToAnswer measures a pasted error's whole trip: the user's
// post in slackemu, the events_api envelope over the socket, the ack,
// recognition, the card and chat.postMessage in the thread.
func BenchmarkPasteToAnswer(b *testing.B) {
	h := start(b, slackemu.Options{}, func(o *bot.Options) { o.PostInterval = time.Nanosecond })
	for b.Loop() {
		ts := h.post(ops, "@alice", paste, "")
		h.wait("the answer", func() bool { return len(h.botMessages(ops, ts)) == 1 })
	}
	// The emulator times each envelope from send to ack (Slack allows 3 s).
	lat := h.emu.Stats().AckLatency
	b.ReportMetric(float64(lat.P50.Microseconds()), "ack-p50-µs")
	b.ReportMetric(float64(lat.P99.Microseconds()), "ack-p99-µs")
}

// BenchmarkSlashToAnswer measures /syncerr from the command to the
// ephemeral answer carried in the ack.
func BenchmarkSlashToAnswer(b *testing.B) {
	h := start(b, slackemu.Options{}, nil)
	ctx := context.Background()
	for b.Loop() {
		before := h.emu.Stats().EnvelopesAcked
		n := len(h.messages(ops, ""))
		if _, _, err := h.emu.RunCommand(ops, "@alice", "/syncerr", exact); err != nil {
			b.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, waitFor)
		if err := h.emu.Wait(wctx, func() bool {
			return h.emu.Stats().EnvelopesAcked > before && len(h.messages(ops, "")) > n
		}); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}
