package slackemu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

func TestSlashCommand(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackNone)
	trig, hook, err := s.RunCommand("#identity-ops", "@alice", "/syncerr", "lookup a<b")
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	evt := b.next(t)
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		t.Fatalf("data = %T, want slack.SlashCommand", evt.Data)
	}
	ops, _ := s.ChannelID("#identity-ops")
	alice, _ := s.UserID("@alice")
	want := slack.SlashCommand{
		Token: cmd.Token, TeamID: s.Identity().TeamID, TeamDomain: cmd.TeamDomain, ChannelID: ops, ChannelName: "identity-ops",
		UserID: alice, UserName: "alice", Command: "/syncerr", Text: "lookup a&lt;b",
		ResponseURL: hook, TriggerID: trig, APIAppID: s.Identity().AppID,
	}
	if diff := cmp.Diff(want, cmd); diff != "" {
		t.Errorf("slash command (-want +got):\n%s", diff)
	}
	if !evt.Request.AcceptsResponsePayload {
		t.Error("accepts_response_payload = false, want true for slash_commands")
	}

	// The ack's payload is the immediate response: ephemeral by default.
	b.sm.Ack(*evt.Request, map[string]any{"text": "looking it up"})
	waitFor(t, s, "the ack response", func() bool { return len(messages(t, s, ops, "")) == 1 })
	got := messages(t, s, ops, "")[0]
	if got.Text != "looking it up" || got.EphemeralTo != alice {
		t.Errorf("ack response = %+v, want ephemeral to alice", got)
	}
}

func TestSlashCommandWithoutSocket(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	_, _, err := s.RunCommand("#identity-ops", "@alice", "/syncerr", "x")
	if err == nil {
		t.Fatal("RunCommand with no socket succeeded, want dispatch_failed")
	}
}

func TestResponseURL(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, slackemu.Options{Now: clock.Now})
	b := startBot(t, s, ackAll)
	ops, _ := s.ChannelID("#identity-ops")
	alice, _ := s.UserID("@alice")

	_, hook, err := s.RunCommand(ops, "@alice", "/syncerr", "x")
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	b.next(t)
	respond := func(opts ...slack.MsgOption) error {
		_, _, err := b.api.PostMessage("", opts...)
		return err
	}
	// 1: ephemeral by default.
	if err := respond(slack.MsgOptionResponseURL(hook, ""), slack.MsgOptionText("first", false)); err != nil {
		t.Fatalf("respond ephemeral: %v", err)
	}
	// 2: replace it.
	if err := respond(slack.MsgOptionReplaceOriginal(hook), slack.MsgOptionText("second", false)); err != nil {
		t.Fatalf("respond replace: %v", err)
	}
	msgs := messages(t, s, ops, "")
	if len(msgs) != 1 || msgs[0].Text != "second" || msgs[0].EphemeralTo != alice {
		t.Fatalf("after replace_original: %+v, want one ephemeral 'second'", msgs)
	}
	// 3: in_channel posts a visible message.
	if err := respond(slack.MsgOptionResponseURL(hook, slack.ResponseTypeInChannel), slack.MsgOptionText("for all", false)); err != nil {
		t.Fatalf("respond in_channel: %v", err)
	}
	// 4: delete_original removes the last response, the in_channel post.
	if err := respond(slack.MsgOptionDeleteOriginal(hook)); err != nil {
		t.Fatalf("respond delete: %v", err)
	}
	msgs = messages(t, s, ops, "")
	if len(msgs) != 1 || msgs[0].Text != "second" {
		t.Fatalf("after delete_original: %+v, want only the ephemeral response left", msgs)
	}
	// 5: the last permitted use.
	if err := respond(slack.MsgOptionResponseURL(hook, ""), slack.MsgOptionText("fifth", false)); err != nil {
		t.Fatalf("fifth use: %v", err)
	}
	if err := respond(slack.MsgOptionResponseURL(hook, ""), slack.MsgOptionText("sixth", false)); err == nil || err.Error() != "used_url" {
		t.Errorf("sixth use: error = %v, want used_url", err)
	}

	// A fresh URL expires after 30 minutes.
	_, hook2, err := s.RunCommand(ops, "@alice", "/syncerr", "y")
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	b.next(t)
	clock.Advance(30*time.Minute + time.Second)
	if err := respond(slack.MsgOptionResponseURL(hook2, ""), slack.MsgOptionText("late", false)); err == nil || err.Error() != "expired_url" {
		t.Errorf("after 30 min: error = %v, want expired_url", err)
	}
}

