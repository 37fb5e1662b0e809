package slackemu_test

import (
	"context"
	"io"
	"log"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

// testTimeout bounds every wait in these tests; on a healthy machine each
// wait ends in milliseconds.
const testTimeout = 15 * time.Second

// newFakeClock is a fake clock at a fixed, readable time.
func newFakeClock() *slackemu.FakeClock {
	return slackemu.NewFakeClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
}

// newServer starts an emulator closed at the end of the test.
func newServer(t testing.TB, opts slackemu.Options) *slackemu.Server {
	t.Helper()
	s, err := slackemu.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// ctxFor returns a context bounded by testTimeout.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// apiClient is the real slack-go client pointed at the emulator.
func apiClient(s *slackemu.Server, opts ...slack.Option) *slack.Client {
	opts = append([]slack.Option{slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.AppToken())}, opts...)
	return slack.New(s.BotToken(), opts...)
}

// bot is a real socketmode.Client connected to the emulator. Every
// envelope-bearing event lands on events, acked first when ack says so.
type bot struct {
	api    *slack.Client
	sm     *socketmode.Client
	events chan socketmode.Event
	hello  chan *socketmode.Request
}

// Ack policies for startBot.
func ackAll(socketmode.Event) bool  { return true }
func ackNone(socketmode.Event) bool { return false }

func startBot(t testing.TB, s *slackemu.Server, ack func(socketmode.Event) bool) *bot {
	t.Helper()
	return startBotWith(t, s, ack, 0)
}

// startBotWith is startBot with slack-go's ping timeout set (0: its default).
func startBotWith(t testing.TB, s *slackemu.Server, ack func(socketmode.Event) bool, pingTimeout time.Duration) *bot {
	t.Helper()
	b := &bot{
		api:    apiClient(s),
		events: make(chan socketmode.Event, 100),
		hello:  make(chan *socketmode.Request, 10),
	}
	opts := []socketmode.Option{socketmode.OptionLog(log.New(io.Discard, "", 0))}
	if pingTimeout > 0 {
		opts = append(opts, socketmode.OptionPingInterval(pingTimeout))
	}
	b.sm = socketmode.New(b.api, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = b.sm.RunContext(ctx)
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-b.sm.Events:
				switch evt.Type {
				case socketmode.EventTypeHello:
					b.hello <- evt.Request
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive,
					socketmode.EventTypeErrorBadMessage:
					if evt.Request != nil && ack(evt) {
						b.sm.Ack(*evt.Request)
					}
					b.events <- evt
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	ctxW := ctxFor(t)
	if err := s.Wait(ctxW, func() bool { return s.Connections() > 0 }); err != nil {
		t.Fatalf("bot never connected: %v", err)
	}
	return b
}

// next returns the next envelope-bearing event, failing on a bad message.
func (b *bot) next(t testing.TB) socketmode.Event {
	t.Helper()
	select {
	case evt := <-b.events:
		if evt.Type == socketmode.EventTypeErrorBadMessage {
			t.Fatalf("slack-go could not decode an envelope: %+v", evt.Data)
		}
		return evt
	case <-time.After(testTimeout):
		t.Fatal("no event within the test timeout")
		return socketmode.Event{}
	}
}

// waitFor waits until cond holds, re-checked on every emulator state change.
func waitFor(t testing.TB, s *slackemu.Server, what string, cond func() bool) {
	t.Helper()
	if err := s.Wait(ctxFor(t), cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// messages lists a channel's messages or fails the test.
func messages(t *testing.T, s *slackemu.Server, channel, threadTS string) []slackemu.Message {
	t.Helper()
	msgs, err := s.Messages(channel, threadTS)
	if err != nil {
		t.Fatalf("Messages(%q, %q): %v", channel, threadTS, err)
	}
	return msgs
}
