package recognize

import (
	"strings"
	"testing"
)

func TestSlackMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"see <https://example.com|the doc> and <https://x.y/z>", "see the doc and https://x.y/z"},
		{"hi <@U123ABC> and <!here>, in <#C42|general>", "hi   and  , in general"},
		{"<mailto:a@b.c|a@b.c> or <mailto:d@e.f>", "a@b.c or d@e.f"},
		{"PS C:\\> Get-Thing <br> x << y <https://a|b>", "PS C:\\> Get-Thing <br> x << y b"},
		{"a < b", "a < b"},
		{"<<<<https://a|b>", "<<<b"},
		{"<>", "<>"},
	}
	for _, tt := range tests {
		if got := slackMarkup(tt.in); got != tt.want {
			t.Errorf("slackMarkup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkSlackMarkupAngles: a text of unclosed angle brackets costs
// linear time, not quadratic.
func BenchmarkSlackMarkupAngles(b *testing.B) {
	s := strings.Repeat("<", 40000) + ">"
	for b.Loop() {
		slackMarkup(s)
	}
}

func TestDropStruck(t *testing.T) {
	tests := []struct{ in, want string }{
		{"~TimeOut~ no wait, it's ServerBusy", "  no wait, it's ServerBusy"},
		{"it was ~a b~ c", "it was   c"},
		{"since ~9am and ~10am", "since ~9am and ~10am"},
		{"see ~/logs/agent and ~ x ~", "see ~/logs/agent and ~ x ~"},
		{"~one~ ~two~", "   "},
		{"~a\nb~", "~a\nb~"},
		{"~~", "~~"},
		{"x~y~z", "x~y~z"},
	}
	for _, tt := range tests {
		if got := dropStruck(tt.in); got != tt.want {
			t.Errorf("dropStruck(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
