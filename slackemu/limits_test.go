package slackemu_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/slackemu"
)

func TestBlockKitLimits(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	plain := func(text string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
	}
	section := func(text string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
	}
	many := func(n int) []slack.Block {
		out := make([]slack.Block, n)
		for i := range out {
			out[i] = section("x")
		}
		return out
	}
	var fields []*slack.TextBlockObject
	for range 11 {
		fields = append(fields, plain("f"))
	}
	tests := []struct {
		name   string
		blocks []slack.Block
		want   []string
	}{
		{"section text over 3000", []slack.Block{section(strings.Repeat("a", 3001))},
			[]string{"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"}},
		{"51 blocks", many(51),
			[]string{"must provide at most 50 items [json-pointer:/blocks]"}},
		{"header over 150", []slack.Block{section("ok"), slack.NewHeaderBlock(plain(strings.Repeat("h", 151)))},
			[]string{"must be less than 151 characters [json-pointer:/blocks/1/text/text]"}},
		{"11 fields", []slack.Block{slack.NewSectionBlock(nil, fields, nil)},
			[]string{"must provide at most 10 items [json-pointer:/blocks/0/fields]"}},
		{"button text over 75", []slack.Block{slack.NewActionBlock("a", slack.NewButtonBlockElement("b", "v", plain(strings.Repeat("b", 76))))},
			[]string{"must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tt.blocks...))
			var se slack.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != "invalid_blocks" {
				t.Fatalf("error = %v, want invalid_blocks", err)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, "[ERROR] "+w)
			}
			if diff := cmp.Diff(want, se.ResponseMetadata.Messages); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(many(50)...)); err != nil {
		t.Errorf("50 blocks: %v, want accepted", err)
	}
}

func TestPostingRateLimit(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, slackemu.Options{RateLimits: slackemu.RateLimitsStrict, Now: clock.Now})
	api := apiClient(s)
	other, err := s.AddChannel("other", false, "@syncerr", "@alice")
	if err != nil {
		t.Fatalf("AddChannel: %v", err)
	}
	post := func(channel string) error {
		_, _, err := api.PostMessage(channel, slack.MsgOptionText("x", false))
		return err
	}
	if err := post("#identity-ops"); err != nil {
		t.Fatalf("first post: %v", err)
	}
	var rl *slack.RateLimitedError
	if err := post("#identity-ops"); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("second post in the same second: error = %v, want RateLimitedError with Retry-After 1s", err)
	}
	if err := post(other); err != nil {
		t.Errorf("post to another channel: %v, want no limit (the limit is per channel)", err)
	}
	clock.Advance(time.Second)
	if err := post("#identity-ops"); err != nil {
		t.Errorf("post a second later: %v", err)
	}
	if got := s.Stats().APICalls["chat.postMessage"]; got["ratelimited"] != 1 || got["ok"] != 3 {
		t.Errorf("stats = %v, want 3 ok and 1 ratelimited", got)
	}
}

func TestRateLimitsOffByDefault(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	for i := range 20 {
		if _, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("x", false)); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
}

// TestRetryAfterHonouredBySlackGo lets slack-go's own retry support
// (slack.OptionRetry) wait out a 429, from a fault and from strict rate
// limiting. Each case takes one real second: Retry-After is whole seconds
// and slack-go sleeps at least one, in real time.
func TestRetryAfterHonouredBySlackGo(t *testing.T) {
	t.Run("fault", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, slackemu.Options{})
		if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultFailMethod, Method: "chat.postMessage", Count: 1, Status: 429, RetryAfter: 1}); err != nil {
			t.Fatalf("Fault: %v", err)
		}
		api := apiClient(s, slack.OptionRetry(1))
		if _, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("x", false)); err != nil {
			t.Fatalf("PostMessage with one retry: %v", err)
		}
		if got := s.Stats().APICalls["chat.postMessage"]; got["ratelimited"] != 1 || got["ok"] != 1 {
			t.Errorf("stats = %v, want one 429 then one ok", got)
		}
	})
	t.Run("strict posting limit", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, slackemu.Options{RateLimits: slackemu.RateLimitsStrict})
		api := apiClient(s, slack.OptionRetryConfig(slack.RetryConfig{MaxRetries: 2}))
		for i := range 2 {
			if _, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("x", false)); err != nil {
				t.Fatalf("post %d: %v", i, err)
			}
		}
		if got := s.Stats().APICalls["chat.postMessage"]; got["ratelimited"] < 1 || got["ok"] != 2 {
			t.Errorf("stats = %v, want a 429 retried into 2 ok", got)
		}
	})
}

// TestRateLimitModes counts how many calls each mode lets through at once
// before a 429 (the clock is frozen, so nothing refills).
func TestRateLimitModes(t *testing.T) {
	tests := []struct {
		name      string
		mode      slackemu.RateLimitMode
		method    string
		call      func(api *slack.Client) error
		wantAllow int
	}{
		{"realistic posting burst", slackemu.RateLimitsRealistic, "chat.postMessage", func(api *slack.Client) error {
			_, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("x", false))
			return err
		}, 4},
		{"strict posting", slackemu.RateLimitsStrict, "chat.postMessage", func(api *slack.Client) error {
			_, _, err := api.PostMessage("#identity-ops", slack.MsgOptionText("x", false))
			return err
		}, 1},
		{"realistic tier 3", slackemu.RateLimitsRealistic, "conversations.history", func(api *slack.Client) error {
			_, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "#identity-ops"})
			return err
		}, 50},
		{"strict tier 3", slackemu.RateLimitsStrict, "conversations.history", func(api *slack.Client) error {
			_, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "#identity-ops"})
			return err
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, slackemu.Options{RateLimits: tt.mode, Clock: newFakeClock()})
			api := apiClient(s)
			allowed := 0
			var err error
			for allowed <= tt.wantAllow {
				if err = tt.call(api); err != nil {
					break
				}
				allowed++
			}
			var rl *slack.RateLimitedError
			if allowed != tt.wantAllow || !errors.As(err, &rl) || rl.RetryAfter < time.Second {
				t.Errorf("%d calls allowed, then %v; want %d, then a 429 with an integer Retry-After", allowed, err, tt.wantAllow)
			}
		})
	}
}

func TestFailMethodFault(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultFailMethod, Method: "reactions.add", Count: 1, Error: "internal_error"}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	ts, _ := s.PostUserMessage("#identity-ops", "@alice", "x", "")
	ref := slack.NewRefToMessage("#identity-ops", ts)
	if err := api.AddReaction("eyes", ref); err == nil || err.Error() != "internal_error" {
		t.Errorf("first call: %v, want internal_error", err)
	}
	if err := api.AddReaction("eyes", ref); err != nil {
		t.Errorf("second call: %v, want the fault used up", err)
	}
	var statusErr slack.StatusCodeError
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultFailMethod, Method: "auth.test", Count: 1, Status: 503}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	if _, err := api.AuthTest(); !errors.As(err, &statusErr) || statusErr.Code != 503 {
		t.Errorf("auth.test: %v, want HTTP 503", err)
	}
	if err := s.Fault(slackemu.Fault{Kind: "bogus"}); err == nil {
		t.Error("unknown fault kind accepted")
	}
}
