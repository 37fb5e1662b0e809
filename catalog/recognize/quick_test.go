package recognize

import (
	"reflect"
	"sync"
	"testing"
)

// chatterTexts are everyday messages that must take the quick path:
// nothing in them can start a match.
var chatterTexts = []string{
	chatter,
	"I’m running late — the train’s stuck again 😩 start without me",
	"congratulations to the infrastructure team on the datacenter consolidation!!",
	"can someone review my PR? it refactors the billing middleware, nothing urgent",
	"the onboarding spreadsheet has a formatting glitch in column F, photosynthesis homework later",
	"",
}

// TestChatterAllocatesNothing: the path every message of a busy channel
// takes allocates nothing (a behaviour, not a timing: see the benchmarks
// for speed).
func TestChatterAllocatesNothing(t *testing.T) {
	e := engine(t)
	for _, text := range chatterTexts {
		if e.mayMatch(text) {
			t.Errorf("mayMatch(%q) = true, want the quick path", text)
			continue
		}
		if n := testing.AllocsPerRun(100, func() { e.Recognize(text) }); n != 0 {
			t.Errorf("Recognize(%q) allocates %v times, want 0", text, n)
		}
	}
}

// TestQuickPathLosesNothing: every corpus text that names an error, and
// every text the full analysis would auto-reply to, passes the quick
// filter, so the shortcut never hides an error. (A negative the analysis
// matches weakly, "an issue with your billing address", may be dropped:
// chat words alone are no reason to look closer.)
func TestQuickPathLosesNothing(t *testing.T) {
	e := engine(t)
	for _, c := range loadCorpus(t) {
		full := e.analyze(c.Text, false)
		if (c.Kind != "negative" && len(full.Matches) > 0 || full.AutoReply) && !e.mayMatch(c.Text) {
			t.Errorf("%s: the quick path drops a text the analysis matches as %s: %q", c.ID, full.Matches[0].Code, c.Text)
		}
	}
}

// TestConcurrentRecognizeIsDeterministic: pooled scratch space never leaks
// between goroutines; every result equals the sequential one.
func TestConcurrentRecognizeIsDeterministic(t *testing.T) {
	e := engine(t)
	cases := loadCorpus(t)
	want := make([]Result, len(cases))
	for i, c := range cases {
		want[i] = e.Explain(c.Text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := range cases {
				k := (i + g*len(cases)/4) % len(cases)
				if got := e.Explain(cases[k].Text); !reflect.DeepEqual(got, want[k]) {
					t.Errorf("%s: concurrent result differs", cases[k].ID)
				}
			}
		})
	}
	wg.Wait()
}
