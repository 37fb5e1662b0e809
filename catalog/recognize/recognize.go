package recognize

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// Evidence weights, in score points. A score is turned into a confidence
// by confidence(); the weights are set so that one exact code, or a full
// pasted message, is near certainty and a paraphrase in a few words is a
// fair guess.
const (
	wCodeExact  = 30 // the code itself, spelled as the catalog spells it
	wCodeWeak   = 4  // a short code that is also an everyday word, in another case ("timeout")
	wCodeTypo   = 22 // within edit distance of a code
	wCodePrefix = 18 // a truncated code, scaled by how much of it is there
	wAADSTS     = 18 // an AADSTS code that appears in the code's message
	wErrorCode  = 14 // "Error Code: 81"
	wHTTP       = 2  // "401 (Unauthorized)": many tools say it
	// wNamed: a name the code's wording mentions (the sync account, the
	// agent service, a cmdlet), in a text about Cloud Sync that says
	// something is failing. The name alone counts as one phrase.
	wNamed    = 8
	scale     = 10  // confidence reaches 63% at this score, 95% at three times it
	ambiguity = 0.8 // second-best within this share of the best: a tie
	// looseAmbiguity replaces ambiguity when the best code has no strong
	// evidence.
	looseAmbiguity = 0.5
)

// topicalTerms are the words that place a text in Cloud Sync's world
// without saying which error it is ("cloud sync", "agent"). Features made
// only of them weigh little.
var topicalTerms = wordSet(`sync cloud agent provision entra quarantin tenant ad onprem ad2aadprovisioning`)

// contextTerms are the topical terms and the words that only Cloud Sync
// errors use. A text that matches catalog wording without any of them
// ("my password expired") is probably about something else, and its score
// is halved.
var contextTerms = wordSet(`sync cloud agent provision entra quarantin tenant ad ad2aadprovisioning servicebus
	onprem scim adtoaadsyncserviceaccount credentialsinvalid credentialsexpired unexpectederror his`)

// cloudSyncTerms place a text in Cloud Sync's own world, as opposed to
// the wider one of contextTerms: "sync" or "Entra" alone is said of
// Entra Connect Sync, file sync and phone sync too, and an AADSTS code or
// a code that is an English word needs more than that to speak unasked.
// "cloud" followed by "sync" counts too (see cloudSyncText).
var cloudSyncTerms = wordSet(`agent provision quarantin ad2aadprovisioning servicebus scim his cloudsync
	adtoaadsyncserviceaccount credentialsinvalid credentialsexpired unexpectederror`)

// cloudSyncText reports whether the terms speak of Cloud Sync itself.
func cloudSyncText(ts []term) bool {
	for i, t := range ts {
		if cloudSyncTerms[t.s] || t.s == "cloud" && i+1 < len(ts) && ts[i+1].s == "sync" {
			return true
		}
	}
	return false
}

// otherProduct reports whether the text names software that shares Cloud
// Sync's sign-in errors (AADSTS codes and their sentences) but not its error
// codes: the directory sync products Entra Connect Sync (Azure AD Connect,
// "classic"), ADSync and MIM, and the everyday apps people sign in to,
// whose AADSTS50034 or AADSTS50055 is a user's problem, not the sync
// account's; and the build and deploy tools whose own "agent" times out
// (a Jenkins agent's TimeOut is not the provisioning agent's). "Azure AD Connect cloud sync" is Cloud Sync's old name, not
// one of them. Other Entra and Microsoft services whose messages share
// Cloud Sync's wording (Application Proxy connectors, MFA Server, AD FS,
// Exchange, Azure Files and File Sync) are vetoes too.
func otherProduct(toks []token) bool {
	prev, prev2 := "", ""
	for i, t := range toks {
		if t.part {
			continue
		}
		next := ""
		for _, n := range toks[i+1:] {
			if !n.part {
				next = n.s
				break
			}
		}
		switch t.s {
		case "aadconnect", "adconnect", "azureadconnect", "entraconnect", "adsync", "mim", "msol",
			"sharepoint", "onedrive", "outlook", "vpn", "intune", "guest",
			"jenkins", "devops", "pipeline", "gitlab", "github", "runner", "teamcity", "buildkite",
			"octopus", "kubernetes", "k8s", "docker", "datadog", "splunk", "ansible", "terraform":
			return true
		case "adfs", "exchange", "azurefiles":
			return true
		case "proxy", "connector":
			// Application Proxy and its connectors, whose "Inactive"
			// state and Service Bus traffic read like an agent's.
			if prev == "application" || prev == "app" || t.s == "connector" && prev == "proxy" {
				return true
			}
		case "server":
			if prev == "mfa" {
				return true
			}
		case "files":
			if prev == "azure" {
				return true
			}
		case "sync":
			if prev == "file" {
				return true
			}
		case "connect":
			if next == "sync" || next == "synchronization" || next == "classic" {
				return true
			}
			if next != "cloud" && (prev == "ad" || prev == "aad" || prev == "entra" || prev == "directory" && prev2 == "active") {
				return true
			}
		}
		prev2, prev = prev, t.s
	}
	return false
}

