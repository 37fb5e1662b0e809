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

// FuzzIsASCII holds the word-at-a-time isASCII to a byte loop.
func FuzzIsASCII(f *testing.F) {
	for _, s := range []string{"", "abc", "abcdefgh", "abcdefghé", "é", "0123456\x80", "01234567\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			want = want && s[i] < 0x80
		}
		if got := isASCII(s); got != want {
			t.Fatalf("isASCII(%q) = %v, want %v", s, got, want)
		}
	})
}
