package recognize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncerr/syncerr/catalog"
)

// oneEdit returns every string one OSA edit from w over the letters of
// alphabet: substitutions, insertions, deletions, swapped neighbours.
func oneEdit(w, alphabet string) []string {
	var out []string
	for i := 0; i <= len(w); i++ {
		for _, c := range alphabet {
			out = append(out, w[:i]+string(c)+w[i:])
			if i < len(w) && byte(c) != w[i] {
				out = append(out, w[:i]+string(c)+w[i+1:])
			}
		}
		if i < len(w) {
			out = append(out, w[:i]+w[i+1:])
		}
		if i+1 < len(w) && w[i] != w[i+1] {
			out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:])
		}
	}
	return out
}

// TestShortTypoReadsAsTheLowerCaseCode: a typo of a short code weighs what
// the code written in lower case weighs, never speaks unasked alone, and
// in the code's CamelCase shape speaks in a text about Cloud Sync, as the
// code does.
func TestShortTypoReadsAsTheLowerCaseCode(t *testing.T) {
	e := engine(t)
	plain := e.Recognize("timeout")
	for _, w := range []string{"timeot", "Timout", "tiemout", "timeoit", "TIMEOUY", "timeoutt"} {
		r := e.Recognize(w)
		if len(r.Matches) == 0 || r.Matches[0].Code != "TimeOut" || r.AutoReply {
			t.Errorf("%q: got %+v, want TimeOut without auto_reply", w, r)
			continue
		}
		if r.Matches[0].Confidence != plain.Matches[0].Confidence {
			t.Errorf("%q: confidence %v, want %v as for \"timeout\"", w, r.Matches[0].Confidence, plain.Matches[0].Confidence)
		}
		if !strings.Contains(r.Matches[0].Reason, "typo") {
			t.Errorf("%q: reason %q does not mention the typo", w, r.Matches[0].Reason)
		}
	}
	for _, text := range []string{"cloud sync says TimeOtu on the agent", "TimOut on the cloud sync config again"} {
		if r := e.Recognize(text); len(r.Matches) == 0 || r.Matches[0].Code != "TimeOut" || !r.AutoReply {
			t.Errorf("%q: got %+v, want TimeOut with auto_reply", text, r)
		}
	}
	for _, text := range []string{"TimeOtu", "HttpClient.TimeOtu = 30 in cloud sync agent config", "lunch timout, back in 30", "cloud sync says Timout on the agent"} {
		if r := e.Recognize(text); r.AutoReply {
			t.Errorf("%q: auto_reply, want none", text)
		}
	}
}

// TestWordsOfTheCatalogAreNoTypos: "timeouts" is one edit from "timeout"
// but a word of its own; it reads as before.
func TestWordsOfTheCatalogAreNoTypos(t *testing.T) {
	e := engine(t)
	for _, w := range []string{"timeouts", "Timeouts", "timeout", "TimeOut", "time"} {
		if _, ok := e.shortTypo(strings.ToLower(w)); ok {
			t.Errorf("shortTypo(%q) = true, want false", w)
		}
	}
	for _, text := range []string{"the timeouts on our VPN are awful", "time out, let's regroup"} {
		var toks []token
		norm := normalize(text)
		tokenize(norm, foldLower(norm), func(t token) { toks = append(toks, t) })
		e.correctShortTypos(toks)
		for _, tok := range toks {
			if tok.typo {
				t.Errorf("%q: %q corrected to a code", text, norm[tok.start:tok.end])
			}
		}
	}
}

// TestQuickPathKeepsEveryShortTypo: every word one edit from a short key
// passes the quick filter (it may pass others; the full path decides).
func TestQuickPathKeepsEveryShortTypo(t *testing.T) {
	e := engine(t)
	for _, w := range oneEdit("timeout", "abcdefghijklmnopqrstuvwxyz0123456789") {
		if len(w) < minShortKey {
			continue
		}
		if !e.mayBeShortTypo(w) || !e.mayMatch("hi "+w+" there") {
			t.Errorf("quick path drops %q", w)
		}
		if _, ok := e.shortTypo(w); ok && len(e.Recognize(w).Matches) == 0 {
			t.Errorf("%q is a typo of timeout but matches nothing", w)
		}
	}
	if e.mayBeShortTypo("meeting") || e.mayBeShortTypo("tomato") {
		t.Error("mayBeShortTypo passes words two edits or more from every short key")
	}
}

// TestOverlayShortAliasTypos: an overlay's short alias is read for typos
// by the same rule, and a word one edit from two codes' keys names neither.
func TestOverlayShortAliasTypos(t *testing.T) {
	overlay := filepath.Join(t.TempDir(), "overlay.yaml")
	err := os.WriteFile(overlay, []byte(`entries:
  - code: ContosoAgentPatchWindow
    aliases: [PatchWin]
    title: Agent server in its patch window
    message: The Contoso agent server is rebooting for patches.
  - code: HybridIdentityServiceNoActiveAgents
    aliases: [TimeOut2]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(overlay)
	if err != nil {
		t.Fatal(err)
	}
	e := New(cat)
	// In lower case, a typo weighs what the alias weighs; in the code's
	// shape, it names the code alone.
	want := e.Recognize("cloud sync agent down: patchwin")
	for _, w := range []string{"patchwni", "patchwn", "patchwin1", "pacthwin"} {
		r := e.Recognize("cloud sync agent down: " + w)
		if len(r.Matches) == 0 || r.Matches[0].Code != "ContosoAgentPatchWindow" || r.Matches[0].Confidence != want.Matches[0].Confidence {
			t.Errorf("%q: got %+v, want ContosoAgentPatchWindow as for patchwin (%v)", w, r.Matches, want.Matches[0].Confidence)
		}
	}
	if r := e.Recognize("PatchWn"); len(r.Matches) == 0 || r.Matches[0].Code != "ContosoAgentPatchWindow" {
		t.Errorf("PatchWn: got %+v, want ContosoAgentPatchWindow", r.Matches)
	}
	// "timeou2" is one edit from "timeout" and from "timeout2".
	if k, ok := e.shortTypo("timeou2"); ok {
		t.Errorf("shortTypo(timeou2) = %s, want no single code", k.name)
	}
	if k, ok := e.shortTypo("timeot"); !ok || k.name != "TimeOut" {
		t.Errorf("shortTypo(timeot) = %v, %v; want TimeOut", k.name, ok)
	}
}
