package recognize

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/syncerr/syncerr/catalog"
)

var updateExtract = flag.Bool("update-extract", false, "rewrite testdata/extract.golden")

// TestExtractGolden pins what the extractor finds in every catalog message
// (English and localized) and every corpus text, one JSON line each, so a
// change to the extractor shows as a diff of identifiers. After a
// deliberate change run: go test ./catalog/recognize -run ExtractGolden -update-extract
func TestExtractGolden(t *testing.T) {
	var texts []string
	for _, en := range catalog.Default().Entries() {
		texts = append(texts, en.Message)
		for _, loc := range sortedKeys(en.Localized) {
			texts = append(texts, en.Localized[loc])
		}
	}
	for _, c := range loadCorpus(t) {
		texts = append(texts, c.Text)
	}
	var got strings.Builder
	for _, text := range texts {
		norm := normalize(text)
		b, err := json.Marshal(extract(norm, foldLower(norm)))
		if err != nil {
			t.Fatal(err)
		}
		got.Write(b)
		got.WriteByte('\n')
	}
	const golden = "testdata/extract.golden"
	if *updateExtract {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("identifiers differ from %s (-want +got):\n%s", golden, diff)
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Identifiers
	}{
		{"english portal message",
			"Error Code: 81 Trace ID: 0A3E5D1C-77b2-4c41-9d0e-5f2f1e6b8c01 Correlation ID:6f1d2c3b-9a8e-4f70-b1c2-d3e4f5a6b7c8 Timestamp: 2026-03-04 05:06:07Z",
			Identifiers{ErrorCode: "81", TraceID: "0a3e5d1c-77b2-4c41-9d0e-5f2f1e6b8c01", CorrelationID: "6f1d2c3b-9a8e-4f70-b1c2-d3e4f5a6b7c8", Timestamp: "2026-03-04 05:06:07Z"}},
		{"job id split by spaces",
			"job AD2AADProvisioning. 0123456789abcdef0123456789abcdef. 11112222-3333-4444-5555-666677778888 failed",
			Identifiers{JobID: "AD2AADProvisioning.0123456789abcdef0123456789abcdef.11112222-3333-4444-5555-666677778888"}},
		{"two-part job id", "AD2AADProvisioning.0123456789abcdef0123456789abcdef is stuck",
			Identifiers{JobID: "AD2AADProvisioning.0123456789abcdef0123456789abcdef"}},
		{"aadsts codes in order, once", "AADSTS50055 then aadsts50034 then AADSTS50055 again, not XAADSTS7000",
			Identifiers{AADSTS: []string{"AADSTS50055", "AADSTS50034"}}},
		{"tenant and http status", "user not in contoso.onmicrosoft.com: 401 (Unauthorized)",
			Identifiers{Tenant: "contoso.onmicrosoft.com", HTTPStatus: "401 (Unauthorized)"}},
		{"label without guid", "Trace ID: pending, Correlation ID: n/a", Identifiers{}},
		{"guid without label", "0a3e5d1c-77b2-4c41-9d0e-5f2f1e6b8c01", Identifiers{}},
		{"german tracking id", "Nachverfolgungs-ID: 8a4ab3b5-3664-4278-ab64-9cff37fd3f4f",
			Identifiers{TrackingID: "8a4ab3b5-3664-4278-ab64-9cff37fd3f4f"}},
		{"french error code", "Code d'erreur : 81.", Identifiers{ErrorCode: "81"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			norm := normalize(tt.text)
			if diff := cmp.Diff(tt.want, extract(norm, foldLower(norm))); diff != "" {
				t.Errorf("extract (-want +got):\n%s", diff)
			}
		})
	}
}
