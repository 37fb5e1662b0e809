package recognize

import (
	"strings"
)

// The extractor finds identifiers by scanning for their labels with
// strings.Index and parsing what follows by hand: a regexp alternation
// costs tens of microseconds per pattern on a 2 KB paste, this costs a few.

// idLabels maps the labels that precede a GUID in Microsoft's messages,
// lower case, in English and in the localized pages, to the field they fill.
var idLabels = []struct {
	label string
	field func(*Identifiers) *string
}{
	{"trace id", func(i *Identifiers) *string { return &i.TraceID }},
	{"correlation id", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"tracking id", func(i *Identifiers) *string { return &i.TrackingID }},
	{"トレース id", func(i *Identifiers) *string { return &i.TraceID }},
	{"関連付け id", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"追跡 id", func(i *Identifiers) *string { return &i.TrackingID }},
	{"跟踪 id", func(i *Identifiers) *string { return &i.TrackingID }},
	{"相关 id", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"追蹤識別碼", func(i *Identifiers) *string { return &i.TrackingID }},
	{"相互關聯識別碼", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"nachverfolgungs-id", func(i *Identifiers) *string { return &i.TrackingID }},
	{"ablaufverfolgungs-id", func(i *Identifiers) *string { return &i.TraceID }},
	{"korrelations-id", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"id de suivi", func(i *Identifiers) *string { return &i.TrackingID }},
	{"id de corrélation", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"id. de seguimiento", func(i *Identifiers) *string { return &i.TrackingID }},
	{"id de rastreamento", func(i *Identifiers) *string { return &i.TrackingID }},
	{"id de correlação", func(i *Identifiers) *string { return &i.CorrelationID }},
	{"추적 id", func(i *Identifiers) *string { return &i.TrackingID }},
	{"상관 관계 id", func(i *Identifiers) *string { return &i.CorrelationID }},
}

// errorCodeLabels precede the numeric error code ("Error Code: 81"), in
// English and as the localized pages print it ("错误代码：81").
var errorCodeLabels = []string{
	"error code", "错误代码", "錯誤碼", "エラー コード", "오류 코드", "код ошибки", "fehlercode",
	"code d'erreur", "código de error", "codice di errore", "código de erro", "kod błędu",
}

// extract pulls the identifiers a support ticket needs out of normalized
// text. lower is strings.ToLower(text); it is passed in because the caller
// already has it.
func extract(text, lower string) Identifiers {
	var ids Identifiers
	ids.JobID = jobID(text, lower)
	labelledGUIDs(text, lower, &ids)
	if i := indexRare(lower, "timestamp", 8); i >= 0 { // 'p'
		ids.Timestamp = timestampAfter(text, i+len("timestamp"))
	}
	ids.AADSTS = aadsts(text, lower)
	ids.ErrorCode = errorCode(lower)
	ids.Tenant = tenant(lower)
	ids.HTTPStatus = httpStatus(text)
	return ids
}

// indexRare is strings.Index(s, sub) for a label whose first byte is
// common in text ('a', ' '): it scans for sub[k], a rarer byte, and checks
// the label around it. strings.Index stops at every first byte, which
// made the label scans a tenth of a paste's cost.
func indexRare(s, sub string, k int) int {
	for from := k; from < len(s); {
		j := strings.IndexByte(s[from:], sub[k])
		if j < 0 {
			return -1
		}
		if at := from + j - k; at+len(sub) <= len(s) && s[at:at+len(sub)] == sub {
			return at
		}
		from += j + 1
	}
	return -1
}

