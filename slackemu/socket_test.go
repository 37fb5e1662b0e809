package slackemu_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

func TestHello(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	select {
	case hello := <-b.hello:
		if hello.NumConnections != 1 || hello.ConnectionInfo.AppID != s.Identity().AppID || hello.DebugInfo.ApproximateConnectionTime == 0 {
			t.Errorf("hello = %+v, want 1 connection, app %s, a connection time", hello, s.Identity().AppID)
		}
	case <-time.After(testTimeout):
		t.Fatal("no hello")
	}
}

// eventOf unwraps an events_api event's inner event.
func eventOf(t *testing.T, evt socketmode.Event) (slackevents.EventsAPIEvent, any) {
	t.Helper()
	if evt.Type != socketmode.EventTypeEventsAPI {
		t.Fatalf("event type = %s, want events_api", evt.Type)
	}
	outer, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		t.Fatalf("data = %T, want EventsAPIEvent", evt.Data)
	}
	return outer, outer.InnerEvent.Data
}

func TestUserMessageWithMention(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	id := s.Identity()
	// The bot is not in #general, so it hears nothing from there.
	if _, err := s.PostUserMessage("#general", "@alice", "@syncerr are you here?", ""); err != nil {
		t.Fatalf("PostUserMessage #general: %v", err)
	}
	ts, err := s.PostUserMessage("#identity-ops", "@alice", "@syncerr x < y && see https://example.com/a", "")
	if err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	ops, _ := s.ChannelID("#identity-ops")
	wantText := "<@" + id.BotUserID + "> x &lt; y &amp;&amp; see <https://example.com/a>"

	outer, inner := eventOf(t, b.next(t))
	msg, ok := inner.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("first event = %T, want *MessageEvent", inner)
	}
	if outer.APIAppID != id.AppID || outer.TeamID != id.TeamID {
		t.Errorf("outer app/team = %s/%s, want %s/%s", outer.APIAppID, outer.TeamID, id.AppID, id.TeamID)
	}
	type fields struct{ Channel, ChannelType, User, Text, TS string }
	got := fields{msg.Channel, msg.ChannelType, msg.User, msg.Text, msg.TimeStamp}
	alice, _ := s.UserID("@alice")
	if diff := cmp.Diff(fields{ops, "channel", alice, wantText, ts}, got); diff != "" {
		t.Errorf("message event (-want +got):\n%s", diff)
	}
	if n := len(msg.Blocks.BlockSet); n != 1 || msg.Blocks.BlockSet[0].BlockType() != slack.MBTRichText {
		t.Errorf("blocks = %d, want one rich_text block", n)
	}

	_, inner = eventOf(t, b.next(t))
	mention, ok := inner.(*slackevents.AppMentionEvent)
	if !ok {
		t.Fatalf("second event = %T, want *AppMentionEvent", inner)
	}
	if mention.TimeStamp != ts || mention.Text != wantText || mention.Channel != ops {
		t.Errorf("app_mention = %+v, want the message's twin at %s", mention, ts)
	}
}

func TestBotPostIsEchoed(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	id := s.Identity()
	parent, _ := s.PostUserMessage("#identity-ops", "@bob", "first", "")
	b.next(t) // bob's message
	ops, _ := s.ChannelID("#identity-ops")
	_, ts, err := b.api.PostMessage(ops, slack.MsgOptionText("on it", false), slack.MsgOptionTS(parent))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	_, inner := eventOf(t, b.next(t))
	msg := inner.(*slackevents.MessageEvent)
	bob, _ := s.UserID("@bob")
	type fields struct{ User, BotID, SubType, TS, ThreadTS, ParentUser, ProfileApp string }
	got := fields{msg.User, msg.BotID, msg.SubType, msg.TimeStamp, msg.ThreadTimeStamp, msg.Message.ParentUserId, ""}
	if msg.Message.BotProfile != nil {
		got.ProfileApp = msg.Message.BotProfile.AppID
	}
	want := fields{id.BotUserID, id.BotID, "", ts, parent, bob, id.AppID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}
}

