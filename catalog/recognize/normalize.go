package recognize

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Size limits for the work done on one text. Slack caps a message at 40,000
// characters, but exported logs fed to `lookup --jsonl` can be larger. Texts
// over maxScan keep only windows of windowRadius bytes around the places
// where an error can start, so the cost stays bounded and the error inside
// a huge paste is not lost.
const (
	maxScan      = 64 << 10
	windowRadius = 2 << 10
)

// normalize turns Slack text (as the Events API delivers it, or as it is
// displayed) into plain text: Slack markup and HTML entities resolved,
// Unicode folded (NFKC, curly quotes, odd dashes and spaces). Markdown
// punctuation (fences, quotes, bold) is left for the tokenizer, which treats
// it as a separator. Plain ASCII text without markup is returned as is,
// without allocating.
func normalize(s string) string {
	if len(s) > maxScan {
		s = windows(s)
	}
	if strings.IndexByte(s, '<') >= 0 {
		s = slackMarkup(s)
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = entities(s)
	}
	if !isASCII(s) {
		s = foldUnicode(s)
	}
	if strings.Contains(s, "<br") {
		s = htmlBreaks(s)
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// slackMarkup resolves Slack's angle-bracket markup: <url|label> becomes the
// label, <url> the url, <#C123|name> the name, and user, group and special
// mentions (<@U123>, <!here>) disappear. Anything else in angle brackets is
// not Slack markup (a displayed "<br>", a PowerShell prompt) and stays.
func slackMarkup(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s) // no markup closes after here
			return b.String()
		}
		if k := strings.LastIndexByte(s[i+1:i+j], '<'); k >= 0 {
			// Only the last '<' before the '>' can open markup: skipping
			// to it keeps "<<<<…>" linear.
			b.WriteString(s[:i+1+k])
			s = s[i+1+k:]
			continue
		}
		inner := s[i+1 : i+j]
		b.WriteString(s[:i])
		s = s[i+j+1:]
		switch {
		case inner == "":
			b.WriteString("<>")
		case inner[0] == '@' || inner[0] == '!':
			b.WriteByte(' ')
		case inner[0] == '#':
			if k := strings.IndexByte(inner, '|'); k >= 0 {
				b.WriteString(inner[k+1:])
			}
		case isSlackLink(inner):
			if k := strings.IndexByte(inner, '|'); k >= 0 {
				b.WriteString(inner[k+1:])
			} else {
				b.WriteString(strings.TrimPrefix(inner, "mailto:"))
			}
		default:
			b.WriteByte('<')
			b.WriteString(inner)
			b.WriteByte('>')
		}
	}
}

func isSlackLink(s string) bool {
	for _, p := range [...]string{"http://", "https://", "mailto:", "tel:", "ftp://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// entities decodes the three entities Slack escapes (&lt; &gt; &amp;) and
// the two that show up when people paste HTML (&quot; &#39;).
var entityReplacer = strings.NewReplacer(
	"&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'", "&nbsp;", " ",
)

func entities(s string) string { return entityReplacer.Replace(s) }

// htmlBreaks turns <br>, <br/> and <br /> (Microsoft's table cells carry
// them, and they survive copy-paste) into spaces.
var breakReplacer = strings.NewReplacer("<br>", " ", "<br/>", " ", "<br />", " ", "<BR>", " ")

func htmlBreaks(s string) string { return breakReplacer.Replace(s) }

// foldUnicode applies NFKC (fullwidth colons and digits, ligatures,
// non-breaking spaces) and then folds what NFKC keeps apart but people
// treat as the same: curly quotes, the dash family, invisible spaces.
func foldUnicode(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\u00b4', '\u0060':
			return '\''
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb':
			return '"'
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			return '-'
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1
		case '\u3000', '\u2007', '\u202f', '\u00a0':
			return ' '
		case '\u3002':
			return '.'
		case '\u3001':
			return ','
		}
		return r
	}, s)
}

// windows keeps, from a text longer than maxScan, the regions around the
// places where a catalog error can show: identifiers and the words errors
// are made of. Regions are merged when they overlap, and the total stays
// under maxScan, so the cost of a huge paste is bounded.
func windows(s string) string {
	var b strings.Builder
	b.Grow(maxScan + 64)
	end := 0 // end of the last window written
	for _, at := range anchorPositions(s) {
		lo, hi := max(at-windowRadius, end), min(at+windowRadius, len(s))
		if lo >= hi {
			continue
		}
		if b.Len()+(hi-lo) > maxScan {
			break
		}
		if lo > end && b.Len() > 0 {
			b.WriteString("\n…\n")
		}
		// Cut on rune boundaries so the windows stay valid UTF-8.
		for lo > 0 && lo < len(s) && !utf8.RuneStart(s[lo]) {
			lo--
		}
		for hi < len(s) && !utf8.RuneStart(s[hi]) {
			hi++
		}
		b.WriteString(s[lo:hi])
		end = hi
	}
	if b.Len() == 0 {
		return s[:truncateAt(s, maxScan)]
	}
	return b.String()
}

// anchorWords are lower-case fragments that start or sit inside every
// catalog message and code; matching them case-insensitively finds the
// error in a long log.
var anchorWords = []string{
	"error", "aadsts", "ad2aad", "hybrid", "azure", "timeout", "agent", "entra", "unable", "credential",
}

// anchorPositions lists where windows should be centred, in order, at most
// one per window: each anchor word is searched once over the whole text.
func anchorPositions(s string) []int {
	lower := strings.ToLower(s)
	var all []int
	for _, w := range anchorWords {
		for i := 0; ; {
			j := strings.Index(lower[i:], w)
			if j < 0 {
				break
			}
			all = append(all, i+j)
			i += j + len(w)
		}
	}
	slices.Sort(all)
	var at []int
	for _, p := range all {
		if len(at) == 0 || p-at[len(at)-1] >= windowRadius {
			at = append(at, p)
		}
	}
	return at
}

func truncateAt(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
