package recognize

import "strings"

// A term is a token after the rewrites below: brand renames folded, a few
// spelling variants merged, English suffixes stripped. Catalog text and
// incoming text go through the same steps, so they meet in the middle.
type term struct {
	s      string
	h      uint64 // hash of s
	stop   bool   // a function word: joins phrases but is no evidence alone
	number bool
	cjk    bool
	start  int // byte offset of the first token, for adjacency of CJK characters
	end    int
}

// rewrites fold multi-word variants into one term, longest first. Brand
// renames: Microsoft renamed Azure Active Directory (Azure AD, AAD) to
// Microsoft Entra ID, and "Azure AD Connect cloud sync" to "Microsoft Entra
// Cloud Sync"; texts use both. "on-premises", "on-prem" and "onprem" are one
// thing, as are "timed out", "time out" and "timeout", and "Service Bus"
// and "ServiceBus".
var rewrites = map[string][]struct {
	rest []string
	to   string
}{
	"azure": {
		{[]string{"active", "directory", "connect"}, "entra"},
		{[]string{"active", "directory"}, "entra"},
		{[]string{"ad", "connect"}, "entra"},
		{[]string{"ad"}, "entra"},
	},
	"entra":   {{[]string{"id"}, "entra"}, {[]string{"connect"}, "entra"}},
	"active":  {{[]string{"directory"}, "ad"}},
	"on":      {{[]string{"premises"}, "onprem"}, {[]string{"premise"}, "onprem"}, {[]string{"prem"}, "onprem"}},
	"timed":   {{[]string{"out"}, "timeout"}},
	"time":    {{[]string{"out"}, "timeout"}, {[]string{"outs"}, "timeout"}},
	"service": {{[]string{"bus"}, "servicebus"}},
	"sign":    {{[]string{"in"}, "signin"}},
	"log":     {{[]string{"in"}, "signin"}},
}

// synonyms map single words (after suffix stripping) to the term they mean
// here.
var synonyms = map[string]string{
	"aad":        "entra",
	"azuread":    "entra",
	"onpremis":   "onprem",
	"onpremise":  "onprem",
	"prem":       "onprem",
	"timeout":    "timeout",
	"synchroniz": "sync",
	"synchron":   "sync",
	"synced":     "sync",
	"sync":       "sync",
	"syncing":    "sync",
	"signal":     "signal",
	"unauthoriz": "unauthoriz",
	"credenti":   "credential",
	"password":   "password",
	"pwd":        "password",
	"creds":      "credential",
	"cred":       "credential",
	"respons":    "respond",
	"unrespons":  "respond",
	"deleted":    "delet",
	"removed":    "remov",
	"uninstall":  "remov",
	"instal":     "install",
	"reinstal":   "reinstall",
	"register":   "regist",
	"registr":    "regist",
	"reregist":   "regist",
}

// stopwords are function words, English and those of the languages
// people paraphrase in (symptoms.yaml), and "microsoft", which every
// product name carries. They still count inside verbatim phrases.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the to of in on at for by with from and or nor but is are was were be been
		being am this that these those it its as if so we you your our us i me my they them their he she his her
		there here please can could would should will shall may might must do does did has have had any some all
		what which who whom when where how why up out just also then than into about not no yes very too only
		microsoft let lets get got via per s t
		de la el los las del da das dos en y que un una um uma se na ha con com por para le les du et est une
		der die dem den ist ein eine und zu von im mit il lo di della non nie się jest не в на и с`) {
		m[w] = true
	}
	return m
}()

// stem strips common English suffixes so that "expired", "expires" and
// "expire", or "agents" and "agent", meet. It returns a substring of w and
// never allocates; it is deliberately cruder than Porter, and the same
// crudeness applies to catalog and text alike.
func stem(w string) string {
	if len(w) <= 4 || w[len(w)-1] < 'a' || w[len(w)-1] > 'z' {
		return w
	}
	for _, suf := range stemSuffixes[w[len(w)-1]] {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 4 {
			if suf == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
				continue
			}
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// stemSuffixes are stem's suffixes, longest first, by their last letter:
// a word is only tried against those it can end with (terms calls stem
// for every word of a paste).
var stemSuffixes = func() (by [256][]string) {
	for _, suf := range [...]string{"ations", "ation", "ings", "ing", "ions", "ion", "ives", "ive", "edly", "ed", "es", "ly", "e", "s"} {
		last := suf[len(suf)-1]
		by[last] = append(by[last], suf)
	}
	return by
}()

// wordInfo is what the word tables say about one word, found with a
// single lookup of its hash instead of one per table.
type wordInfo struct {
	rewrite bool   // the word may start a rewrite
	syn     string // its synonym, if any
	synHash uint64
	stop    bool
}

var (
	wordInfos []wordInfo
	wordIndex = func() hashIndex {
		m := map[uint64]int32{}
		info := func(w string) *wordInfo {
			h := hashString(w)
			if _, ok := m[h]; !ok {
				m[h] = int32(len(wordInfos))
				wordInfos = append(wordInfos, wordInfo{})
			}
			return &wordInfos[m[h]]
		}
		for w := range rewrites {
			info(w).rewrite = true
		}
		for w, to := range synonyms {
			i := info(w)
			i.syn, i.synHash = to, hashString(to)
		}
		for w := range stopwords {
			info(w).stop = true
		}
		return newHashIndex(m, func(i int32) int32 { return i })
	}()
)

func lookupWord(h uint64) *wordInfo {
	if i, ok := wordIndex.get(h); ok {
		return &wordInfos[i]
	}
	return nil
}

// terms turns tokens into terms and calls emit for each.
func terms(toks []token, emit func(term)) {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.cjk {
			emit(term{s: t.s, h: t.h, cjk: true, start: t.start, end: t.end})
			continue
		}
		s, h, skip := t.s, t.h, 0
		info := lookupWord(h)
		if info != nil && info.rewrite {
			for _, r := range rewrites[s] {
				if matchesRest(toks[i+1:], r.rest) {
					s, skip = r.to, len(r.rest)
					h = hashString(s)
					info = lookupWord(h)
					break
				}
			}
		}
		end := toks[i+skip].end
		i += skip
		if skip == 0 && !t.number {
			if st := stem(s); len(st) != len(s) {
				s, h = st, hashString(st)
				info = lookupWord(h)
			}
			if info != nil && info.syn != "" {
				s, h = info.syn, info.synHash
				info = lookupWord(h)
			}
		}
		emit(term{s: s, h: h, stop: info != nil && info.stop, number: t.number, start: t.start, end: end})
	}
}

func matchesRest(toks []token, rest []string) bool {
	if len(toks) < len(rest) {
		return false
	}
	for k, w := range rest {
		if toks[k].cjk || toks[k].s != w {
			return false
		}
	}
	return true
}

// FNV-1a, 64 bit: no allocation, unlike hash/fnv.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashString is FNV-1a over a string.
func hashString(s string) uint64 { return hashMore(fnvOffset, s) }

// hashMore continues an FNV-1a hash: hashMore(hashString(a), b) ==
// hashString(a+b).
func hashMore(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mix combines hashes into the hash of a feature of the given kind.
func mix(kind uint64, hs ...uint64) uint64 {
	h := kind*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for _, x := range hs {
		h ^= x + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h
}
