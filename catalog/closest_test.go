package catalog

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	cat := Default()
	tests := []struct {
		query string
		n     int
		want  []string
	}{
		{"timeot", 3, []string{"TimeOut"}},
		{"TimeOtu", 3, []string{"TimeOut"}},
		{"`TimeOtu`.", 3, []string{"TimeOut"}},
		{"NoAgentsAssigned", 3, []string{"HybridIdentityServiceNoAgentsAssigned"}},
		{"NoActiveAgent", 3, []string{"HybridIdentityServiceNoActiveAgents"}},
		{"ExpiredCredential", 3, []string{"AzureActiveDirectoryExpiredCredentials"}},
		{"HybridIdentityService", 1, []string{cat.Closest("HybridIdentityService", 3)[0].Code}},
		{"zzzzzzzzzzzzzzzz", 3, nil},
		{"the coffee machine", 3, nil},
		{"zz", 3, nil},
		{"timeot", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []string
			for _, e := range cat.Closest(tt.query, tt.n) {
				got = append(got, e.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Closest(%q, %d) = %q, want %q", tt.query, tt.n, got, tt.want)
			}
		})
	}
	if n := len(cat.Closest("HybridIdentityService", 3)); n != 3 {
		t.Errorf("a prefix of many codes gives %d suggestions, want 3", n)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"timeout", "timeot", 1}, {"kitten", "sitting", 3}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestClosestCodesAnyList: callers with their own code lists (overlays,
// a CLI's) get the same rules, in their list's order.
func TestClosestCodesAnyList(t *testing.T) {
	codes := []string{"ZetaTimeout", "AlphaTimeout", "Unrelated"}
	if got := ClosestCodes(codes, "timeout", 5); !slices.Equal(got, []string{"ZetaTimeout", "AlphaTimeout"}) {
		t.Errorf("ClosestCodes = %q, want both timeouts in list order", got)
	}
	if got := ClosestCodes(nil, "timeout", 3); got != nil {
		t.Errorf("ClosestCodes of no codes = %q, want nil", got)
	}
}

// TestMeant: a single word whose only close code is about as long means
// that code; a part of several codes, prose or a far word means none.
func TestMeant(t *testing.T) {
	cat := Default()
	for _, tt := range []struct {
		query, want string
	}{
		{"tmieot", "TimeOut"},
		{"timeouts", "TimeOut"},
		{"`HybridIdentityServiceNoActveAgnts`", "HybridIdentityServiceNoActiveAgents"},
		{"sync", ""},
		{"busy", ""},
		{"HybridIdentityService", ""},
		{"the agent timed out", ""},
		{"tim", ""},
	} {
		e, ok := cat.Meant(tt.query)
		if got := e.Code; ok != (tt.want != "") || got != tt.want {
			t.Errorf("Meant(%q) = %q, %v; want %q", tt.query, got, ok, tt.want)
		}
	}
}
