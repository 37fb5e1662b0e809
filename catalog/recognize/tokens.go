package recognize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A token is one word of normalized text, or one character of a script
// written without spaces (Chinese, Japanese, Korean), which recognition
// treats character by character.
type token struct {
	s          string // lower case; a constant such as "not" for expanded contractions
	start, end int    // byte range in the text
	cjk        bool
	number     bool
	part       bool // a word of a CamelCase token, emitted after the whole token
	typo       bool // s is the short code key the written word is a typo of; see correctShortTypos
	// h is hashString(s), computed once: terms, code evidence and the
	// failure phrases all look the word up.
	h uint64
}

// foldLower lower-cases s without changing its length in bytes, so that
// offsets found in the result index the original too: a rune whose lower
// case encodes to a different length is left alone.
func foldLower(s string) string {
	if isASCII(s) {
		return asciiLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		l := unicode.ToLower(r)
		if utf8.RuneLen(l) != utf8.RuneLen(r) || r == utf8.RuneError {
			l = r
		}
		b.WriteRune(l)
	}
	if b.Len() != len(s) {
		// Invalid UTF-8 was replaced; fall back to ASCII folding, which
		// keeps every byte where it was.
		return asciiLower(s)
	}
	return b.String()
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// isCJK reports whether r belongs to a script written without spaces
// between words; Hangul is included because machine-translated Korean
// splits its words unpredictably.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) || r == 'ー'
}

// tokenize splits lower (foldLower(text)) into tokens and calls emit for
// each. A CamelCase word of text ("UnexpectedError") is emitted whole and
// then word by word, so that it meets the same words written apart. It expands English contractions ("doesn't" → "does not", "we're" →
// "we"), splits elided articles ("l'agent" → "l", "agent") and drops
// identifiers (GUIDs, hex job ids, long numbers, timestamps): they differ in
// every paste and say nothing about which error it is.
func tokenize(text, lower string, emit func(token)) {
	hashed := emit
	emit = func(t token) {
		t.h = hashString(t.s)
		hashed(t)
	}
	i := 0
	for i < len(lower) {
		c := lower[i]
		if c < utf8.RuneSelf {
			if !isWordByte(c) || c == '_' {
				i++
				continue
			}
			j := i
			for j < len(lower) && lower[j] < utf8.RuneSelf && isWordByte(lower[j]) && lower[j] != '_' {
				j++
			}
			// A word may continue with non-ASCII letters ("détecté").
			if j < len(lower) && lower[j] >= utf8.RuneSelf {
				j = wordEnd(lower, j)
			}
			i = word(text, lower, i, j, emit)
			continue
		}
		r, size := utf8.DecodeRuneInString(lower[i:])
		switch {
		case isCJK(r):
			emit(token{s: lower[i : i+size], start: i, end: i + size, cjk: true})
			i += size
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			i = word(text, lower, i, wordEnd(lower, i), emit)
		default:
			i += size
		}
	}
}

// wordEnd returns where the word that continues at i ends.
func wordEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !isWordByte(c) || c == '_' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isCJK(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
			return i
		}
		i += size
	}
	return i
}

// word emits the word lower[i:j] (handling a following apostrophe) and
// returns where scanning resumes.
func word(text, lower string, i, j int, emit func(token)) int {
	w := lower[i:j]
	if j+1 < len(lower) && lower[j] == '\'' && isLetterByte(lower[j+1]) {
		k := j + 1
		for k < len(lower) && isLetterByte(lower[k]) {
			k++
		}
		suffix := lower[j+1 : k]
		switch {
		case suffix == "t" && strings.HasSuffix(w, "n") && len(w) > 1:
			base := w[:len(w)-1]
			switch base {
			case "ca":
				base = "can"
			case "wo":
				base = "will"
			}
			emit(token{s: base, start: i, end: j - 1})
			emit(token{s: "not", start: j - 1, end: k})
			return k
		case suffix == "re" || suffix == "ve" || suffix == "s" || suffix == "ll" || suffix == "d" || suffix == "m":
			emitWord(text, w, i, j, emit)
			return k
		default:
			emitWord(text, w, i, j, emit)
			emitWord(text, suffix, j+1, k, emit)
			return k
		}
	}
	emitWord(text, w, i, j, emit)
	return j
}

func isLetterByte(c byte) bool { return 'a' <= c && c <= 'z' }

func emitWord(text, w string, start, end int, emit func(token)) {
	if isIdentifierPart(w) {
		return
	}
	if end-start >= 6 && end <= len(text) && isCamel(text[start:end]) {
		emit(token{s: w, start: start, end: end})
		raw := text[start:end]
		for from := 0; from < len(raw); {
			to := camelBreak(raw, from)
			if p := w[from:to]; !isIdentifierPart(p) {
				emit(token{s: p, start: start + from, end: start + to, number: allDigits(p), part: true})
			}
			from = to
		}
		return
	}
	emit(token{s: w, start: start, end: end, number: allDigits(w)})
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

// camelBreak returns where the CamelCase word of s that starts at from
// ends: before a capital that follows a lower-case letter or digit, or
// before the last capital of a run followed by a lower-case letter
// ("AADSync" → "AAD", "Sync"). splitCamel is built on it.
func camelBreak(s string, from int) int {
	for i := from + 1; i < len(s); i++ {
		prev, c := s[i-1], s[i]
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		upper := 'A' <= c && c <= 'Z'
		if upper && ('a' <= prev && prev <= 'z' || isDigit(prev)) || upper && 'A' <= prev && prev <= 'Z' && 'a' <= next && next <= 'z' {
			return i
		}
	}
	return len(s)
}

// isIdentifierPart reports whether a word is a piece of a GUID, a hex job
// id, a timestamp or another long number.
func isIdentifierPart(w string) bool {
	if len(w) < 4 {
		return false
	}
	hasDigit, allHex := false, true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if isDigit(c) {
			hasDigit = true
		} else if !('a' <= c && c <= 'f') {
			allHex = false
		}
	}
	if allHex && hasDigit {
		return true
	}
	// Times such as "29z" and ids with few letters ("1c69b196") are caught
	// above; long mixed runs of digits and letters (SIDs, tickets) here.
	return hasDigit && len(w) >= 12
}

// isCamel reports whether an ASCII word has a lower-case letter followed by
// a capital: "UnexpectedError", "ADToAADSyncServiceAccount", not "ERROR".
func isCamel(w string) bool {
	for i := 1; i < len(w); i++ {
		if 'a' <= w[i-1] && w[i-1] <= 'z' && 'A' <= w[i] && w[i] <= 'Z' {
			return true
		}
	}
	return false
}

// splitCamel splits a code such as "HybridIdentityServiceNoActiveAgents"
// into its words ("Hybrid", "Identity", …); a run of capitals stays whole
// ("AADSTS").
func splitCamel(s string) []string {
	var words []string
	for from := 0; from < len(s); {
		to := camelBreak(s, from)
		words = append(words, s[from:to])
		from = to
	}
	return words
}
