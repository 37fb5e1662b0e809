package slackemu_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

// fixtureCase reproduces the situation a fixture in testdata/fixtures
// captures and returns the envelope the emulator sent for it.
type fixtureCase struct {
	fixture string
	// volatile lists extra JSON keys whose values can not match (generated
	// IDs); their fixture values are copied over before comparing.
	volatile []string
	// channel is the emulator channel standing for the fixture's C0CHAN0001.
	channel string
	run     func(t *testing.T, f *fixtureEnv) socketmode.Request
	// known adjusts the fixture's decoded value for a deliberate difference.
	known func(want any)
}

// fixtureEnv is one emulator with a clock set to the fixture's timestamps.
type fixtureEnv struct {
	s     *slackemu.Server
	b     *bot
	clock *slackemu.FakeClock
}

// at sets the clock so the next ts is exactly "secs.micros".
func (f *fixtureEnv) at(secs, micros int64) {
	f.clock.Set(time.Unix(secs, micros*1000))
}

// nextOf returns the next envelope of the given type, skipping others.
func (f *fixtureEnv) nextOf(t *testing.T, kind socketmode.EventType) socketmode.Request {
	t.Helper()
	for {
		evt := f.b.next(t)
		if evt.Type == kind {
			return *evt.Request
		}
	}
}

func (f *fixtureEnv) post(t *testing.T, secs, micros int64, text, threadTS string) string {
	t.Helper()
	f.at(secs, micros)
	ts, err := f.s.PostUserMessage("#identity-ops", "@alice", text, threadTS)
	if err != nil {
		t.Fatalf("PostUserMessage: %v", err)
	}
	return ts
}

// commonVolatile are generated values that can never equal a fixture's.
var commonVolatile = []string{
	"event_id", "client_msg_id", "block_id", "event_context", "trigger_id", "response_url",
	"hash", "root_view_id", "image_36", "view.id", "edited.ts",
}

