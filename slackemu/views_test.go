package slackemu_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/syncerr/syncerr/slackemu"
)

// modal is a modal with one plain-text input block "note"/"text".
func modal(title string) slack.ModalViewRequest {
	input := slack.NewInputBlock("note", slack.NewTextBlockObject(slack.PlainTextType, "Note", false, false), nil,
		slack.NewPlainTextInputBlockElement(nil, "text"))
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: "triage_modal",
		Title:      slack.NewTextBlockObject(slack.PlainTextType, title, false, false),
		Submit:     slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Blocks:     slack.Blocks{BlockSet: []slack.Block{input}},
	}
}

// triggers runs n slash commands and returns their trigger_ids.
func triggers(t *testing.T, s *slackemu.Server, b *bot, n int) []string {
	t.Helper()
	var out []string
	for range n {
		trig, _, err := s.RunCommand("#identity-ops", "@alice", "/syncerr", "")
		if err != nil {
			t.Fatalf("RunCommand: %v", err)
		}
		b.next(t)
		out = append(out, trig)
	}
	return out
}

func TestTriggerIDSingleUseAndExpiry(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, slackemu.Options{Now: clock.Now})
	b := startBot(t, s, ackAll)
	trigs := triggers(t, s, b, 2)
	if _, err := b.api.OpenView(trigs[0], modal("Triage")); err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	clock.Advance(3*time.Second + time.Millisecond)
	tests := []struct {
		name, trigger, want string
	}{
		{"used twice", trigs[0], "exchanged_trigger_id"},
		{"older than 3 s", trigs[1], "expired_trigger_id"},
		{"made up", "123.456.abc", "invalid_trigger_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.api.OpenView(tt.trigger, modal("Triage")); err == nil || err.Error() != tt.want {
				t.Errorf("OpenView error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestModalLimits(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	trig := triggers(t, s, b, 1)[0]
	_, err := b.api.OpenView(trig, modal(strings.Repeat("t", 25)))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_arguments" {
		t.Fatalf("OpenView with a 25-char title: error = %v, want invalid_arguments", err)
	}
	want := []string{"[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"}
	if diff := cmp.Diff(want, se.ResponseMetadata.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

func TestViewSubmission(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackNone)
	trig, _, err := s.RunCommand("#identity-ops", "@alice", "/syncerr", "")
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	b.sm.Ack(*b.next(t).Request)
	view, err := b.api.OpenView(trig, modal("Triage"))
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}

	// submit presses Submit and answers the view_submission with ack.
	submit := func(text string, ack any) slackemu.ViewOutcome {
		t.Helper()
		type result struct {
			out slackemu.ViewOutcome
			err error
		}
		done := make(chan result, 1)
		go func() {
			out, err := s.SubmitView(view.ID, "@alice", map[string]map[string]string{"note": {"text": text}})
			done <- result{out, err}
		}()
		evt := b.next(t)
		cb := evt.Data.(slack.InteractionCallback)
		if cb.Type != slack.InteractionTypeViewSubmission || cb.View.CallbackID != "triage_modal" {
			t.Fatalf("got %s for %q, want view_submission for triage_modal", cb.Type, cb.View.CallbackID)
		}
		if got := cb.View.State.Values["note"]["text"].Value; got != text {
			t.Errorf("state value = %q, want %q", got, text)
		}
		if ack == nil {
			b.sm.Ack(*evt.Request)
		} else {
			b.sm.Ack(*evt.Request, ack)
		}
		r := <-done
		if r.err != nil {
			t.Fatalf("SubmitView: %v", r.err)
		}
		return r.out
	}

	out := submit("", slack.NewErrorsViewSubmissionResponse(map[string]string{"note": "required"}))
	if diff := cmp.Diff(slackemu.ViewOutcome{ResponseAction: "errors", Errors: map[string]string{"note": "required"}, ViewID: view.ID}, out); diff != "" {
		t.Errorf("errors outcome (-want +got):\n%s", diff)
	}
	next := modal("Step 2")
	out = submit("db down", slack.NewPushViewSubmissionResponse(&next))
	if out.ResponseAction != "push" || out.ViewID == view.ID {
		t.Errorf("push outcome = %+v, want a new view on top", out)
	}
	modals, _, _ := s.Views("@alice")
	if len(modals) != 2 {
		t.Fatalf("stack = %d views, want 2", len(modals))
	}
	view.ID = out.ViewID
	renamed := modal("Step 2b")
	out = submit("again", slack.NewUpdateViewSubmissionResponse(&renamed))
	if out.ResponseAction != "update" || out.ViewID != view.ID {
		t.Errorf("update outcome = %+v, want the same view %s updated in place", out, view.ID)
	}
	if modals, _, _ := s.Views("@alice"); len(modals) != 2 || !strings.Contains(string(modals[1].Title), "Step 2b") {
		t.Errorf("after update: %d modals, top title %s, want 2 with Step 2b on top", len(modals), modals[len(modals)-1].Title)
	}
	out = submit("done", nil)
	if out.ResponseAction != "" || out.ViewID != modals[0].ID {
		t.Errorf("plain ack outcome = %+v, want the pushed view closed, back to %s", out, modals[0].ID)
	}
	view.ID = out.ViewID
	submit("bye", slack.NewClearViewSubmissionResponse())
	if modals, _, _ := s.Views("@alice"); len(modals) != 0 {
		t.Errorf("after clear: %d modals open, want 0", len(modals))
	}
}

func TestViewsPushLimitAndUpdate(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	trigs := triggers(t, s, b, 4)
	root, err := b.api.OpenView(trigs[0], modal("Root"))
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	for _, trig := range trigs[1:3] {
		if _, err := b.api.PushView(trig, modal("More")); err != nil {
			t.Fatalf("PushView: %v", err)
		}
	}
	if _, err := b.api.PushView(trigs[3], modal("Too deep")); err == nil || err.Error() != "push_limit_reached" {
		t.Errorf("fourth view: error = %v, want push_limit_reached", err)
	}
	updated, err := b.api.UpdateView(modal("Renamed"), "", root.Hash, root.ID)
	if err != nil {
		t.Fatalf("UpdateView: %v", err)
	}
	if updated.Title.Text != "Renamed" || updated.Hash == root.Hash {
		t.Errorf("updated view: title %q hash %q, want Renamed and a new hash", updated.Title.Text, updated.Hash)
	}
	if _, err := b.api.UpdateView(modal("Again"), "", root.Hash, root.ID); err == nil || err.Error() != "hash_conflict" {
		t.Errorf("update with a stale hash: error = %v, want hash_conflict", err)
	}
}

func TestHomeTab(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	alice, _ := s.UserID("@alice")
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Hello*", false, false), nil, nil),
	}}}
	published, err := b.api.PublishView(alice, home, "")
	if err != nil {
		t.Fatalf("PublishView: %v", err)
	}
	if err := s.OpenHome("@alice"); err != nil {
		t.Fatalf("OpenHome: %v", err)
	}
	_, inner := eventOf(t, b.next(t))
	ev, ok := inner.(*slackevents.AppHomeOpenedEvent)
	if !ok {
		t.Fatalf("event = %T, want *AppHomeOpenedEvent", inner)
	}
	if ev.User != alice || ev.Tab != "home" || ev.View.ID != published.ID || !strings.HasPrefix(ev.Channel, "D") {
		t.Errorf("app_home_opened = user %s tab %s view %s channel %s", ev.User, ev.Tab, ev.View.ID, ev.Channel)
	}
	if _, h, _ := s.Views("@alice"); h == nil || h.ID != published.ID {
		t.Errorf("Views home = %+v, want %s", h, published.ID)
	}
}

