package recognize

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/syncerr/syncerr/catalog"
)

// Engine recognizes catalog errors in text. Build one with New; it is
// immutable afterwards and safe for concurrent use.
type Engine struct {
	codes []string // catalog order; indexes below refer to it

	features hashIndex // feature hash → index in feats
	feats    []feature
	docs     []doc

	// codeWords are each code's words, lower case, plural "s" dropped:
	// "HybridIdentityServiceNoActiveAgents" is hybrid identity service no
	// active agent. See sharedStem.
	codeWords [][]string

	keys         map[string]int // code or alias, letters and digits lower-cased → code index
	keyList      []codeKey
	keyIndex     hashIndex // hashString of a key → index in keyList
	minKeyLen    int
	maxKeyLen    int
	prefixHashes hashIndex // every start of every key, for joining "Azure Active Directory …"

	aadsts     map[string][]int // AADSTS code → codes whose message carries it
	errorCodes map[string][]int // numeric error code → codes
	httpStatus map[string][]int // HTTP status number → codes

	// catalogWords are the lower-case words of the catalog's own text.
	// One written like a code ("ADToAADSyncServiceAccount", the sync
	// account's name) is no unknown error code.
	catalogWords hashIndex

	// failure holds the lexicon's failure phrases by the hash of their
	// first word: the hashes of the words after it. See failing.
	failure map[uint64][][]uint64

	quick         hashIndex // lower-case word stems that may start a match; see mayMatch
	quickPrefixes hashIndex // starts of keys, longWord letters and more

	// Short keys and their typos; see shorttypo.go.
	shortKeys    []codeKey
	shortLens    uint64    // bit n: a word of n letters may be one edit from a short key
	shortDeletes hashIndex // short keys and their one-deletion neighbours
	shortBytes   [256]bool // the letters and digits of short keys
}

type featureKind uint8

const (
	unigram featureKind = iota + 1 // one content word
	bigram                         // two content words in a row, function words skipped
	cjkPair                        // two adjacent characters of a CJK text
	shingle                        // four consecutive words or characters: verbatim text
)

// kindWeight scales a feature by how much a match of its kind says. A CJK
// pair is weaker than a word pair: two characters are often one word.
var kindWeight = [...]float64{unigram: 1, bigram: 1, cjkPair: 0.6, shingle: 0.7}

// topicalWeight scales features made only of context words.
const topicalWeight = 0.3

type source uint8

const (
	srcMessage source = iota + 1
	srcLocalized
	srcCodeWords
	srcTitle
	srcScenario
	srcResolution
	srcHint
	srcSymptom
)

// sourceWeight scales a feature by where in the entry it came from: the
// error message is what people paste; the scenario and resolution are what
// they paraphrase, less reliably.
var sourceWeight = [...]float64{srcMessage: 1, srcLocalized: 1, srcCodeWords: 1, srcTitle: 0.7, srcScenario: 0.8, srcResolution: 0.5, srcHint: 0.8, srcSymptom: 1.5}

var sourceName = [...]string{srcMessage: "message", srcLocalized: "localized", srcCodeWords: "code", srcTitle: "title", srcScenario: "scenario", srcResolution: "resolution", srcHint: "hint", srcSymptom: "symptom"}

type feature struct {
	label    string
	kind     featureKind
	codes    int // how many codes carry it (document frequency)
	postings []posting
	// generic marks a feature found only in text that is not Cloud Sync's
	// own: the sign-in error a message quotes ("AADSTS50055: The password
	// is expired."), which Entra prints for every application, and the
	// symptom lexicon's everyday phrases ("does not exist"). Quoting it
	// does not place a text in Cloud Sync's world, nor name anything.
	generic bool
	// symptom marks a feature only the symptom lexicon has: our words,
	// not Microsoft's. Inside a quote several codes share it tells
	// nothing apart (see phraseEvidence).
	symptom bool
}

type posting struct {
	code   int32
	doc    int32
	weight float32
}

type doc struct {
	code   int
	source source
	total  float64 // sum of its feature weights, for coverage
}

type codeKey struct {
	key  string // letters and digits, lower case
	code int
	name string // as written in the catalog or overlay
}

// New builds an engine for the catalog: everything recognition needs is
// precomputed here.
func New(c *catalog.Catalog) *Engine { return build(c.Entries()) }

