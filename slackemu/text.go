package slackemu

import (
	"encoding/json"
	"regexp"
	"strings"
)

// userTextToken finds what the Slack client turns into markup when a user
// types a message: code fences, markup already in Slack's form (<@U…>,
// <#C…|name>, <!here>, <https://…|label>), bare URLs, and @name / #name
// references to known users and channels.
var userTextToken = regexp.MustCompile("(?s)```(.*?)```" +
	`|<([@#!][^<>\s]+|https?://[^<>\s]+(?:\|[^<>]*)?)>` +
	`|(https?://[^\s<>]+)` +
	`|([@#])([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)`)

// escapeText applies Slack's only three entity escapes (§6).
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// richBuilder accumulates the rich_text block of a message.
type richBuilder struct {
	blocks  []map[string]any // rich_text_section / rich_text_preformatted
	section []map[string]any
}

func (b *richBuilder) add(el map[string]any) {
	// Merge adjacent text runs, as Slack's client does.
	if el["type"] == "text" && len(b.section) > 0 && b.section[len(b.section)-1]["type"] == "text" {
		last := b.section[len(b.section)-1]
		last["text"] = last["text"].(string) + el["text"].(string)
		return
	}
	b.section = append(b.section, el)
}

func (b *richBuilder) flush() {
	if len(b.section) > 0 {
		b.blocks = append(b.blocks, map[string]any{"type": "rich_text_section", "elements": b.section})
		b.section = nil
	}
}

// formatUserText turns what a user typed into the escaped `text` and the
// rich_text block Slack delivers (§2.2): & < > become entities in text but
// stay raw in rich_text; URLs and mentions become markup.
func (w *workspace) formatUserText(raw, blockID string) (string, json.RawMessage) {
	var (
		text strings.Builder
		rich richBuilder
		last int
	)
	plain := func(s string) {
		if s == "" {
			return
		}
		text.WriteString(escapeText(s))
		rich.add(map[string]any{"type": "text", "text": s})
	}
	for _, m := range userTextToken.FindAllStringSubmatchIndex(raw, -1) {
		start, end := m[0], m[1]
		group := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return raw[m[2*i]:m[2*i+1]]
		}
		switch {
		case m[2] >= 0: // ```code```
			plain(raw[last:start])
			rich.flush()
			code := group(1)
			text.WriteString("```" + escapeText(code) + "```")
			rich.blocks = append(rich.blocks, map[string]any{
				"type": "rich_text_preformatted", "border": 0,
				"elements": []map[string]any{{"type": "text", "text": code}},
			})
		case m[4] >= 0: // <markup>
			plain(raw[last:start])
			text.WriteString(raw[start:end])
			rich.add(markupElement(group(2)))
		case m[6] >= 0: // bare URL
			plain(raw[last:start])
			url := group(3)
			text.WriteString("<" + url + ">")
			rich.add(map[string]any{"type": "link", "url": url})
		default: // @name or #name
			if start > 0 && !isSpace(raw[start-1]) {
				continue // an e-mail address or a word with a # in it
			}
			sigil, name := group(4), group(5)
			el, markup, ok := w.reference(sigil, name)
			if !ok {
				continue
			}
			plain(raw[last:start])
			text.WriteString(markup)
			rich.add(el)
		}
		last = end
	}
	plain(raw[last:])
	rich.flush()
	block := map[string]any{"type": "rich_text", "block_id": blockID, "elements": rich.blocks}
	if rich.blocks == nil {
		block["elements"] = []any{}
	}
	return text.String(), mustJSON(block)
}

// reference resolves @name or #name to a rich_text element and its markup.
func (w *workspace) reference(sigil, name string) (map[string]any, string, bool) {
	if sigil == "@" {
		if name == "here" || name == "channel" || name == "everyone" {
			return map[string]any{"type": "broadcast", "range": name}, "<!" + name + ">", true
		}
		if u, ok := w.user(name); ok {
			return map[string]any{"type": "user", "user_id": u.ID}, "<@" + u.ID + ">", true
		}
		return nil, "", false
	}
	if c, ok := w.channel(name); ok && name != "" {
		return map[string]any{"type": "channel", "channel_id": c.ID}, "<#" + c.ID + "|" + c.Name + ">", true
	}
	return nil, "", false
}

// markupElement converts Slack markup (without the angle brackets) to its
// rich_text element.
func markupElement(inner string) map[string]any {
	target, label, _ := strings.Cut(inner, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		return map[string]any{"type": "user", "user_id": target[1:]}
	case strings.HasPrefix(target, "#"):
		return map[string]any{"type": "channel", "channel_id": target[1:]}
	case strings.HasPrefix(target, "!"):
		return map[string]any{"type": "broadcast", "range": target[1:]}
	}
	el := map[string]any{"type": "link", "url": target}
	if label != "" {
		el["text"] = label
	}
	return el
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '(' }

// mentionsBot reports whether escaped message text mentions the bot user.
func mentionsBot(text string) bool { return strings.Contains(text, "<@"+botUserID+">") }
