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