func TestShortcuts(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	ts, _ := s.PostUserMessage("#identity-ops", "@alice", "sync error 42", "")
	b.next(t)
	if _, err := s.Shortcut("triage_message", "#identity-ops", ts, "@bob"); err != nil {
		t.Fatalf("Shortcut: %v", err)
	}
	cb := b.next(t).Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "triage_message" || cb.MessageTs != ts || cb.Message.Text != "sync error 42" || cb.ResponseURL == "" {
		t.Errorf("message_action = type %s callback %s ts %s text %q", cb.Type, cb.CallbackID, cb.MessageTs, cb.Message.Text)
	}
	if _, err := s.Shortcut("new_incident", "", "", "@bob"); err != nil {
		t.Fatalf("global Shortcut: %v", err)
	}
	cb = b.next(t).Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeShortcut || cb.CallbackID != "new_incident" || cb.TriggerID == "" {
		t.Errorf("shortcut = type %s callback %s", cb.Type, cb.CallbackID)
	}
}

func TestInviteBot(t *testing.T) {
	s := newServer(t, slackemu.Options{})
	b := startBot(t, s, ackAll)
	if _, err := s.InviteBot("#general", "@alice"); err != nil {
		t.Fatalf("InviteBot: %v", err)
	}
	_, inner := eventOf(t, b.next(t))
	join := inner.(*slackevents.MessageEvent)
	if join.SubType != "channel_join" || join.User != s.Identity().BotUserID {
		t.Errorf("join = subtype %q user %q, want channel_join of the bot", join.SubType, join.User)
	}
	if _, err := s.PostUserMessage("#general", "@bob", "now you hear me", ""); err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	_, inner = eventOf(t, b.next(t))
	if text := inner.(*slackevents.MessageEvent).Text; text != "now you hear me" {
		t.Errorf("text = %q, want the #general message", text)
	}
}

// TestViewSubmissionAckDeadline lets the 3-second ack deadline pass on a fake
// clock: the outcome is "timeout", the modal stays open and a late ack does
// nothing.
func TestViewSubmissionAckDeadline(t *testing.T) {
	clock := newFakeClock()
	s := newServer(t, slackemu.Options{Clock: clock})
	b := startBot(t, s, ackNone)
	trig, _, err := s.RunCommand("#identity-ops", "@alice", "/syncerr", "")
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	b.sm.Ack(*b.next(t).Request)
	view, err := b.api.OpenView(trig, modal("Triage"))
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	type result struct {
		out slackemu.ViewOutcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := s.SubmitView(view.ID, "@alice", map[string]map[string]string{"note": {"text": "x"}})
		done <- result{out, err}
	}()
	late := b.next(t) // the view_submission, left unacked
	clock.Advance(3*time.Second - time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("SubmitView returned %+v before the deadline", r)
	default:
	}
	clock.Advance(time.Millisecond)
	var r result
	select {
	case r = <-done:
	case <-time.After(testTimeout):
		t.Fatal("SubmitView still waiting after the deadline")
	}
	if r.err != nil || r.out.ResponseAction != "timeout" || r.out.ViewID != view.ID {
		t.Errorf("outcome = %+v, %v; want timeout with the view still open", r.out, r.err)
	}
	b.sm.Ack(*late.Request, slack.NewClearViewSubmissionResponse())
	waitFor(t, s, "the late ack", func() bool { return s.Stats().EnvelopesAcked == 2 })
	if modals, _, _ := s.Views("@alice"); len(modals) != 1 {
		t.Errorf("after a late clear: %d modals, want the view still open", len(modals))
	}
}