// buttonBlocks is an actions block with one button.
func buttonBlocks(actionID, value string) slack.MsgOption {
	btn := slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, "Ack", false, false))
	return slack.MsgOptionBlocks(slack.NewActionBlock("", btn))
}

func TestClickButton(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	ops, _ := s.ChannelID("#identity-ops")
	_, ts, err := b.api.PostMessage(ops, slack.MsgOptionText("card", false), buttonBlocks("ack_btn", "inc-42"))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	b.next(t) // echo
	if err := s.Click("#identity-ops", ts, "@bob", "ack_btn", ""); err != nil {
		t.Fatalf("Click: %v", err)
	}
	evt := b.next(t)
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok {
		t.Fatalf("data = %T, want InteractionCallback", evt.Data)
	}
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("callback type %q with %d block actions, want block_actions with 1", cb.Type, len(cb.ActionCallback.BlockActions))
	}
	act := cb.ActionCallback.BlockActions[0]
	bob, _ := s.UserID("@bob")
	type fields struct{ ActionID, Value, User, Channel, MessageTS string }
	got := fields{act.ActionID, act.Value, cb.User.ID, cb.Channel.ID, cb.Container.MessageTs}
	if diff := cmp.Diff(fields{"ack_btn", "inc-42", bob, ops, ts}, got); diff != "" {
		t.Errorf("block_actions (-want +got):\n%s", diff)
	}
	if act.BlockID == "" {
		t.Error("block_id is empty; slack-go needs it (must-do #6)")
	}
	// replace_original through the action's response_url edits the card.
	if _, _, err := b.api.PostMessage("", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("acked by bob", false)); err != nil {
		t.Fatalf("replace_original: %v", err)
	}
	if msgs := messages(t, s, ops, ts); msgs[0].Text != "acked by bob" {
		t.Errorf("card text = %q, want acked by bob", msgs[0].Text)
	}

	if err := s.Click("#identity-ops", ts, "@bob", "no_such", ""); !errors.Is(err, slackemu.ErrNotFound) {
		t.Errorf("click on a missing button: error = %v, want ErrNotFound", err)
	}
}

func TestClickEphemeralButton(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	ops, _ := s.ChannelID("#identity-ops")
	alice, _ := s.UserID("@alice")
	ts, err := b.api.PostEphemeral(ops, alice, slack.MsgOptionText("pick", false), buttonBlocks("more", "1"))
	if err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	if err := s.Click(ops, ts, "@bob", "more", ""); !errors.Is(err, slackemu.ErrNotFound) {
		t.Errorf("bob clicking alice's ephemeral button: error = %v, want ErrNotFound", err)
	}
	if err := s.Click(ops, ts, "@alice", "more", ""); err != nil {
		t.Fatalf("Click: %v", err)
	}
	cb := b.next(t).Data.(slack.InteractionCallback)
	if !cb.Container.IsEphemeral {
		t.Error("container.is_ephemeral = false, want true")
	}
	if _, _, err := b.api.PostMessage("", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("more details", false)); err != nil {
		t.Fatalf("replace_original: %v", err)
	}
	msgs := messages(t, s, ops, "")
	if len(msgs) != 1 || msgs[0].Text != "more details" || msgs[0].EphemeralTo != alice {
		t.Errorf("after replace: %+v, want alice's ephemeral replaced", msgs)
	}
	if _, _, err := b.api.PostMessage("", slack.MsgOptionDeleteOriginal(cb.ResponseURL)); err != nil {
		t.Fatalf("delete_original: %v", err)
	}
	if msgs := messages(t, s, ops, ""); len(msgs) != 0 {
		t.Errorf("after delete: %d messages, want 0", len(msgs))
	}
}

// postControl POSTs a JSON body to a control endpoint and decodes the answer.
func postControl(t *testing.T, s *slackemu.Server, path string, body any, out any) int {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(s.URL()+path, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("POST %s: decode: %v", path, err)
		}
	}
	return resp.StatusCode
}

