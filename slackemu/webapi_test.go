package slackemu_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/slackemu"
)

func TestAuthTest(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	id := s.Identity()
	resp, err := apiClient(s).AuthTest()
	if err != nil {
		t.Fatalf("AuthTest: %v", err)
	}
	got := [4]string{resp.TeamID, resp.UserID, resp.BotID, resp.User}
	want := [4]string{id.TeamID, id.BotUserID, id.BotID, "syncerr"}
	if got != want {
		t.Errorf("AuthTest = %v, want %v", got, want)
	}
}

func TestTokenChecks(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	opsID, _ := s.ChannelID("#identity-ops")
	// Slack takes the xapp token only from the Authorization header.
	appTokenInBody := func() error {
		resp, err := http.PostForm(s.APIURL()+"apps.connections.open", url.Values{"token": {s.AppToken()}})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var body struct {
			OK    bool
			Error string
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body.OK {
			return fmt.Errorf("status %d ok %v decode %v", resp.StatusCode, body.OK, err)
		}
		return errors.New(body.Error)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"no token", func() error {
			_, err := slack.New("", slack.OptionAPIURL(s.APIURL())).AuthTest()
			return err
		}, "not_authed"},
		{"unknown token", func() error {
			_, err := slack.New("xoxb-nope", slack.OptionAPIURL(s.APIURL())).AuthTest()
			return err
		}, "invalid_auth"},
		{"app token on a bot method", func() error {
			_, _, err := slack.New(s.AppToken(), slack.OptionAPIURL(s.APIURL())).PostMessage(opsID, slack.MsgOptionText("x", false))
			return err
		}, "not_allowed_token_type"},
		{"bot token on apps.connections.open", func() error {
			_, _, err := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(s.BotToken())).StartSocketModeContext(context.Background())
			return err
		}, "not_allowed_token_type"},
		{"app token in the body of apps.connections.open", appTokenInBody, "not_authed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestConnectionsOpenURL(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	_, url, err := apiClient(s).StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatalf("StartSocketMode: %v", err)
	}
	if !strings.HasPrefix(url, "ws://127.0.0.1:") || !strings.Contains(url, "/link/?ticket=") {
		t.Errorf("url = %q, want ws://127.0.0.1:…/link/?ticket=…", url)
	}
}

func TestPostMessageErrors(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	tests := []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		want    string
	}{
		{"unknown channel", "C0NOPE", []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
		{"bot not a member", "#general", []slack.MsgOption{slack.MsgOptionText("x", false)}, "not_in_channel"},
		{"no text", "#identity-ops", nil, "no_text"},
		{"unknown thread", "#identity-ops", []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionTS("1.000001")}, "thread_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := api.PostMessage(tt.channel, tt.opts...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("PostMessage error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestThreadAndHistory(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	ops, _ := s.ChannelID("#identity-ops")
	parent, err := s.PostUserMessage("#identity-ops", "@alice", "sync is broken", "")
	if err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	_, reply, err := api.PostMessage(ops, slack.MsgOptionText("looking", false), slack.MsgOptionTS(parent))
	if err != nil {
		t.Fatalf("PostMessage in thread: %v", err)
	}
	msgs, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: ops, Timestamp: parent})
	if err != nil {
		t.Fatalf("GetConversationReplies: %v", err)
	}
	type row struct{ TS, ThreadTS, Text string }
	var got []row
	for _, m := range msgs {
		got = append(got, row{m.Timestamp, m.ThreadTimestamp, m.Text})
	}
	want := []row{{parent, parent, "sync is broken"}, {reply, parent, "looking"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	if msgs[0].ReplyCount != 1 {
		t.Errorf("parent reply_count = %d, want 1", msgs[0].ReplyCount)
	}

	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ops})
	if err != nil {
		t.Fatalf("GetConversationHistory: %v", err)
	}
	if len(hist.Messages) != 1 || hist.Messages[0].Timestamp != parent {
		t.Errorf("history = %d messages, want only the thread parent %s", len(hist.Messages), parent)
	}
	if _, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "#general"}); err == nil || err.Error() != "not_in_channel" {
		t.Errorf("history of #general: error = %v, want not_in_channel", err)
	}
}

