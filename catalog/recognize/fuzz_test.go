package recognize

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds starts every fuzz target from real text: the benchmark texts,
// Slack markup, localized and split identifiers, and the whole corpus.
func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"", chatter, paste2K,
		"&lt;https://x|y&gt; <@U123> <#C1|general> <!here> ```TimeOut``` &gt; quote",
		"AD2AADProvisioning. 92d2e8750f37407fa2301c9e52ad7e9b. efb835ef-62e8-42e3-b495-18d5272eb3f9",
		"跟踪 ID：8a4ab3b5-3664-4278-ab64-9cff37fd3f4f 错误代码：81",
		"Trace ID: 989b1841-dbe5-49c9-ab6c-9aa25f7b0e00 Timestamp: 2021-01-12 20:59:31Z 401 (Unauthorized)",
		"AzureActiveDirectory_Expired-Credentials HybridIdentityServiceNoActiv",
		"\xff\xfe invalid utf-8 AADSTS50055 \xc3",
	} {
		f.Add(s)
	}
	for _, c := range loadCorpus(f) {
		f.Add(c.Text)
	}
}

// FuzzNormalize: normalisation never panics, keeps valid UTF-8 valid, stays
// within its size cap, and foldLower keeps every byte offset.
func FuzzNormalize(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		n := normalize(text)
		if utf8.ValidString(text) && !utf8.ValidString(n) {
			t.Errorf("normalize made invalid UTF-8 of %q: %q", text, n)
		}
		if len(text) > maxScan && len(n) > maxScan+64 {
			t.Errorf("normalize kept %d bytes of a %d-byte text, cap %d", len(n), len(text), maxScan)
		}
		if l := foldLower(n); len(l) != len(n) {
			t.Errorf("foldLower changed the length %d -> %d of %q", len(n), len(l), n)
		}
	})
}

// FuzzExtract: every identifier found is well formed.
func FuzzExtract(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		n := normalize(text)
		ids := extract(n, foldLower(n))
		for name, g := range map[string]string{"trace": ids.TraceID, "correlation": ids.CorrelationID, "tracking": ids.TrackingID} {
			if g != "" && guidAt(g, 0) != g {
				t.Errorf("%s id %q is not a lower-case GUID", name, g)
			}
		}
		if j := ids.JobID; j != "" {
			parts := strings.Split(j, ".")
			if parts[0] != "AD2AADProvisioning" || len(parts) < 2 || len(parts[1]) != 32 || len(parts) == 3 && guidAt(parts[2], 0) == "" || len(parts) > 3 {
				t.Errorf("job id %q is malformed", j)
			}
		}
		for _, a := range ids.AADSTS {
			if !strings.HasPrefix(a, "AADSTS") || len(a) < 10 || len(a) > 14 || !allDigits(a[6:]) {
				t.Errorf("AADSTS code %q is malformed", a)
			}
		}
		if c := ids.ErrorCode; c != "" && (len(c) > 6 || !allDigits(c)) {
			t.Errorf("error code %q is not a number of up to six digits", c)
		}
		if s := ids.HTTPStatus; s != "" && (len(s) < 7 || !allDigits(s[:3])) {
			t.Errorf("HTTP status %q is malformed", s)
		}
	})
}

// FuzzRecognize: recognition never panics, names only catalog codes, once
// each, best first, with confidences in [0,1]; its flags agree with its
// matches; it is deterministic; Explain only adds signals; and the quick
// path never drops a text the full analysis would auto-reply to.
func FuzzRecognize(f *testing.F) {
	fuzzSeeds(f)
	e := engine(f)
	known := map[string]bool{}
	for _, c := range e.codes {
		known[c] = true
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := e.Recognize(text)
		seen := map[string]bool{}
		for i, m := range r.Matches {
			if !known[m.Code] || seen[m.Code] {
				t.Fatalf("match %d: code %q unknown or repeated: %+v", i, m.Code, r.Matches)
			}
			seen[m.Code] = true
			if !(m.Confidence >= 0 && m.Confidence <= 1) {
				t.Errorf("match %s: confidence %v outside [0,1]", m.Code, m.Confidence)
			}
			if i > 0 && m.Confidence > r.Matches[i-1].Confidence {
				t.Errorf("matches not best first: %+v", r.Matches)
			}
			if m.Signals != nil {
				t.Errorf("Recognize filled signals for %s", m.Code)
			}
		}
		if r.Ambiguous && len(r.Matches) < 2 || r.AutoReply && len(r.Matches) == 0 {
			t.Errorf("ambiguous %v / auto_reply %v with %d matches", r.Ambiguous, r.AutoReply, len(r.Matches))
		}
		if again := e.Recognize(text); !reflect.DeepEqual(again, r) {
			t.Errorf("not deterministic:\n%+v\n%+v", r, again)
		}
		x := e.Explain(text)
		for i := range x.Matches {
			x.Matches[i].Signals = nil
		}
		if !reflect.DeepEqual(x, r) {
			t.Errorf("Explain differs from Recognize beyond signals:\n%+v\n%+v", x, r)
		}
		if !e.mayMatch(text) && e.analyze(text, false).AutoReply {
			t.Errorf("the quick path drops a text the analysis auto-replies to: %q", text)
		}
	})
}
