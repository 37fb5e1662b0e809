package card

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// jobID and friends look like what recognition pulls out of a real paste.
var pasteIDs = recognize.Identifiers{
	JobID:         "AD2AADProvisioning.30b500a0f5f04e5cb2a3d2e9c8f1a7b6.5c29a8e1-6a4f-4c2e-9b1d-3f2e8a7c6d5e",
	TrackingID:    "3f0c5b1e-8f7a-4c3d-9e2b-1a6d7c8e9f0a",
	CorrelationID: "6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8",
	Timestamp:     "2026-11-24 07:12:45Z",
	AADSTS:        []string{"AADSTS50034", "AADSTS7000215"},
	Tenant:        "contoso.onmicrosoft.com",
	ErrorCode:     "81",
}

func lookup(t testing.TB, code string) catalog.Entry {
	t.Helper()
	e, ok := catalog.Default().Lookup(code)
	if !ok {
		t.Fatalf("catalog has no %s", code)
	}
	return e
}

// overlaid loads the catalog tests' good overlay, for runbooks and owners.
func overlaid(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("../../catalog/testdata/overlays/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGolden pins representative cards. Run `go test ./bot/card -update`
// after an intended change and review the diff; each .golden.json is
// {"blocks": […]}, ready to paste into Slack's Block Kit Builder, and the
// fallback text sits beside it in .golden.txt.
func TestGolden(t *testing.T) {
	over := overlaid(t)
	ovEntry, _ := over.Lookup("HybridIdentityServiceNoActiveAgents")
	patch, _ := over.Lookup("ContosoAgentPatchWindow")
	cases := map[string]Message{
		"error-no-active-agents":        Error(lookup(t, "HybridIdentityServiceNoActiveAgents"), recognize.Identifiers{}, Options{}),
		"error-timeout-paste-shareable": Error(lookup(t, "TimeOut"), pasteIDs, Options{Shareable: true}),
		"error-overlay-runbook":         Error(ovEntry, recognize.Identifiers{JobID: pasteIDs.JobID}, Options{Shareable: true}),
		"error-overlay-new-code":        Error(patch, recognize.Identifiers{}, Options{}),
		"ambiguous": Ambiguous([]catalog.Entry{
			lookup(t, "HybridIdentityServiceNoActiveAgents"), lookup(t, "HybridIdentityServiceNoAgentsAssigned"),
		}, recognize.Identifiers{JobID: pasteIDs.JobID}),
		"nomatch-closest": NoMatch("HybridIdentityServiceNoActivAgent <!channel>", []catalog.Entry{
			lookup(t, "HybridIdentityServiceNoActiveAgents"), lookup(t, "TimeOut"),
		}),
		"nomatch-bare": NoMatch("good morning & hi", nil),
		"help":         Help("/syncerr"),
		"list":         List(catalog.Default().Entries()),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if p := checkLimits(m); len(p) > 0 {
				t.Errorf("limits:\n%s", strings.Join(p, "\n"))
			}
			var blocks bytes.Buffer
			enc := json.NewEncoder(&blocks)
			enc.SetEscapeHTML(false) // keep <url|label> readable in review
			enc.SetIndent("", "  ")
			if err := enc.Encode(struct {
				Blocks any `json:"blocks"`
			}{m.Blocks}); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".golden.json", blocks.Bytes())
			golden(t, name+".golden.txt", []byte(m.Text+"\n"))
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/card -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", path, diff)
	}
}

// TestEveryEntryFitsLimits renders every catalog entry, as built in and as
// overlaid, in every variant, and checks each message against the limits.
func TestEveryEntryFitsLimits(t *testing.T) {
	idVariants := map[string]recognize.Identifiers{"none": {}, "paste": pasteIDs, "hostile": hostileIDs()}
	for _, cat := range []*catalog.Catalog{catalog.Default(), overlaid(t)} {
		entries := cat.Entries()
		for _, e := range entries {
			for idName, ids := range idVariants {
				for _, share := range []bool{false, true} {
					name := fmt.Sprintf("Error(%s, %s, share=%v)", e.Code, idName, share)
					assertFits(t, name, Error(e, ids, Options{Shareable: share}))
				}
			}
			assertFits(t, "NoMatch(code)", NoMatch(e.Code, []catalog.Entry{e}))
		}
		for idName, ids := range idVariants {
			assertFits(t, "Ambiguous(all, "+idName+")", Ambiguous(entries, ids))
			assertFits(t, "Ambiguous(2, "+idName+")", Ambiguous(entries[:2], ids))
		}
		assertFits(t, "NoMatch(closest all)", NoMatch("something", entries))
		assertFits(t, "List", List(entries))
	}
	assertFits(t, "Help", Help("/syncerr"))
	assertFits(t, "Help(empty)", Help(""))
	assertFits(t, "NoMatch(empty)", NoMatch("", nil))
}

func assertFits(t *testing.T, name string, m Message) {
	t.Helper()
	if p := checkLimits(m); len(p) > 0 {
		t.Errorf("%s breaks limits:\n  %s", name, strings.Join(p, "\n  "))
	}
}

// hostile is text built to break a card: mentions, entities, a forged
// link, emoji, right-to-left text with an override, zero-width characters
// and control characters.
const hostile = "<!channel> <!here> <@U123> <#C123|general> <!subteam^S1> <https://evil.example|click> " +
	"&amp; &<> `tick` *bold* 🧨👩‍👩‍👧‍👦 שלום مرحبا \u202Eevil\u202C zero\u200Bwidth\u200D \x00\x07\x1b[31m "

func repeatTo(s string, n int) string {
	return strings.Repeat(s, n/len(s)+1)[:n]
}

// hostileIDs are identifiers of 40 KB each and 200 AADSTS codes, some of
// them not AADSTS codes at all.
func hostileIDs() recognize.Identifiers {
	big := repeatTo(hostile, 40<<10)
	aadsts := make([]string, 200)
	for i := range aadsts {
		aadsts[i] = fmt.Sprintf("AADSTS%d", 50000+i)
	}
	aadsts[3] = "AADSTS1|<!channel>"
	aadsts[7] = hostile
	return recognize.Identifiers{
		JobID: big, TraceID: big, CorrelationID: big, TrackingID: big, Timestamp: big,
		AADSTS: aadsts, ErrorCode: big, Tenant: big, HTTPStatus: big,
	}
}

// hostileEntry is an entry as a careless or malicious overlay could make it.
func hostileEntry() catalog.Entry {
	big := repeatTo(hostile, 100<<10)
	steps := make([]string, 300)
	for i := range steps {
		steps[i] = big[:5000]
	}
	links := make([]catalog.Link, 40)
	for i := range links {
		links[i] = catalog.Link{Title: big[:3000], URL: "https://example.com/a?b=1&c=<!channel>|x> " + big[:100]}
	}
	links[0].URL = "javascript:alert(1)"
	return catalog.Entry{
		Code: repeatTo("Code<!channel>", 400), Title: big, Message: big, Scenario: big, Resolution: big,
		Category: catalog.Category(big[:500]), AutoRetry: true, Steps: steps, Links: links, Runbooks: links,
		Owner: big, Notes: big,
	}
}

func TestHostileInputFitsLimits(t *testing.T) {
	e := hostileEntry()
	many := make([]catalog.Entry, 2000)
	for i := range many {
		many[i] = e
		many[i].Code = fmt.Sprintf("Code%d<@U1>", i)
	}
	cases := map[string]Message{
		"Error":            Error(e, hostileIDs(), Options{Shareable: true}),
		"Error(no steps)":  Error(catalog.Entry{Code: e.Code, Resolution: e.Resolution}, hostileIDs(), Options{}),
		"Error(empty)":     Error(catalog.Entry{Code: "X"}, recognize.Identifiers{}, Options{}),
		"Ambiguous":        Ambiguous(many, hostileIDs()),
		"NoMatch":          NoMatch(repeatTo(hostile, 40<<10), many),
		"NoMatch(newline)": NoMatch("line one\nline two\n```", nil),
		"Help":             Help(hostile),
		"List":             List(many),
		"List(codes only)": List(many[:3]),
	}
	for name, m := range cases {
		assertFits(t, name, m)
	}
	// The cuts are said, not silent.
	if !strings.Contains(jsonOf(t, cases["List"]), "…and ") {
		t.Error("List of 2000 codes does not say some were left out")
	}
	if !strings.Contains(jsonOf(t, cases["Error"]), "more steps") {
		t.Error("Error with 300 steps does not count the steps left out")
	}
	if !strings.Contains(jsonOf(t, cases["Error"]), "+190 more") {
		t.Error("Error with 200 AADSTS codes does not count those left out")
	}
}

// jsonOf is m as JSON without HTML escaping, so tests can look for
// mrkdwn such as <url|label> in it.
func jsonOf(t *testing.T, m Message) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCheckerCatchesBreakage keeps the checker honest: it must fail
// messages that break each kind of rule.
func TestCheckerCatchesBreakage(t *testing.T) {
	long := strings.Repeat("x", 3001)
	cases := map[string]Message{
		"no text":          {Blocks: Help("").Blocks},
		"mention":          {Text: "hi <!channel>", Blocks: Help("").Blocks},
		"bare amp":         {Text: "a & b", Blocks: Help("").Blocks},
		"long section":     {Text: "x", Blocks: append(Help("").Blocks, section(long))},
		"long header":      {Text: "x", Blocks: []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))}},
		"emoji units":      {Text: "x", Blocks: []slack.Block{section(strings.Repeat("🧨", 1501))}},
		"not verbatim":     {Text: "x", Blocks: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "x", false, false), nil, nil)}},
		"too many blocks":  {Text: "x", Blocks: slices.Repeat([]slack.Block{section("x")}, 51)},
		"duplicate action": {Text: "x", Blocks: []slack.Block{actions(shareButton("A"), shareButton("B"))}},
		"raw angle":        {Text: "x", Blocks: []slack.Block{section("<@U123>")}},
		"long button":      {Text: "x", Blocks: []slack.Block{actions(slack.NewButtonBlockElement("a", "v", slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("b", 76), false, false)))}},
	}
	for name, m := range cases {
		if p := checkLimits(m); len(p) == 0 {
			t.Errorf("%s: checker found nothing wrong", name)
		}
	}
}