func TestEditAndDeleteEvents(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	ops, _ := s.ChannelID("#identity-ops")
	_, ts, _ := b.api.PostMessage(ops, slack.MsgOptionText("v1", false))
	b.next(t) // echo
	if _, _, _, err := b.api.UpdateMessage(ops, ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	_, inner := eventOf(t, b.next(t))
	changed := inner.(*slackevents.MessageEvent)
	if changed.SubType != "message_changed" || changed.Message.Text != "v2" || changed.PreviousMessage.Text != "v1" || changed.Message.Timestamp != ts {
		t.Errorf("message_changed = subtype %q new %q previous %q", changed.SubType, changed.Message.Text, changed.PreviousMessage.Text)
	}
	if _, _, err := b.api.DeleteMessage(ops, ts); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	_, inner = eventOf(t, b.next(t))
	deleted := inner.(*slackevents.MessageEvent)
	if deleted.SubType != "message_deleted" || deleted.DeletedTimeStamp != ts {
		t.Errorf("message_deleted = subtype %q deleted_ts %q, want %s", deleted.SubType, deleted.DeletedTimeStamp, ts)
	}
}

// rawConn dials the emulator's Socket Mode endpoint with gorilla directly, to
// do what slack-go never does (ack on another socket, watch pings).
func rawConn(t *testing.T, s *slackemu.Server, onPing func()) *websocket.Conn {
	t.Helper()
	_, url, err := apiClient(s).StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatalf("StartSocketMode: %v", err)
	}
	c, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = resp.Body.Close()
	t.Cleanup(func() { _ = c.Close() })
	if onPing != nil {
		c.SetPingHandler(func(string) error { onPing(); return nil })
	}
	var hello struct{ Type string }
	if err := c.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("first frame = %+v (%v), want hello", hello, err)
	}
	return c
}

func TestAckOnAnotherConnection(t *testing.T) {
	s := newServer(t, slackemu.Options{RedeliverAfter: []time.Duration{}})
	c1 := rawConn(t, s, nil)
	c2 := rawConn(t, s, nil)
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "hi", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	// Read the envelope on whichever socket got it, ack on the other.
	got := make(chan [2]any, 2)
	for i, c := range []*websocket.Conn{c1, c2} {
		go func() {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if c.ReadJSON(&env) == nil {
				got <- [2]any{i, env.EnvelopeID}
			}
		}()
	}
	var first [2]any
	select {
	case first = <-got:
	case <-time.After(testTimeout):
		t.Fatal("no envelope on either socket")
	}
	other := []*websocket.Conn{c2, c1}[first[0].(int)]
	if err := other.WriteJSON(map[string]any{"envelope_id": first[1]}); err != nil {
		t.Fatalf("ack: %v", err)
	}
	waitFor(t, s, "the ack", func() bool { return s.Stats().EnvelopesAcked == 1 })
}

func TestServerPings(t *testing.T) {
	s := newServer(t, slackemu.Options{PingInterval: 10 * time.Millisecond})
	var pings atomic.Int32
	enough := make(chan struct{})
	c := rawConn(t, s, func() {
		if pings.Add(1) == 3 {
			close(enough)
		}
	})
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-enough:
	case <-time.After(testTimeout):
		t.Fatalf("saw %d pings, want 3", pings.Load())
	}
}

