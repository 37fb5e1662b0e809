package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A portal message as the Events API delivers it: escaped, autolinked,
// fenced, with chatter around it.
const lookupPaste = "seeing this on contoso since the patch :( ```Error code: AzureActiveDirectoryExpiredCredentials\n" +
	"We were unable to process this request at this point. If this issue persists, please contact support with Job ID " +
	"(from status pane of your configuration). Additional Error Details: CredentialsExpired AADSTS50055: The password is expired. " +
	"Trace ID: 0a3e5d1c-77b2-4c41-9d0e-5f2f1e6b8c01 Correlation ID: 6f1d2c3b-9a8e-4f70-b1c2-d3e4f5a6b7c8 " +
	"Timestamp: 2026-03-04 05:06:07Z``` job AD2AADProvisioning.0123456789abcdef0123456789abcdef.11112222-3333-4444-5555-666677778888"

// lookup runs "syncerr lookup args…" with stdin and returns its exit code
// and output.
func lookup(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"lookup"}, args...), strings.NewReader(stdin), &out, &errOut)
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return exitCode(err), out.String(), errOut.String()
}

func TestLookupExitCodesAndInput(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"code as argument", "", []string{"TimeOut"}, 0, "TimeOut: Provisioning agent did not answer in time", ""},
		{"arguments are joined", "", []string{"AzureActiveDirectory", "Expired", "Credentials"}, 0, "AzureActiveDirectoryExpiredCredentials:", ""},
		{"stdin without text", "HybridIdentityServiceNoActiveAgents\n", nil, 0, "HybridIdentityServiceNoActiveAgents:", ""},
		{"dash reads stdin", "AzureDirectoryServiceServerBusy", []string{"-"}, 0, "AzureDirectoryServiceServerBusy:", ""},
		{"flags after text", "", []string{"TimeOut", "--format", "json"}, 0, `"code": "TimeOut"`, ""},
		{"dash-dash before text", "", []string{"--", "-v", "TimeOut"}, 0, "TimeOut:", ""},
		{"no match", "", []string{"lunch", "is", "at", "noon"}, 1, "No Cloud Sync error recognized.", ""},
		{"no match json", "", []string{"--format", "json", "lunch"}, 1, `"matches": []`, ""},
		{"unknown flag", "", []string{"--nope", "TimeOut"}, 2, "", "flag provided but not defined: -nope"},
		{"bad format", "", []string{"--format", "yaml", "TimeOut"}, 2, "", `unknown format "yaml"`},
		{"empty stdin", "  \n", nil, 2, "", "no text on stdin"},
		{"jsonl with text", "", []string{"--jsonl", "TimeOut"}, 2, "", "give no TEXT"},
		{"jsonl with blocks", "", []string{"--jsonl", "--format", "blocks"}, 2, "", "--format blocks does not apply"},
		{"help", "", []string{"-h"}, 0, "", "--jsonl reads {\"id\":…,\"text\":\"…\"} lines"},
		{"bad overlay", "", []string{"--catalog", badOverlay, "TimeOut"}, 1, "", badOverlay + ":3:"},
		{"overlay code", "", []string{"--catalog", goodOverlay, "ContosoAgentPatchWindow"}, 0, "ContosoAgentPatchWindow:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := lookup(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantStdout, stdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, stderr)
			}
		})
	}
}

func TestLookupStdinCap(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	big := strings.Repeat("a", maxInput) + "\nTimeOut"
	code, _, stderr := lookup(t, big)
	if code != 1 || !strings.Contains(stderr, "over 1048576 bytes (1 MiB)") {
		t.Errorf("exit %d, stderr %q; want 1 and the cap named", code, stderr)
	}
	// Exactly at the cap is read whole, and the code at its end is found.
	atCap := strings.Repeat("a ", (maxInput-len(" TimeOut"))/2) + " TimeOut"
	if code, stdout, stderr := lookup(t, atCap, "--format", "json"); code != 0 || !strings.Contains(stdout, `"TimeOut"`) {
		t.Errorf("at the cap: exit %d, stderr %q, stdout %s", code, stderr, stdout)
	}
}

