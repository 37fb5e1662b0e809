package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/syncerr/syncerr/bot"
	"github.com/syncerr/syncerr/bot/card"
	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
	"github.com/syncerr/syncerr/slackemu"
)

// These tests run the same bot.Run that `syncerr serve` runs against
// slackemu over loopback sockets, with the real slack-go client. They wait
// on emulator conditions, never on sleeps.

const (
	ops     = "#identity-ops" // seeded; the bot is a member; configured for auto-replies
	exact   = "HybridIdentityServiceNoActiveAgents"
	paste   = "Provisioning failed. Error: HybridIdentityServiceNoActiveAgents - We're unable to find an active agent for the domain you're trying to sync. Job ID: AD2AADProvisioning.7c98d604855d9abe28026f53c4ac3e60.b777e2ef-34c6-4a51-a965-73994e6c2945"
	chatter = "anyone up for lunch? the printer timed out again"
	waitFor = 15 * time.Second
)

type harness struct {
	t    testing.TB
	emu  *slackemu.Server
	bot  *bot.Bot
	reg  *prometheus.Registry
	ops  string // channel ID of #identity-ops
	stop func() error
}

// start runs an emulator and the bot against it; mod adjusts the options.
func start(t testing.TB, emuOpts slackemu.Options, mod func(*bot.Options)) *harness {
	t.Helper()
	return startWith(t, emuOpts, func(_ *slackemu.Server, o *bot.Options) {
		if mod != nil {
			mod(o)
		}
	})
}

// startWith is start for options that depend on the emulator (its IDs).
func startWith(t testing.TB, emuOpts slackemu.Options, mod func(*slackemu.Server, *bot.Options)) *harness {
	t.Helper()
	emu, err := slackemu.New(emuOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	opsID, err := emu.ChannelID(ops)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	opts := bot.Options{
		AppToken:          emu.AppToken(),
		BotToken:          emu.BotToken(),
		APIURL:            emu.APIURL(),
		AutoReplyChannels: []string{opsID},
		SlashAckAnswer:    true,
		PostInterval:      5 * time.Millisecond,
		Logger:            zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
		Registry:          reg,
	}
	mod(emu, &opts)
	b, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	stopped := false
	h := &harness{t: t, emu: emu, bot: b, reg: reg, ops: opsID}
	h.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(waitFor):
			t.Fatal("bot.Run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("bot.Run: %v", err)
		}
	})
	h.wait("the bot connects", func() bool { return emu.Connections() == 1 })
	return h
}

// wait blocks until cond holds, re-checked on every emulator change.
func (h *harness) wait(what string, cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := h.emu.Wait(ctx, cond); err != nil {
		h.t.Fatalf("waiting until %s: %v", what, err)
	}
}

func (h *harness) messages(channel, thread string) []slackemu.Message {
	h.t.Helper()
	ms, err := h.emu.Messages(channel, thread)
	if err != nil {
		h.t.Fatal(err)
	}
	return ms
}

// botMessages lists the bot's messages in channel (thread "" = all).
func (h *harness) botMessages(channel, thread string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range h.messages(channel, thread) {
		if m.BotID != "" {
			out = append(out, m)
		}
	}
	return out
}

// slash has user run /syncerr text in #identity-ops and returns the
// ephemeral answer, the only one in the channel.
func (h *harness) slash(user, text string) slackemu.Message {
	h.t.Helper()
	if _, _, err := h.emu.RunCommand(ops, user, "/syncerr", text); err != nil {
		h.t.Fatal(err)
	}
	var eph slackemu.Message
	h.wait("the ephemeral answer", func() bool {
		for _, m := range h.messages(ops, "") {
			if m.EphemeralTo != "" {
				eph = m
				return true
			}
		}
		return false
	})
	return eph
}

func (h *harness) post(channel, user, text, thread string) string {
	h.t.Helper()
	ts, err := h.emu.PostUserMessage(channel, user, text, thread)
	if err != nil {
		h.t.Fatal(err)
	}
	return ts
}