func TestControlAPI(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)

	var posted struct{ TS string }
	if code := postControl(t, s, "/emu/messages", map[string]string{"channel": "#identity-ops", "user": "@alice", "text": "hi"}, &posted); code != 200 || posted.TS == "" {
		t.Fatalf("POST /emu/messages = %d %+v", code, posted)
	}
	b.next(t)

	var cmd struct {
		TriggerID   string `json:"trigger_id"`
		ResponseURL string `json:"response_url"`
	}
	if code := postControl(t, s, "/emu/commands", map[string]string{"channel": "#identity-ops", "user": "@bob", "command": "/syncerr", "text": "help"}, &cmd); code != 200 || cmd.ResponseURL == "" {
		t.Fatalf("POST /emu/commands = %d %+v", code, cmd)
	}
	b.next(t)

	ops, _ := s.ChannelID("#identity-ops")
	_, ts, _ := b.api.PostMessage(ops, slack.MsgOptionText("card", false), buttonBlocks("go", "v"))
	b.next(t)
	if code := postControl(t, s, "/emu/actions", map[string]string{"channel": ops, "message_ts": ts, "user": "@bob", "action_id": "go"}, nil); code != 200 {
		t.Errorf("POST /emu/actions = %d, want 200", code)
	}
	if _, ok := b.next(t).Data.(slack.InteractionCallback); !ok {
		t.Error("no block_actions after POST /emu/actions")
	}
	var notFound struct{ Error string }
	if code := postControl(t, s, "/emu/actions", map[string]string{"channel": ops, "message_ts": ts, "user": "@bob", "action_id": "nope"}, &notFound); code != 404 || notFound.Error == "" {
		t.Errorf("POST /emu/actions for a missing button = %d %+v, want 404 with a reason", code, notFound)
	}
	if code := postControl(t, s, "/emu/messages", map[string]string{"channel": "#identity-ops", "usr": "@alice"}, nil); code != 400 {
		t.Errorf("POST /emu/messages with a misspelt field = %d, want 400", code)
	}

	resp, err := http.Get(s.URL() + "/emu/messages?channel=%23identity-ops&thread_ts=" + posted.TS)
	if err != nil {
		t.Fatalf("GET /emu/messages: %v", err)
	}
	defer resp.Body.Close()
	var list struct{ Messages []map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(list.Messages) != 1 || list.Messages[0]["text"] != "hi" || list.Messages[0]["ts"] != posted.TS {
		t.Errorf("GET /emu/messages = %+v, want alice's message", list.Messages)
	}
}

