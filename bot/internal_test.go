package bot

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

// fakeClock is a settable clock; After fires at once (tests using it do
// not wait on it).
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

func TestSeenRemembersForTTL(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	s := newSeen(clock.Now)
	if !s.claim("ev:1", 10*time.Minute) {
		t.Fatal("first claim refused")
	}
	clock.advance(9*time.Minute + 59*time.Second)
	if s.claim("ev:1", 10*time.Minute) || !s.has("ev:1") {
		t.Fatal("key forgotten before its TTL")
	}
	clock.advance(2 * time.Second)
	if s.has("ev:1") {
		t.Fatal("key remembered after its TTL")
	}
	if !s.claim("ev:1", 10*time.Minute) {
		t.Fatal("expired key could not be claimed again")
	}
}

func TestSeenSweepsExpiredKeys(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	s := newSeen(clock.Now)
	for i := range 2000 {
		s.claim(strings.Repeat("k", i%7)+string(rune('a'+i%26))+time.Duration(i).String(), time.Minute)
	}
	clock.advance(2 * time.Minute)
	for i := range 1024 {
		s.claim("new"+time.Duration(i).String(), time.Minute)
	}
	if n := s.len(); n > 1024 {
		t.Errorf("%d keys kept, want expired ones swept", n)
	}
}

func TestPacerSpacesPostsPerChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(wallClock{}, time.Second)
		ctx := context.Background()
		start := time.Now()
		for range 3 {
			if err := p.wait(ctx, "C1"); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("three posts to one channel took %v, want 2s", got)
		}
		before := time.Now()
		if err := p.wait(ctx, "C2"); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(before); got != 0 {
			t.Errorf("another channel waited %v, want 0", got)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_ = p.wait(ctx, "C3")
		if err := p.wait(cctx, "C3"); err == nil {
			t.Error("wait ignored a cancelled context")
		}
	})
}

