package card

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ellipsis ends every truncated text, so a reader knows something is missing.
const ellipsis = "…"

// length measures text the way the limits are enforced here: in UTF-16
// code units. Slack's docs say "characters" without defining them and
// slack-go counts runes; UTF-16 units are never fewer than runes, so a
// text that fits by this count fits by either.
func length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// escaped returns the mrkdwn form of one rune of untrusted text. Slack
// parses only three entities (protocol notes §6); escaping anything else
// would show literally.
func escaped(r rune) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return string(r)
}

// clip makes untrusted text inert in mrkdwn: no mention, channel, link or
// date can be formed without '<', and bidirectional controls that could
// reorder what a reader sees are dropped. It escapes s and truncates the result to at most max UTF-16
// units (max < 0: no limit), ending with an ellipsis when anything was cut.
// It cuts between runes of the source, so it never splits an entity such as
// "&amp;" or a multi-unit character.
func clip(s string, max int) string { return fit(s, max, true) }

// plain fits untrusted text into a plain_text object (a header or a
// button) on one line. plain_text is never parsed for mentions or links,
// so it is not escaped: an entity there would show literally.
func plain(s string, max int) string { return fit(oneLine(s), max, false) }

// fit drops unwanted runes from s, escapes it when esc is set and
// truncates it to max units, as clip describes.
func fit(s string, max int, esc bool) string {
	if max >= 0 {
		s = head(s, max)
	}
	if max >= 0 && max < length(ellipsis) {
		return ""
	}
	var b strings.Builder
	n := 0
	budget := max - length(ellipsis)
	cut := 0 // length of b when the text last fitted within budget
	for _, r := range s {
		if dropped(r) {
			continue
		}
		e := string(r)
		if esc {
			e = escaped(r)
		}
		if max >= 0 && n+length(e) > max {
			// Too long: go back to the last point where the ellipsis fits.
			return b.String()[:cut] + ellipsis
		}
		b.WriteString(e)
		n += length(e)
		if n <= budget {
			cut = b.Len()
		}
	}
	return b.String()
}

// dropped reports the runes removed from untrusted text: bidirectional
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
// can make a card read backwards, and control characters other than
// newline and tab. Plain right-to-left text is kept as it is.
func dropped(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == '\n' || r == '\t':
		return false
	case r == utf8.RuneError:
		return true
	}
	return unicode.IsControl(r)
}

// oneLine folds runs of whitespace, newlines included, into single spaces:
// titles, identifiers and list lines must stay on one line.
func oneLine(s string) string {
	s = strings.TrimSpace(head(s, maxInput))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxInput bounds how much of a text oneLine looks at. Nothing put on one
// line is shown longer than 500 units (maxStep, maxFallback), which head
// maps to 4,064 bytes; a 100 KB overlay note or paste should not cost a
// hundred kilobytes of work per card.
const maxInput = 8*500 + 64

// head returns s cut, at a rune boundary, to what could still matter for
// max units of output (a rune is at most 4 bytes, and runs of space may
// fold), ending with an ellipsis when anything was cut.
func head(s string, max int) string {
	limit := 8*max + 64
	if len(s) <= limit {
		return s
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit] + ellipsis
}

// code formats untrusted text as inline code, which copies cleanly into a
// support ticket. A backtick would end the span early, so backticks are
// replaced by a look-alike; the text is escaped all the same, because Slack
// decodes entities inside code (protocol notes §6).
func code(s string, max int) string {
	s = strings.ReplaceAll(oneLine(s), "`", "ˋ")
	return "`" + clip(s, max-2) + "`"
}

// link renders <url|label> when raw is an absolute http(s) URL, and the
// escaped label alone otherwise: a URL from an overlay file must not be able
// to close the link early or smuggle in a mention.
func link(raw, label string, maxLabel int) string {
	label = clip(oneLine(label), maxLabel)
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return label
	}
	s := linkSafe(u.String())
	if len(s) > maxURL {
		return label
	}
	return "<" + s + "|" + label + ">"
}

// linkSafe percent-encodes what may not appear raw in the URL part of a
// Slack link: spaces, control and non-ASCII bytes (url.URL.String keeps
// some of them in a query), '|' and '<' '>' which would end the URL or
// the link, and '"'. '&' becomes the entity Slack decodes even in a URL.
func linkSafe(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c <= ' ' || c >= 0x7f || c == '|' || c == '<' || c == '>' || c == '"':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
