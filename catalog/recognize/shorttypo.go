package recognize

import "fmt"

// Typos of short codes. A code key of minShortKey to minTypoLen-1 letters
// ("timeout", an overlay's short alias) is close to ordinary words, so
// only one edit is tolerated (substitution, insertion, deletion or two
// neighbours swapped: "timeot", "Timout", "tiemout"), and a word the
// catalog's own text uses ("timeouts" is "timeout" plural) is no typo.
//
// A typo of a short key reads as the key written not as the catalog
// writes it: the token is corrected to the key, so that "timeot" weighs
// what "timeout" weighs (the code, weakly, and its wording), and never
// speaks unasked on its own. One written in the code's CamelCase shape
// ("TimeOtu", capitals where the code has them) was meant as the code, and
// counts like it: strong in a text about Cloud Sync.

// minShortKey is the shortest key, and the shortest word, read for a
// typo: below it, one edit turns too many words into one another.
const minShortKey = 6

// wShortTypo is the evidence of a short code's typo in the code's shape.
const wShortTypo = wCodeTypo * 0.9

// buildShortTypos precomputes, for the quick path, the hashes of every
// short key and of every string one deletion from one (symmetric delete):
// a word within one edit of a key is either one of those, or one of its
// own deletions is.
func (e *Engine) buildShortTypos() {
	deletes := map[uint64]bool{}
	for _, k := range e.keyList {
		if len(k.key) < minShortKey || len(k.key) >= minTypoLen {
			continue
		}
		e.shortKeys = append(e.shortKeys, k)
		for i := range len(k.key) {
			e.shortBytes[k.key[i]] = true
		}
		for n := len(k.key) - 1; n <= len(k.key)+1; n++ {
			if n >= minShortKey {
				e.shortLens |= 1 << n
			}
		}
		deletes[hashString(k.key)] = true
		for i := range len(k.key) {
			deletes[hashMore(hashString(k.key[:i]), k.key[i+1:])] = true
		}
	}
	e.shortDeletes = newHashIndex(deletes, func(bool) int32 { return 1 })
}

// mayBeShortTypo reports whether an ASCII word could be within one edit
// of a short key, ignoring case. It may say yes wrongly (two deletions
// apart is up to two edits), never no wrongly, and allocates nothing.
func (e *Engine) mayBeShortTypo(w string) bool {
	if len(w) >= 64 || e.shortLens&(1<<len(w)) == 0 {
		return false
	}
	// One edit brings in at most one letter no short key has: most words
	// stop here, before any hashing.
	foreign := 0
	for i := 0; i < len(w); i++ {
		if !e.shortBytes[lowerByte(w[i])] {
			if foreign++; foreign > 1 {
				return false
			}
		}
	}
	if e.shortDeletes.has(hashLower(w)) {
		return true
	}
	prefix := uint64(fnvOffset)
	for i := range len(w) {
		if e.shortDeletes.has(hashLowerMore(prefix, w[i+1:])) {
			return true
		}
		prefix = hashLowerMore(prefix, w[i:i+1])
	}
	return false
}

// shortTypo returns the short key a lower-case word is a typo of: one
// edit away from it and from no other code's key, and not itself (nor its
// stem) a word of the catalog's text or a key.
func (e *Engine) shortTypo(w string) (codeKey, bool) {
	if len(w) < minShortKey || !isAlnumWord(w) || !e.mayBeShortTypo(w) {
		return codeKey{}, false
	}
	if _, isKey := e.keys[w]; isKey || e.catalogWords.has(hashString(w)) || e.catalogWords.has(hashString(stem(w))) {
		return codeKey{}, false
	}
	found, n := codeKey{}, 0
	for _, k := range e.shortKeys {
		if osa(w, k.key, 1) == 1 && (n == 0 || k.code != found.code) {
			found = k
			n++
		}
	}
	return found, n == 1
}

func isAlnumWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isAlnum(w[i]) {
			return false
		}
	}
	return true
}

// correctShortTypos rewrites each whole word that is a short key's typo to
// the key, marked typo, before the words become terms.
func (e *Engine) correctShortTypos(toks []token) {
	if len(e.shortKeys) == 0 {
		return
	}
	for i := range toks {
		t := &toks[i]
		// Most words have no short key's length: skip them before the
		// call (shortTypo would say no in mayBeShortTypo).
		if t.part || t.cjk || t.number || len(t.s) >= 64 || e.shortLens&(1<<len(t.s)) == 0 {
			continue
		}
		if k, ok := e.shortTypo(t.s); ok {
			t.s, t.h, t.typo = k.key, hashString(k.key), true
		}
	}
}

// shortTypoEvidence weighs a corrected word (see correctShortTypos) for
// its code.
func (e *Engine) shortTypoEvidence(text string, start, end int, k codeKey, ev []evidence) {
	raw := text[start:end]
	shaped := isCamel(raw) && sameCapitals(raw, k.name) && !nameInCode(text, start, end)
	w, detail := float64(wCodeWeak), fmt.Sprintf("%s (1 edit from %s, not as the catalog writes it)", raw, k.name)
	if shaped {
		w, detail = wShortTypo, fmt.Sprintf("%s (1 edit from %s)", raw, k.name)
	}
	v := &ev[k.code]
	if w > v.code {
		v.code = w
		v.contextual = v.contextual || shaped
		v.signals = append(v.signals, Signal{Kind: "typo", Detail: detail, Weight: round3(w)})
	}
}

// sameCapitals reports whether a and b have the same capital letters in
// the same order: "TimeOtu" is shaped like "TimeOut", "Timout" is not.
func sameCapitals(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && !('A' <= a[i] && a[i] <= 'Z') {
			i++
		}
		for j < len(b) && !('A' <= b[j] && b[j] <= 'Z') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i, j = i+1, j+1
	}
}