// labelledGUIDs fills the trace, correlation and tracking ids. It looks
// for GUIDs first, in one pass over the text, and then at the label just
// before each: one scan instead of one per label and language. The first
// GUID under each label wins.
func labelledGUIDs(text, lower string, ids *Identifiers) {
	for from := 0; from < len(text); {
		i := strings.IndexByte(text[from:], '-')
		if i < 0 {
			return
		}
		start := from + i - 8 // a GUID's first dash is its ninth byte
		from += i + 1
		if start < 0 || start > 0 && isHex(text[start-1]) {
			continue
		}
		g := guidAt(text, start)
		if g == "" {
			continue
		}
		from = start + 36
		// Up to eight spaces, tabs and colons sit between label and GUID.
		j := start
		for n := 0; j > 0 && n < 8 && (lower[j-1] == ' ' || lower[j-1] == ':' || lower[j-1] == '\t'); n++ {
			j--
		}
		for _, l := range idLabels {
			if strings.HasSuffix(lower[:j], l.label) {
				if f := l.field(ids); *f == "" {
					*f = g
				}
				break
			}
		}
	}
}

// jobID finds AD2AADProvisioning.<32 hex>.<guid>, also when a localized
// page split it with spaces ("AD2AADProvisioning. 30b5…. 5c29…"), and the
// two-part job id PowerShell and Graph print ("AD2AADProvisioning.<32 hex>").
func jobID(text, lower string) string {
	const prefix = "ad2aadprovisioning"
	for from := 0; ; {
		i := indexRare(lower[from:], prefix, 2) // '2'
		if i < 0 {
			return ""
		}
		at := from + i + len(prefix)
		from = at
		p := skipSeparators(text, at)
		if p == at || text[at] != '.' {
			continue
		}
		hexEnd := p
		for hexEnd < len(text) && isHex(text[hexEnd]) {
			hexEnd++
		}
		if hexEnd-p != 32 {
			continue
		}
		id := "AD2AADProvisioning." + text[p:hexEnd]
		q := skipSeparators(text, hexEnd)
		if q > hexEnd && text[hexEnd] == '.' {
			if g := guidAt(text, q); g != "" {
				id += "." + g
			}
		}
		return id
	}
}