func TestErrorCardContent(t *testing.T) {
	e := lookup(t, "TimeOut")
	m := Error(e, pasteIDs, Options{Shareable: true})
	js := jsonOf(t, m)
	for _, want := range []string{
		"*What it means*", "*Likely cause*", "*How to fix*", "1. ", "*For a support ticket*",
		"`" + pasteIDs.JobID + "`",
		"<https://login.microsoftonline.com/error?code=50034|AADSTS50034>",
		`"action_id":"syncerr_share"`, `"value":"TimeOut"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	for _, want := range []string{"TimeOut", e.Title, "Job ID: " + pasteIDs.JobID} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("fallback %q lacks %q", m.Text, want)
		}
	}
	if strings.Contains(jsonOf(t, Error(e, pasteIDs, Options{})), ActionShare) {
		t.Error("a card that is not shareable has a share button")
	}
	// Without steps, Microsoft's resolution is the fix.
	e.Steps = nil
	if js := jsonOf(t, Error(e, recognize.Identifiers{}, Options{})); !strings.Contains(js, firstSentence(e.Resolution)[:20]) {
		t.Error("an entry without steps does not show its resolution")
	}
}

func TestPickButtonsCarryCodes(t *testing.T) {
	entries := []catalog.Entry{lookup(t, "TimeOut"), lookup(t, "HybridIdentityServiceNoActiveAgents")}
	for name, m := range map[string]Message{"Ambiguous": Ambiguous(entries, recognize.Identifiers{}), "NoMatch": NoMatch("x", entries)} {
		var got []string
		for _, b := range m.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok && s.Accessory != nil && s.Accessory.ButtonElement != nil {
				if s.Accessory.ButtonElement.ActionID != ActionPick {
					t.Errorf("%s: button action %q", name, s.Accessory.ButtonElement.ActionID)
				}
				got = append(got, s.Accessory.ButtonElement.Value)
			}
		}
		if diff := cmp.Diff([]string{"TimeOut", "HybridIdentityServiceNoActiveAgents"}, got); diff != "" {
			t.Errorf("%s pick values (-want +got):\n%s", name, diff)
		}
	}
	if !strings.Contains(jsonOf(t, Ambiguous(entries, recognize.Identifiers{})), "2 codes fit — pick one") {
		t.Error("Ambiguous does not say how many codes fit")
	}
}

func TestListShowsEveryBuiltInCode(t *testing.T) {
	entries := catalog.Default().Entries()
	js := jsonOf(t, List(entries))
	for _, e := range entries {
		if !strings.Contains(js, "`"+e.Code+"`") {
			t.Errorf("List lacks %s", e.Code)
		}
	}
	if strings.Contains(js, "…and ") {
		t.Error("List cuts the built-in catalog")
	}
}

func TestGoldenFilesAreUsed(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.golden.*")
	if len(files) == 0 && !*update {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("<!channel>")) {
			t.Errorf("%s contains a live <!channel>", f)
		}
	}
}

func BenchmarkError(b *testing.B) {
	e := lookup(b, "TimeOut")
	for b.Loop() {
		Error(e, pasteIDs, Options{Shareable: true})
	}
}

func BenchmarkErrorHostile(b *testing.B) {
	e, ids := hostileEntry(), hostileIDs()
	for b.Loop() {
		Error(e, ids, Options{Shareable: true})
	}
}

func BenchmarkList(b *testing.B) {
	entries := catalog.Default().Entries()
	for b.Loop() {
		List(entries)
	}
}

// TestReportSizes logs the JSON size of typical and worst-case cards
// (go test -v -run Sizes), the numbers the Socket Mode ack budget needs.
func TestReportSizes(t *testing.T) {
	for name, m := range map[string]Message{
		"typical error": Error(lookup(t, "TimeOut"), pasteIDs, Options{Shareable: true}),
		"hostile error": Error(hostileEntry(), hostileIDs(), Options{Shareable: true}),
		"list":          List(catalog.Default().Entries()),
	} {
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d blocks, %d bytes of JSON", name, len(m.Blocks), len(raw))
	}
}
