package slackemu

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block counts Slack accepts (docs block-kit/blocks).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
)

// parseBlocks checks a blocks argument and gives every block a block_id, as
// Slack does when the app leaves it out (slack-go needs one on every action,
// must-do #6). "" and "null" mean no blocks.
func parseBlocks(raw string, maxBlocks int) (json.RawMessage, error) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return nil, fail("invalid_blocks_format")
	}
	if errs := validateBlocks(blocks, maxBlocks, "/blocks"); len(errs) > 0 {
		return nil, invalidBlocks(errs)
	}
	for i, b := range blocks {
		if id, _ := b["block_id"].(string); id == "" {
			b["block_id"] = fmt.Sprintf("emu%d%s", i, randomAlnum(4))
		}
	}
	return mustJSON(blocks), nil
}

// invalidBlocks is the invalid_blocks answer in the captured shape (§5.2):
// the messages in `errors` and, prefixed with [ERROR], in response_metadata.
func invalidBlocks(errs []string) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "[ERROR] " + e
	}
	return &apiError{code: "invalid_blocks", extra: map[string]any{
		"errors":            errs,
		"response_metadata": map[string]any{"messages": msgs},
	}}
}

// Per-field limits (slack-protocol.md §6, from Slack's Block Kit reference).
const (
	maxText          = 3000
	maxFieldText     = 2000
	maxFields        = 10
	maxHeaderText    = 150
	maxBlockID       = 255
	maxActionID      = 255
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxURL           = 3000
	maxContextItems  = 10
	maxActionsItems  = 25
	maxMarkdownBlock = 12000
	maxInputLabel    = 2000
)

// blockChecker collects complaints in Slack's wording.
type blockChecker struct{ errs []string }

func (c *blockChecker) add(at, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+at+"]")
}

// maxLen complains when s is longer than limit characters.
func (c *blockChecker) maxLen(at, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		c.add(at, "must be less than %d characters", limit+1)
	}
}

// text checks a text object: plain_text (or mrkdwn unless plainOnly) with
// 1..limit characters.
func (c *blockChecker) text(at string, v any, limit int, plainOnly bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.add(at, "must be an object")
		return
	}
	typ, _ := obj["type"].(string)
	if typ != "plain_text" && (plainOnly || typ != "mrkdwn") {
		c.add(at, "failed to match all allowed schemas")
		return
	}
	s, _ := obj["text"].(string)
	if s == "" {
		c.add(at+"/text", "must be more than 0 characters")
	}
	c.maxLen(at+"/text", s, limit)
}

// element checks an interactive element (buttons in detail).
func (c *blockChecker) element(at string, v any) {
	el, ok := v.(map[string]any)
	if !ok {
		c.add(at, "must be an object")
		return
	}
	id, _ := el["action_id"].(string)
	c.maxLen(at+"/action_id", id, maxActionID)
	if el["type"] == "button" {
		c.text(at+"/text", el["text"], maxButtonText, true)
		value, _ := el["value"].(string)
		c.maxLen(at+"/value", value, maxButtonValue)
		url, _ := el["url"].(string)
		c.maxLen(at+"/url", url, maxURL)
	}
}

// validateBlocks returns Slack's complaints about blocks, each ending in a
// [json-pointer:…] to the offending value, the way invalid_blocks reports
// them. Unknown block types pass: Slack has many more than a bot needs.
func validateBlocks(blocks []map[string]any, maxBlocks int, at string) []string {
	var c blockChecker
	if len(blocks) > maxBlocks {
		c.add(at, "must provide at most %d items", maxBlocks)
	}
	seen := map[string]bool{}
	for i, b := range blocks {
		here := fmt.Sprintf("%s/%d", at, i)
		if id, _ := b["block_id"].(string); id != "" {
			c.maxLen(here+"/block_id", id, maxBlockID)
			if seen[id] {
				c.add(here+"/block_id", "must be unique")
			}
			seen[id] = true
		}
		switch b["type"] {
		case "section":
			if t, ok := b["text"]; ok {
				c.text(here+"/text", t, maxText, false)
			}
			fields, _ := b["fields"].([]any)
			if len(fields) > maxFields {
				c.add(here+"/fields", "must provide at most %d items", maxFields)
			}
			for j, f := range fields {
				c.text(fmt.Sprintf("%s/fields/%d", here, j), f, maxFieldText, false)
			}
			if _, hasText := b["text"]; !hasText && len(fields) == 0 {
				c.add(here, "must provide either text or fields")
			}
			if acc, ok := b["accessory"]; ok {
				c.element(here+"/accessory", acc)
			}
		case "header":
			c.text(here+"/text", b["text"], maxHeaderText, true)
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) > maxContextItems {
				c.add(here+"/elements", "must provide at most %d items", maxContextItems)
			}
			for j, el := range els {
				if m, _ := el.(map[string]any); m != nil && m["type"] != "image" {
					c.text(fmt.Sprintf("%s/elements/%d", here, j), el, maxText, false)
				}
			}
		case "actions":
			els, _ := b["elements"].([]any)
			if len(els) > maxActionsItems {
				c.add(here+"/elements", "must provide at most %d items", maxActionsItems)
			}
			for j, el := range els {
				c.element(fmt.Sprintf("%s/elements/%d", here, j), el)
			}
		case "input":
			c.text(here+"/label", b["label"], maxInputLabel, true)
			if el, ok := b["element"]; ok {
				c.element(here+"/element", el)
			} else {
				c.add(here, "missing required field: element")
			}
		case "markdown":
			s, _ := b["text"].(string)
			c.maxLen(here+"/text", s, maxMarkdownBlock)
		case nil:
			c.add(here+"/type", "missing required field: type")
		}
	}
	return c.errs
}
