package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	goodOverlay = "testdata/overlays/good.yaml"
	badDir      = "testdata/overlays/bad/"
)

func TestLoadGoodOverlay(t *testing.T) {
	c, err := Load(goodOverlay)
	if err != nil {
		t.Fatal(err)
	}
	wantCodes := append(append([]string{}, Default().Codes()...), "ContosoAgentPatchWindow")
	if diff := cmp.Diff(wantCodes, c.Codes()); diff != "" {
		t.Errorf("Codes() (-want +got):\n%s", diff)
	}

	byAlias, ok := c.Lookup("NO-ACTIVE-AGENTS")
	if !ok || byAlias.Code != "HybridIdentityServiceNoActiveAgents" {
		t.Fatalf("Lookup by alias = %q, %v", byAlias.Code, ok)
	}
	builtIn, _ := Default().Lookup("HybridIdentityServiceNoActiveAgents")
	want := builtIn
	want.Aliases = []string{"NoActiveAgents", "no-active-agents"}
	want.Owner = "@identity-oncall"
	want.Notes = "Our agents run on SYNC01 and SYNC02."
	want.Runbooks = []Link{{Title: "Restart the provisioning agent", URL: "https://wiki.example.com/runbooks/cloud-sync-agent"}}
	if diff := cmp.Diff(want, byAlias); diff != "" {
		t.Errorf("overlaid entry (-want +got):\n%s", diff)
	}

	// "code: timeout" names the built-in TimeOut: only its title changes.
	timeout, _ := c.Lookup("TimeOut")
	builtInTimeout, _ := Default().Lookup("TimeOut")
	builtInTimeout.Title = "Agent too slow (our wording)"
	if diff := cmp.Diff(builtInTimeout, timeout); diff != "" {
		t.Errorf("TimeOut (-want +got):\n%s", diff)
	}

	added, ok := c.Lookup("contosoagentpatchwindow")
	if !ok {
		t.Fatal("new code not found")
	}
	wantAdded := Entry{
		Code:     "ContosoAgentPatchWindow",
		Title:    "Agent server is in its patch window",
		Message:  "The provisioning agent is offline while Windows Update runs on SYNC01.",
		Category: CategoryAgent,
		Related:  []string{"TimeOut"},
		Steps:    []string{"Wait for the patch window to end (Sundays 02:00-04:00 UTC), then choose Restart sync."},
	}
	if diff := cmp.Diff(wantAdded, added); diff != "" {
		t.Errorf("new entry (-want +got):\n%s", diff)
	}

	if _, ok := Default().Lookup("NoActiveAgents"); ok {
		t.Error("Load changed the default catalog")
	}
}