// wordSet is a set of terms: each word as written and as stem() leaves
// it, since text terms are stemmed ("CredentialsExpired" is read as
// "credentialsexpir").
func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
		m[stem(w)] = true
	}
	return m
}

// evidence is what recognition found for one code.
type evidence struct {
	phrase, verbatim float64 // sums of matched feature weights
	coverage         float64 // best share of one message's weight the text covers
	code, ids, name  float64
	strong           bool // evidence enough to speak unasked
	// contextual evidence is strong only in a text about Cloud Sync: a
	// code that is also an English word ("TimeOut"), or an AADSTS code,
	// which every app that signs in to Entra can show.
	contextual bool
	// named: the text names something the code's wording mentions (the
	// sync account, the agent service); see groupEvidence.
	named bool
	// ownVerbatim is the part of verbatim that is Cloud Sync's own text,
	// not the sign-in error text every Entra app shares nor the lexicon's
	// everyday phrases (see feature.generic).
	ownVerbatim float64
	signals     []Signal
}

type hit struct {
	feat   int32
	weight float64
	source source // where the best-weighted occurrence is
}

// Recognize names the catalog codes that text is about, best first. It
// leaves Match.Signals empty: listing the evidence costs more than finding
// it, and only Explain's callers read it.
func (e *Engine) Recognize(text string) Result { return e.recognize(text, false) }

// Explain is Recognize with the evidence for each match in Match.Signals,
// strongest first (what `syncerr lookup --explain` prints).
func (e *Engine) Explain(text string) Result { return e.recognize(text, true) }

// scratch holds the working slices of one recognition. They are pooled:
// a paste needs a few kilobytes of them, and allocating those on every
// message would make the garbage collector the biggest cost of the path.
type scratch struct {
	toks      []token
	codeToks  []token
	ts        []term
	ids       []int32
	grouped   []groupedFeature
	groups    []int32
	groupBest []float64
	groupFeat []int32
	picks     []groupPick
	symptoms  []spanFeature
	shared    []bool
	seen      []string
	covered   []float64
	ev        []evidence
	scores    []float64
	order     []int
	// idMark[f] == idGen marks feature f as in ids already: a paste
	// repeats its words, and sorting every repetition cost more than
	// the lookups.
	idMark []uint32
	idGen  uint32
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// resize returns s with length n, zeroed, reusing its array when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func (e *Engine) recognize(text string, explain bool) Result {
	if !e.mayMatch(text) {
		return Result{Matches: []Match{}}
	}
	return e.analyze(text, explain)
}