func TestUpdateDeleteReact(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	ops, _ := s.ChannelID("#identity-ops")
	alices, _ := s.PostUserMessage(ops, "@alice", "hello", "")
	_, ts, err := api.PostMessage(ops, slack.MsgOptionText("v1", false))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if _, _, _, err := api.UpdateMessage(ops, ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	msgs := messages(t, s, ops, ts)
	if len(msgs) != 1 || msgs[0].Text != "v2" || msgs[0].Edited == nil {
		t.Errorf("after update: %+v, want text v2 and edited", msgs)
	}
	if err := api.AddReaction("eyes", slack.NewRefToMessage(ops, ts)); err != nil {
		t.Fatalf("AddReaction: %v", err)
	}
	errs := []struct {
		name string
		err  error
		want string
	}{
		{"react twice", api.AddReaction("eyes", slack.NewRefToMessage(ops, ts)), "already_reacted"},
		{"react with colons", api.AddReaction(":eyes:", slack.NewRefToMessage(ops, ts)), "invalid_name"},
		{"update someone else's", second(api.UpdateMessage(ops, alices, slack.MsgOptionText("x", false))), "cant_update_message"},
		{"update too long", second(api.UpdateMessage(ops, ts, slack.MsgOptionText(strings.Repeat("a", 4001), false))), "msg_too_long"},
		{"update unknown", second(api.UpdateMessage(ops, "1.000001", slack.MsgOptionText("x", false))), "message_not_found"},
	}
	for _, e := range errs {
		if e.err == nil || e.err.Error() != e.want {
			t.Errorf("%s: error = %v, want %s", e.name, e.err, e.want)
		}
	}
	if got := messages(t, s, ops, ts)[0].Reactions; len(got) != 1 || got[0].Name != "eyes" || got[0].Count != 1 {
		t.Errorf("reactions = %+v, want one eyes", got)
	}
	if _, _, err := api.DeleteMessage(ops, ts); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if msgs := messages(t, s, ops, ts); len(msgs) != 0 {
		t.Errorf("after delete: %d messages, want 0", len(msgs))
	}
}

// second keeps the error of a four-result call.
func second(_, _, _ string, err error) error { return err }

func TestEphemeralNotInHistory(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	ops, _ := s.ChannelID("#identity-ops")
	alice, _ := s.UserID("@alice")
	ts, err := api.PostEphemeral(ops, alice, slack.MsgOptionText("only you", false))
	if err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	msgs := messages(t, s, ops, "")
	if len(msgs) != 1 || msgs[0].TS != ts || msgs[0].EphemeralTo != alice {
		t.Errorf("Messages = %+v, want the ephemeral message to alice", msgs)
	}
	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ops})
	if err != nil {
		t.Fatalf("GetConversationHistory: %v", err)
	}
	if len(hist.Messages) != 0 {
		t.Errorf("history has %d messages, want 0 (ephemeral messages are not persisted)", len(hist.Messages))
	}
	general, _ := s.ChannelID("#general")
	if _, err := api.PostEphemeral(general, alice, slack.MsgOptionText("x", false)); err == nil || err.Error() != "not_in_channel" {
		t.Errorf("PostEphemeral in #general: error = %v, want not_in_channel", err)
	}
}

func TestInfoMethods(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	ch, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "#general"})
	if err != nil {
		t.Fatalf("GetConversationInfo: %v", err)
	}
	if ch.Name != "general" || ch.IsMember {
		t.Errorf("general: name %q member %v, want general, not a member", ch.Name, ch.IsMember)
	}
	alice, _ := s.UserID("@alice")
	u, err := api.GetUserInfo(alice)
	if err != nil {
		t.Fatalf("GetUserInfo: %v", err)
	}
	if u.Name != "alice" || u.IsBot {
		t.Errorf("user = %q bot %v, want alice, human", u.Name, u.IsBot)
	}
	if _, err := api.GetUserInfo("U0NOPE"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: error = %v, want user_not_found", err)
	}
}

func TestUnknownNamesAreNotFound(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	if _, err := s.PostUserMessage("#nope", "@alice", "x", ""); !errors.Is(err, slackemu.ErrNotFound) {
		t.Errorf("unknown channel: error = %v, want ErrNotFound", err)
	}
	if _, err := s.PostUserMessage("#identity-ops", "@nobody", "x", ""); !errors.Is(err, slackemu.ErrNotFound) {
		t.Errorf("unknown user: error = %v, want ErrNotFound", err)
	}
}