// barrier posts a paste in a fresh thread of channel and waits for its
// answer. With one worker the queue is FIFO, so everything delivered before
// it has been handled when it returns: silence can then be asserted.
func (h *harness) barrier(channel string) {
	h.t.Helper()
	ts := h.post(channel, "@bob", paste, "")
	h.wait("the barrier paste is answered", func() bool { return len(h.botMessages(channel, ts)) > 0 })
}

// expected renders the card the bot should send for text, with the same
// public functions the bot uses, so these tests do not depend on card bodies.
func expected(t testing.TB, text string, shareable bool) card.Message {
	t.Helper()
	res := recognize.New(catalog.Default()).Recognize(text)
	if len(res.Matches) == 0 {
		t.Fatalf("recognition finds nothing in %q", text)
	}
	e, _ := catalog.Default().Lookup(res.Matches[0].Code)
	return card.Error(e, res.Identifiers, card.Options{Shareable: shareable})
}

func hasAction(m slackemu.Message, actionID string) bool {
	return strings.Contains(string(m.Blocks), `"action_id":"`+actionID+`"`)
}

func TestSlashCommands(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	closest := func(codes ...string) []catalog.Entry {
		var out []catalog.Entry
		for _, c := range codes {
			e, _ := catalog.Default().Lookup(c)
			out = append(out, e)
		}
		return out
	}
	tests := []struct {
		name, text string
		want       card.Message
	}{
		{"exact code", exact, expected(t, exact, true)},
		{"any case", strings.ToLower(exact), expected(t, exact, true)},
		{"typo", "HybridIdentityServiceNoActveAgents", expected(t, "HybridIdentityServiceNoActveAgents", true)},
		// Recognition reads one edit in a short code as the code (weakly:
		// in a channel "timeot" alone never gets an unasked answer).
		{"typo of a short code", "timeot", card.Error(closest("TimeOut")[0], recognize.Identifiers{}, card.Options{Shareable: true})},
		// Two edits are more than recognition reads as a typo, but
		// /syncerr asks for a code and its help promises that small
		// typos are fine: the only near code of about its length answers.
		{"two typos in a short code", "tmieot", card.Error(closest("TimeOut")[0], recognize.Identifiers{}, card.Options{Shareable: true})},
		{"plural of a short code", "timeouts", card.Error(closest("TimeOut")[0], recognize.Identifiers{}, card.Options{Shareable: true})},
		{"a word inside a code is no typo", "sync", card.NoMatch("sync", closest("HybridSynchronizationActiveDirectoryInternalServerError"))},
		{"pasted text", paste, expected(t, paste, true)},
		{"help", "help", card.Help("/syncerr")},
		{"empty is help", "", card.Help("/syncerr")},
		{"unknown subcommand is help", "status", card.Help("/syncerr")},
		{"list", "list", card.List(catalog.Default().Entries())},
		{"no match", "the coffee machine is broken again", card.NoMatch("the coffee machine is broken again", closest())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.messages(ops, ""))
			if _, _, err := h.emu.RunCommand(ops, "@alice", "/syncerr", tt.text); err != nil {
				t.Fatal(err)
			}
			var got slackemu.Message
			h.wait("the answer arrives", func() bool {
				ms := h.messages(ops, "")
				if len(ms) > before {
					got = ms[len(ms)-1]
					return true
				}
				return false
			})
			alice, _ := h.emu.UserID("@alice")
			if got.EphemeralTo != alice {
				t.Errorf("answer visible to %q, want ephemeral to alice (%s)", got.EphemeralTo, alice)
			}
			if got.Text != tt.want.Text {
				t.Errorf("answer text = %q, want %q", got.Text, tt.want.Text)
			}
			wantBlocks, _ := json.Marshal(tt.want.Blocks)
			if len(tt.want.Blocks) > 0 && !jsonEqual(t, got.Blocks, wantBlocks) {
				t.Errorf("answer blocks = %s, want %s", got.Blocks, wantBlocks)
			}
		})
	}
}

// jsonEqual compares block lists as JSON values. Slack (and the emulator)
// adds a block_id to blocks sent without one, so those are ignored when
// the wanted block has none.
func jsonEqual(t *testing.T, got, want []byte) bool {
	t.Helper()
	var g, w []map[string]any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil || len(g) != len(w) {
		return false
	}
	for i := range w {
		if _, ok := w[i]["block_id"]; !ok {
			delete(g[i], "block_id")
		}
	}
	ga, _ := json.Marshal(g)
	wa, _ := json.Marshal(w)
	return string(ga) == string(wa)
}

