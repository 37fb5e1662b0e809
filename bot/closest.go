package bot

import (
	"strings"
	"unicode"

	"github.com/syncerr/syncerr/catalog"
)

// closestEntries suggests up to three codes for a query that named none:
// codes containing the query (or contained in it), else the codes within a
// small edit distance. Only one-word queries get suggestions; for pasted
// prose a near code would be a guess.
func closestEntries(cat *catalog.Catalog, query string) []catalog.Entry {
	q := strings.ToLower(strings.Trim(strings.TrimSpace(query), "`'\"“”‘’.,:;!?()[]{}<>"))
	if !isSingleWord(q) || len(q) < 3 {
		return nil
	}
	var near []string
	for _, c := range cat.Codes() {
		lc := strings.ToLower(c)
		if strings.Contains(lc, q) || strings.Contains(q, lc) {
			near = append(near, c)
		}
	}
	if len(near) == 0 {
		best := max(3, len(q)/4)
		for _, c := range cat.Codes() {
			switch d := editDistance(strings.ToLower(c), q); {
			case d < best:
				near, best = []string{c}, d
			case d == best:
				near = append(near, c)
			}
		}
	}
	if len(near) > 3 {
		near = near[:3]
	}
	out := make([]catalog.Entry, 0, len(near))
	for _, c := range near {
		if e, ok := cat.Lookup(c); ok {
			out = append(out, e)
		}
	}
	return out
}

func isSingleWord(s string) bool {
	return s != "" && strings.IndexFunc(s, unicode.IsSpace) < 0
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
