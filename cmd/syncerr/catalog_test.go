package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/syncerr/syncerr/catalog"
)

// runCmd runs syncerr with args and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return exitCode(err), out.String(), errOut.String()
}

func TestCatalogCommands(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"no subcommand", []string{"catalog"}, 2, nil, []string{"usage: syncerr catalog"}},
		{"unknown subcommand", []string{"catalog", "frob"}, 2, nil, []string{`unknown command "frob"`}},
		{"list", []string{"catalog", "list"}, 0,
			[]string{"CODE", "TimeOut", "agent", "AzureActiveDirectoryAuthenticationFailed", "service-account"}, nil},
		{"list rejects arguments", []string{"catalog", "list", "extra"}, 2, nil, []string{"unexpected argument"}},
		{"show text", []string{"catalog", "show", "timeout"}, 0,
			[]string{"TimeOut\nProvisioning agent did not answer in time", "Steps\n  1. ", "Troubleshoot cloud sync: https://"}, nil},
		{"show auto retry", []string{"catalog", "show", "AzureDirectoryServiceServerBusy"}, 0,
			[]string{"Auto-retry:", "Error codes: 81"}, nil},
		{"show flag after code", []string{"catalog", "show", "TimeOut", "--json"}, 0, []string{`"code": "TimeOut"`}, nil},
		{"show unknown suggests", []string{"catalog", "show", "NoActiveAgent"}, 1, nil,
			[]string{`unknown code "NoActiveAgent"`, "did you mean HybridIdentityServiceNoActiveAgents"}},
		{"show typo suggests", []string{"catalog", "show", "TimeOtu"}, 1, nil, []string{"did you mean TimeOut"}},
		{"show needs a code", []string{"catalog", "show"}, 2, nil, []string{"exactly one CODE"}},
		{"show bad flag", []string{"catalog", "show", "--nope", "TimeOut"}, 2, nil, []string{"flag provided but not defined"}},
		{"show help", []string{"catalog", "show", "-h"}, 0, nil, []string{"-json"}},
		{"import needs a file", []string{"catalog", "import"}, 2, nil, []string{"exactly one FILE"}},
		{"import missing file", []string{"catalog", "import", "testdata/nope.md"}, 1, nil, []string{"catalog import: open testdata/nope.md"}},
		{"validate needs a file", []string{"catalog", "validate"}, 2, nil, []string{"at least one FILE"}},
		{"validate good", []string{"catalog", "validate", goodOverlay}, 0, []string{"ok: 1 overlay file(s); the catalog has 11 codes"}, nil},
		{"validate bad", []string{"catalog", "validate", goodOverlay, badOverlay}, 1, nil,
			[]string{badOverlay + ":3: category \"network\" is not one of", badOverlay + ":4: new code NewThing needs a title and a message"}},
		{"list with overlay", []string{"catalog", "list", "--catalog", goodOverlay}, 0,
			[]string{"ContosoAgentPatchWindow", "Agent too slow (our wording)"}, nil},
		{"list with bad overlay", []string{"catalog", "list", "--catalog", badOverlay}, 1, nil, []string{badOverlay + ":6: related code Nope"}},
		{"show by overlay alias", []string{"catalog", "show", "--catalog", goodOverlay, "no-active-agents"}, 0,
			[]string{"HybridIdentityServiceNoActiveAgents", "Owner:       @identity-oncall", "Runbooks\n  Restart the provisioning agent: https://wiki.example.com/"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr)
				}
			}
		})
	}
}

const (
	goodOverlay = "../../catalog/testdata/overlays/good.yaml"
	badOverlay  = "../../catalog/testdata/overlays/bad/several-problems.yaml"
)

// TestCatalogFilesEnv: SYNCERR_CATALOG_FILES applies first, --catalog after.
func TestCatalogFilesEnv(t *testing.T) {
	override := filepath.Join(t.TempDir(), "later.yaml")
	if err := os.WriteFile(override, []byte("entries:\n  - code: TimeOut\n    title: From the flag\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(catalogFilesEnv, " "+goodOverlay+" ,,")
	code, stdout, stderr := runCmd(t, "catalog", "list")
	if code != 0 || !strings.Contains(stdout, "ContosoAgentPatchWindow") {
		t.Errorf("list with env: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	code, stdout, stderr = runCmd(t, "catalog", "show", "TimeOut", "--catalog", override)
	if code != 0 || !strings.Contains(stdout, "From the flag") {
		t.Errorf("flag after env: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}

func TestCatalogShowJSON(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	code, stdout, stderr := runCmd(t, "catalog", "show", "--json", "azureactivedirectoryexpiredcredentials")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	var got catalog.Entry
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not an entry: %v\n%s", err, stdout)
	}
	want, _ := catalog.Default().Lookup("AzureActiveDirectoryExpiredCredentials")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("show --json (-want +got):\n%s", diff)
	}
}

// TestCatalogImportWritesCommittedData runs the import the way
// go generate does and compares with the embedded data.
func TestCatalogImportWritesCommittedData(t *testing.T) {
	out := filepath.Join(t.TempDir(), "imported.json")
	code, _, stderr := runCmd(t, "catalog", "import", "../../catalog/data/reference-error-codes.md", "-o", out)
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "imported 10 codes") || strings.Contains(stderr, "warning") {
		t.Errorf("stderr = %q, want a count and no warnings", stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../catalog/data/imported.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("import output differs from the committed data (-committed +fresh):\n%s", diff)
	}

	// Without -o the same bytes go to stdout.
	code, stdout, stderr := runCmd(t, "catalog", "import", "../../catalog/data/reference-error-codes.md")
	if code != 0 || stdout != string(want) {
		t.Errorf("import to stdout: exit %d, stderr %q, output differs: %v", code, stderr, stdout != string(want))
	}
}

func TestCatalogImportWarnsAboutEnrichment(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.md")
	md := "|Error code|Details|Scenario|Resolution|\n|-|-|-|-|\n|TimeOut|Error Message: m|s|r|\n|BrandNewCode|Error Message: m|s|r|\n"
	if err := os.WriteFile(page, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "catalog", "import", page, "-o", filepath.Join(dir, "out.json"))
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	for _, want := range []string{"not enriched yet (add to catalog/data/enrichment.yaml): BrandNewCode", "no longer on the page", "AzureDirectoryServiceServerBusy"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr)
		}
	}
}

// updateCatalogGolden rewrites the catalog show golden files. Its own flag
// name keeps it clear of other golden flags in this package.
var updateCatalogGolden = flag.Bool("update-catalog", false, "rewrite testdata/catalog-show-*.golden")

// TestCatalogShowGolden pins the terminal layout of catalog show. Run
// go test ./cmd/syncerr -run CatalogShowGolden -update-catalog after a
// deliberate change.
func TestCatalogShowGolden(t *testing.T) {
	t.Setenv(catalogFilesEnv, "")
	tests := []struct {
		name string
		args []string
	}{
		{"timeout", []string{"catalog", "show", "TimeOut"}},
		{"server-busy", []string{"catalog", "show", "AzureDirectoryServiceServerBusy"}},
		{"overlaid", []string{"catalog", "show", "--catalog", goodOverlay, "HybridIdentityServiceNoActiveAgents"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit code %d: %s", code, stderr)
			}
			checkGolden(t, filepath.Join("testdata", "catalog-show-"+tt.name+".golden"), stdout, *updateCatalogGolden)
		})
	}
}
