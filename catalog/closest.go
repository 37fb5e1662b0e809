package catalog

import (
	"strings"
	"unicode"
)

// Closest suggests up to n entries for a query that names none, for "did
// you mean" answers, as ClosestCodes picks them among the catalog's codes.
func (c *Catalog) Closest(query string, n int) []Entry {
	codes := ClosestCodes(c.Codes(), query, n)
	out := make([]Entry, 0, len(codes))
	for _, code := range codes {
		if e, ok := c.Lookup(code); ok {
			out = append(out, e)
		}
	}
	return out
}

// Meant is the entry a query that names no code was surely meant for: a
// single word whose only close code is about as long (within two letters).
// Recognition reads one edit in a short code and one or two in a long one,
// no more, since in chat a word further off may be anything; someone who
// asks for a code (/syncerr, syncerr lookup) and types "tmieot" or
// "timeouts" means TimeOut. The length rule keeps a word that is merely
// part of codes ("sync", "busy") a suggestion.
func (c *Catalog) Meant(query string) (Entry, bool) {
	q := strings.Trim(strings.TrimSpace(query), "`'\"“”‘’.,:;!?()[]{}<>")
	if len(q) < 4 || strings.IndexFunc(q, unicode.IsSpace) >= 0 {
		return Entry{}, false
	}
	near := c.Closest(q, 2)
	if len(near) != 1 {
		return Entry{}, false
	}
	if d := len(q) - len(near[0].Code); d < -2 || d > 2 {
		return Entry{}, false
	}
	return near[0], true
}

// maxClosestQuery is the longest word that gets suggestions: the longest
// code has 55 letters; a typo of one adds a few.
const maxClosestQuery = 64

// ClosestCodes suggests up to n of codes for a query that names none: the
// codes containing the query or contained in it (ignoring case), else the
// codes nearest by edit distance, if any is near enough. Only a single
// word of three or more letters gets suggestions, once quotes and
// punctuation around it are trimmed: for prose, a near code would be a
// guess, and a word over maxClosestQuery bytes is no mistyped code (and
// would make the edit distance costly). The result follows the order of
// codes.
func ClosestCodes(codes []string, query string, n int) []string {
	q := strings.ToLower(strings.Trim(strings.TrimSpace(query), "`'\"“”‘’.,:;!?()[]{}<>"))
	if n <= 0 || len(q) < 3 || len(q) > maxClosestQuery || strings.IndexFunc(q, unicode.IsSpace) >= 0 {
		return nil
	}
	var near []string
	for _, c := range codes {
		lc := strings.ToLower(c)
		if strings.Contains(lc, q) || strings.Contains(q, lc) {
			near = append(near, c)
		}
	}
	if len(near) == 0 {
		// Near enough: fewer edits than a quarter of the query, and always
		// two typos in a short one.
		best := max(3, len(q)/4)
		for _, c := range codes {
			switch d := editDistance(strings.ToLower(c), q); {
			case d < best:
				near, best = []string{c}, d
			case d == best:
				near = append(near, c)
			}
		}
	}
	return near[:min(n, len(near))]
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
