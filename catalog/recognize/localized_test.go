package recognize

import (
	"slices"
	"strings"
	"testing"

	"github.com/syncerr/syncerr/catalog"
)

// TestLocalizedBoilerplateListsEveryCode checks, in every language of the
// catalog's localized messages, that the generic sentence several codes
// share, up to the job identifier (with a fresh one), lists every code
// whose message carries it and says it is ambiguous, as it does in
// English. The German one once fell through the quick path: none of its
// words is in the English catalog.
func TestLocalizedBoilerplateListsEveryCode(t *testing.T) {
	const freshJob = "AD2AADProvisioning.5e7f9a1b3c2d4e6f8a0b1c2d3e4f5a6b.7d3c1e2f-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
	e := engine(t)
	// byText groups the codes by the text before the job identifier, per locale.
	byText := map[string][]string{}
	for _, en := range catalog.Default().Entries() {
		for locale, msg := range en.Localized {
			i := strings.Index(msg, "AD2AADProvisioning")
			if i < 0 {
				continue
			}
			key := locale + "\x00" + msg[:i]
			byText[key] = append(byText[key], en.Code)
		}
	}
	if len(byText) == 0 {
		t.Fatal("no localized message carries a job identifier")
	}
	for key, codes := range byText {
		locale, prefix, _ := strings.Cut(key, "\x00")
		if len(codes) < 2 {
			continue
		}
		t.Run(locale, func(t *testing.T) {
			r := e.Recognize(prefix + freshJob)
			for _, code := range codes {
				if !slices.ContainsFunc(r.Matches, func(m Match) bool { return m.Code == code }) {
					t.Errorf("%s missing from %+v", code, r.Matches)
				}
			}
			if !r.Ambiguous {
				t.Errorf("not flagged ambiguous: %+v", r.Matches)
			}
		})
	}
}

// TestSymptomsLoad checks the embedded lexicon: it parses, and every code
// it names is in the catalog (a typo would silently drop its words).
func TestSymptomsLoad(t *testing.T) {
	lex, err := parseSymptoms(symptomsFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(lex.failure) == 0 {
		t.Error("no failure words")
	}
	for code := range lex.byCode {
		if _, ok := catalog.Default().Lookup(code); !ok {
			t.Errorf("symptoms.yaml names %q, not a catalog code", code)
		}
	}
	if _, err := parseSymptoms([]byte("- codes: [TimeOut]\n")); err == nil {
		t.Error("a group without words parsed")
	}
	if _, err := parseSymptoms([]byte("- failure: true\n  codes: [TimeOut]\n  words: {en: [failed]}\n")); err == nil {
		t.Error("a failure group naming codes parsed")
	}
}