func TestSlashAnswerViaResponseURL(t *testing.T) {
	// Without SlashAckAnswer the ack is empty and the answer goes through
	// response_url: the same card arrives.
	h := start(t, slackemu.Options{}, func(o *bot.Options) { o.SlashAckAnswer = false })
	if _, _, err := h.emu.RunCommand(ops, "@alice", "/syncerr", exact); err != nil {
		t.Fatal(err)
	}
	want := expected(t, exact, true)
	h.wait("the answer arrives", func() bool {
		for _, m := range h.messages(ops, "") {
			if m.EphemeralTo != "" && m.Text == want.Text {
				return true
			}
		}
		return false
	})
}

func TestShareButton(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	eph := h.slash("@alice", paste)
	if !hasAction(eph, card.ActionShare) {
		t.Fatalf("the answer has no Share button: %s", eph.Blocks)
	}
	if err := h.emu.Click(ops, eph.TS, "@alice", card.ActionShare, ""); err != nil {
		t.Fatal(err)
	}
	h.wait("the card is posted in channel and the ephemeral is gone", func() bool {
		var shared, ephemeral int
		for _, m := range h.messages(ops, "") {
			switch {
			case m.EphemeralTo != "":
				ephemeral++
			case m.BotID != "":
				shared++
			}
		}
		return shared == 1 && ephemeral == 0
	})
	// The shared card is the ephemeral one, identifiers of the paste
	// included (the Share button carried them), without the button.
	want := expected(t, paste, false)
	for _, m := range h.botMessages(ops, "") {
		if hasAction(m, card.ActionShare) {
			t.Errorf("shared card still has the Share button: %s", m.Blocks)
		}
		// The channel sees who shared it: an unasked-for bot post
		// would otherwise look like an auto-reply.
		alice, _ := h.emu.UserID("@alice")
		if !strings.Contains(string(m.Blocks), `Shared by \u003c@`+alice+`\u003e`) {
			t.Errorf("shared card does not say who shared it: %s", m.Blocks)
		}
		if m.Text != want.Text || !strings.Contains(string(m.Blocks), "`AD2AADProvisioning.") {
			t.Errorf("shared card = %q %s\nwant %q with the paste's job ID", m.Text, m.Blocks, want.Text)
		}
	}
}

