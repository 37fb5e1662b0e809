package recognize

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The quick path. Most messages in a busy channel are chatter; they must
// cost almost nothing. mayMatch makes one pass over the bytes, hashing each
// ASCII word (lower-cased and stemmed on the fly) and looking it up in a
// precomputed set; it allocates nothing. Only a text with a word that could
// start a match, a long word (a code, a typo of one, an unknown code) or
// non-ASCII text (a localized message, curly quotes) takes the full path.

// minQuickIDF keeps out of the quick set the words most catalog entries
// share ("error", "please"): alone they can never make a match.
const minQuickIDF = 0.5

// longWord is the length from which a word may be a code, a typo of one or
// a truncated one.
const longWord = 10

// chatWords are words of the catalog's text that are also everyday chat;
// alone they are no reason to look closer, and the words around them in a
// real error message are.
var chatWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`issue check see run runn use us find found need help contact support request
		process point detail follow more hour go go work new add thank today now still again team error messag
		server account user name statu problem instruct response http state additional inform run here way
		portal case let know sure look start restart`) {
		m[w] = true
	}
	return m
}()

// quickExtras start a match only together with the words after them, which
// the rewrites fold ("timed out", "service bus", "on prem"), or carry the
// text around them: the job identifier's prefix appears in every
// translation of the generic message, whose own words ("Wir konnten diese
// Anforderung …") the English catalog does not know.
var quickExtras = []string{"timed", "azure", "entra", "bus", "prem", "premis", "aad", "onmicrosoft", "ad2aadprovisioning", "ad2aadprovision"}

func (e *Engine) buildQuick(texts []string, n float64) {
	quick, prefixes := map[uint64]bool{}, map[uint64]bool{}
	defer func() {
		yes := func(bool) int32 { return 1 }
		e.quick, e.quickPrefixes = newHashIndex(quick, yes), newHashIndex(prefixes, yes)
	}()
	add := func(s string) { quick[hashString(s)] = true }
	for _, k := range e.keyList {
		add(k.key)
		for n := longWord; n <= len(k.key); n++ {
			prefixes[hashString(k.key[:n])] = true
		}
	}
	for _, w := range quickExtras {
		add(w)
	}
	for s := range synonyms {
		add(s)
	}
	for code := range e.errorCodes {
		add(code)
	}
	defer func() {
		// After the words above, so that only runs they miss add one.
		for d, text := range texts {
			if src := e.docs[d].source; src == srcMessage || src == srcLocalized {
				e.quickVerbatim(text, n, quick, add)
			}
		}
	}()
	for _, text := range texts {
		norm := normalize(text)
		tokenize(norm, foldLower(norm), func(t token) {
			if t.cjk || t.number || len(t.s) < 3 || !isASCII(t.s) {
				return
			}
			s := stem(t.s)
			if stopwords[s] || chatWords[s] {
				return
			}
			term := s
			if syn, ok := synonyms[s]; ok {
				term = syn
			}
			id, ok := e.features.get(mix(uint64(unigram), hashString(term)))
			if !ok || math.Log((n+1)/float64(e.feats[id].codes)) < minQuickIDF {
				return
			}
			add(s)
		})
	}
}

// verbatimWindow is the number of words a quoted run of a message needs
// to be strong evidence on its own (three four-word shingles; see
// strongVerbatim).
const verbatimWindow = 6

// quickVerbatim makes sure that every run of verbatimWindow words of a
// message holds a quick word, so that a quoted fragment made only of
// common words ("found an issue with the service account that") still
// takes the full path: of a run without one, it adds the rarest word.
func (e *Engine) quickVerbatim(text string, n float64, quick map[uint64]bool, add func(string)) {
	norm := normalize(text)
	var words []string
	tokenize(norm, foldLower(norm), func(t token) {
		if !t.part {
			words = append(words, t.s)
		}
	})
	idf := func(w string) float64 {
		if w == "" || !isASCII(w) || stopwords[w] || len(w) < 2 {
			return -1
		}
		s := stem(w)
		if syn, ok := synonyms[s]; ok {
			s = syn
		}
		id, ok := e.features.get(mix(uint64(unigram), hashString(s)))
		if !ok {
			return -1
		}
		return math.Log((n + 1) / float64(e.feats[id].codes))
	}
	for i := 0; i+verbatimWindow <= len(words); i++ {
		run, best, bestIDF := words[i:i+verbatimWindow], "", -1.0
		covered := false
		for _, w := range run {
			if !isASCII(w) || quick[hashString(stem(w))] || quick[hashString(w)] {
				covered = true
				break
			}
			if v := idf(w); v > bestIDF {
				best, bestIDF = w, v
			}
		}
		if !covered && best != "" {
			add(stem(best))
		}
	}
}

