package recognize

import (
	"strings"
	"testing"
)

// FuzzEntities holds entities to what the strings.Replacer it replaced did.
func FuzzEntities(f *testing.F) {
	old := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'", "&nbsp;", " ")
	for _, s := range []string{"", "&", "&&lt;", "a &amp;lt; b", "&lt&gt;", "x&#39;s &nbsp;&quot;q&quot;&", "&amp;&amp;&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := entities(s), old.Replace(s); got != want {
			t.Fatalf("entities(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzIndexRare holds indexRare to strings.Index.
func FuzzIndexRare(f *testing.F) {
	for _, s := range []string{"", "d", "aadsts", "xaadstsaadsts", "aadst", "aaadsts", "dd aadsts"} {
		f.Add(s, "aadsts", 2)
	}
	f.Add("401 (x) ( (", " (", 1)
	f.Fuzz(func(t *testing.T, s, sub string, k int) {
		if sub == "" {
			return
		}
		k = abs(k) % len(sub)
		if got, want := indexRare(s, sub, k), strings.Index(s, sub); got != want {
			t.Fatalf("indexRare(%q, %q, %d) = %d, want %d", s, sub, k, got, want)
		}
	})
}
