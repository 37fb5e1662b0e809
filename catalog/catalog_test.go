package catalog

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

// wantCodes are the codes on Microsoft's page, in its order.
var wantCodes = []string{
	"TimeOut",
	"HybridSynchronizationActiveDirectoryInternalServerError",
	"HybridIdentityServiceNoAgentsAssigned",
	"HybridIdentityServiceNoActiveAgents",
	"HybridIdentityServiceInvalidResource",
	"HybridIdentityServiceAgentSignalingError",
	"AzureDirectoryServiceServerBusy",
	"AzureActiveDirectoryInvalidCredential",
	"AzureActiveDirectoryExpiredCredentials",
	"AzureActiveDirectoryAuthenticationFailed",
}

func TestDefaultCodes(t *testing.T) {
	if diff := cmp.Diff(wantCodes, Default().Codes()); diff != "" {
		t.Errorf("Codes() mismatch (-want +got):\n%s", diff)
	}
}

func TestDefaultIsParsedOnce(t *testing.T) {
	first, second := Default(), Default()
	if first != second {
		t.Error("Default() returned two different catalogs")
	}
}

// TestImportedMatchesReference proves the committed imported.json is what a
// fresh import of the committed page produces.
func TestImportedMatchesReference(t *testing.T) {
	page, err := os.ReadFile("data/reference-error-codes.md")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ParseReference(page)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := EncodeImported(entries)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("data/imported.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(committed), string(fresh)); diff != "" {
		t.Errorf("data/imported.json is stale; run go generate ./catalog (-committed +fresh):\n%s", diff)
	}
}