var fixtureCases = []fixtureCase{
	{fixture: "events_api_message.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		f.post(t, 1700000000, 100, "build failed: x < y && z > 0 see https://ci.example.com/run/42\n```panic: boom```", "")
		return f.nextOf(t, socketmode.EventTypeEventsAPI)
	}},
	{fixture: "events_api_bot_echo.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		parent := f.post(t, 1700000000, 100, "sync failed", "")
		f.nextOf(t, socketmode.EventTypeEventsAPI)
		f.at(1700000001, 200)
		ops, _ := f.s.ChannelID("#identity-ops")
		if _, _, err := f.b.api.PostMessage(ops, slack.MsgOptionText("Triage started", false), slack.MsgOptionTS(parent)); err != nil {
			t.Fatalf("PostMessage: %v", err)
		}
		// The fixture is the first retry: the harness leaves first deliveries of the echo unacked.
		for {
			req := f.nextOf(t, socketmode.EventTypeEventsAPI)
			if req.RetryAttempt == 1 {
				return req
			}
		}
	}},
	{fixture: "events_api_changed.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		ts := f.post(t, 1700000000, 100, "orig", "")
		f.nextOf(t, socketmode.EventTypeEventsAPI)
		f.at(1700000005, 300)
		if err := f.s.EditUserMessage("#identity-ops", "@alice", ts, "edited text"); err != nil {
			t.Fatalf("EditUserMessage: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeEventsAPI)
	}},
	{fixture: "events_api_deleted.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		ts := f.post(t, 1700000000, 100, "orig", "")
		f.at(1700000005, 300)
		if err := f.s.EditUserMessage("#identity-ops", "@alice", ts, "edited text"); err != nil {
			t.Fatalf("EditUserMessage: %v", err)
		}
		f.at(1700000006, 400)
		if err := f.s.DeleteUserMessage("#identity-ops", "@alice", ts); err != nil {
			t.Fatalf("DeleteUserMessage: %v", err)
		}
		for range 2 {
			f.nextOf(t, socketmode.EventTypeEventsAPI)
		}
		return f.nextOf(t, socketmode.EventTypeEventsAPI)
	}},
	{fixture: "events_api_join.json", channel: "#general", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		f.at(1700000007, 500)
		if _, err := f.s.InviteBot("#general", "@alice"); err != nil {
			t.Fatalf("InviteBot: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeEventsAPI)
	}},
	{fixture: "events_api_mention.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		parent := f.post(t, 1700000000, 100, "sync failed", "")
		f.nextOf(t, socketmode.EventTypeEventsAPI)
		f.post(t, 1700000008, 600, "@syncerr triage this", parent)
		f.nextOf(t, socketmode.EventTypeEventsAPI) // the message twin
		return f.nextOf(t, socketmode.EventTypeEventsAPI)
	}},
	{fixture: "events_api_home.json", volatile: []string{"channel"}, run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		f.at(1700000009, 700)
		if err := f.s.OpenHome("@alice"); err != nil {
			t.Fatalf("OpenHome: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeEventsAPI)
	}},
	{fixture: "slash.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		if _, _, err := f.s.RunCommand("#identity-ops", "@alice", "/triage", "db <prod> down"); err != nil {
			t.Fatalf("RunCommand: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeSlashCommand)
	}},
	{fixture: "block_actions.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		parent := f.post(t, 1700000000, 100, "sync failed", "")
		f.at(1700000001, 200)
		ops, _ := f.s.ChannelID("#identity-ops")
		btn := slack.NewButtonBlockElement("ack", "inc-42", slack.NewTextBlockObject(slack.PlainTextType, "Ack", true, false))
		_, ts, err := f.b.api.PostMessage(ops, slack.MsgOptionText("Triage started", false), slack.MsgOptionTS(parent),
			slack.MsgOptionBlocks(slack.NewActionBlock("triage_actions", btn)))
		if err != nil {
			t.Fatalf("PostMessage: %v", err)
		}
		f.at(1700000010, 123456)
		if err := f.s.Click("#identity-ops", ts, "@alice", "ack", ""); err != nil {
			t.Fatalf("Click: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeInteractive)
	}, known: func(want any) {
		// The fixture marks the bot's post as subtype bot_message; modern
		// apps' posts carry no subtype (slack-protocol.md §2.2), as here.
		want.(*slack.InteractionCallback).Message.SubType = ""
	}},
	{fixture: "view_submission.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		trig, _, err := f.s.RunCommand("#identity-ops", "@alice", "/triage", "")
		if err != nil {
			t.Fatalf("RunCommand: %v", err)
		}
		f.nextOf(t, socketmode.EventTypeSlashCommand)
		ops, _ := f.s.ChannelID("#identity-ops")
		plain := func(s string) *slack.TextBlockObject {
			return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
		}
		// No emoji flag on the option, as in the fixture's view.
		sev1 := &slack.TextBlockObject{Type: slack.PlainTextType, Text: "SEV1"}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "sev_sel", slack.NewOptionBlockObject("1", sev1, nil))
		view, err := f.b.api.OpenView(trig, slack.ModalViewRequest{
			Type: slack.VTModal, CallbackID: "triage_modal", PrivateMetadata: `{"channel":"` + ops + `"}`,
			Title: plain("Triage"), Submit: plain("Save"), Close: plain("Cancel"),
			Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("sev", plain("Severity"), nil, sel)}},
		})
		if err != nil {
			t.Fatalf("OpenView: %v", err)
		}
		go func() {
			_, _ = f.s.SubmitView(view.ID, "@alice", map[string]map[string]string{"sev": {"sev_sel": "1"}})
		}()
		return f.nextOf(t, socketmode.EventTypeInteractive)
	}},
	{fixture: "message_action.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		ts := f.post(t, 1700000000, 100, "build failed", "")
		f.at(1700000012, 0)
		if _, err := f.s.Shortcut("triage_message", "#identity-ops", ts, "@alice"); err != nil {
			t.Fatalf("Shortcut: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeInteractive)
	}},
	{fixture: "shortcut.json", run: func(t *testing.T, f *fixtureEnv) socketmode.Request {
		f.at(1700000013, 0)
		if _, err := f.s.Shortcut("new_incident", "", "", "@alice"); err != nil {
			t.Fatalf("Shortcut: %v", err)
		}
		return f.nextOf(t, socketmode.EventTypeInteractive)
	}},
}

