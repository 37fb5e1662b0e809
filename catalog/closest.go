package catalog

import (
	"strings"
	"unicode"
)

// Closest suggests up to n codes for a query that names no entry, for "did
// you mean" answers: the codes containing the query or contained in it
// (ignoring case), else the codes nearest by edit distance, if any is near
// enough. Only a single word of three or more letters gets suggestions,
// once quotes and punctuation around it are trimmed: for prose, a near code
// would be a guess. The result follows the catalog's order.
func (c *Catalog) Closest(query string, n int) []Entry {
	q := strings.ToLower(strings.Trim(strings.TrimSpace(query), "`'\"“”‘’.,:;!?()[]{}<>"))
	if n <= 0 || len(q) < 3 || strings.IndexFunc(q, unicode.IsSpace) >= 0 {
		return nil
	}
	var near []int
	for i, e := range c.entries {
		lc := strings.ToLower(e.Code)
		if strings.Contains(lc, q) || strings.Contains(q, lc) {
			near = append(near, i)
		}
	}
	if len(near) == 0 {
		// Near enough: fewer edits than a quarter of the query, and always
		// two typos in a short one.
		best := max(3, len(q)/4)
		for i, e := range c.entries {
			switch d := editDistance(strings.ToLower(e.Code), q); {
			case d < best:
				near, best = []int{i}, d
			case d == best:
				near = append(near, i)
			}
		}
	}
	out := make([]Entry, 0, min(n, len(near)))
	for _, i := range near[:min(n, len(near))] {
		out = append(out, c.entries[i].clone())
	}
	return out
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