// TestLoadAppliesFilesInOrder: later files replace text, aliases and
// runbooks add up, and a later file may use a code an earlier one added.
func TestLoadAppliesFilesInOrder(t *testing.T) {
	dir := t.TempDir()
	first := writeFile(t, dir, "first.yaml", `entries:
  - code: TimeOut
    title: First title
    aliases: [slow-agent]
    runbooks:
      - {title: One, url: "https://wiki.example.com/1"}
  - code: TeamCode
    title: Team code
    message: Something of ours broke.
`)
	second := writeFile(t, dir, "second.yaml", `entries:
  - code: TimeOut
    title: Second title
    aliases: [slow-agent, agent-timeout]
    steps: [Only this step.]
    runbooks:
      - {title: Two, url: "https://wiki.example.com/2"}
  - code: HybridIdentityServiceNoActiveAgents
    related: [TeamCode]
`)
	c, err := Load(first, second)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := c.Lookup("agent-timeout")
	got := struct {
		Title    string
		Aliases  []string
		Steps    []string
		Runbooks []Link
	}{e.Title, e.Aliases, e.Steps, e.Runbooks}
	want := struct {
		Title    string
		Aliases  []string
		Steps    []string
		Runbooks []Link
	}{
		"Second title",
		[]string{"slow-agent", "agent-timeout"},
		[]string{"Only this step."},
		[]Link{{"One", "https://wiki.example.com/1"}, {"Two", "https://wiki.example.com/2"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TimeOut after two files (-want +got):\n%s", diff)
	}
	if na, _ := c.Lookup("HybridIdentityServiceNoActiveAgents"); !cmp.Equal(na.Related, []string{"TeamCode"}) {
		t.Errorf("Related = %v, want [TeamCode]", na.Related)
	}
}

// TestLoadBadOverlays checks each bad file's problems, exactly.
func TestLoadBadOverlays(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown-field.yaml", []string{`3: unknown field "colour"`}},
		{"unknown-top-level.yaml", []string{`1: unknown field "entry"`}},
		{"aliases-not-a-list.yaml", []string{"3: wrong type: want a list, got text"}},
		{"auto-retry-not-bool.yaml", []string{"3: wrong type: want true or false, got text"}},
		{"duplicate-key.yaml", []string{`4: mapping key "title" already defined at line 3`}},
		{"syntax-error.yaml", []string{"3: sequence end token ']' not found"}},
		{"empty.yaml", []string{`1: empty overlay; expected "entries:" with a list of entries`}},
		{"two-documents.yaml", []string{"4: more than one YAML document; put every entry under one entries: list"}},
		{"no-code.yaml", []string{"2: entry has no code"}},
		{"code-with-space.yaml", []string{`2: code "Time Out" is not a valid code: use letters, digits, '.', '_' or '-', starting with a letter`}},
		{"duplicate-code.yaml", []string{"4: code timeout already appears at line 2 of this file"}},
		{"duplicate-alias.yaml", []string{"5: alias Slow-Agent already names TimeOut (" + badDir + "duplicate-alias.yaml:3)"}},
		{"alias-twice.yaml", []string{"3: alias slow-agent is listed twice for TimeOut"}},
		{"alias-is-a-code.yaml", []string{"3: alias azuredirectoryserviceserverbusy is already the code AzureDirectoryServiceServerBusy"}},
		{"code-is-an-alias.yaml", []string{"4: slow-agent is an alias of TimeOut; use the code"}},
		{"new-code-without-title.yaml", []string{"2: new code ContosoAgentPatchWindow needs a title and a message"}},
		{"empty-title.yaml", []string{"3: title is empty; leave it out to keep the current text"}},
		{"bad-category.yaml", []string{`3: category "network" is not one of agent, service-account, service, configuration`}},
		{"bad-runbooks.yaml", []string{
			`5: runbooks: "wiki.example.com/agent" is not an absolute http(s) URL`,
			"6: runbooks: link has no title",
		}},
		{"bad-link-url.yaml", []string{`5: links: "ftp://example.com/x" is not an absolute http(s) URL`}},
		{"bad-identifiers.yaml", []string{
			`3: aadsts: "50055" is not an AADSTS code like AADSTS50034`,
			`4: error_codes: "eighty-one" is not a number like "81"`,
		}},
		{"bad-related.yaml", []string{
			"3: related code HybridIdentityServiceAgentTimeout is not in the catalog",
			"3: TimeOut lists itself as related",
		}},
		{"empty-step.yaml", []string{`5: steps: "" is not a step`}},
		{"first-decode-error-only.yaml", []string{`3: unknown field "colour"`}},
		{"yaml-tag.yaml", []string{"3: YAML tags, anchors and aliases are not supported in overlays; write values out"}},
		{"yaml-anchor.yaml", []string{"3: YAML tags, anchors and aliases are not supported in overlays; write values out"}},
		{"several-problems.yaml", []string{
			`3: category "network" is not one of agent, service-account, service, configuration`,
			"4: new code NewThing needs a title and a message",
			"6: related code Nope is not in the catalog",
		}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			path := badDir + tt.file
			c, err := Load(path)
			if c != nil {
				t.Error("Load returned a catalog despite problems")
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, path+":"+w)
			}
			if diff := cmp.Diff(want, problemLines(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryBadOverlayIsTested keeps the table and the directory in step.
func TestEveryBadOverlayIsTested(t *testing.T) {
	files, err := filepath.Glob(badDir + "*.yaml")
	if err != nil || len(files) < 20 {
		t.Fatalf("found %d bad overlays (err %v)", len(files), err)
	}
	for _, f := range files {
		if _, err := Load(f); err == nil {
			t.Errorf("%s loads without error", f)
		}
	}
}

// TestLoadAllOrNothing: a good file followed by a bad one yields no
// catalog, problems from the bad one only, and leaves Default untouched.
func TestLoadAllOrNothing(t *testing.T) {
	before := Default().Entries()
	c, err := Load(goodOverlay, badDir+"bad-category.yaml", "testdata/overlays/missing.yaml")
	if c != nil {
		t.Fatal("Load returned a catalog")
	}
	want := []string{
		badDir + `bad-category.yaml:3: category "network" is not one of agent, service-account, service, configuration`,
		"testdata/overlays/missing.yaml: cannot read: no such file or directory",
	}
	if diff := cmp.Diff(want, problemLines(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, Default().Entries()); diff != "" {
		t.Errorf("Default changed (-before +after):\n%s", diff)
	}
}

func TestLoadWithoutOverlaysIsDefault(t *testing.T) {
	c, err := Load()
	if err != nil || c != Default() {
		t.Errorf("Load() = %p, %v; want Default() %p", c, err, Default())
	}
}

func TestOverlayErrorMessage(t *testing.T) {
	err := &OverlayError{Problems: []Problem{{"a.yaml", 3, "bad"}, {"b.yaml", 0, "cannot read"}}}
	if got, want := err.Error(), "a.yaml:3: bad\nb.yaml: cannot read"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func problemLines(t *testing.T, err error) []string {
	t.Helper()
	var oe *OverlayError
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v (%T), want *OverlayError", err, err)
	}
	var lines []string
	for _, p := range oe.Problems {
		lines = append(lines, p.String())
	}
	return lines
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// FuzzOverlay feeds arbitrary bytes to the overlay loader: it must not
// panic, and whatever it accepts must build a consistent catalog.
func FuzzOverlay(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/overlays/*/*.yaml")
	seeds = append(seeds, goodOverlay)
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		o := newOverlayer(Default().Entries())
		o.apply(0, "fuzz.yaml", src)
		o.finish()
		for _, p := range o.problems {
			if p.Line < 1 || p.Message == "" {
				t.Errorf("problem without a line or message: %+v", p.Problem)
			}
		}
		if len(o.problems) > 0 {
			return
		}
		c, err := newCatalog(o.entries)
		if err != nil {
			t.Fatalf("accepted overlay builds no catalog: %v\n%s", err, src)
		}
		for _, code := range c.Codes() {
			if _, ok := c.Lookup(code); !ok {
				t.Errorf("code %q not found by Lookup", code)
			}
		}
	})
}
