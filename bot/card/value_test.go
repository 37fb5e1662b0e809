package card

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/syncerr/syncerr/catalog/recognize"
)

func TestButtonValueRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		ids     recognize.Identifiers
		wantRaw string // "" means JSON is expected
	}{
		{"no identifiers is the bare code", recognize.Identifiers{}, "TimeOut"},
		{"blank identifiers are none", recognize.Identifiers{JobID: "  ", AADSTS: []string{""}}, "TimeOut"},
		{"a paste's identifiers", pasteIDs, ""},
		{"job ID only", recognize.Identifiers{JobID: pasteIDs.JobID}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ButtonValue("TimeOut", tt.ids)
			if tt.wantRaw != "" && v != tt.wantRaw {
				t.Errorf("ButtonValue = %q, want %q", v, tt.wantRaw)
			}
			code, ids := ParseButtonValue(v)
			if code != "TimeOut" {
				t.Errorf("code = %q, want TimeOut", code)
			}
			want := tt.ids
			if tt.wantRaw != "" {
				want = recognize.Identifiers{}
			}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("identifiers after the round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseButtonValueOldAndBroken: values from cards sent before
// identifiers rode along are bare codes; a mangled value names no code.
func TestParseButtonValueOldAndBroken(t *testing.T) {
	for value, want := range map[string]string{
		"HybridIdentityServiceNoActiveAgents": "HybridIdentityServiceNoActiveAgents",
		" TimeOut ":                           "TimeOut",
		`{"c":"TimeOut"`:                      "",
		`{"c":["TimeOut"]}`:                   "",
		"":                                    "",
	} {
		if code, ids := ParseButtonValue(value); code != want || !cmp.Equal(ids, recognize.Identifiers{}) {
			t.Errorf("ParseButtonValue(%q) = %q, %+v; want %q and no identifiers", value, code, ids, want)
		}
	}
}

// TestButtonValueHostileIdentifiers: identifiers made to blow the 2000
// character limit (long, quote-heavy so JSON doubles them, control
// characters JSON turns into six, astral runes counting two units, many
// AADSTS codes) still give a value within the limit that parses back to
// the code, keeping the job ID when anything fits.
func TestButtonValueHostileIdentifiers(t *testing.T) {
	nasty := []string{
		strings.Repeat(`"\`, 5000),
		strings.Repeat("\x01\x7f", 5000),
		strings.Repeat("🧨", 5000),
		strings.Repeat("<@U123>&", 5000),
		"\u202eevil\u2066" + strings.Repeat("x", 500),
		string([]byte{0xff, 0xfe, 'a'}),
	}
	for _, s := range nasty {
		ids := recognize.Identifiers{
			JobID: s, TraceID: s, CorrelationID: s, TrackingID: s, Timestamp: s,
			Tenant: s, ErrorCode: s, HTTPStatus: s, AADSTS: []string{s, s, s, s, s, s, s, s, s, s, s, s},
		}
		v := ButtonValue("HybridIdentityServiceNoActiveAgents", ids)
		if n := length(v); n > maxValue {
			t.Errorf("value of %d units for %.20q…, limit %d", n, s, maxValue)
		}
		code, got := ParseButtonValue(v)
		if code != "HybridIdentityServiceNoActiveAgents" {
			t.Errorf("code = %q after hostile identifiers %.20q…", code, s)
		}
		if length(got.JobID) > maxIdentifier {
			t.Errorf("job ID of %d units came back, want at most %d", length(got.JobID), maxIdentifier)
		}
		if strings.ContainsAny(got.JobID, "\u202e\u2066\x01\n") {
			t.Errorf("job ID kept control characters: %q", got.JobID)
		}
	}
	// A job ID of normal shape survives next to a flood of AADSTS codes.
	ids := recognize.Identifiers{JobID: pasteIDs.JobID, AADSTS: []string{strings.Repeat(`"`, 10000)}}
	for range 20 {
		ids.AADSTS = append(ids.AADSTS, ids.AADSTS[0])
	}
	if _, got := ParseButtonValue(ButtonValue("TimeOut", ids)); got.JobID != pasteIDs.JobID {
		t.Errorf("job ID = %q, want it kept when the AADSTS codes are dropped", got.JobID)
	}
}

func FuzzParseButtonValue(f *testing.F) {
	f.Add("TimeOut")
	f.Add(ButtonValue("TimeOut", pasteIDs))
	f.Add(`{"c":"x","a":["` + strings.Repeat("A", 300) + `"]}`)
	f.Fuzz(func(t *testing.T, value string) {
		code, ids := ParseButtonValue(value)
		if length(ids.JobID) > maxIdentifier || len(ids.AADSTS) > maxAADSTS {
			t.Errorf("ParseButtonValue(%q) let identifiers through uncut: %+v", value, ids)
		}
		// What comes back encodes within the limit again.
		if v := ButtonValue(code, ids); length(v) > maxValue && length(code) <= maxValue {
			t.Errorf("re-encoding %q gives %d units", value, length(v))
		}
	})
}