func TestOptionsReportEveryProblem(t *testing.T) {
	_, err := New(Options{DedupTTL: 5 * time.Minute})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"app token", "bot token", "dedup TTL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// unitBot is a Bot wired to an emulator's Web API but not running: tests
// call its handlers directly.
func unitBot(t *testing.T, mod func(*Options)) (*Bot, *slackemu.Server, string) {
	t.Helper()
	emu, err := slackemu.New(slackemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	ch, _ := emu.ChannelID("#identity-ops")
	opts := Options{
		AppToken: emu.AppToken(), BotToken: emu.BotToken(), APIURL: emu.APIURL(),
		AutoReplyChannels: []string{ch}, PostInterval: time.Millisecond,
		Logger: zerolog.New(zerolog.NewTestWriter(t)),
	}
	if mod != nil {
		mod(&opts)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	id := emu.Identity()
	b.userID, b.botID, b.teamID = id.BotUserID, id.BotID, id.TeamID
	b.appID.Store(id.AppID)
	return b, emu, ch
}

const testPaste = "Error: HybridIdentityServiceNoActiveAgents - We're unable to find an active agent for the domain you're trying to sync."

// realMessage posts a message for the bot's reply to thread on; the bot is
// not connected, so the emulator only queues its event.
func realMessage(t *testing.T, emu *slackemu.Server, ch string) string {
	t.Helper()
	ts, err := emu.PostUserMessage(ch, "@alice", "hello", "")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func botPosts(t *testing.T, emu *slackemu.Server, ch string) int {
	t.Helper()
	ms, err := emu.Messages(ch, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.BotID != "" {
			n++
		}
	}
	return n
}

func TestWhoGetsAnswered(t *testing.T) {
	id := func(emu *slackemu.Server) slackemu.Identity { return emu.Identity() }
	tests := []struct {
		name    string
		allowed []string
		ev      func(i slackemu.Identity, ch, ts string) *slackevents.MessageEvent
		answer  bool
	}{
		{"a person", nil, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, true},
		{"itself by user", nil, func(i slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{User: i.BotUserID, Channel: ch, Text: testPaste, TimeStamp: ts}
		}, false},
		{"itself by bot id", nil, func(i slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{BotID: i.BotID, Channel: ch, Text: testPaste, TimeStamp: ts}
		}, false},
		{"itself by app", nil, func(i slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{User: "U0OTHER", Channel: ch, Text: testPaste, TimeStamp: ts,
				Message: &slack.Msg{BotProfile: &slack.BotProfile{AppID: i.AppID}}}
		}, false},
		{"another bot", nil, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{User: "U0ALERTS", BotID: "B0ALERTS", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, false},
		{"an allow-listed bot", []string{"B0ALERTS"}, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{User: "U0ALERTS", BotID: "B0ALERTS", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, true},
		{"an allow-listed legacy bot_message", []string{"B0HOOK"}, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{SubType: "bot_message", BotID: "B0HOOK", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, true},
		{"a legacy bot_message", nil, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{SubType: "bot_message", BotID: "B0HOOK", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, false},
		{"a join", nil, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{SubType: "channel_join", User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, false},
		{"a topic change", nil, func(_ slackemu.Identity, ch, ts string) *slackevents.MessageEvent {
			return &slackevents.MessageEvent{SubType: "channel_topic", User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, emu, ch := unitBot(t, func(o *Options) { o.AllowedBotIDs = tt.allowed })
			ts := realMessage(t, emu, ch)
			b.handleMessage(context.Background(), b.log, tt.ev(id(emu), ch, ts))
			if got := botPosts(t, emu, ch) == 1; got != tt.answer {
				t.Errorf("answered = %v, want %v", got, tt.answer)
			}
		})
	}
}

// eventsAPI builds the socketmode.Event slack-go emits for a message.
func eventsAPI(t *testing.T, eventID string, retry int, ev *slackevents.MessageEvent) socketmode.Event {
	t.Helper()
	inner, _ := json.Marshal(map[string]any{"type": "message", "user": ev.User, "channel": ev.Channel, "text": ev.Text, "ts": ev.TimeStamp})
	raw := json.RawMessage(inner)
	outer := slackevents.EventsAPIEvent{
		Type: slackevents.CallbackEvent, APIAppID: "A0EMUAPP01",
		Data:       &slackevents.EventsAPICallbackEvent{Type: "event_callback", EventID: eventID, InnerEvent: &raw},
		InnerEvent: slackevents.EventsAPIInnerEvent{Type: "message", Data: ev},
	}
	return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: outer,
		Request: &socketmode.Request{Type: "events_api", EnvelopeID: "env-" + eventID, RetryAttempt: retry}}
}

func TestRetryThatIsTheOnlyCopyIsAnswered(t *testing.T) {
	b, emu, ch := unitBot(t, nil)
	ctx := context.Background()
	ts := realMessage(t, emu, ch)
	// A third retry of an event never seen before: the first deliveries were
	// lost while the bot was down, so this one must be handled.
	b.route(ctx, eventsAPI(t, "Ev1", 3, &slackevents.MessageEvent{User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}))
	if len(b.jobs) != 1 {
		t.Fatalf("%d jobs queued, want 1", len(b.jobs))
	}
	b.runJob(ctx, <-b.jobs)
	// A further retry of the same event is acked and dropped.
	b.route(ctx, eventsAPI(t, "Ev1", 4, &slackevents.MessageEvent{User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}))
	if len(b.jobs) != 0 {
		t.Fatalf("duplicate delivery queued")
	}
	if n := botPosts(t, emu, ch); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
	if got := testutil.ToFloat64(b.m.duplicates.WithLabelValues("event_id")); got != 1 {
		t.Errorf("duplicates counted %v, want 1", got)
	}
}

func TestFullQueueLeavesEventsForSlackToRetry(t *testing.T) {
	b, emu, ch := unitBot(t, func(o *Options) { o.QueueSize = 1 })
	ctx := context.Background()
	ts := realMessage(t, emu, ch)
	b.route(ctx, eventsAPI(t, "Ev1", 0, &slackevents.MessageEvent{User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}))
	b.route(ctx, eventsAPI(t, "Ev2", 0, &slackevents.MessageEvent{User: "U0ALICE", Channel: ch, Text: testPaste, TimeStamp: ts}))
	if got := testutil.ToFloat64(b.m.dropped.WithLabelValues("queue_full")); got != 1 {
		t.Errorf("queue_full drops = %v, want 1", got)
	}
	if b.seen.has("ev:Ev2") {
		t.Error("an event that was not handled is remembered: its retry would be dropped")
	}
}

func TestUnparseablePayloadIsAckedAndCounted(t *testing.T) {
	b, _, _ := unitBot(t, nil)
	b.route(context.Background(), socketmode.Event{Type: socketmode.EventTypeErrorBadMessage, Data: &socketmode.ErrorBadMessage{
		Cause:   json.Unmarshal([]byte("{"), new(any)),
		Message: json.RawMessage(`{"envelope_id":"E1","type":"events_api","payload":{"event":{"type":"mystery"}}}`),
	}})
	if got := testutil.ToFloat64(b.m.dropped.WithLabelValues("unparseable")); got != 1 {
		t.Errorf("unparseable drops = %v, want 1", got)
	}
	if got := testutil.ToFloat64(b.m.envelopes.WithLabelValues("unparseable")); got != 1 {
		t.Errorf("unparseable envelope not acked (count %v)", got)
	}
}

func TestHandlerPanicIsRecovered(t *testing.T) {
	b, _, _ := unitBot(t, nil)
	b.runJob(context.Background(), job{kind: "test", run: func(context.Context) { panic("boom") }})
	if got := testutil.ToFloat64(b.m.panics); got != 1 {
		t.Errorf("panics = %v, want 1", got)
	}
}

func TestTightReconnectLoopIsBroken(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	b, _, _ := unitBot(t, func(o *Options) { o.Clock = clock })
	restarts := 0
	b.restart = func() { restarts++ }
	// Reconnects spread out are normal.
	for range 20 {
		b.noteConnecting()
		clock.advance(2 * time.Second)
	}
	if restarts != 0 {
		t.Fatalf("guard fired on %d spaced reconnects", restarts)
	}
	// A burst (too_many_websockets answered by an instant reconnect) is not.
	for range maxConnects + 1 {
		b.noteConnecting()
	}
	if restarts != 1 {
		t.Errorf("guard fired %d times on a burst, want 1", restarts)
	}
}

// FuzzLookup feeds arbitrary slash and mention text through the answer path:
// it must not panic, and the answer must encode as an ack payload.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"", "help", "list", "TimeOut", testPaste, "<@U0EMUBOT01> TimeOtu", "&lt;script&gt;", "```\x00```"} {
		f.Add(s)
	}
	b, err := New(Options{AppToken: "xapp-1", BotToken: "xoxb-1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ans := b.lookup(text, commandName, true)
		if _, err := json.Marshal(ephemeral(ans.msg)); err != nil {
			t.Fatalf("answer to %q does not encode: %v", text, err)
		}
	})
}

// BenchmarkLookup is the CPU cost of answering one slash command or
// mention: recognition plus rendering the card.
func BenchmarkLookup(b *testing.B) {
	bt, err := New(Options{AppToken: "xapp-1", BotToken: "xoxb-1"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		bt.lookup(testPaste, commandName, true)
	}
}

// TestSlashAckBudget: an answer ready in time rides in the ack; one that
// is late finds the ack already sent (empty) and must use response_url.
func TestSlashAckBudget(t *testing.T) {
	b, _, _ := unitBot(t, nil)
	payload := ephemeral(b.lookup("TimeOut", commandName, true).msg)
	synctest.Test(t, func(t *testing.T) {
		arm := func() *slashAck {
			a := &slashAck{b: b, ctx: context.Background(), envelopeID: "E1", received: time.Now()}
			a.mu.Lock() // as routeSlash arms it
			a.timer = time.AfterFunc(slashAckBudget, func() { a.send(nil) })
			a.mu.Unlock()
			return a
		}
		fast := arm()
		if !fast.send(payload) {
			t.Error("an answer ready in time did not go in the ack")
		}
		late := arm()
		time.Sleep(slashAckBudget + time.Millisecond) // virtual time inside the bubble
		synctest.Wait()
		if late.send(payload) {
			t.Error("a late answer claimed the ack the budget timer had sent")
		}
	})
}

func TestSeenStaysBoundedUnderAFloodOfLiveKeys(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	s := newSeen(clock.Now)
	s.limit = 1000
	for i := range 5000 {
		s.claim("thread:"+time.Duration(i).String(), threadTTL)
	}
	if n := s.len(); n > 1000 {
		t.Errorf("%d live keys kept, want at most the limit of 1000", n)
	}
	for i := range 100 {
		key := "thread:fresh" + time.Duration(i).String()
		if !s.claim(key, threadTTL) || !s.has(key) {
			t.Fatal("a key claimed at the limit is not remembered")
		}
	}
}