// TestFixturesRoundTrip checks that what the emulator sends in each fixture's
// situation decodes, with slack-go, to the values the fixture decodes to.
// The emulator's IDs are renamed to the fixture's first; values the fixture
// leaves out may be extra (the emulator sends more of Slack's fields).
func TestFixturesRoundTrip(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(strings.TrimSuffix(tc.fixture, ".json"), func(t *testing.T) {
			clock := newFakeClock()
			s := newServer(t, slackemu.Options{Now: clock.Now, RedeliverAfter: []time.Duration{10 * time.Millisecond}})
			botUser := s.Identity().BotUserID
			// Ack everything but the first delivery of the bot's own posts,
			// so the echo fixture's retry happens.
			b := startBot(t, s, func(evt socketmode.Event) bool {
				var p struct{ Event struct{ User string } }
				_ = json.Unmarshal(evt.Request.Payload, &p)
				return evt.Request.RetryAttempt > 0 || p.Event.User != botUser
			})
			f := &fixtureEnv{s: s, b: b, clock: clock}
			got := tc.run(t, f)

			data, err := os.ReadFile(filepath.Join("testdata", "fixtures", tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var want socketmode.Request
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("fixture: %v", err)
			}
			envelope := func(r socketmode.Request) [4]any {
				return [4]any{r.Type, r.AcceptsResponsePayload, r.RetryAttempt, r.RetryReason}
			}
			if diff := cmp.Diff(envelope(want), envelope(got)); diff != "" {
				t.Errorf("envelope type/accepts_response_payload/retry_attempt/retry_reason (-fixture +emulator):\n%s", diff)
			}

			channel := tc.channel
			if channel == "" {
				channel = "#identity-ops"
			}
			payload := renameIDs(t, s, channel, got.Payload)
			payload = alignVolatile(t, payload, want.Payload, append(commonVolatile, tc.volatile...))
			wantVal, gotVal := decodePayload(t, want.Type, want.Payload), decodePayload(t, want.Type, payload)
			if tc.known != nil {
				tc.known(wantVal)
			}
			prune(reflect.ValueOf(gotVal).Elem(), reflect.ValueOf(wantVal).Elem())
			opts := []cmp.Option{
				cmp.Exporter(func(reflect.Type) bool { return true }),
				cmpopts.EquateEmpty(),
				// The raw copy of the inner event; its decoded form is compared.
				cmpopts.IgnoreFields(slackevents.EventsAPICallbackEvent{}, "InnerEvent"),
			}
			if diff := cmp.Diff(wantVal, gotVal, opts...); diff != "" {
				t.Errorf("decoded payload (-fixture +emulator):\n%s", diff)
			}
		})
	}
}

// renameIDs rewrites the emulator's team, app, bot, user and channel IDs and
// names into the fixtures' (T0TEAM0001, alice = U0USER0001, …).
func renameIDs(t *testing.T, s *slackemu.Server, channel string, payload json.RawMessage) json.RawMessage {
	t.Helper()
	id := s.Identity()
	alice, _ := s.UserID("@alice")
	ch, err := s.ChannelID(channel)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(channel, "#")
	r := strings.NewReplacer(
		id.TeamID, "T0TEAM0001", "syncerr-sandbox", "acme", id.AppID, "A0APP00001", id.BotID, "B0BOT00001",
		id.BotUserID, "U0BOTUSER1", alice, "U0USER0001", ch, "C0CHAN0001", `"`+name+`"`, `"incidents"`,
		"emuVerificationToken", "XXYYZZ", `"name":"syncerr"`, `"name":"triage"`,
	)
	return json.RawMessage(r.Replace(string(payload)))
}