// skipSeparators skips one '.' and the spaces around it.
func skipSeparators(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// guidAt parses the 8-4-4-4-12 GUID starting at i, or returns "".
func guidAt(s string, i int) string {
	if len(s)-i < 36 {
		return ""
	}
	for k := 0; k < 36; k++ {
		c := s[i+k]
		switch k {
		case 8, 13, 18, 23:
			if c != '-' {
				return ""
			}
		default:
			if !isHex(c) {
				return ""
			}
		}
	}
	if i+36 < len(s) && isHex(s[i+36]) {
		return ""
	}
	return strings.ToLower(s[i : i+36])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// timestampAfter parses "YYYY-MM-DD HH:MM:SSZ" (Microsoft's format) after a
// "Timestamp:" label.
func timestampAfter(s string, i int) string {
	for n := 0; i < len(s) && n < 4 && (s[i] == ' ' || s[i] == ':'); n++ {
		i++
	}
	const layout = "0000-00-00 00:00:00"
	if len(s)-i < len(layout) {
		return ""
	}
	for k := 0; k < len(layout); k++ {
		c := s[i+k]
		if layout[k] == '0' && !isDigit(c) || layout[k] != '0' && c != layout[k] && !(k == 10 && c == 'T') {
			return ""
		}
	}
	end := i + len(layout)
	if end < len(s) && s[end] == 'Z' {
		end++
	}
	return s[i:end]
}

// aadsts lists the distinct AADSTS codes in order of appearance.
func aadsts(text, lower string) []string {
	var out []string
	for from := 0; ; {
		i := indexRare(lower[from:], "aadsts", 2) // 'd'
		if i < 0 {
			return out
		}
		start := from + i
		j := start + len("aadsts")
		for j < len(lower) && isDigit(lower[j]) {
			j++
		}
		from = j
		if n := j - start - len("aadsts"); n < 4 || n > 8 || start > 0 && isWordByte(lower[start-1]) {
			continue
		}
		code := "AADSTS" + text[start+len("aadsts"):j]
		if !containsString(out, code) {
			out = append(out, code)
		}
	}
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '_'
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// codeLabels are the error code labels that contain "cod", with where:
// errorCode finds them all in one scan for "cod". The others (in scripts
// without it) are searched one by one, and only in non-ASCII text.
var codeLabels, otherCodeLabels = func() (anchored []anchoredLabel, others []string) {
	for _, l := range errorCodeLabels {
		if at := strings.Index(l, "cod"); at >= 0 {
			anchored = append(anchored, anchoredLabel{l, at})
		} else {
			others = append(others, l)
		}
	}
	return anchored, others
}()

type anchoredLabel struct {
	label string
	at    int // offset of "cod" in label
}

// errorCode finds "Error Code: 81" and its localized forms; the number must
// follow the label within a colon and a few spaces.
func errorCode(lower string) string {
	for from := 0; ; {
		i := strings.Index(lower[from:], "cod")
		if i < 0 {
			break
		}
		at := from + i
		from = at + 3
		for _, l := range codeLabels {
			if start := at - l.at; start >= 0 && strings.HasPrefix(lower[start:], l.label) {
				if n := numberAfter(lower, start+len(l.label)); n != "" {
					return n
				}
			}
		}
	}
	if isASCII(lower) {
		return ""
	}
	for _, label := range otherCodeLabels {
		for from := 0; ; {
			i := strings.Index(lower[from:], label)
			if i < 0 {
				break
			}
			from += i + len(label)
			if n := numberAfter(lower, from); n != "" {
				return n
			}
		}
	}
	return ""
}

// numberAfter returns the number of up to six digits that follows a label
// at j, past a colon and a few spaces.
func numberAfter(lower string, j int) string {
	for n := 0; j < len(lower) && n < 4 && (lower[j] == ' ' || lower[j] == ':'); n++ {
		j++
	}
	k := j
	for k < len(lower) && isDigit(lower[k]) {
		k++
	}
	if k > j && k-j <= 6 {
		return lower[j:k]
	}
	return ""
}

// tenant finds the tenant's *.onmicrosoft.com domain, or else the domain in
// "doesn't exist in the <domain> directory".
func tenant(lower string) string {
	const suffix = ".onmicrosoft.com"
	if i := indexRare(lower, suffix, 10); i > 0 { // 'f'
		j := i
		for j > 0 && isDomainByte(lower[j-1]) {
			j--
		}
		if j < i {
			return strings.TrimLeft(lower[j:i+len(suffix)], ".-")
		}
	}
	if i := indexRare(lower, " directory", 9); i > 0 { // 'y'
		j := i
		for j > 0 && isDomainByte(lower[j-1]) {
			j--
		}
		if d := lower[j:i]; strings.Contains(d, ".") && strings.HasPrefix(lower[:j], "in the ") || strings.HasSuffix(lower[:j], " the ") && strings.Contains(d, ".") {
			return strings.Trim(d, ".-")
		}
	}
	return ""
}

func isDomainByte(c byte) bool {
	return 'a' <= c && c <= 'z' || isDigit(c) || c == '-' || c == '.'
}

// httpStatus finds an HTTP status line such as "401 (Unauthorized)".
func httpStatus(text string) string {
	for from := 0; ; {
		i := indexRare(text[from:], " (", 1)
		if i < 0 {
			return ""
		}
		at := from + i
		from = at + 2
		if at < 3 || !(text[at-3] == '4' || text[at-3] == '5') || !isDigit(text[at-2]) || !isDigit(text[at-1]) {
			continue
		}
		if at >= 4 && isWordByte(text[at-4]) {
			continue
		}
		end := strings.IndexByte(text[at+2:], ')')
		if end <= 0 || end > 40 {
			continue
		}
		reason := text[at+2 : at+2+end]
		if !isPhrase(reason) {
			continue
		}
		return text[at-3 : at+2+end+1]
	}
}

// isPhrase reports whether s looks like an HTTP reason phrase: letters and
// spaces only, starting with a letter.
func isPhrase(s string) bool {
	if s == "" || s[0] == ' ' {
		return false
	}
	for _, r := range s {
		if !(r == ' ' || r == '-' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 0x7f) {
			return false
		}
	}
	return true
}