func TestAmbiguousAndPick(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	const jobID = "AD2AADProvisioning.7c98d604855d9abe28026f53c4ac3e60.b777e2ef-34c6-4a51-a965-73994e6c2945"
	const text = "We’re unable to find an active agent for the domain you’re trying to sync. Please check to see if the agent. Job ID: " + jobID
	res := recognize.New(catalog.Default()).Recognize(text)
	if !res.Ambiguous || res.Identifiers.JobID != jobID {
		t.Fatalf("test text is not ambiguous with a job ID any more: %+v %+v", res.Matches, res.Identifiers)
	}
	eph := h.slash("@alice", text)
	var entries []catalog.Entry
	for _, m := range res.Matches {
		e, _ := catalog.Default().Lookup(m.Code)
		entries = append(entries, e)
	}
	if want := card.Ambiguous(entries, res.Identifiers); eph.Text != want.Text {
		t.Errorf("ambiguous answer text = %q, want %q", eph.Text, want.Text)
	}
	if !hasAction(eph, card.ActionPick) {
		t.Fatalf("the ambiguous answer has no pick buttons: %s", eph.Blocks)
	}
	// Click the second choice with the value its button carries.
	pick := res.Matches[1].Code
	value := pickValue(t, eph, pick)
	if err := h.emu.Click(ops, eph.TS, "@alice", card.ActionPick, value); err != nil {
		t.Fatal(err)
	}
	// The picked card keeps the paste's job ID: the pick button carried it.
	e, _ := catalog.Default().Lookup(pick)
	want := card.Error(e, res.Identifiers, card.Options{Shareable: true})
	var picked slackemu.Message
	h.wait("the pick replaces the answer", func() bool {
		for _, m := range h.messages(ops, "") {
			if m.TS == eph.TS && m.Text == want.Text {
				picked = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(string(picked.Blocks), "`"+jobID+"`") {
		t.Errorf("picked card lacks the job ID:\n%s", picked.Blocks)
	}
}

// pickValue finds the value of the pick button for code on m.
func pickValue(t *testing.T, m slackemu.Message, code string) string {
	t.Helper()
	var blocks []struct {
		Accessory struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"accessory"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if c, _ := card.ParseButtonValue(b.Accessory.Value); b.Accessory.ActionID == card.ActionPick && c == code {
			return b.Accessory.Value
		}
	}
	t.Fatalf("no pick button for %s in %s", code, m.Blocks)
	return ""
}

func TestAutoReplyInThread(t *testing.T) {
	h := start(t, slackemu.Options{}, func(o *bot.Options) { o.Workers = 1 })
	ts := h.post(ops, "@alice", paste, "")
	h.wait("the auto-reply", func() bool { return len(h.botMessages(ops, ts)) == 1 })
	got := h.botMessages(ops, ts)[0]
	if got.ThreadTS != ts {
		t.Errorf("reply thread_ts = %q, want the paste's ts %q", got.ThreadTS, ts)
	}
	if want := expected(t, paste, false); got.Text != want.Text {
		t.Errorf("reply text = %q, want %q", got.Text, want.Text)
	}
	// The same error pasted again in the thread gets no second card; the
	// bot's own reply (echoed back as a message event) is not answered.
	h.post(ops, "@bob", paste, ts)
	h.barrier(ops)
	if n := len(h.botMessages(ops, ts)); n != 1 {
		t.Errorf("thread has %d bot replies, want 1", n)
	}
}

// TestAmbiguousPasteAutoReply: a paste several codes fit gets the "pick
// one" card in its thread, not a guess at one of them, and picking there
// turns it into that code's card.
func TestAmbiguousPasteAutoReply(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	const text = "cloud sync status: We were unable to process this request at this point. If this issue persists, please contact support and provide the following job identifier: AD2AADProvisioning.30b500eaf9c643b2b78804e80c1421fe.5c291d3c-d29f-4570-9d6b-f0c2fa3d5926"
	res := recognize.New(catalog.Default()).Recognize(text)
	if !res.Ambiguous || !res.AutoReply {
		t.Fatalf("test text is not an ambiguous auto-reply any more: %+v", res)
	}
	ts := h.post(ops, "@alice", text, "")
	h.wait("the auto-reply", func() bool { return len(h.botMessages(ops, ts)) == 1 })
	got := h.botMessages(ops, ts)[0]
	if !hasAction(got, card.ActionPick) {
		t.Fatalf("the auto-reply to an ambiguous paste has no pick buttons: %s", got.Blocks)
	}
	for _, m := range res.Matches {
		if !strings.Contains(string(got.Blocks), m.Code) {
			t.Errorf("the auto-reply does not list %s", m.Code)
		}
	}
	pick := res.Matches[1].Code
	if err := h.emu.Click(ops, got.TS, "@bob", card.ActionPick, pickValue(t, got, pick)); err != nil {
		t.Fatal(err)
	}
	e, _ := catalog.Default().Lookup(pick)
	h.wait("the pick replaces the card in the thread", func() bool {
		for _, m := range h.botMessages(ops, ts) {
			if m.TS == got.TS && strings.HasPrefix(m.Text, e.Code+":") {
				return true
			}
		}
		return false
	})
}

func TestSilence(t *testing.T) {
	h := start(t, slackemu.Options{}, func(o *bot.Options) { o.Workers = 1 })
	random, err := h.emu.AddChannel("random", false, "@alice", "@bob", "@syncerr")
	if err != nil {
		t.Fatal(err)
	}
	h.post(ops, "@alice", chatter, "")               // chatter in a configured channel
	h.post(random, "@alice", paste, "")              // a paste where auto-replies are off
	del := h.post(ops, "@alice", "typo, ignore", "") //
	if err := h.emu.DeleteUserMessage(ops, "@alice", del); err != nil {
		t.Fatal(err)
	}
	chan2, err := h.emu.AddChannel("new-team", false, "@alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.InviteBot(chan2, "@alice"); err != nil { // the bot hears its own join
		t.Fatal(err)
	}
	h.barrier(ops)
	if n := len(h.botMessages(ops, "")); n != 1 {
		t.Errorf("bot posted %d messages in #identity-ops, want only the barrier's answer", n)
	}
	if n := len(h.botMessages(random, "")); n != 0 {
		t.Errorf("bot auto-replied in a channel not configured (%d messages)", n)
	}
	if n := len(h.botMessages(chan2, "")); n != 0 {
		t.Errorf("bot answered its own join (%d messages)", n)
	}
}

// TestIntegrationPastes: an alerting integration (a legacy webhook, whose
// posts arrive as bot_message with its own bot_id) pastes an error. The
// bot ignores it by default and answers it in its thread once its bot ID
// is in AllowedBotIDs.
func TestIntegrationPastes(t *testing.T) {
	tests := []struct {
		name      string
		allow     bool
		wantReply int
	}{
		{"ignored by default", false, 0},
		{"answered when allow-listed", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startWith(t, slackemu.Options{}, func(emu *slackemu.Server, o *bot.Options) {
				o.Workers = 1 // the barrier's answer then comes after the paste's
				if tt.allow {
					o.AllowedBotIDs = []string{emu.Identity().IntegrationBotID}
				}
			})
			ts, err := h.emu.PostIntegrationMessage(ops, "alertmanager", paste)
			if err != nil {
				t.Fatal(err)
			}
			h.barrier(ops)
			replies := h.appMessages(ops, ts)
			if len(replies) != tt.wantReply {
				t.Fatalf("bot replied %d times to the integration's paste, want %d", len(replies), tt.wantReply)
			}
			if tt.wantReply == 0 {
				return
			}
			if want := expected(t, paste, false); replies[0].Text != want.Text || replies[0].ThreadTS != ts {
				t.Errorf("reply = %q in thread %q, want %q in %q", replies[0].Text, replies[0].ThreadTS, want.Text, ts)
			}
		})
	}
}

// appMessages lists the messages the bot under test posted in channel
// (thread "" = all), leaving out other bots' and integrations'.
func (h *harness) appMessages(channel, thread string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range h.messages(channel, thread) {
		if m.BotID == h.emu.Identity().BotID {
			out = append(out, m)
		}
	}
	return out
}

func TestEditIntoPasteAnsweredOnce(t *testing.T) {
	h := start(t, slackemu.Options{}, func(o *bot.Options) { o.Workers = 1 })
	ts := h.post(ops, "@alice", chatter, "")
	if err := h.emu.EditUserMessage(ops, "@alice", ts, paste); err != nil {
		t.Fatal(err)
	}
	h.wait("the edit is answered", func() bool { return len(h.botMessages(ops, ts)) == 1 })
	if err := h.emu.EditUserMessage(ops, "@alice", ts, paste+" (edited again)"); err != nil {
		t.Fatal(err)
	}
	h.barrier(ops)
	if n := len(h.botMessages(ops, ts)); n != 1 {
		t.Errorf("edited message got %d answers, want 1", n)
	}
}

func TestMentionAnsweredOnce(t *testing.T) {
	h := start(t, slackemu.Options{}, func(o *bot.Options) { o.Workers = 1 })
	random, err := h.emu.AddChannel("random", false, "@alice", "@syncerr")
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{ops, random} {
		// In #identity-ops the message twin would auto-reply too: still one answer.
		ts := h.post(ch, "@alice", "@syncerr "+exact+" what does this mean?", "")
		h.wait("the mention is answered", func() bool { return len(h.botMessages(ch, ts)) >= 1 })
		h.barrier(ops)
		if n := len(h.botMessages(ch, ts)); n != 1 {
			t.Errorf("%s: mention got %d answers, want 1", ch, n)
		}
		if got := h.botMessages(ch, ts)[0]; got.ThreadTS != ts {
			t.Errorf("%s: answer not in the mention's thread", ch)
		}
	}
}

func TestRedeliveriesAnsweredOnce(t *testing.T) {
	// Every envelope is redelivered almost at once (as if our acks were
	// late): same event_id, retry_attempt 1, 2, 3. Each is acked, one answer.
	h := start(t, slackemu.Options{RedeliverAfter: []time.Duration{time.Microsecond, time.Microsecond, time.Microsecond}},
		func(o *bot.Options) { o.Workers = 1 })
	ts := h.post(ops, "@alice", paste, "")
	h.wait("the answer", func() bool { return len(h.botMessages(ops, ts)) >= 1 })
	h.barrier(ops)
	if n := len(h.botMessages(ops, ts)); n != 1 {
		t.Errorf("paste got %d answers, want 1", n)
	}
	if st := h.emu.Stats(); st.EnvelopesRedelivered == 0 {
		t.Fatalf("the emulator redelivered nothing; the test proved nothing: %+v", st)
	}
	// A copy that arrives after the first is recorded is caught by its
	// event_id; one that races the first into the queue, by (channel, ts).
	// Either way it must be counted.
	byEvent := counter(t, h.reg, "syncerr_duplicates_total", "event_id")
	byMessage := counter(t, h.reg, "syncerr_duplicates_total", "channel_ts")
	if byEvent+byMessage == 0 {
		t.Errorf("no duplicate deliveries counted")
	}
}

func TestReconnects(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	// A routine refresh: slack-go reconnects at once.
	h.emu.Disconnect("refresh_requested")
	h.wait("a new socket", func() bool { return h.emu.Stats().ConnectionsOpened >= 2 && h.emu.Connections() == 1 })
	ts := h.post(ops, "@alice", paste, "")
	h.wait("the paste after a refresh is answered", func() bool { return len(h.botMessages(ops, ts)) == 1 })

	// A dropped network: the paste sent while no socket is open waits in
	// Slack (the emulator queues it) and is answered after the reconnect.
	h.emu.DropSockets()
	ts = h.post(ops, "@bob", paste, "")
	h.wait("the paste during the outage is answered", func() bool { return len(h.botMessages(ops, ts)) == 1 })
	h.wait("a third socket", func() bool { return h.emu.Stats().ConnectionsOpened >= 3 })
	if got := counter(t, h.reg, "syncerr_reconnects_total", ""); got < 2 {
		t.Errorf("syncerr_reconnects_total = %v, want ≥ 2", got)
	}
}

func TestRateLimitStormEndsInOnePost(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	if err := h.emu.Fault(slackemu.Fault{Kind: slackemu.FaultFailMethod, Method: "chat.postMessage", Count: 2, Status: http.StatusTooManyRequests, RetryAfter: 1}); err != nil {
		t.Fatal(err)
	}
	ts := h.post(ops, "@alice", paste, "")
	h.wait("the answer after the 429s", func() bool {
		return len(h.botMessages(ops, ts)) == 1 && h.emu.Stats().APICalls["chat.postMessage"]["ok"] == 1
	})
	calls := h.emu.Stats().APICalls["chat.postMessage"]
	if calls["ratelimited"] != 2 || calls["ok"] != 1 {
		t.Errorf("chat.postMessage calls = %v, want 2 ratelimited and 1 ok", calls)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(h.botMessages(ops, ts)); n != 1 {
		t.Errorf("%d answers, want exactly 1", n)
	}
}

func TestGracefulShutdownFinishesWork(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	// Every Web API answer takes a while, so the answer is in flight when
	// the bot is told to stop.
	if err := h.emu.Fault(slackemu.Fault{Kind: slackemu.FaultDelay, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	acked := h.emu.Stats().EnvelopesAcked
	ts := h.post(ops, "@alice", paste, "")
	h.wait("the paste is acked", func() bool { return h.emu.Stats().EnvelopesAcked > acked })
	if err := h.stop(); err != nil {
		t.Fatalf("Run returned %v, want nil", err)
	}
	if n := len(h.botMessages(ops, ts)); n != 1 {
		t.Errorf("in-flight answer: %d posts after shutdown, want 1", n)
	}
	if h.bot.Ready() {
		t.Error("bot still ready after shutdown")
	}
}

func TestOpsEndpoints(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	srv := httptest.NewServer(h.bot.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	ts := h.post(ops, "@alice", paste, "")
	h.wait("the answer", func() bool { return len(h.botMessages(ops, ts)) == 1 })
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz while connected = %d", code)
	}
	if _, body := get("/metrics"); !strings.Contains(body, "syncerr_connected 1") {
		t.Error("/metrics: syncerr_connected is not 1 while connected")
	}
	// Stopping waits for the handlers, so their counters are final.
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	code, body := get("/metrics")
	if code != 200 {
		t.Errorf("/metrics = %d", code)
	}
	for _, want := range []string{
		`syncerr_envelopes_total{type="events_api"}`, "syncerr_ack_latency_seconds_bucket",
		`syncerr_matches_total{code="` + exact + `",outcome="auto_reply"} 1`, `syncerr_replies_total{kind="auto"} 1`,
		"syncerr_connected 0", "syncerr_queue_depth",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, h.emu.BotToken()) || strings.Contains(body, "Provisioning failed") {
		t.Error("/metrics leaks a token or message text")
	}
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz after shutdown = %d, want 503", code)
	}
}

// TestMetricsNamedBeforeTraffic: every metric the README documents is on
// /metrics from the start, at zero, so dashboards, alerts such as
// rate(syncerr_dropped_total[5m]) > 0, and a check of the endpoint find
// the series before the first event, error or drop.
func TestMetricsNamedBeforeTraffic(t *testing.T) {
	h := start(t, slackemu.Options{}, nil)
	srv := httptest.NewServer(h.bot.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`syncerr_envelopes_total{type="slash_commands"} 0`, "syncerr_ack_latency_seconds_count",
		"syncerr_matches_total", `syncerr_replies_total{kind="auto"} 0`,
		`syncerr_slack_api_errors_total{error="ratelimited",method="chat.postMessage"} 0`,
		"syncerr_reconnects_total 0", "syncerr_connected", "syncerr_queue_depth 0",
		`syncerr_dropped_total{reason="queue_full"} 0`, `syncerr_duplicates_total{key="event_id"} 0`,
		"syncerr_handler_panics_total 0", `syncerr_handle_seconds_count{kind="slash"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics before any traffic lacks %s", want)
		}
	}
}

// counter reads a counter's value from reg; label "" means the unlabelled series.
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := label == ""
			for _, lp := range m.GetLabel() {
				if lp.GetValue() == label {
					match = true
				}
			}
			if match {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func TestSlackErrorCountedAndNothingPosted(t *testing.T) {
	var logs strings.Builder
	h := start(t, slackemu.Options{}, func(o *bot.Options) {
		o.Workers = 1
		o.Logger = zerolog.New(&syncWriter{w: &logs}).Level(zerolog.WarnLevel)
	})
	if err := h.emu.Fault(slackemu.Fault{Kind: slackemu.FaultFailMethod, Method: "chat.postMessage", Count: 1, Error: "not_in_channel"}); err != nil {
		t.Fatal(err)
	}
	ts := h.post(ops, "@alice", paste, "")
	h.barrier(ops)
	if n := len(h.botMessages(ops, ts)); n != 0 {
		t.Errorf("%d answers despite not_in_channel", n)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if got := counter(t, h.reg, "syncerr_slack_api_errors_total", "not_in_channel"); got != 1 {
		t.Errorf("not_in_channel counted %v times, want 1", got)
	}
	if !strings.Contains(logs.String(), "/invite @syncerr") {
		t.Errorf("warning does not say what to do:\n%s", logs.String())
	}
}

// syncWriter serialises writes from the bot's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestHungWebAPICallTimesOut(t *testing.T) {
	h := start(t, slackemu.Options{}, func(o *bot.Options) {
		o.Workers = 1
		o.APITimeout = 100 * time.Millisecond
	})
	// Slack stops answering: without a client timeout the one worker would
	// wait for this answer until shutdown, and every later event with it.
	if err := h.emu.Fault(slackemu.Fault{Kind: slackemu.FaultDelay, Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	h.post(ops, "@alice", paste, "")
	h.wait("the bot gives up on chat.postMessage", func() bool {
		return len(h.emu.Stats().APICalls["chat.postMessage"]) > 0
	})
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if got := counter(t, h.reg, "syncerr_slack_api_errors_total", "canceled"); got != 1 {
		t.Errorf("timed-out calls counted %v times, want 1", got)
	}
}
