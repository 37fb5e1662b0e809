package card

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/slack-go/slack"
)

// The checker below is written apart from the renderer: it counts UTF-16
// units its own way and knows Slack's limits from the protocol notes (§6),
// so a renderer bug cannot hide behind a shared helper.

const (
	limitBlocks       = 50
	limitHeader       = 150
	limitText         = 3000 // any text object, section text included
	limitFields       = 10
	limitField        = 2000
	limitButtonText   = 75
	limitActionID     = 255
	limitValue        = 2000
	limitBlockID      = 255
	limitContextElems = 10
	limitActionElems  = 25
	limitTopText      = 4000  // Slack recommends ≤4,000; chat.update rejects more
	limitAllText      = 12000 // msg_blocks_too_long was seen near 13.2k (bolt-js#2509)
	limitJSON         = 16 << 10
	// The Socket Mode ack must stay under 20 KiB (slack-go's guard); a
	// card answering a slash command rides in it with a small envelope.
)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// limitCheck collects every broken limit of a message.
type limitCheck struct {
	problems []string
	allText  int
}

func (c *limitCheck) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// checkLimits returns every way m breaks Slack's limits or lets text form
// a mention or a link we did not write.
func checkLimits(m Message) []string {
	c := &limitCheck{}
	if n := units(m.Text); n == 0 || n > limitTopText {
		c.fail("top-level text has %d units", n)
	}
	c.mrkdwn("top-level text", m.Text)
	if len(m.Blocks) == 0 || len(m.Blocks) > limitBlocks {
		c.fail("%d blocks", len(m.Blocks))
	}
	ids := map[string]bool{}
	for i, b := range m.Blocks {
		where := fmt.Sprintf("block %d (%s)", i, b.BlockType())
		if id := blockID(b); id != "" {
			if ids[id] {
				c.fail("%s: block_id %q repeated", where, id)
			}
			ids[id] = true
			if units(id) > limitBlockID {
				c.fail("%s: block_id too long", where)
			}
		}
		c.block(where, b)
	}
	if c.allText > limitAllText {
		c.fail("blocks hold %d units of text in all, over %d", c.allText, limitAllText)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		c.fail("marshal: %v", err)
	} else if len(raw) > limitJSON {
		c.fail("JSON is %d bytes, over %d", len(raw), limitJSON)
	}
	return c.problems
}

func blockID(b slack.Block) string {
	switch b := b.(type) {
	case *slack.HeaderBlock:
		return b.BlockID
	case *slack.SectionBlock:
		return b.BlockID
	case *slack.ContextBlock:
		return b.BlockID
	case *slack.ActionBlock:
		return b.BlockID
	}
	return ""
}

func (c *limitCheck) block(where string, b slack.Block) {
	switch b := b.(type) {
	case *slack.HeaderBlock:
		if b.Text == nil || b.Text.Type != slack.PlainTextType {
			c.fail("%s: header text must be plain_text", where)
			return
		}
		c.text(where, b.Text, limitHeader)
	case *slack.SectionBlock:
		if b.Text == nil && len(b.Fields) == 0 {
			c.fail("%s: section with neither text nor fields", where)
		}
		if b.Text != nil {
			c.text(where, b.Text, limitText)
		}
		if len(b.Fields) > limitFields {
			c.fail("%s: %d fields", where, len(b.Fields))
		}
		for i, f := range b.Fields {
			c.text(fmt.Sprintf("%s field %d", where, i), f, limitField)
		}
		if b.Accessory != nil {
			if b.Accessory.ButtonElement == nil {
				c.fail("%s: accessory is not a button", where)
			} else {
				c.button(where, b.Accessory.ButtonElement, map[string]bool{})
			}
		}
	case *slack.ContextBlock:
		elems := b.ContextElements.Elements
		if len(elems) == 0 || len(elems) > limitContextElems {
			c.fail("%s: %d context elements", where, len(elems))
		}
		for _, e := range elems {
			t, ok := e.(*slack.TextBlockObject)
			if !ok {
				c.fail("%s: context element %T", where, e)
				continue
			}
			c.text(where, t, limitText)
		}
	case *slack.ActionBlock:
		elems := b.Elements.ElementSet
		if len(elems) == 0 || len(elems) > limitActionElems {
			c.fail("%s: %d action elements", where, len(elems))
		}
		seen := map[string]bool{}
		for _, e := range elems {
			btn, ok := e.(*slack.ButtonBlockElement)
			if !ok {
				c.fail("%s: action element %T", where, e)
				continue
			}
			c.button(where, btn, seen)
		}
	default:
		c.fail("%s: the checker does not know this block type", where)
	}
}

func (c *limitCheck) button(where string, b *slack.ButtonBlockElement, seen map[string]bool) {
	if b.Text == nil || b.Text.Type != slack.PlainTextType {
		c.fail("%s: button text must be plain_text", where)
		return
	}
	c.text(where+" button", b.Text, limitButtonText)
	if n := units(b.ActionID); n == 0 || n > limitActionID {
		c.fail("%s: action_id has %d units", where, n)
	}
	if seen[b.ActionID] {
		c.fail("%s: action_id %q twice in one block", where, b.ActionID)
	}
	seen[b.ActionID] = true
	if units(b.Value) > limitValue {
		c.fail("%s: button value has %d units", where, units(b.Value))
	}
}

func (c *limitCheck) text(where string, t *slack.TextBlockObject, limit int) {
	n := units(t.Text)
	c.allText += n
	if n == 0 || n > limit {
		c.fail("%s: text has %d units (limit %d)", where, n, limit)
	}
	if t.Type == slack.MarkdownType {
		if !t.Verbatim {
			c.fail("%s: mrkdwn without verbatim lets Slack parse mentions", where)
		}
		c.mrkdwn(where, t.Text)
	}
}

// ourLink is the only thing a '<' may start: a link the renderer wrote,
// to an http(s) URL with no space, '<' or '>' in it.
var ourLink = regexp.MustCompile(`^<https?://[^\s<>|]+\|[^<>]*>`)

// mrkdwn rejects any '<' that does not start one of our links: every
// mention (<@U…>, <!channel>), channel link or date needs one.
func (c *limitCheck) mrkdwn(where, s string) {
	for i := strings.IndexByte(s, '<'); i >= 0; {
		m := ourLink.FindString(s[i:])
		if m == "" {
			end := min(len(s), i+40)
			c.fail("%s: unescaped '<' at %d: %q", where, i, s[i:end])
			return
		}
		next := strings.IndexByte(s[i+len(m):], '<')
		if next < 0 {
			break
		}
		i += len(m) + next
	}
	if strings.Contains(s, "&") {
		// Every '&' must start one of the three entities we write.
		for _, part := range strings.Split(s, "&")[1:] {
			if !strings.HasPrefix(part, "amp;") && !strings.HasPrefix(part, "lt;") && !strings.HasPrefix(part, "gt;") {
				c.fail("%s: bare '&' before %q", where, part[:min(len(part), 10)])
				return
			}
		}
	}
}
