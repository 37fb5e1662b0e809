package slackemu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

// reconnected waits until slack-go has opened a second connection and
// proves the new one works by delivering a message over it.
func reconnected(t *testing.T, s *slackemu.Server, b *bot) {
	t.Helper()
	waitFor(t, s, "a reconnect", func() bool {
		st := s.Stats()
		return st.ConnectionsOpened >= 2 && st.Connections == 1
	})
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "still there?", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	_, inner := eventOf(t, b.next(t))
	if text := inner.(*slackevents.MessageEvent).Text; text != "still there?" {
		t.Errorf("text = %q, want the message sent after the reconnect", text)
	}
}

func TestDisconnectReasons(t *testing.T) {
	for _, reason := range []string{"warning", "refresh_requested", "link_disabled", "too_many_websockets"} {
		t.Run(reason, func(t *testing.T) {
			s := newServer(t, slackemu.Options{})
			b := startBot(t, s, ackAll)
			if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultDisconnect, Reason: reason}); err != nil {
				t.Fatalf("Fault: %v", err)
			}
			reconnected(t, s, b)
		})
	}
}

func TestDropSocketsAndRefusedOpens(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	// slack-go backs off 100 ms, 200 ms, … between refused opens.
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultRefuseConnections, Count: 2}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultDropSockets}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	reconnected(t, s, b)
	if got := s.Stats().APICalls["apps.connections.open"]["internal_error"]; got != 2 {
		t.Errorf("refused opens = %d, want 2", got)
	}
}

func TestStopPingsMakesSlackGoReconnect(t *testing.T) {
	s := newServer(t, slackemu.Options{PingInterval: 20 * time.Millisecond})
	b := startBotWith(t, s, ackAll, 200*time.Millisecond)
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultStopPings, Stop: true}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	waitFor(t, s, "the ping-timeout reconnect", func() bool { return s.Stats().ConnectionsOpened >= 2 })
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultStopPings, Stop: false}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	reconnected(t, s, b)
}

func TestTooManyWebsockets(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	for range 10 {
		rawConn(t, s, nil)
	}
	_, url, err := apiClient(s).StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatalf("StartSocketMode for the 11th: %v", err)
	}
	c, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = resp.Body.Close()
	defer c.Close()
	var frame struct{ Type, Reason string }
	if err := c.ReadJSON(&frame); err != nil {
		t.Fatalf("read: %v", err)
	}
	if frame.Type != "disconnect" || frame.Reason != "too_many_websockets" {
		t.Errorf("11th connection got %+v, want disconnect too_many_websockets instead of hello", frame)
	}
	// slack-go would reconnect at once; the next open is throttled instead.
	_, _, err = apiClient(s).StartSocketModeContext(context.Background())
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter < time.Second {
		t.Errorf("open after too_many_websockets: %v, want 429 with Retry-After", err)
	}
	if got := s.Connections(); got != 10 {
		t.Errorf("connections = %d, want 10", got)
	}
}

func TestUsedTicketRefused(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	_, url, err := apiClient(s).StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatalf("StartSocketMode: %v", err)
	}
	hdr := http.Header{"Origin": {"https://api.slack.com"}}
	c, resp, err := websocket.DefaultDialer.Dial(url, hdr)
	if err != nil {
		t.Fatalf("first dial: %v", err)
	}
	_ = resp.Body.Close()
	defer c.Close()
	if _, _, err := websocket.DefaultDialer.Dial(url, hdr); !errors.Is(err, websocket.ErrBadHandshake) {
		t.Errorf("second dial with the same ticket: %v, want a bad handshake", err)
	}
}

// TestTenConnections connects ten real slack-go clients (Slack's limit per
// app), sees an eleventh refused and throttled rather than spinning, and
// checks that each envelope goes to exactly one connection.
func TestTenConnections(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	var bots []*bot
	for i := range 10 {
		bots = append(bots, startBot(t, s, ackAll))
		waitFor(t, s, fmt.Sprintf("connection %d", i+1), func() bool { return s.Connections() == i+1 })
	}
	select {
	case hello := <-bots[9].hello:
		if hello.NumConnections != 10 {
			t.Errorf("tenth hello num_connections = %d, want 10", hello.NumConnections)
		}
	case <-time.After(testTimeout):
		t.Fatal("no hello for the tenth connection")
	}

	startBot(t, s, ackAll) // the eleventh
	waitFor(t, s, "the eleventh client throttled", func() bool {
		return s.Stats().APICalls["apps.connections.open"]["ratelimited"] >= 1
	})
	// slack-go reconnects at once after a disconnect frame; only the 429
	// stops a tight loop (slack-protocol.md §0 #12).
	if opens := s.Stats().APICalls["apps.connections.open"]["ok"]; opens > 20 {
		t.Errorf("%d successful opens for 11 clients, want the eleventh throttled", opens)
	}

	type got struct{ bot int }
	received := make(chan got, 100)
	ctx := ctxFor(t)
	for i, b := range bots {
		go func() {
			for {
				select {
				case evt := <-b.events:
					if evt.Type == socketmode.EventTypeEventsAPI {
						received <- got{i}
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	const n = 20
	for i := range n {
		if _, err := s.PostUserMessage("#identity-ops", "@alice", fmt.Sprint("message ", i), ""); err != nil {
			t.Fatalf("PostUserMessage: %v", err)
		}
	}
	waitFor(t, s, "every envelope acked", func() bool {
		st := s.Stats()
		return st.EnvelopesAcked == n && st.EnvelopesPending == 0
	})
	perBot := map[int]int{}
	for range n {
		select {
		case g := <-received:
			perBot[g.bot]++
		case <-time.After(testTimeout):
			t.Fatalf("only %v envelopes reached the bots, want %d", perBot, n)
		}
	}
	if st := s.Stats(); st.EnvelopesSent != n || st.Connections != 10 {
		t.Errorf("sent %d envelopes over %d connections, want %d over 10 (each to one connection)", st.EnvelopesSent, st.Connections, n)
	}
	if len(perBot) < 2 {
		t.Errorf("envelopes per bot = %v, want them spread over the connections", perBot)
	}
}