func build(entries []catalog.Entry) *Engine {
	features := map[uint64]int32{}
	e := &Engine{
		keys:       map[string]int{},
		aadsts:     map[string][]int{},
		errorCodes: map[string][]int{},
		httpStatus: map[string][]int{},
	}
	type pending struct {
		h      uint64
		kind   featureKind
		label  string
		code   int
		doc    int
		source source
		signIn bool
	}
	var all []pending
	// topical marks the features made only of context words ("cloud
	// sync", "agent"): they say what a text is about, not which error.
	topical := map[uint64]bool{}
	var texts []string
	catalogWords := map[uint64]bool{}
	addDoc := func(code int, src source, text string) {
		d := len(e.docs)
		e.docs = append(e.docs, doc{code: code, source: src})
		texts = append(texts, text)
		norm := normalize(text)
		tokenize(norm, foldLower(norm), func(t token) { catalogWords[hashString(t.s)] = true })
		ts := textTerms(norm)
		signInFrom, signInTo := signInSpan(norm)
		seen := map[uint64]bool{}
		featurize(ts, func(h uint64, kind featureKind, from, to int) {
			// A translated message is matched verbatim (shingles, CJK
			// pairs), never word by word: French "expiration" must not
			// make a paraphrase about expired passwords look like TimeOut.
			if seen[h] || src == srcLocalized && (kind == unigram || kind == bigram) {
				return
			}
			// A symptom of several words is that phrase: "wrong" alone
			// is no wrong password, German "nicht" alone no agent
			// missing. Words that tell on their own are listed alone; a
			// name written as one word (Repair-AADCloudSyncToolsAccount)
			// keeps its words.
			if src == srcSymptom && kind == unigram && !ts[from].cjk && len(strings.Fields(text)) > 1 && contentTerms(ts) > 1 {
				return
			}
			seen[h] = true
			if kind == unigram && topicalTerms[ts[from].s] || kind == bigram && topicalTerms[ts[from].s] && topicalTerms[ts[to].s] {
				topical[h] = true
			}
			signIn := signInFrom <= ts[from].start && ts[to].end <= signInTo
			all = append(all, pending{h: h, kind: kind, label: featureLabel(ts, kind, from, to), code: code, doc: d, source: src, signIn: signIn})
		})
	}
	for i, en := range entries {
		e.codes = append(e.codes, en.Code)
		e.codeWords = append(e.codeWords, stemWords(en.Code))
		e.addKey(en.Code, i)
		for _, a := range en.Aliases {
			e.addKey(a, i)
		}
		addDoc(i, srcMessage, en.Message)
		for _, loc := range sortedKeys(en.Localized) {
			addDoc(i, srcLocalized, en.Localized[loc])
		}
		words := strings.Join(splitCamel(en.Code), " ")
		for _, a := range en.Aliases {
			words += " . " + strings.Join(splitCamel(a), " ")
		}
		addDoc(i, srcCodeWords, words)
		if en.Title != "" {
			addDoc(i, srcTitle, en.Title)
		}
		if en.Scenario != "" {
			addDoc(i, srcScenario, en.Scenario)
		}
		if en.Resolution != "" {
			addDoc(i, srcResolution, en.Resolution)
		}
		for _, h := range hints[en.Code] {
			addDoc(i, srcHint, h)
		}
		for _, w := range symptoms().byCode[en.Code] {
			addDoc(i, srcSymptom, w)
		}
		// Identifiers in the message identify the code; the enrichment
		// adds those the message does not print.
		msg := normalize(en.Message)
		ids := extract(msg, foldLower(msg))
		for _, a := range append(ids.AADSTS, en.AADSTS...) {
			e.aadsts[strings.ToUpper(a)] = appendCode(e.aadsts[strings.ToUpper(a)], i)
		}
		for _, n := range append([]string{ids.ErrorCode}, en.ErrorCodes...) {
			if n != "" {
				e.errorCodes[n] = appendCode(e.errorCodes[n], i)
			}
		}
		if ids.HTTPStatus != "" {
			e.httpStatus[ids.HTTPStatus[:3]] = appendCode(e.httpStatus[ids.HTTPStatus[:3]], i)
		}
	}

	// Document frequency counts codes, not documents: a phrase in every
	// language of one code is still that code's alone.
	codesOf := map[uint64]map[int]bool{}
	for _, p := range all {
		if codesOf[p.h] == nil {
			codesOf[p.h] = map[int]bool{}
		}
		codesOf[p.h][p.code] = true
	}
	n := float64(len(entries))
	// A feature is generic when Entra's sign-in text carries it anywhere,
	// or when only the lexicon does: a lexicon phrase that also stands in
	// a scenario ("no agents running") is that scenario's own words.
	var signIn, lexiconOnly []bool
	for _, p := range all {
		df := len(codesOf[p.h])
		idf := math.Log((n + 1) / float64(df))
		w := idf * kindWeight[p.kind] * sourceWeight[p.source]
		if topical[p.h] {
			w *= topicalWeight
		}
		id, ok := features[p.h]
		if !ok {
			id = int32(len(e.feats))
			features[p.h] = id
			e.feats = append(e.feats, feature{label: p.label, kind: p.kind, codes: df})
			signIn = append(signIn, false)
			lexiconOnly = append(lexiconOnly, true)
		}
		signIn[id] = signIn[id] || p.signIn
		lexiconOnly[id] = lexiconOnly[id] && p.source == srcSymptom
		e.feats[id].postings = append(e.feats[id].postings, posting{code: int32(p.code), doc: int32(p.doc), weight: float32(w)})
		e.docs[p.doc].total += w
	}
	for i := range e.feats {
		e.feats[i].generic = signIn[i] || lexiconOnly[i]
		e.feats[i].symptom = lexiconOnly[i]
		slices.SortFunc(e.feats[i].postings, func(a, b posting) int { return int(a.code - b.code) })
	}
	e.features = newHashIndex(features, func(id int32) int32 { return id })
	keyIndex, prefixes := map[uint64]int32{}, map[uint64]bool{}
	for i, k := range e.keyList {
		keyIndex[hashString(k.key)] = int32(i)
		for n := 1; n <= len(k.key); n++ {
			prefixes[hashString(k.key[:n])] = true
		}
	}
	e.keyIndex = newHashIndex(keyIndex, func(i int32) int32 { return i })
	e.prefixHashes = newHashIndex(prefixes, func(bool) int32 { return 1 })
	e.catalogWords = newHashIndex(catalogWords, func(bool) int32 { return 1 })
	e.failure = map[uint64][][]uint64{}
	for _, p := range symptoms().failure {
		norm := normalize(p)
		var hs []uint64
		tokenize(norm, foldLower(norm), func(t token) {
			if !t.part {
				hs = append(hs, hashString(t.s))
			}
		})
		if len(hs) > 0 {
			e.failure[hs[0]] = append(e.failure[hs[0]], hs[1:])
		}
	}
	e.buildQuick(texts, n)
	e.buildShortTypos()
	return e
}