func TestWait(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	done := make(chan error, 1)
	go func() {
		done <- s.Wait(ctxFor(t), func() bool {
			msgs, _ := s.Messages("#identity-ops", "")
			return len(msgs) == 2
		})
	}()
	for _, text := range []string{"one", "two"} {
		if _, err := s.PostUserMessage("#identity-ops", "@alice", text, ""); err != nil {
			t.Fatalf("PostUserMessage: %v", err)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Wait: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Wait(ctx, func() bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context = %v, want context.Canceled", err)
	}
}

// Compile-time check that the harness ack policies fit.
var _ = []func(socketmode.Event) bool{ackAll, ackNone}

// getControl GETs a control endpoint and decodes the answer.
func getControl(t *testing.T, s *slackemu.Server, path string, out any) int {
	t.Helper()
	resp, err := http.Get(s.URL() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: decode: %v", path, err)
	}
	return resp.StatusCode
}

// TestControlAPIByName drives the rest of the control API over HTTP, naming
// users and channels by name throughout.
func TestControlAPIByName(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)

	// Faults: a forced error, then a refused bogus fault.
	fault := map[string]any{"kind": "fail_method", "method": "auth.test", "count": 1, "error": "account_inactive"}
	if code := postControl(t, s, "/emu/faults", fault, nil); code != 200 {
		t.Fatalf("POST /emu/faults = %d", code)
	}
	if _, err := b.api.AuthTest(); err == nil || err.Error() != "account_inactive" {
		t.Errorf("auth.test after the fault: %v, want account_inactive", err)
	}
	if code := postControl(t, s, "/emu/faults", map[string]any{"kind": "disconnect", "reason": "bye"}, nil); code != 400 {
		t.Errorf("POST /emu/faults with an unknown reason = %d, want 400", code)
	}

	// A legacy integration posts; the bot hears bot_message.
	var posted struct{ TS string }
	if code := postControl(t, s, "/emu/messages", map[string]string{"channel": "#identity-ops", "bot_username": "deploybot", "text": "deployed"}, &posted); code != 200 {
		t.Fatalf("POST /emu/messages as an integration = %d", code)
	}
	b.next(t)

	// Home tab.
	if code := postControl(t, s, "/emu/home", map[string]string{"user": "@alice"}, nil); code != 200 {
		t.Fatalf("POST /emu/home = %d", code)
	}
	if _, inner := eventOf(t, b.next(t)); inner == nil {
		t.Fatal("no app_home_opened")
	}

	// A global shortcut's trigger opens a modal, which bob submits.
	var sc struct {
		TriggerID string `json:"trigger_id"`
	}
	if code := postControl(t, s, "/emu/shortcuts", map[string]string{"callback_id": "new_incident", "user": "@bob"}, &sc); code != 200 {
		t.Fatalf("POST /emu/shortcuts = %d", code)
	}
	b.next(t)
	view, err := b.api.OpenView(sc.TriggerID, modal("New incident"))
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	var views struct{ Modals []slackemu.View }
	if code := getControl(t, s, "/emu/views?user=@bob", &views); code != 200 || len(views.Modals) != 1 || views.Modals[0].ID != view.ID {
		t.Fatalf("GET /emu/views = %d %+v, want bob's modal", code, views)
	}
	var outcome slackemu.ViewOutcome
	submit := map[string]any{"view_id": view.ID, "user": "@bob", "values": map[string]map[string]string{"note": {"text": "db down"}}}
	if code := postControl(t, s, "/emu/views/submit", submit, &outcome); code != 200 || outcome.ResponseAction != "" || outcome.ViewID != "" {
		t.Errorf("POST /emu/views/submit = %d %+v, want the modal closed", code, outcome)
	}
	cb := b.next(t).Data.(slack.InteractionCallback)
	if cb.View.State.Values["note"]["text"].Value != "db down" {
		t.Errorf("submitted state = %+v", cb.View.State.Values)
	}

	var st slackemu.Stats
	if code := getControl(t, s, "/emu/stats", &st); code != 200 {
		t.Fatalf("GET /emu/stats = %d", code)
	}
	if st.EnvelopesSent != 4 || st.EnvelopesAcked != 4 || st.AckLatency.Max <= 0 || st.AckLatency.P50 > st.AckLatency.P99 {
		t.Errorf("stats = %+v, want 4 envelopes sent and acked with latencies", st)
	}
	if got := st.APICalls["auth.test"]; got["account_inactive"] != 1 {
		t.Errorf("auth.test calls = %v, want one account_inactive", got)
	}
}

// TestDelayFault holds API answers back until the fault is cleared: a call
// with a short deadline gives up, the next one after clearing succeeds.
func TestDelayFault(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	api := apiClient(s)
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultDelay, Delay: time.Hour}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := api.AuthTestContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("auth.test during an hour's delay: %v, want the caller's deadline", err)
	}
	if err := s.Fault(slackemu.Fault{Kind: slackemu.FaultDelay}); err != nil {
		t.Fatalf("Fault: %v", err)
	}
	if _, err := api.AuthTestContext(ctxFor(t)); err != nil {
		t.Errorf("auth.test after clearing the delay: %v", err)
	}
}

