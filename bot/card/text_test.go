package card

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits", "abc", 3, "abc"},
		{"cut", "abcdef", 4, "abc…"},
		{"entities escaped", "a<b>&c", -1, "a&lt;b&gt;&amp;c"},
		{"entity never split", "ab<cd", 5, "ab…"},
		{"entity fits whole", "ab<", 6, "ab&lt;"},
		{"emoji counts two units", "🧨🧨🧨", 5, "🧨🧨…"},
		{"bidi override dropped", "a\u202Eb\u2066c", -1, "abc"},
		{"controls dropped, newline kept", "a\x00b\x1b\nc\td", -1, "ab\nc\td"},
		{"zero width kept", "a\u200Bb", -1, "a\u200Bb"},
		{"rtl text kept", "שלום", -1, "שלום"},
		{"tiny max", "abc", 0, ""},
		{"invalid utf8 dropped", "a\xffb", -1, "ab"},
	}
	for _, c := range cases {
		if got := clip(c.in, c.max); got != c.want {
			t.Errorf("%s: clip(%q, %d) = %q, want %q", c.name, c.in, c.max, got, c.want)
		}
	}
}

func TestLink(t *testing.T) {
	cases := []struct{ url, label, want string }{
		{"https://learn.microsoft.com/a b?x=1&y=2", "Docs", "<https://learn.microsoft.com/a%20b?x=1&amp;y=2|Docs>"},
		{"https://e.com/|<!channel>", "x", "<https://e.com/%7C%3C%21channel%3E|x>"},
		{"javascript:alert(1)", "<b>", "&lt;b&gt;"},
		{"mailto:a@b.c", "mail", "mail"},
		{"https:///nohost", "n", "n"},
		{"https://e.com/" + strings.Repeat("a", maxURL), "long", "long"},
	}
	for _, c := range cases {
		if got := link(c.url, c.label, 50); got != c.want {
			t.Errorf("link(%q, %q) = %q, want %q", c.url, c.label, got, c.want)
		}
	}
}

func TestCode(t *testing.T) {
	if got := code("a`b\n<c>", 20); got != "`aˋb &lt;c&gt;`" {
		t.Errorf("code = %q", got)
	}
	if got := code(strings.Repeat("x", 50), 10); length(got) > 10 || !strings.HasSuffix(got, "…`") {
		t.Errorf("code cut = %q", got)
	}
}

func TestAADSTSNumber(t *testing.T) {
	for in, want := range map[string]string{"AADSTS50034": "50034", "aadsts7000215": "7000215", "AADSTS": "", "AADSTS12a": "", "AADSTS1|x": "", "XADSTS1": ""} {
		got, ok := aadstsNumber(in)
		if got != want || ok != (want != "") {
			t.Errorf("aadstsNumber(%q) = %q, %v", in, got, ok)
		}
	}
}

// FuzzClip: whatever the input, the result fits, holds no raw '<' or '>',
// every '&' starts one of the three entities, and it is valid UTF-8.
func FuzzClip(f *testing.F) {
	for _, s := range []string{"", "<!channel>", "a&b", "🧨\u202E", hostile} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%5000 + 1
		if max < 1 {
			max = -max + 1
		}
		got := clip(s, max)
		if length(got) > max {
			t.Fatalf("clip(%q, %d) has %d units", s, max, length(got))
		}
		if strings.ContainsAny(got, "<>") || !utf8.ValidString(got) {
			t.Fatalf("clip(%q) = %q", s, got)
		}
		for _, part := range strings.Split(got, "&")[1:] {
			if !strings.HasPrefix(part, "amp;") && !strings.HasPrefix(part, "lt;") && !strings.HasPrefix(part, "gt;") {
				t.Fatalf("clip(%q) = %q: bare &", s, got)
			}
		}
		if length(s) < max/4 && !strings.ContainsAny(s, "&<>") && !strings.ContainsFunc(s, dropped) && got != s {
			t.Fatalf("clip(%q, %d) = %q changed short plain text", s, max, got)
		}
	})
}