// analyze is recognition without the quick path's shortcut.
func (e *Engine) analyze(text string, explain bool) Result {
	res := Result{Matches: []Match{}}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)

	norm := normalize(text)
	lower := foldLower(norm)
	res.Identifiers = extract(norm, lower)

	toks := sc.toks[:0]
	tokenize(norm, lower, func(t token) { toks = append(toks, t) })
	e.correctShortTypos(toks)
	ts := sc.ts[:0]
	terms(toks, func(t term) { ts = append(ts, t) })
	sc.toks, sc.ts = toks, ts

	if cap(sc.ev) < len(e.codes) {
		sc.ev = make([]evidence, len(e.codes))
	}
	sc.ev = sc.ev[:len(e.codes)]
	for i := range sc.ev {
		sc.ev[i] = evidence{signals: sc.ev[i].signals[:0]} // keep the signals' array
	}
	ev := sc.ev
	foreign := e.codeEvidence(norm, toks, ev, sc)
	featureIDs, context := e.phraseEvidence(norm, ts, ev, sc)
	other := otherProduct(toks)
	foreign = e.idEvidence(res.Identifiers, context && !other, ev) || foreign
	// Evidence other software shows too speaks unasked only in a text
	// about Cloud Sync itself, not one about its older sibling.
	cloud := cloudSyncText(ts) && !other
	for i := range ev {
		cloud = cloud || ev[i].ownVerbatim >= strongVerbatim
	}
	failing := e.failing(sc.codeToks)
	for i := range ev {
		if ev[i].named && failing && cloud {
			ev[i].strong = true
			ev[i].name = wNamed
			ev[i].signals = append(ev[i].signals, Signal{Kind: "name", Detail: "names what the code concerns in a text saying it fails", Weight: wNamed})
		}
		ev[i].strong = ev[i].strong || ev[i].contextual && cloud
		// In a text about another product, a few words of a scenario are
		// no proof, and a quoted sentence ("MFA Server: The service is
		// currently busy. This operation will be retried automatically.")
		// is one only with a job ID, a word of Cloud Sync's own, or when
		// it is most of the message (a paste, such as a translated one
		// naming "Azure AD Connect облачной синхронизации"): the code
		// itself always is. AADSTS and error codes are shared.
		if other && ev[i].code < wCodePrefix/2 && (ev[i].coverage < 0.3 ||
			ev[i].coverage < pasteCoverage && res.Identifiers.JobID == "" && !cloudSyncText(ts)) {
			ev[i].strong = false
		}
	}

	anyCode := false
	for i := range ev {
		anyCode = anyCode || ev[i].code >= wCodePrefix/2
	}
	sc.scores = resize(sc.scores, len(e.codes))
	scores := sc.scores
	for i := range ev {
		v := &ev[i]
		s := v.phrase + v.verbatim + v.code + v.ids + v.name
		s *= 1 + 0.5*v.coverage
		if !context && !v.strong {
			s *= 0.5
		}
		if foreign && !anyCode {
			s *= 0.4
		}
		scores[i] = s
	}
	sc.order = resize(sc.order, len(e.codes))
	order := sc.order
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	top := scores[order[0]]
	if top < minScore {
		return res
	}
	// Codes within the ambiguity ratio of the best are a genuine tie: the
	// text fits them all. Without strong evidence (a paraphrase, a vague
	// symptom) small differences in wording decide the order, so the ratio
	// is looser: better to list every fitting code than to feign certainty.
	ratio := ambiguity
	if !ev[order[0]].strong {
		ratio = looseAmbiguity
	}
	tied := 1
	for tied < len(order) && scores[order[tied]] >= ratio*top {
		tied++
	}
	res.Ambiguous = tied > 1
	second := 0.0
	if len(order) > 1 {
		second = scores[order[1]]
	}
	topConf := confidence(top) * (1 - 0.5*(second/top)*(second/top))
	for rank, c := range order {
		s := scores[c]
		if rank >= tied && (s < 0.35*top || s < minScore) {
			break
		}
		conf := topConf * (s / top) * (s / top)
		if rank == 0 {
			conf = topConf
		}
		m := Match{
			Code:       e.codes[c],
			Confidence: round3(conf),
			Reason:     reason(&ev[c], res.Ambiguous && rank < tied),
		}
		if explain {
			m.Signals = e.signals(int32(c), &ev[c], featureIDs)
		}
		res.Matches = append(res.Matches, m)
	}
	best := &ev[order[0]]
	res.AutoReply = best.strong && confidence(top) >= 0.8 && !(foreign && !anyCode) && (!res.Ambiguous || tied <= 4) &&
		(failing || best.code >= wCodePrefix/2 || best.ids > 0 || best.ownVerbatim >= strongVerbatim)
	return res
}

// failing reports whether the words (whole words, not the parts of a
// CamelCase one) say that something is failing: a phrase of the
// lexicon's failure group. Names are not errors: a text that only names
// the sync account, a cmdlet or the agent service ("where is the
// AADConnectProvisioningAgent installed?") asks about it. Unasked answers
// need this, a code, an AADSTS or numeric error code, or a quoted message.
func (e *Engine) failing(words []token) bool {
	for i, w := range words {
		for _, rest := range e.failure[w.h] {
			if i+len(rest) < len(words) && followedBy(words[i+1:], rest) {
				return true
			}
		}
	}
	return false
}

func followedBy(words []token, hashes []uint64) bool {
	for k, h := range hashes {
		if words[k].h != h {
			return false
		}
	}
	return true
}

// minScore is the least score worth naming a code for.
const minScore = 2.2