// TestLookupJSON checks the shape other tools depend on (issue 2, "The
// CLI contract").
func TestLookupJSON(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	code, stdout, stderr := lookup(t, lookupPaste, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	if keys := sortedMapKeys(got); !slices.Equal(keys, []string{"ambiguous", "auto_reply", "identifiers", "matches"}) {
		t.Errorf("keys = %v", keys)
	}
	var res struct {
		Matches []map[string]any `json:"matches"`
		Auto    bool             `json:"auto_reply"`
		IDs     map[string]any   `json:"identifiers"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) == 0 || res.Matches[0]["code"] != "AzureActiveDirectoryExpiredCredentials" || !res.Auto {
		t.Errorf("matches %v, auto_reply %v", res.Matches, res.Auto)
	}
	for i, m := range res.Matches {
		if keys := sortedMapKeys(m); !slices.Equal(keys, []string{"code", "confidence", "reason"}) {
			t.Errorf("match %d keys = %v; signals only with --explain", i, keys)
		}
		if i > 0 && m["confidence"].(float64) > res.Matches[i-1]["confidence"].(float64) {
			t.Errorf("matches not best first: %v", res.Matches)
		}
	}
	wantIDs := map[string]any{
		"job_id":         "AD2AADProvisioning.0123456789abcdef0123456789abcdef.11112222-3333-4444-5555-666677778888",
		"trace_id":       "0a3e5d1c-77b2-4c41-9d0e-5f2f1e6b8c01",
		"correlation_id": "6f1d2c3b-9a8e-4f70-b1c2-d3e4f5a6b7c8",
		"timestamp":      "2026-03-04 05:06:07Z",
		"aadsts":         []any{"AADSTS50055"},
	}
	if diff := cmp.Diff(wantIDs, res.IDs); diff != "" {
		t.Errorf("identifiers (-want +got):\n%s", diff)
	}

	// Nothing found: an empty list, never null, and no identifiers.
	_, stdout, _ = lookup(t, "", "--format", "json", "see you at lunch")
	if !strings.Contains(stdout, `"matches": []`) || !strings.Contains(stdout, `"identifiers": {}`) {
		t.Errorf("no match:\n%s", stdout)
	}
}

func TestLookupExplain(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	_, stdout, _ := lookup(t, "", "--format", "json", "--explain", "AADSTS50055", "on", "the", "cloud", "sync", "agent")
	var res struct {
		Matches []struct {
			Code    string
			Signals []struct {
				Kind   string
				Detail string
				Weight float64
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) == 0 || len(res.Matches[0].Signals) == 0 {
		t.Fatalf("no signals with --explain:\n%s", stdout)
	}
	if s := res.Matches[0].Signals[0]; s.Kind != "aadsts" || s.Detail != "AADSTS50055" || s.Weight <= 0 {
		t.Errorf("first signal = %+v, want the AADSTS code with a weight", s)
	}

	_, text, _ := lookup(t, "", "--explain", "TimeOut")
	if !strings.Contains(text, "+30.00  code        TimeOut\n") {
		t.Errorf("text --explain does not show the code signal:\n%s", text)
	}
	if _, plain, _ := lookup(t, "", "TimeOut"); strings.Contains(plain, "Signals") {
		t.Errorf("signals shown without --explain:\n%s", plain)
	}
}

func TestLookupBlocks(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	for _, args := range [][]string{
		{"--format", "blocks", "TimeOut"},
		{"--format", "blocks", lookupPaste},
	} {
		code, stdout, stderr := lookup(t, "", args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var msg struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal([]byte(stdout), &msg); err != nil || !bytes.HasPrefix(msg.Blocks, []byte("[")) {
			t.Fatalf("not a Block Kit message (%v):\n%s", err, stdout)
		}
		// The card bodies belong to bot/card; here only that the card is
		// for the recognised code.
		var code0 struct{ Matches []struct{ Code string } }
		_, js, _ := lookup(t, "", append([]string{"--format", "json"}, args[2:]...)...)
		if err := json.Unmarshal([]byte(js), &code0); err != nil || len(code0.Matches) == 0 {
			t.Fatalf("json: %v", err)
		}
		if !strings.Contains(string(msg.Blocks), code0.Matches[0].Code) {
			t.Errorf("blocks do not mention %s:\n%s", code0.Matches[0].Code, stdout)
		}
	}
	// No match still prints a message, with a (possibly empty) blocks array.
	code, stdout, _ := lookup(t, "", "--format", "blocks", "lunch")
	if code != 1 || !strings.Contains(stdout, `"blocks": [`) {
		t.Errorf("no match: exit %d\n%s", code, stdout)
	}
	// A word recognition leaves alone but that surely means one code gets
	// that code's card, as /syncerr answers it; recognition's verdict (and
	// so the exit status) stays "no match".
	code, stdout, _ = lookup(t, "", "--format", "blocks", "tmieot")
	if code != 1 || !strings.Contains(stdout, `"text": "TimeOut"`) {
		t.Errorf("tmieot: exit %d, want 1 and TimeOut's card:\n%s", code, stdout)
	}
}

func TestLookupJSONL(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	in := strings.Join([]string{
		`{"id":"a-1","text":"TimeOut"}`,
		`{"id":2,"text":"lunch at noon?"}`,
		``,
		`{"id":3,"text":`,
		`{"id":{"k":[1,2]},"text":"AADSTS50055 for the cloud sync service account"}`,
		`{"id":"no-text"}`,
		`{"text":"HybridIdentityServiceNoAgentsAssigned"}`,
		`{"id":"crlf","text":"AzureDirectoryServiceServerBusy"}` + "\r",
	}, "\n")
	code, stdout, stderr := lookup(t, in, "--jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	type out struct {
		ID      json.RawMessage `json:"id"`
		Error   string          `json:"error"`
		Matches []struct {
			Code    string
			Signals []any
		} `json:"matches"`
	}
	want := []struct{ id, code, err string }{
		{`"a-1"`, "TimeOut", ""},
		{`2`, "", ""},
		{`null`, "", "line 4: not a JSON object"},
		{`{"k":[1,2]}`, "AzureActiveDirectoryExpiredCredentials", ""},
		{`"no-text"`, "", `line 6: no "text" string`},
		{`null`, "HybridIdentityServiceNoAgentsAssigned", ""},
		{`"crlf"`, "AzureDirectoryServiceServerBusy", ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d (blank lines skipped):\n%s", len(lines), len(want), stdout)
	}
	for i, w := range want {
		var o out
		if err := json.Unmarshal([]byte(lines[i]), &o); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, lines[i])
		}
		if string(o.ID) != w.id {
			t.Errorf("line %d: id %s, want %s", i+1, o.ID, w.id)
		}
		if !strings.HasPrefix(o.Error, w.err) || (w.err == "") != (o.Error == "") {
			t.Errorf("line %d: error %q, want %q", i+1, o.Error, w.err)
		}
		got := ""
		if len(o.Matches) > 0 {
			got = o.Matches[0].Code
			if o.Matches[0].Signals != nil {
				t.Errorf("line %d: signals without --explain", i+1)
			}
		}
		if got != w.code {
			t.Errorf("line %d: code %q, want %q\n%s", i+1, got, w.code, lines[i])
		}
		if w.err == "" && !strings.Contains(lines[i], `"matches":[`) {
			t.Errorf("line %d: matches missing or null: %s", i+1, lines[i])
		}
	}

	// --explain adds the signals; an overlong line is an error line and the
	// next one is still answered.
	in = `{"id":1,"text":"` + strings.Repeat("x", maxInput) + "\"}\n" + `{"id":2,"text":"TimeOut"}`
	_, stdout, _ = lookup(t, in, "--jsonl", "--explain")
	lines = strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"error":"line 1: over 1048576 bytes`) || !strings.Contains(lines[1], `"signals":[`) {
		t.Errorf("overlong line then explain:\n%.500s", stdout)
	}
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// updateLookupGolden rewrites the lookup text golden files; its own name
// keeps it clear of the catalog's -update-catalog in this package.
var updateLookupGolden = flag.Bool("update-lookup", false, "rewrite testdata/lookup-*.golden")

// TestLookupTextGolden pins the terminal card. After a deliberate change
// run: go test ./cmd/syncerr -run LookupTextGolden -update-lookup
func TestLookupTextGolden(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	tests := []struct {
		name string
		args []string
	}{
		{"code", []string{"TimeOut"}},
		{"paste", []string{lookupPaste}},
		{"ambiguous", []string{"We're unable to find an active agent for the domain you're trying to sync."}},
		{"typo", []string{"timeot"}},
		{"none-closest", []string{"tmieot"}},
		{"none", []string{"the", "coffee", "machine", "is", "broken", "again"}},
		{"explain", []string{"--explain", "AADSTS50034 for the sync service account, it doesn't exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stdout, stderr := lookup(t, "", tt.args...)
			if stderr != "" && !strings.HasPrefix(stderr, "exit status") {
				t.Fatalf("stderr: %s", stderr)
			}
			checkGolden(t, filepath.Join("testdata", "lookup-"+tt.name+".golden"), stdout, *updateLookupGolden)
		})
	}
}
