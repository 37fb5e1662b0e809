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

// TestRetryAfterHonouredBySlackGo lets slack-go's own retry support wait out
// a 429. It takes one second: Retry-After is whole seconds and slack-go
// waits at least one.
func TestRetryAfterHonouredBySlackGo(t *testing.T) {
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