// TestControlMessagesLongPoll waits over HTTP, as Wait does in process:
// GET /emu/messages with min and wait answers once the thread holds min
// messages, after wait with what there is, and refuses bad parameters.
func TestControlMessagesLongPoll(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	ts, err := s.PostUserMessage("#identity-ops", "@alice", "question", "")
	if err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	type listing struct{ Messages []slackemu.Message }
	got := make(chan listing, 1)
	go func() {
		var l listing
		resp, err := http.Get(s.URL() + "/emu/messages?channel=%23identity-ops&thread_ts=" + ts + "&min=2&wait=10s")
		if err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&l)
			resp.Body.Close()
		}
		got <- l
	}()
	if _, err := s.PostUserMessage("#identity-ops", "@bob", "answer", ts); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	select {
	case l := <-got:
		if len(l.Messages) != 2 || l.Messages[1].Text != "answer" {
			t.Errorf("long poll = %+v, want the question and its answer", l.Messages)
		}
	case <-ctxFor(t).Done():
		t.Fatal("long poll did not answer")
	}

	var short listing
	if code := getControl(t, s, "/emu/messages?channel=%23identity-ops&thread_ts="+ts+"&min=5&wait=1ms", &short); code != 200 || len(short.Messages) != 2 {
		t.Errorf("expired long poll = %d with %d messages, want 200 with the 2 there are", code, len(short.Messages))
	}
	var bad map[string]string
	if code := getControl(t, s, "/emu/messages?channel=%23identity-ops&min=two&wait=1s", &bad); code != 400 || bad["error"] == "" {
		t.Errorf("bad min = %d %v, want 400 with a reason", code, bad)
	}
}

// TestControlMessagesListsEveryField: GET /emu/messages promises every
// field of a message ("ts", "thread_ts", "user", "bot_id", "text",
// "blocks", "reactions", "edited", "ephemeral_to"), so a client over HTTP
// can read m["thread_ts"] without knowing which are set; an unset field is
// null or empty rather than missing.
func TestControlMessagesListsEveryField(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	if _, err := s.PostUserMessage("#identity-ops", "@alice", "hi", ""); err != nil {
		t.Fatal(err)
	}
	var list struct{ Messages []map[string]any }
	if code := getControl(t, s, "/emu/messages?channel=%23identity-ops", &list); code != 200 || len(list.Messages) != 1 {
		t.Fatalf("GET /emu/messages = %d %+v", code, list)
	}
	for _, k := range []string{"ts", "thread_ts", "user", "bot_id", "text", "blocks", "reactions", "edited", "ephemeral_to"} {
		if _, ok := list.Messages[0][k]; !ok {
			t.Errorf("message lacks %q: %v", k, list.Messages[0])
		}
	}
	if r, ok := list.Messages[0]["reactions"].([]any); !ok || len(r) != 0 {
		t.Errorf("reactions = %#v, want []", list.Messages[0]["reactions"])
	}
}

// TestControlEditAndDelete: a user edits and deletes their message over
// HTTP, as EditUserMessage and DeleteUserMessage do in process, so an
// acceptance check can make the bot hear message_changed and
// message_deleted.
func TestControlEditAndDelete(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	var posted struct{ TS string }
	if code := postControl(t, s, "/emu/messages", map[string]string{"channel": "#identity-ops", "user": "@alice", "text": "hi"}, &posted); code != 200 {
		t.Fatalf("POST /emu/messages = %d", code)
	}
	b.next(t)

	edit := map[string]string{"channel": "#identity-ops", "user": "@alice", "ts": posted.TS, "text": "hello"}
	if code := postControl(t, s, "/emu/messages/update", edit, nil); code != 200 {
		t.Fatalf("POST /emu/messages/update = %d", code)
	}
	if _, inner := eventOf(t, b.next(t)); inner == nil {
		t.Fatal("no message_changed after the edit")
	}
	msgs, _ := s.Messages("#identity-ops", "")
	if len(msgs) != 1 || msgs[0].Text != "hello" || msgs[0].Edited == nil {
		t.Errorf("after the edit: %+v", msgs)
	}
	edit["user"] = "@bob"
	var notFound struct{ Error string }
	if code := postControl(t, s, "/emu/messages/update", edit, &notFound); code != 404 || notFound.Error == "" {
		t.Errorf("bob editing alice's message = %d %+v, want 404 with a reason", code, notFound)
	}

	del := map[string]string{"channel": "#identity-ops", "user": "@alice", "ts": posted.TS}
	if code := postControl(t, s, "/emu/messages/delete", del, nil); code != 200 {
		t.Fatalf("POST /emu/messages/delete = %d", code)
	}
	if _, inner := eventOf(t, b.next(t)); inner == nil {
		t.Fatal("no message_deleted after the delete")
	}
	if msgs, _ := s.Messages("#identity-ops", ""); len(msgs) != 0 {
		t.Errorf("after the delete: %+v", msgs)
	}
}