// confidence maps a score to [0,1).
func confidence(score float64) float64 {
	return 1 - math.Exp(-score/scale)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// codeEvidence looks for the codes themselves: exact in any case, split by
// spaces, underscores or hyphens, within edit distance, or truncated. It
// reports whether the text names an error code that is not in the catalog.
func (e *Engine) codeEvidence(text string, all []token, ev []evidence, sc *scratch) (foreign bool) {
	toks := sc.codeToks[:0]
	for _, t := range all {
		if !t.part {
			toks = append(toks, t)
		}
	}
	sc.codeToks = toks
	seen := sc.seen[:0]
	defer func() { sc.seen = seen[:0] }()
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.cjk || t.number || len(t.s) < 3 {
			continue
		}
		// The longest run of tokens joined by single separators that still
		// spells the start of a key: "Azure-Active-Directory-Expired-Credentials".
		// Hashes are extended word by word (FNV-1a streams), so no string
		// is built unless a key matches.
		h, n, end := t.h, len(t.s), i
		for j := i + 1; j < len(toks) && !t.typo && n < e.maxKeyLen && e.prefixHashes.has(h); j++ {
			next := hashMore(h, toks[j].s)
			if toks[j].cjk || !joinable(text[toks[j-1].end:toks[j].start]) || !e.prefixHashes.has(next) {
				break
			}
			h, n, end = next, n+len(toks[j].s), j
		}
		if end > i {
			if k, ok := e.key(h, toks[i:end+1]); ok {
				e.exactCode(text, t.start, toks[end].end, k.key, k.code, ev)
				i = end
				continue
			}
		}
		if len(t.s) < e.minKeyLen {
			continue
		}
		raw := text[t.start:t.end]
		if k, ok := e.key(t.h, toks[i:i+1]); ok {
			if t.typo {
				e.shortTypoEvidence(text, t.start, t.end, k, ev)
			} else {
				e.exactCode(text, t.start, t.end, k.key, k.code, ev)
			}
			continue
		}
		if len(t.s) < longWord || slices.Contains(seen, t.s) {
			continue
		}
		seen = append(seen, t.s)
		if e.truncated(t.s, ev) || e.typo(t.s, ev) {
			continue
		}
		if !e.catalogWords.has(t.h) && looksLikeCode(raw) && !e.sharedStem(raw, ev) {
			foreign = true
		}
	}
	return foreign
}

// key returns the code key whose hash is h, if the words spell it.
func (e *Engine) key(h uint64, words []token) (codeKey, bool) {
	i, ok := e.keyIndex.get(h)
	if !ok {
		return codeKey{}, false
	}
	k := e.keyList[i]
	rest := k.key
	for _, w := range words {
		if !strings.HasPrefix(rest, w.s) {
			return codeKey{}, false
		}
		rest = rest[len(w.s):]
	}
	return k, rest == ""
}

