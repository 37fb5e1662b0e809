// Package card renders syncerr's answers as Slack Block Kit messages.
//
// Every function is pure: the same input gives the same blocks, so the
// output is checked against golden JSON files and against Slack's limits.
// The package knows nothing about sockets or the Web API; the bot decides
// where a card goes, card decides what it looks like.
//
// All text that comes from the catalog, from overlay files or from a
// user's paste is escaped (Slack's three entities) and cut to fit, so no
// input can mention @channel, forge a link or push a card over a limit.
package card

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
)

// Action IDs of the buttons cards carry. The bot routes block_actions on
// them, so they are part of the contract between card and bot.
const (
	ActionShare = "syncerr_share" // re-post an ephemeral card in the channel; value: the code
	ActionPick  = "syncerr_pick"  // choose one code of an ambiguous answer; value: the code
)

// Message is a rendered answer: the blocks and the top-level text Slack
// shows in notifications and to clients that cannot draw blocks.
type Message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// Options changes how an error card is drawn.
type Options struct {
	// Shareable adds the "Share in channel" button: the card is an
	// ephemeral answer to /syncerr that its reader may post for everyone.
	Shareable bool
}

// DefaultCommand is the slash command the manifest declares; cards that
// suggest a command use it.
const DefaultCommand = "/syncerr"

// Error renders the card for one catalog entry, with the identifiers
// recognition found in the text that led to it.
func Error(e catalog.Entry, ids recognize.Identifiers, opts Options) Message {
	blocks := []slack.Block{header(e.Code)}
	blocks = append(blocks, summary(e)...)
	if b := fix(e); b != nil {
		blocks = append(blocks, b)
	}
	blocks = append(blocks, retry(e))
	if b := identifiers(ids); b != nil {
		blocks = append(blocks, b)
	}
	// The team's own runbook and owner come before Microsoft's docs: in
	// that organisation they are the more direct next step.
	if b := team(e); b != nil {
		blocks = append(blocks, b)
	}
	if b := docs(e.Links); b != nil {
		blocks = append(blocks, b)
	}
	if opts.Shareable {
		blocks = append(blocks, actions(shareButton(e.Code)))
	}
	return Message{Text: errorText(e, ids), Blocks: blocks}
}

// Ambiguous renders "N codes fit — pick one" with a button per entry.
// Each choice is a section with its own button: action_id must be unique
// within a block, and the bot routes every pick on ActionPick.
func Ambiguous(entries []catalog.Entry, ids recognize.Identifiers) Message {
	lead := fmt.Sprintf("*%d codes fit — pick one*", len(entries))
	if len(entries) == 1 {
		lead = "*1 code fits — pick it to see the card*"
	}
	blocks := []slack.Block{section(lead)}
	blocks = append(blocks, choices(entries, maxChoices)...)
	if b := identifiers(ids); b != nil {
		blocks = append(blocks, b)
	}
	text := fmt.Sprintf("%d Cloud Sync error codes fit: %s. Pick one.", len(entries), codeList(entries))
	return Message{Text: clip(text, maxFallback), Blocks: blocks}
}

// NoMatch answers a query that names no catalog error, offering the
// closest codes (possibly none) and a hint on what to paste.
func NoMatch(query string, closest []catalog.Entry) Message {
	lead := "I did not recognize a Microsoft Entra Cloud Sync error"
	if q := oneLine(query); q != "" {
		lead += " in " + code(q, maxQuery)
	}
	blocks := []slack.Block{section(lead + ".")}
	text := "No Cloud Sync error recognized."
	if len(closest) > 0 {
		blocks = append(blocks, section("*Closest codes*"))
		blocks = append(blocks, choices(closest, maxClosest)...)
		text = clip("No Cloud Sync error recognized. Closest: "+codeList(closest)+".", maxFallback)
	}
	blocks = append(blocks, context(
		"Paste the full error text (with its Job ID) or just the error code. "+
			code(DefaultCommand+" list", 40)+" shows every code."))
	return Message{Text: text, Blocks: blocks}
}

// Help explains the /syncerr grammar. command is the slash command as the
// user typed it, so a workspace that renamed it sees its own name.
func Help(command string) Message {
	command = oneLine(command)
	if command == "" || len(command) > 32 { // Slack's limit for a command name
		command = DefaultCommand
	}
	c := func(args string) string { return code(command+args, 200) }
	grammar := strings.Join([]string{
		"*" + clip(command, 40) + "* explains Microsoft Entra Cloud Sync errors.",
		"• " + c("") + " or " + c(" help") + " — this help",
		"• " + c(" list") + " — every error code I know, with its title",
		"• " + c(" <code>") + " — one error's card, e.g. " + c(" HybridIdentityServiceNoActiveAgents") +
			" (any case; small typos are fine)",
		"• " + c(" <pasted error text>") + " — paste the error from the Entra admin center or a log: " +
			"I find the code and the IDs a support ticket needs",
	}, "\n")
	elsewhere := strings.Join([]string{
		"*Elsewhere*",
		"• Mention me with an error (" + code("@syncerr <pasted error text>", 80) + ") and I answer in the thread.",
		"• In channels where auto-replies are on, I answer pasted Cloud Sync errors in their thread, once per error.",
		"• Answers to " + clip(command, 40) + " are visible only to you; *Share in channel* posts one for everyone.",
	}, "\n")
	return Message{
		Text:   clip("Usage: "+command+" help | list | <code> | <pasted error text>", maxFallback),
		Blocks: []slack.Block{section(grammar), section(elsewhere)},
	}
}

// List shows every code in the catalog with its title, grouped by
// category. A catalog grown by overlays past what one message can hold is
// cut, saying how many codes were left out.
func List(entries []catalog.Entry) Message {
	blocks := []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Cloud Sync error codes", false, false))}
	budget := maxListText
	shown := 0
groups:
	for _, g := range byCategory(entries) {
		text := "*" + categoryName(g.category) + "*"
		for _, e := range g.entries {
			line := "\n• " + code(e.Code, maxCode) + " — " + clip(oneLine(e.Title), maxTitle)
			if length(text)+length(line) > maxSection {
				blocks = append(blocks, section(text))
				budget -= length(text)
				text = ""
			}
			if budget-length(text)-length(line) < 0 || len(blocks) >= maxBlocks-2 {
				if text != "" {
					blocks = append(blocks, section(text))
				}
				break groups
			}
			if text == "" {
				line = strings.TrimPrefix(line, "\n")
			}
			text += line
			shown++
		}
		blocks = append(blocks, section(text))
		budget -= length(text)
	}
	if left := len(entries) - shown; left > 0 {
		blocks = append(blocks, context(fmt.Sprintf("…and %d more. Look one up with %s.", left, code(DefaultCommand+" <code>", 40))))
	}
	text := fmt.Sprintf("%d Cloud Sync error codes: %s.", len(entries), codeList(entries))
	return Message{Text: clip(text, maxFallback), Blocks: blocks}
}
