package recognize

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/syncerr/syncerr/catalog"

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
	if strings.IndexByte(s, '~') >= 0 {
		s = dropStruck(s)
	}
	if !isASCII(s) {
		s = foldUnicode(s)
	}
	if strings.Contains(s, "<br") {
		s = htmlBreaks(s)
	}
	return s
}

// isASCII tests eight bytes at a time: normalize, foldLower and the error
// code scan each ask it of the whole text.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64([]byte(s[i:i+8]))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
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

// dropStruck removes Slack's strikethrough, ~text~: a retraction ("~TimeOut~
// no wait, it's ServerBusy"). Only markup counts: the opening tilde starts
// a word and is followed by a non-space, the closing one, on the same
// line, follows a non-space and ends a word, so "~9am to ~10am" and a
// path like "~/logs" stay.
func dropStruck(s string) string {
	var b strings.Builder
	from := 0 // start of the text not yet written
	for i := 0; i < len(s); i++ {
		if s[i] != '~' || i > 0 && isAlnum(s[i-1]) || i+1 >= len(s) || isSpace(s[i+1]) || s[i+1] == '~' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != '~' && s[j] != '\n' {
			j++
		}
		if j >= len(s) || s[j] != '~' || isSpace(s[j-1]) || j+1 < len(s) && isAlnum(s[j+1]) {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[from:i])
		b.WriteByte(' ')
		from, i = j+1, j
	}
	if from == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

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
// A loop over the '&'s is several times faster than a strings.Replacer,
// whose generic trie walk showed in the profile of every paste.
var entityTable = [...]struct{ from, to string }{
	{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", `"`}, {"&#39;", "'"}, {"&nbsp;", " "},
}

func entities(s string) string {
	var b strings.Builder
	from := 0 // start of the text not yet written
	for i := strings.IndexByte(s, '&'); i >= 0; {
		n := 1 // bytes to step over: a lone '&' is text
		for _, en := range entityTable {
			if strings.HasPrefix(s[i:], en.from) {
				if b.Cap() == 0 {
					b.Grow(len(s))
				}
				b.WriteString(s[from:i])
				b.WriteString(en.to)
				n, from = len(en.from), i+len(en.from)
				break
			}
		}
		j := strings.IndexByte(s[i+n:], '&')
		if j < 0 {
			break
		}
		i += n + j
	}
	if b.Cap() == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}

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
// places where a catalog error can show, so the cost of a huge paste is
// bounded and the error inside it is not lost. Windows go first to the
// specific signals (a code's name or start, a job identifier, an AADSTS
// code, "Error Code", a message's distinctive words, a translated
// message's start), then to the generic ones ("error", "agent") while the
// budget lasts: in an agent's trace log every line says "Azure" and
// "agent", and windows handed out from the top would never reach the
// error. The windows are written in text order, merged where they touch.
func windows(s string) string {
	lower := foldLower(s)
	var spans [][2]int // chosen windows, kept sorted and disjoint
	used := 0
	// place adds the window around at, less what is chosen already; it
	// reports false once the budget is spent.
	place := func(at int) bool {
		lo, hi := max(at-windowRadius, 0), min(at+windowRadius, len(s))
		k, _ := slices.BinarySearchFunc(spans, lo, func(w [2]int, lo int) int { return w[0] - lo })
		if k > 0 && spans[k-1][1] >= hi {
			return true // inside the window before
		}
		if k > 0 && spans[k-1][1] > lo {
			lo = spans[k-1][1]
		}
		if k < len(spans) && spans[k][0] < hi {
			hi = spans[k][0]
		}
		if lo >= hi {
			return true
		}
		if used+(hi-lo) > maxScan {
			return false
		}
		used += hi - lo
		spans = slices.Insert(spans, k, [2]int{lo, hi})
		return true
	}
	for _, tier := range [...][]string{specificAnchors(isASCII(s)), genericAnchors} {
		if !placeAll(lower, tier, place) {
			break
		}
	}
	if len(spans) == 0 {
		return s[:truncateAt(s, maxScan)]
	}
	var b strings.Builder
	b.Grow(used + 4*len(spans))
	end := 0
	for _, w := range spans {
		lo, hi := w[0], w[1]
		// Cut on rune boundaries so the windows stay valid UTF-8.
		lo = max(truncateAt(s, lo), end)
		for hi < len(s) && !utf8.RuneStart(s[hi]) {
			hi++
		}
		if lo >= hi {
			continue
		}
		if lo > end && b.Len() > 0 {
			b.WriteString("\n…\n")
		}
		b.WriteString(s[lo:hi])
		end = hi
	}
	return b.String()
}

// placeAll centres windows on the anchors' occurrences, in text order; it
// reports false once the budget is spent. Occurrences closer than a
// window radius to the last one placed are covered by it.
func placeAll(lower string, anchors []string, place func(int) bool) bool {
	var at []int
	for _, w := range anchors {
		for i := 0; ; {
			j := strings.Index(lower[i:], w)
			if j < 0 {
				break
			}
			at = append(at, i+j)
			i += j + len(w)
		}
	}
	slices.Sort(at)
	last := -windowRadius
	for _, p := range at {
		if p-last < windowRadius {
			continue
		}
		if !place(p) {
			return false
		}
		last = p
	}
	return true
}

// genericAnchors are lower-case fragments that start or sit inside every
// catalog message and code, and also in much that is no error.
var genericAnchors = []string{
	"error", "hybrid", "azure", "timeout", "agent", "entra", "unable", "credential",
}

// baseAnchors are the lower-case fragments only the catalog's errors
// carry: the codes' starts (a typo keeps its first words), identifiers
// and numbered codes, and the distinctive words of the messages.
var baseAnchors = []string{
	"ad2aad", "aadsts", "error code", "hybrididentity", "hybrid identity", "hybridsync", "azureactivedirectory",
	"azuredirectory", "serverbusy", "server busy", "noactiveagent", "noagentsassigned", "signalingerror",
	"invalidresource", "authenticationfailed", "expiredcredential", "invalidcredential", "credentialsexpired",
	"credentialsinvalid", "internalservererror", "timeout", "job identifier", "job id", "currently busy",
	"tracking id", "trace id", "correlation id", "unable to find an active agent", "unable to process this request",
	"service account", "quarantin",
}

// specificAnchors are baseAnchors and, for a text that is not plain
// ASCII, the starts of the translated messages.
func specificAnchors(ascii bool) []string {
	if ascii {
		return baseAnchors
	}
	return localizedAnchors()
}

// localizedStart is how many runes of a translated message's sentences
// are looked for: enough to be that message's words. Sentences shorter
// than localizedMin runes ("Error.") say too little.
const (
	localizedStart = 8
	localizedMin   = 4
)

var localizedAnchors = sync.OnceValue(func() []string {
	out := slices.Clone(baseAnchors)
	for _, en := range catalog.Default().Entries() {
		for _, msg := range en.Localized {
			for _, sentence := range strings.FieldsFunc(foldUnicode(msg), func(r rune) bool { return r == '.' || r == '。' }) {
				sentence = foldLower(strings.TrimSpace(sentence))
				if isASCII(sentence) || utf8.RuneCountInString(sentence) < localizedMin {
					continue
				}
				n := 0
				for i := range sentence {
					if n == localizedStart {
						sentence = sentence[:i]
						break
					}
					n++
				}
				if !slices.Contains(out, sentence) {
					out = append(out, sentence)
				}
			}
		}
	}
	return out
})

func truncateAt(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