// alignVolatile copies the fixture's values of generated fields (IDs,
// hashes, URLs) into the emulator's payload where both have a string.
// A key is "name" or "parent.name".
func alignVolatile(t *testing.T, got, want json.RawMessage, keys []string) json.RawMessage {
	t.Helper()
	volatile := map[string]bool{}
	for _, k := range keys {
		volatile[k] = true
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("emulator payload: %v", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("fixture payload: %v", err)
	}
	var walk func(g, w any, parent string)
	walk = func(g, w any, parent string) {
		switch gv := g.(type) {
		case map[string]any:
			wm, _ := w.(map[string]any)
			for k, gx := range gv {
				wx, ok := wm[k]
				if !ok {
					continue
				}
				_, gs := gx.(string)
				ws, wIsString := wx.(string)
				if gs && wIsString && (volatile[k] || volatile[parent+"."+k]) {
					gv[k] = ws
					continue
				}
				walk(gx, wx, k)
			}
		case []any:
			ws, _ := w.([]any)
			for i := range min(len(gv), len(ws)) {
				walk(gv[i], ws[i], parent)
			}
		}
	}
	walk(g, w, "")
	out, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodePayload decodes an envelope payload the way slack-go's socketmode
// client does, returning a pointer.
func decodePayload(t *testing.T, kind string, payload json.RawMessage) any {
	t.Helper()
	switch kind {
	case "events_api":
		ev, err := slackevents.ParseEvent(payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatalf("ParseEvent: %v", err)
		}
		return &ev
	case "slash_commands":
		var cmd slack.SlashCommand
		if err := json.Unmarshal(payload, &cmd); err != nil {
			t.Fatalf("decode slash command: %v", err)
		}
		return &cmd
	default:
		var cb slack.InteractionCallback
		if err := json.Unmarshal(payload, &cb); err != nil {
			t.Fatalf("decode interaction: %v", err)
		}
		return &cb
	}
}

// prune zeroes every part of got that want leaves zero, so the comparison
// covers exactly what the fixture states. (A fixture's explicit false or ""
// is indistinguishable from absent after decoding, so those go unchecked.)
func prune(got, want reflect.Value) {
	if !got.CanSet() {
		return
	}
	switch want.Kind() {
	case reflect.Pointer, reflect.Interface:
		if want.IsNil() {
			got.Set(reflect.Zero(got.Type()))
			return
		}
		if got.IsNil() {
			return
		}
		if want.Kind() == reflect.Pointer {
			prune(got.Elem(), want.Elem())
			return
		}
		ge, we := got.Elem(), want.Elem()
		if ge.Type() != we.Type() {
			return
		}
		cp := reflect.New(ge.Type()).Elem()
		cp.Set(ge)
		prune(cp, we)
		got.Set(cp)
	case reflect.Struct:
		for i := range want.NumField() {
			gf, wf := got.Field(i), want.Field(i)
			if !gf.CanSet() {
				continue
			}
			if wf.IsZero() {
				gf.Set(reflect.Zero(gf.Type()))
				continue
			}
			prune(gf, wf)
		}
	case reflect.Slice:
		if got.Len() == want.Len() {
			for i := range want.Len() {
				prune(got.Index(i), want.Index(i))
			}
		}
	case reflect.Map:
		for _, k := range got.MapKeys() {
			wv := want.MapIndex(k)
			if !wv.IsValid() {
				got.SetMapIndex(k, reflect.Value{})
				continue
			}
			cp := reflect.New(got.Type().Elem()).Elem()
			cp.Set(got.MapIndex(k))
			prune(cp, wv)
			got.SetMapIndex(k, cp)
		}
	}
}
