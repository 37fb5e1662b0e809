package slackemu_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

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
	for _, reason := range []string{"warning", "refresh_requested", "link_disabled"} {
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