// TestEnrichmentCoversEveryCode checks both directions: every enrichment
// key is a code on the page, and every code is enriched fully enough for a
// card.
func TestEnrichmentCoversEveryCode(t *testing.T) {
	file, err := os.ReadFile("data/enrichment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var byCode map[string]enrichment
	if err := yaml.UnmarshalWithOptions(file, &byCode, yaml.DisallowUnknownField()); err != nil {
		t.Fatal(err)
	}
	for code := range byCode {
		if !slices.Contains(wantCodes, code) {
			t.Errorf("enrichment for %q, which is not a code on the page", code)
		}
	}
	c := Default()
	for _, e := range c.Entries() {
		t.Run(e.Code, func(t *testing.T) {
			if _, ok := byCode[e.Code]; !ok {
				t.Fatal("no enrichment")
			}
			if e.Title == "" || e.Summary == "" || e.Category == "" || len(e.Steps) < 2 || len(e.Links) == 0 {
				t.Errorf("incomplete enrichment: title %q, summary %q, category %q, %d steps, %d links", e.Title, e.Summary, e.Category, len(e.Steps), len(e.Links))
			}
			if !slices.ContainsFunc(e.Links, func(l Link) bool { return strings.Contains(l.URL, "how-to-troubleshoot") }) {
				t.Error("no troubleshooting link")
			}
			for _, r := range e.Related {
				if _, ok := c.Lookup(r); !ok || r == e.Code {
					t.Errorf("related code %q is not another catalog code", r)
				}
			}
			if e.AutoRetry != (e.Code == "AzureDirectoryServiceServerBusy") {
				t.Errorf("auto_retry = %v; only AzureDirectoryServiceServerBusy is retried by Microsoft", e.AutoRetry)
			}
			if e.Category == CategoryServiceAccount && !slices.ContainsFunc(e.Links, func(l Link) bool { return strings.Contains(l.URL, "repair-aadcloudsynctoolsaccount") }) {
				t.Error("service account error without the PowerShell repair link")
			}
		})
	}
}

func TestIdentifyingCodes(t *testing.T) {
	tests := []struct {
		code       string
		aadsts     []string
		errorCodes []string
	}{
		{"AzureActiveDirectoryInvalidCredential", []string{"AADSTS50034"}, nil},
		{"AzureActiveDirectoryExpiredCredentials", []string{"AADSTS50055"}, nil},
		{"AzureDirectoryServiceServerBusy", nil, []string{"81"}},
		{"TimeOut", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			e, ok := Default().Lookup(tt.code)
			if !ok {
				t.Fatal("not found")
			}
			if diff := cmp.Diff(tt.aadsts, e.AADSTS); diff != "" {
				t.Errorf("AADSTS (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.errorCodes, e.ErrorCodes); diff != "" {
				t.Errorf("ErrorCodes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		want   string
		wantOK bool
	}{
		{"exact", "TimeOut", "TimeOut", true},
		{"lower case", "timeout", "TimeOut", true},
		{"upper case", "AZUREDIRECTORYSERVICESERVERBUSY", "AzureDirectoryServiceServerBusy", true},
		{"surrounding space", "  TimeOut\n", "TimeOut", true},
		{"not a code", "HybridIdentityServiceAgentTimeout", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := Default().Lookup(tt.query)
			if ok != tt.wantOK || e.Code != tt.want {
				t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.query, e.Code, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestCallersCannotMutate changes everything a caller can reach and checks
// the shared catalog did not move.
func TestCallersCannotMutate(t *testing.T) {
	c := Default()
	before := c.Entries()
	got := c.Entries()
	for i := range got {
		got[i].Code = "changed"
		got[i].Steps[0] = "changed"
		got[i].Links[0].URL = "changed"
		got[i].Localized = map[string]string{"xx": "changed"}
	}
	e, _ := c.Lookup("TimeOut")
	e.Steps[0] = "changed"
	e.Related[0] = "changed"
	codes := c.Codes()
	codes[0] = "changed"
	if diff := cmp.Diff(before, c.Entries()); diff != "" {
		t.Errorf("shared catalog changed through returned values (-before +after):\n%s", diff)
	}
}

func TestLocalizedMerged(t *testing.T) {
	entries := []Entry{{Code: "TimeOut"}, {Code: "AzureDirectoryServiceServerBusy"}}
	file := []byte("TimeOut:\n  ja-JP: タイムアウト エラー\n  de-de: Zeitüberschreitung\n")
	if err := localize(entries, file); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ja-jp": "タイムアウト エラー", "de-de": "Zeitüberschreitung"}
	if diff := cmp.Diff(want, entries[0].Localized); diff != "" {
		t.Errorf("Localized (-want +got):\n%s", diff)
	}
	if entries[1].Localized != nil {
		t.Errorf("Localized for a code not in the file = %v, want nil", entries[1].Localized)
	}
}

func TestLocalizedErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"unknown code", "NoSuchCode:\n  ja-jp: x\n", `unknown code "NoSuchCode"`},
		{"empty message", "TimeOut:\n  ja-jp: \"  \"\n", "empty"},
		{"wrong shape", "TimeOut: [a, b]\n", "decode localized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := localize([]Entry{{Code: "TimeOut"}}, []byte(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("localize() error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestEmbeddedLocalizedLoads checks the file the recognition helper fills
// is well-formed and names real codes (Default would panic otherwise).
func TestEmbeddedLocalizedLoads(t *testing.T) {
	file, err := os.ReadFile("data/localized.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entries := Default().Entries()
	for i := range entries {
		entries[i].Localized = nil
	}
	if err := localize(entries, file); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, ok := Default().Lookup("timeout"); !ok {
				t.Error("Lookup failed")
			}
			_ = Default().Entries()
		})
	}
	wg.Wait()
}

func TestEncodeImportedIsStable(t *testing.T) {
	entries := []Entry{{Code: "A", Message: "x < y & z", Scenario: "s", Resolution: "r", Title: "ignored"}}
	a, err := EncodeImported(entries)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := EncodeImported(entries)
	if !bytes.Equal(a, b) {
		t.Error("two encodings differ")
	}
	if !bytes.Contains(a, []byte("x < y & z")) {
		t.Errorf("HTML characters escaped in %s", a)
	}
	back, err := decodeImported(a)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Code: "A", Message: "x < y & z", Scenario: "s", Resolution: "r"}}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestCloneSharesNothing(t *testing.T) {
	orig := Entry{
		Code: "X", Steps: []string{"s"}, Links: []Link{{"t", "https://a"}}, AADSTS: []string{"AADSTS1"},
		ErrorCodes: []string{"1"}, Related: []string{"Y"}, Localized: map[string]string{"ja-jp": "m"},
		Aliases: []string{"x"}, Runbooks: []Link{{"r", "https://b"}},
	}
	want := orig.clone()
	c := orig.clone()
	c.Steps[0], c.Links[0].URL, c.AADSTS[0], c.ErrorCodes[0], c.Related[0] = "", "", "", "", ""
	c.Localized["ja-jp"], c.Aliases[0], c.Runbooks[0].URL = "", "", ""
	if diff := cmp.Diff(want, orig); diff != "" {
		t.Errorf("changing a clone changed the original (-want +got):\n%s", diff)
	}
}

func BenchmarkDefault(b *testing.B) {
	Default()
	b.ReportAllocs()
	for b.Loop() {
		Default()
	}
}

// BenchmarkBuildEmbedded is what the first Default() call costs.
func BenchmarkBuildEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := embedded(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Lookup("hybrididentityservicenoactiveagents"); !ok {
			b.Fatal("not found")
		}
	}
}