func TestRedeliveryKeepsEventID(t *testing.T) {
	s := newServer(t, slackemu.Options{RedeliverAfter: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}})
	b := startBot(t, s, ackNone)
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "hi", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	type delivery struct {
		EventID string
		Attempt int
		Reason  string
	}
	var got []delivery
	for range 3 {
		evt := b.next(t)
		outer, _ := eventOf(t, evt)
		cb := outer.Data.(*slackevents.EventsAPICallbackEvent)
		got = append(got, delivery{cb.EventID, evt.Request.RetryAttempt, evt.Request.RetryReason})
	}
	id := got[0].EventID
	want := []delivery{{id, 0, ""}, {id, 1, "timeout"}, {id, 2, "timeout"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	waitFor(t, s, "redelivery stats", func() bool { return s.Stats().EnvelopesRedelivered == 2 })
}

func TestAckStopsRedelivery(t *testing.T) {
	s := newServer(t, slackemu.Options{RedeliverAfter: []time.Duration{20 * time.Millisecond}})
	b := startBot(t, s, func(evt socketmode.Event) bool {
		outer, ok := evt.Data.(slackevents.EventsAPIEvent)
		return ok && outer.InnerEvent.Data.(*slackevents.MessageEvent).Text != "nack"
	})
	for _, text := range []string{"ack me", "nack"} {
		if _, err := s.PostUserMessage("#identity-ops", "@alice", text, ""); err != nil {
			t.Fatalf("PostUserMessage: %v", err)
		}
	}
	// Both deliveries had the same wait, the acked one's ran out first: by
	// the time "nack" comes again, "ack me" would have come again too.
	var texts []string
	for {
		evt := b.next(t)
		_, inner := eventOf(t, evt)
		texts = append(texts, inner.(*slackevents.MessageEvent).Text)
		if evt.Request.RetryAttempt == 1 {
			break
		}
	}
	if diff := cmp.Diff([]string{"ack me", "nack", "nack"}, texts); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

func TestEventsWaitForAConnection(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "anyone?", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	b := startBot(t, s, ackAll)
	_, inner := eventOf(t, b.next(t))
	if text := inner.(*slackevents.MessageEvent).Text; text != "anyone?" {
		t.Errorf("text = %q, want the message posted before the bot connected", text)
	}
}

// TestRedeliveryFollowsSlackSchedule runs the default schedule (3 s, then 1
// and 5 minutes) on a fake clock: nothing is redelivered a millisecond early,
// each retry arrives the moment its deadline passes, and after the third
// retry the event is given up.
func TestRedeliveryFollowsSlackSchedule(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, slackemu.Options{Clock: clock})
	b := startBot(t, s, ackNone)
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "hi", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	outer, _ := eventOf(t, b.next(t))
	eventID := outer.Data.(*slackevents.EventsAPICallbackEvent).EventID
	for attempt, wait := range []time.Duration{3 * time.Second, time.Minute, 5 * time.Minute} {
		clock.Advance(wait - time.Millisecond)
		if got := s.Stats().EnvelopesSent; got != attempt+1 {
			t.Fatalf("%v into delivery %d: %d envelopes sent, want %d (redelivered early)", wait-time.Millisecond, attempt, got, attempt+1)
		}
		clock.Advance(time.Millisecond)
		evt := b.next(t)
		outer, _ := eventOf(t, evt)
		got := [3]any{outer.Data.(*slackevents.EventsAPICallbackEvent).EventID, evt.Request.RetryAttempt, evt.Request.RetryReason}
		if want := [3]any{eventID, attempt + 1, "timeout"}; got != want {
			t.Errorf("retry after %v = %v, want %v", wait, got, want)
		}
	}
	clock.Advance(24 * time.Hour)
	if st := s.Stats(); st.EnvelopesSent != 4 || st.EnvelopesRedelivered != 3 {
		t.Errorf("after a day: sent %d redelivered %d, want 4 and 3", st.EnvelopesSent, st.EnvelopesRedelivered)
	}
}

func TestIntegrationMessageIsBotMessage(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	ts, err := s.PostIntegrationMessage("#identity-ops", "deploybot", "deploy <done>")
	if err != nil {
		t.Fatalf("PostIntegrationMessage: %v", err)
	}
	_, inner := eventOf(t, b.next(t))
	msg := inner.(*slackevents.MessageEvent)
	type fields struct{ SubType, User, Username, Text, TS string }
	got := fields{msg.SubType, msg.User, msg.Username, msg.Text, msg.TimeStamp}
	if diff := cmp.Diff(fields{"bot_message", "", "deploybot", "deploy &lt;done&gt;", ts}, got); diff != "" {
		t.Errorf("bot_message (-want +got):\n%s", diff)
	}
	if msg.BotID == "" || msg.BotID == s.Identity().BotID {
		t.Errorf("bot_id = %q, want the integration's, not the app's", msg.BotID)
	}
}

// TestLateAckSettlesEvent acks only the retry of an event: the event counts
// as acked once and nothing stays pending, so a test can wait for
// EnvelopesPending == 0 after a retry.
func TestLateAckSettlesEvent(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, slackemu.Options{Clock: clock})
	b := startBot(t, s, func(evt socketmode.Event) bool { return evt.Request.RetryAttempt > 0 })
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "hi", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	first := b.next(t)
	clock.Advance(3 * time.Second)
	b.next(t) // the retry, acked
	waitFor(t, s, "the ack", func() bool { return s.Stats().EnvelopesAcked == 1 })
	b.sm.Ack(*first.Request) // a straggler for the first delivery changes nothing
	// A second event acked after the straggler, on the same socket, marks
	// the point where the straggler has been read.
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "bye", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	b.sm.Ack(*b.next(t).Request)
	waitFor(t, s, "the second ack", func() bool { return s.Stats().EnvelopesAcked == 2 })
	clock.Advance(time.Hour)
	st := s.Stats()
	if st.EnvelopesPending != 0 || st.EnvelopesSent != 3 || st.EnvelopesAcked != 2 {
		t.Errorf("stats = %+v, want 3 sent, 2 acked, none pending", st)
	}
}