// joinable reports whether the bytes between two tokens are one separator
// people put inside a code ("Azure Active", "Azure_Active", "Azure-Active").
func joinable(gap string) bool {
	if len(gap) == 0 || len(gap) > 2 {
		return false
	}
	for i := 0; i < len(gap); i++ {
		if c := gap[i]; c != ' ' && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// distinctiveKey is the length from which a code (letters and digits) is
// no everyday word: "AzureDirectoryServiceServerBusy" names the error in
// any case and any company, "TimeOut" only when spelled as the catalog
// spells it, and only in a text about Cloud Sync ("bump the HTTP client
// TimeOut to 30s" is not one).
const distinctiveKey = 15

func (e *Engine) exactCode(text string, start, end int, key string, code int, ev []evidence) {
	raw := text[start:end]
	name := e.keyName(key)
	distinctive := len(key) >= distinctiveKey
	exact := sameLetters(raw, name)
	w, detail := float64(wCodeWeak), raw+" (not as the catalog writes it)"
	switch {
	case distinctive:
		w, detail = wCodeExact, raw
	case exact && nameInCode(text, start, end):
		// "HttpClient.TimeOut = 100" is a property, not the error.
		detail = raw + " (a name in code)"
		exact = false
	case exact:
		w, detail = wCodeExact, raw
	}
	if w > ev[code].code {
		ev[code].code = w
		ev[code].strong = ev[code].strong || distinctive
		ev[code].contextual = ev[code].contextual || exact && !distinctive
		ev[code].signals = append(ev[code].signals, Signal{Kind: "code", Detail: detail, Weight: w})
	}
}

func (e *Engine) keyName(key string) string {
	for _, k := range e.keyList {
		if k.key == key {
			return k.name
		}
	}
	return key
}

// nameInCode reports whether the word at text[start:end] is used as a
// name in program code or configuration rather than as an error: a member
// access ("HttpClient.TimeOut", "TimeOut.TotalSeconds"), an assignment
// ("TimeOut = 30", "TimeOut: 100"), or a setting given a value ("bump the
// TimeOut to 100s"). Errors are reported, never assigned.
func nameInCode(text string, start, end int) bool {
	if start >= 2 && text[start-1] == '.' && (isAlnum(text[start-2]) || strings.IndexByte(")]_", text[start-2]) >= 0) {
		return true
	}
	if end+1 < len(text) && text[end] == '.' && isAlnum(text[end+1]) {
		return true
	}
	rest := strings.TrimLeft(text[end:], " \t")
	switch {
	case strings.HasPrefix(rest, "=="):
		return false
	case strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ":="):
		return true
	case strings.HasPrefix(rest, ":"):
		rest = rest[1:]
	default:
		w := rest
		if i := strings.IndexAny(w, " \t"); i >= 0 {
			w = w[:i]
		}
		if !strings.EqualFold(w, "to") && !strings.EqualFold(w, "of") && !strings.EqualFold(w, "from") {
			return false
		}
		rest = rest[len(w):]
	}
	rest = strings.TrimLeft(rest, " \t")
	return rest != "" && isDigit(rest[0])
}

// sameLetters reports whether a and b have the same letters and digits in
// the same case, whatever separates them.
func sameLetters(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && !isAlnum(a[i]) {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) {
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

// truncated gives evidence to every code the word is a start of, when it is
// long enough to mean something; a start shared by several codes is split
// between them.
func (e *Engine) truncated(w string, ev []evidence) bool {
	if len(w) < longWord || !e.prefixHashes.has(hashString(w)) {
		return false
	}
	var matched []codeKey
	for _, k := range e.keyList {
		if strings.HasPrefix(k.key, w) && !slices.ContainsFunc(matched, func(m codeKey) bool { return m.code == k.code }) {
			matched = append(matched, k)
		}
	}
	for _, k := range matched {
		ratio := float64(len(w)) / float64(len(k.key))
		weight := wCodePrefix * ratio / float64(len(matched))
		if len(matched) > 1 {
			weight = wCodePrefix * ratio * 0.6
		}
		v := &ev[k.code]
		if weight > v.code {
			v.code = weight
			v.strong = v.strong || len(matched) == 1 && ratio >= 0.6
			v.signals = append(v.signals, Signal{Kind: "prefix", Detail: fmt.Sprintf("%s… (%d of %d letters, %d code(s))", w, len(w), len(k.key), len(matched)), Weight: round3(weight)})
		}
	}
	return true
}

// Typos are looked for in words of minTypoLen letters or more: shorter
// words are too close to ordinary ones.
const minTypoLen = 12

// typoLimit is the edit distance tolerated in a word of n letters: one
// edit under 16 letters, two from there on.
func typoLimit(n int) int {
	if n >= 16 {
		return 2
	}
	return 1
}

// typo gives evidence to the codes within edit distance of the word (see
// typoLimit). A longer word that differs by whole words ("…AgentTimeout")
// is a different code.
func (e *Engine) typo(w string, ev []evidence) bool {
	if len(w) < minTypoLen {
		return false
	}
	limit := typoLimit(len(w))
	best, found := limit+1, []codeKey(nil)
	for _, k := range e.keyList {
		if abs(len(k.key)-len(w)) > limit {
			continue
		}
		d := osa(w, k.key, limit)
		switch {
		case d < best:
			best, found = d, []codeKey{k}
		case d == best:
			found = append(found, k)
		}
	}
	if best > limit {
		return false
	}
	for _, k := range found {
		weight := wCodeTypo / float64(len(found)) * (1 - 0.1*float64(best))
		v := &ev[k.code]
		if weight > v.code {
			v.code = weight
			v.strong = v.strong || len(found) == 1
			v.signals = append(v.signals, Signal{Kind: "typo", Detail: fmt.Sprintf("%s (%d edit(s) from %s)", w, best, k.name), Weight: round3(weight)})
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// osaMaxLen is the longest word osa compares on its stack; longer ones
// take a heap row.
const osaMaxLen = 64

// osa is the optimal string alignment distance between a and b (Damerau–
// Levenshtein where a transposed pair is not edited again), ASCII letters
// compared without case, or limit+1 once it must exceed limit. It does not
// allocate for words up to osaMaxLen bytes: the quick path calls it.
func osa(a, b string, limit int) int {
	n, m := len(a), len(b)
	if abs(n-m) > limit {
		return limit + 1
	}
	var rows [3][osaMaxLen + 1]int
	prev2, prev, cur := rows[0][:], rows[1][:], rows[2][:]
	if m > osaMaxLen {
		prev2, prev, cur = make([]int, m+1), make([]int, m+1), make([]int, m+1)
	}
	for j := 0; j <= m; j++ {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		rowMin := cur[0]
		ai, ai1 := lowerByte(a[i-1]), byte(0)
		if i > 1 {
			ai1 = lowerByte(a[i-2])
		}
		for j := 1; j <= m; j++ {
			bj := lowerByte(b[j-1])
			cost := 1
			if ai == bj {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ai == lowerByte(b[j-2]) && ai1 == bj {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[m], limit+1)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// sharedStem gives evidence to every code whose name starts like the
// word, when that start is shared by several codes and the rest is not
// one of them: "AzureActiveDirectoryCredentialError" has the words of both
// credential codes in their order, "HybridIdentityServiceSomething" starts
// four codes. The text fits them all, weakly; the ambiguity rule lists
// them. A start only one code has, with more after it
// ("HybridIdentityServiceAgentTimeout"), is another code, not a stem.
func (e *Engine) sharedStem(raw string, ev []evidence) bool {
	words := stemWords(raw)
	// A generic last word says nothing of which code: "…ServiceError"
	// would otherwise fit only the one code whose name ends in "Error".
	for len(words) > 0 && genericTail[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	if len(words) < 2 {
		return false
	}
	var best []int
	letters := 0
	for k := 2; k <= len(words); k++ {
		var fit []int
		for c, cw := range e.codeWords {
			if len(cw) > 0 && cw[0] == words[0] && subsequence(words[1:k], cw[1:]) {
				fit = append(fit, c)
			}
		}
		if len(fit) == 0 {
			break
		}
		best, letters = fit, 0
		for _, w := range words[:k] {
			letters += len(w)
		}
	}
	if len(best) < 2 || letters < longWord {
		return false
	}
	for _, c := range best {
		ratio := float64(letters) / float64(len(keyOf(e.codes[c])))
		weight := wCodePrefix * ratio * 0.6
		if v := &ev[c]; weight > v.code {
			v.code = weight
			v.signals = append(v.signals, Signal{Kind: "prefix", Detail: fmt.Sprintf("%s (shares its start with %d codes)", raw, len(best)), Weight: round3(weight)})
		}
	}
	return true
}

var genericTail = map[string]bool{"error": true, "exception": true, "failure": true, "fault": true, "issue": true, "problem": true}

// stemWords splits a CamelCase name into lower-case words, a plural "s"
// dropped so that "Credential" meets "Credentials".
func stemWords(name string) []string {
	words := splitCamel(name)
	for i, w := range words {
		w = strings.ToLower(w)
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		words[i] = w
	}
	return words
}

// subsequence reports whether want appears in have in order, with gaps.
func subsequence(want, have []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && want[i] == h {
			i++
		}
	}
	return i == len(want)
}

// looksLikeCode reports whether a word is written like a Cloud Sync error
// code (three or more capitalised words run together, 18 letters or more)
// so that an unknown one can be told apart from chat.
func looksLikeCode(raw string) bool {
	if len(raw) < 18 || raw[0] < 'A' || raw[0] > 'Z' {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if !isAlnum(raw[i]) {
			return false
		}
	}
	words := 0
	for from := 0; from < len(raw); from = camelBreak(raw, from) {
		words++
	}
	return words >= 3
}

// idEvidence weighs AADSTS codes, numeric error codes and HTTP statuses
// against the catalog's messages. It reports whether the text carries an
// AADSTS code no catalog entry has (another tool's sign-in error).
// A numeric error code is strong evidence only in context: "Error code 81"
// on a coffee machine is not Entra being busy.
func (e *Engine) idEvidence(ids Identifiers, context bool, ev []evidence) (foreign bool) {
	for _, a := range ids.AADSTS {
		codes, ok := e.aadsts[a]
		if !ok {
			foreign = true
			continue
		}
		for _, c := range codes {
			ev[c].ids += wAADSTS / float64(len(codes))
			ev[c].contextual = ev[c].contextual || len(codes) == 1
			ev[c].signals = append(ev[c].signals, Signal{Kind: "aadsts", Detail: a, Weight: round3(wAADSTS / float64(len(codes)))})
		}
	}
	if codes, ok := e.errorCodes[ids.ErrorCode]; ok {
		for _, c := range codes {
			ev[c].ids += wErrorCode / float64(len(codes))
			ev[c].strong = ev[c].strong || len(codes) == 1 && context
			ev[c].signals = append(ev[c].signals, Signal{Kind: "error_code", Detail: "Error Code: " + ids.ErrorCode, Weight: round3(wErrorCode / float64(len(codes)))})
		}
	}
	if ids.HTTPStatus != "" {
		for _, c := range e.httpStatus[ids.HTTPStatus[:3]] {
			ev[c].ids += wHTTP
			ev[c].signals = append(ev[c].signals, Signal{Kind: "http_status", Detail: ids.HTTPStatus, Weight: wHTTP})
		}
	}
	return foreign
}

// pasteCoverage is the share of a message a quote must cover to be a
// paste of it rather than a sentence another product says too.
const pasteCoverage = 0.5

// Verbatim evidence from this many points on is a pasted message, strong
// enough to speak unasked.
const strongVerbatim = 4

// phraseEvidence sums, for each code, the weights of the catalog features
// the text contains, and how much of each message the text covers. It
// reports whether the text is about Cloud Sync at all (a context word, or
// verbatim catalog text).
//
// Features read inside one written word count once per code, the
// strongest: "ADToAADSyncServiceAccount" is read whole and as "AD to AAD
// sync service account", and "Repair-AADCloudSyncToolsAccount" as a run of
// words, so one name would otherwise score as a word, three word pairs and
// a verbatim run, and pass for a sentence of evidence. See wordGroups.
func (e *Engine) phraseEvidence(text string, ts []term, ev []evidence, sc *scratch) (ids []int32, context bool) {
	groups := wordGroups(text, ts, sc)
	ids, grouped, symptoms := sc.ids[:0], sc.grouped[:0], sc.symptoms[:0]
	// shared marks the terms inside verbatim text several codes share
	// ("unable to find an active agent for the domain"): a symptom phrase
	// of ours among them must not break that tie (see below).
	shared := resize(sc.shared, len(ts))
	if len(sc.idMark) != len(e.feats) || sc.idGen == math.MaxUint32 {
		sc.idMark, sc.idGen = resize(sc.idMark, len(e.feats)), 0
	}
	sc.idGen++
	mark, gen := sc.idMark, sc.idGen
	featurize(ts, func(h uint64, kind featureKind, from, to int) {
		id, ok := e.features.get(h)
		if ok && kind == shingle && e.feats[id].codes > 1 {
			for k := from; k <= to; k++ {
				shared[k] = true
			}
		}
		switch {
		case !ok:
		case e.feats[id].symptom:
			symptoms = append(symptoms, spanFeature{feat: id, from: int32(from), to: int32(to)})
		case groups[from] != 0 && groups[from] == groups[to]:
			grouped = append(grouped, groupedFeature{group: groups[from], feat: id})
		case mark[id] != gen:
			mark[id] = gen
			ids = append(ids, id)
		}
	})
	for _, f := range symptoms {
		inside := true
		for k := f.from; k <= f.to && inside; k++ {
			inside = shared[k]
		}
		switch {
		case inside:
		case groups[f.from] != 0 && groups[f.from] == groups[f.to]:
			grouped = append(grouped, groupedFeature{group: groups[f.from], feat: f.feat})
		case mark[f.feat] != gen:
			mark[f.feat] = gen
			ids = append(ids, f.feat)
		}
	}
	sc.symptoms, sc.shared = symptoms[:0], shared
	for _, t := range ts {
		if contextTerms[t.s] {
			context = true
			break
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	sc.covered = resize(sc.covered, len(e.docs))
	covered := sc.covered
	for _, id := range ids {
		f := &e.feats[id]
		for k := 0; k < len(f.postings); {
			code := f.postings[k].code
			best := 0.0
			for ; k < len(f.postings) && f.postings[k].code == code; k++ {
				p := f.postings[k]
				covered[p.doc] += float64(p.weight)
				best = max(best, float64(p.weight))
			}
			ev[code].add(f, best)
		}
	}
	ids = e.groupEvidence(grouped, ids, ev, sc)
	sc.ids, sc.grouped = ids, grouped
	for d, got := range covered {
		doc := e.docs[d]
		if got == 0 || doc.total == 0 || doc.source != srcMessage && doc.source != srcLocalized {
			continue
		}
		v := &ev[doc.code]
		v.coverage = max(v.coverage, got/doc.total)
	}
	for i := range ev {
		if ev[i].ownVerbatim >= strongVerbatim {
			ev[i].strong = true
			context = true
		}
	}
	return ids, context
}

// add counts a matched feature of weight w for the code.
func (v *evidence) add(f *feature, w float64) {
	if f.kind == shingle {
		v.verbatim += w
		if !f.generic {
			v.ownVerbatim += w
		}
		return
	}
	v.phrase += w
}

// spanFeature is a matched feature and the terms it spans.
type spanFeature struct {
	feat     int32
	from, to int32
}

type groupedFeature struct {
	group int32
	feat  int32
}

// groupEvidence counts the features read inside one written word (see
// phraseEvidence): for each word and code, only the strongest, unless the
// text also has it outside the word (then it is in ids and counted
// already). It returns ids with the counted features added, for Explain.
//
// A written word that is itself a long word of a code's text (a name it
// mentions: ADToAADSyncServiceAccount, Repair-AADCloudSyncToolsAccount's
// AADCloudSyncToolsAccount, UnexpectedError) marks that code's evidence
// named: with a failure word in a text about Cloud Sync, that is strong
// evidence ("ADToAADSyncServiceAccount was deleted, cloud sync is
// failing"); alone, it is a question about the name.
func (e *Engine) groupEvidence(grouped []groupedFeature, ids []int32, ev []evidence, sc *scratch) []int32 {
	if len(grouped) == 0 {
		return ids
	}
	slices.SortFunc(grouped, func(a, b groupedFeature) int {
		if a.group != b.group {
			return int(a.group - b.group)
		}
		return int(a.feat - b.feat)
	})
	counted := len(ids)
	sc.groupBest = resize(sc.groupBest, len(e.codes))
	sc.groupFeat = resize(sc.groupFeat, len(e.codes))
	best, bestFeat := sc.groupBest, sc.groupFeat
	picks := sc.picks[:0]
	for i := 0; i < len(grouped); {
		g := grouped[i].group
		clear(best)
		for ; i < len(grouped) && grouped[i].group == g; i++ {
			id := grouped[i].feat
			if f := &e.feats[id]; f.kind == unigram && len(f.label) >= longWord && !f.generic {
				for _, p := range f.postings {
					ev[p.code].named = true
				}
			}
			if _, dup := slices.BinarySearch(ids[:counted], id); dup {
				continue
			}
			for _, p := range e.feats[id].postings {
				if w := float64(p.weight); w > best[p.code] {
					best[p.code], bestFeat[p.code] = w, id
				}
			}
		}
		for c, w := range best {
			if w > 0 {
				picks = append(picks, groupPick{code: int32(c), feat: bestFeat[c], weight: w})
			}
		}
	}
	// A word written again (every line of a log names the same agent
	// class) is the same evidence: each feature counts once per code.
	slices.SortFunc(picks, func(a, b groupPick) int {
		if a.code != b.code {
			return int(a.code - b.code)
		}
		return int(a.feat - b.feat)
	})
	picks = slices.CompactFunc(picks, func(a, b groupPick) bool { return a.code == b.code && a.feat == b.feat })
	for _, p := range picks {
		ev[p.code].add(&e.feats[p.feat], p.weight)
		ids = append(ids, p.feat)
	}
	sc.picks = picks[:0]
	slices.Sort(ids)
	return slices.Compact(ids)
}

// groupPick is the strongest feature one written word gives a code.
type groupPick struct {
	code, feat int32
	weight     float64
}

// wordGroups numbers the written words that tokenizing split into several
// terms: a CamelCase word (read whole, then word by word) or words joined
// without a space by '-', '.', '_' or '/' ("Repair-AADCloudSyncToolsAccount",
// "servicebus.windows.net"). groups[i] is the number of term i's word, 0
// for a term that is a word of its own.
func wordGroups(text string, ts []term, sc *scratch) []int32 {
	groups := resize(sc.groups, len(ts))
	sc.groups = groups
	n := int32(0)
	for i := 1; i < len(ts); i++ {
		prev, t := ts[i-1], ts[i]
		if prev.cjk || t.cjk || !joined(text, prev.end, t.start) {
			continue
		}
		if groups[i-1] == 0 {
			n++
			groups[i-1] = n
		}
		groups[i] = groups[i-1]
	}
	return groups
}

// joined reports whether a term ending at end and the next starting at
// start are parts of one written word.
func joined(text string, end, start int) bool {
	if start < end {
		return true // a CamelCase word's part, inside the whole
	}
	for i := end; i < start; i++ {
		if c := text[i]; c != '-' && c != '.' && c != '_' && c != '/' {
			return false
		}
	}
	return true
}

// signals lists the evidence for one code, strongest first: the code and
// identifier signals, then the phrase features that weighed most. The
// phrase hits are found again here, for the few codes shown, rather than
// recorded for every code while scoring.
func (e *Engine) signals(code int32, v *evidence, featureIDs []int32) []Signal {
	out := slices.Clone(v.signals)
	var hits []hit
	for _, id := range featureIDs {
		best := hit{feat: id}
		for _, p := range e.feats[id].postings {
			if p.code == code && float64(p.weight) > best.weight {
				best.weight, best.source = float64(p.weight), e.docs[p.doc].source
			}
		}
		if best.weight > 0 {
			hits = append(hits, best)
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		}
		return int(a.feat - b.feat)
	})
	for i, h := range hits {
		if i == 6 {
			break
		}
		f := &e.feats[h.feat]
		kind := "phrase"
		if f.kind == shingle {
			kind = "verbatim"
		}
		out = append(out, Signal{Kind: kind, Detail: fmt.Sprintf("%q (%s; in %d code(s))", f.label, sourceName[h.source], f.codes), Weight: round3(h.weight)})
	}
	return out
}

// reason says in a few words why a code was named.
func reason(v *evidence, ambiguous bool) string {
	var parts []string
	for _, s := range v.signals {
		switch s.Kind {
		case "code":
			parts = append(parts, "names the code")
		case "typo":
			parts = append(parts, "names the code with a typo")
		case "prefix":
			parts = append(parts, "names the start of the code")
		case "aadsts":
			parts = append(parts, "carries "+s.Detail)
		case "error_code":
			parts = append(parts, "carries "+s.Detail)
		case "http_status":
			parts = append(parts, "carries HTTP "+s.Detail)
		case "name":
			parts = append(parts, "names what it concerns and says it fails")
		}
	}
	switch {
	// Verbatim runs of a few words (the code's own words, a scenario
	// line) are no quote of the message; a fifth of it is.
	case v.verbatim >= strongVerbatim && v.coverage >= 0.2:
		parts = append(parts, fmt.Sprintf("quotes its message (%.0f%% covered)", 100*min(v.coverage, 1)))
	case v.phrase > 0 || v.verbatim > 0:
		parts = append(parts, "matches its wording")
	}
	parts = slices.Compact(parts)
	r := strings.Join(parts, ", ")
	if ambiguous {
		r += "; the text fits other codes as well"
	}
	return r
}