// mayMatch reports whether text could hold a catalog error. It never
// allocates. Non-ASCII punctuation and symbols (curly quotes from phones,
// emoji, dashes) are separators here as in the tokenizer; a non-ASCII
// letter may be a localized message and takes the full path.
func (e *Engine) mayMatch(text string) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(text[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
				return true
			}
			i += size
			continue
		}
		if !isAlnum(c) {
			i++
			continue
		}
		j := i
		for j < len(text) && isAlnum(text[j]) {
			j++
		}
		if j < len(text) && text[j] >= utf8.RuneSelf {
			if r, _ := utf8.DecodeRuneInString(text[j:]); unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
				return true // a word that goes on in another script ("détecté")
			}
		}
		w := text[i:j]
		i = j
		if len(w) < 2 {
			continue
		}
		if len(w) >= 6 && strings.EqualFold(w[:6], "aadsts") {
			return true
		}
		if e.quickWord(w) {
			return true
		}
		if len(w) >= longWord && e.mayBeCode(w) || len(w) >= minShortKey && e.mayBeShortTypo(w) {
			return true
		}
		// The tokenizer also reads a CamelCase word word by word
		// ("HybridSynchronizationUnableToFindDomainController"), so must this.
		if len(w) >= 6 && isCamel(w) {
			for from := 0; from < len(w); {
				to := camelBreak(w, from)
				if to-from >= 2 && e.quickWord(w[from:to]) {
					return true
				}
				from = to
			}
		}
	}
	return false
}

// quickWord reports whether the stem of an ASCII word is in the quick set.
func (e *Engine) quickWord(w string) bool { return e.quick.has(hashLower(w[:stemLen(w)])) }

// mayBeCode reports whether a long word could be a code as codeEvidence
// reads it: whole, truncated, or misspelled. Unknown codes need no look:
// they only lower the score of what else matched.
func (e *Engine) mayBeCode(w string) bool {
	if h := hashLower(w); e.quick.has(h) || e.quickPrefixes.has(h) {
		return true
	}
	if len(w) < minTypoLen {
		return false
	}
	limit := typoLimit(len(w))
	for _, k := range e.keyList {
		if abs(len(k.key)-len(w)) <= limit && osa(w, k.key, limit) <= limit {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c)
}

// hashLower is hashString of the ASCII lower case of s.
func hashLower(s string) uint64 { return hashLowerMore(fnvOffset, s) }

// hashLowerMore continues hashLower: hashLowerMore(hashLower(a), b) ==
// hashLower(a+b).
func hashLowerMore(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(lowerByte(s[i]))
		h *= fnvPrime
	}
	return h
}

// stemLen is len(stem(lower(w))) for an ASCII word w, without lower-casing it.
func stemLen(w string) int {
	if len(w) <= 4 || !isLetterFold(w[len(w)-1]) {
		return len(w)
	}
	for _, suf := range [...]string{"ations", "ation", "ings", "ing", "ions", "ion", "ives", "ive", "edly", "ed", "es", "ly", "e", "s"} {
		if len(w)-len(suf) >= 4 && strings.EqualFold(w[len(w)-len(suf):], suf) {
			if suf == "s" {
				p := w[len(w)-2] | 0x20
				if p == 's' || p == 'u' || p == 'i' {
					continue
				}
			}
			return len(w) - len(suf)
		}
	}
	return len(w)
}

func isLetterFold(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