// signInSpan is where a catalog message quotes Entra's sign-in error: from
// its AADSTS code to the first GUID after it (the trace id) or the end.
// from > to when there is none.
func signInSpan(norm string) (from, to int) {
	lower := foldLower(norm)
	i := strings.Index(lower, "aadsts")
	if i < 0 {
		return 1, 0
	}
	for j := i; j < len(norm); j++ {
		if j >= 8 && norm[j] == '-' && guidAt(norm, j-8) != "" {
			return i, j - 8
		}
	}
	return i, len(norm)
}

func appendCode(list []int, code int) []int {
	if slices.Contains(list, code) {
		return list
	}
	return append(list, code)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// addKey registers a code or alias under its letters and digits.
func (e *Engine) addKey(name string, code int) {
	k := keyOf(name)
	if len(k) < 3 {
		return
	}
	if _, dup := e.keys[k]; dup {
		return
	}
	e.keys[k] = code
	e.keyList = append(e.keyList, codeKey{key: k, code: code, name: name})
	e.maxKeyLen = max(e.maxKeyLen, len(k))
	if e.minKeyLen == 0 || len(k) < e.minKeyLen {
		e.minKeyLen = len(k)
	}
}

// keyOf keeps the letters and digits of s, lower case.
func keyOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || isDigit(c):
			b.WriteByte(c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// textTerms tokenizes normalized text into terms.
func textTerms(text string) []term {
	lower := foldLower(text)
	var toks []token
	tokenize(text, lower, func(t token) { toks = append(toks, t) })
	ts := make([]term, 0, len(toks))
	terms(toks, func(t term) { ts = append(ts, t) })
	return ts
}

// featurize emits the features of a term sequence: content words, pairs
// of content words, pairs of adjacent CJK characters, and four-term
// shingles for verbatim runs. from and to index the terms a feature spans.
func featurize(ts []term, emit func(h uint64, kind featureKind, from, to int)) {
	prev := -1 // last content word
	for i, t := range ts {
		switch {
		case t.cjk:
			if i > 0 && ts[i-1].cjk && ts[i-1].end == t.start {
				emit(mix(uint64(cjkPair), ts[i-1].h, t.h), cjkPair, i-1, i)
			}
			prev = -1
		case t.stop || t.number || len(t.s) < 2:
		default:
			emit(mix(uint64(unigram), t.h), unigram, i, i)
			if prev >= 0 {
				emit(mix(uint64(bigram), ts[prev].h, t.h), bigram, prev, i)
			}
			prev = i
		}
		if i >= 3 {
			emit(mix(uint64(shingle), ts[i-3].h, ts[i-2].h, ts[i-1].h, t.h), shingle, i-3, i)
		}
	}
}

func featureLabel(ts []term, kind featureKind, from, to int) string {
	switch kind {
	case unigram:
		return ts[from].s
	case bigram:
		return ts[from].s + " " + ts[to].s
	case cjkPair:
		return ts[from].s + ts[to].s
	}
	var b strings.Builder
	for i := from; i <= to; i++ {
		if i > from && !(ts[i].cjk && ts[i-1].cjk) {
			b.WriteByte(' ')
		}
		b.WriteString(ts[i].s)
	}
	return b.String()
}

// contentTerms counts the terms of a phrase that are words with a meaning
// of their own (not function words, numbers or CJK characters).
func contentTerms(ts []term) int {
	n := 0
	for _, t := range ts {
		if !t.stop && !t.number && !t.cjk && len(t.s) >= 2 {
			n++
		}
	}
	return n
}
