// Package card renders syncerr's answers as Slack Block Kit messages.
//
// Every function is pure: the same input gives the same blocks, so the
// output is checked against golden JSON files and against Slack's limits.
// The package knows nothing about sockets or the Web API; the bot decides
// where a card goes, card decides what it looks like.
package card

import (
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

// Error renders the card for one catalog entry, with the identifiers
// recognition found in the text that led to it.
func Error(e catalog.Entry, ids recognize.Identifiers, opts Options) Message {
	return Message{
		Text:   e.Code + ": " + e.Title,
		Blocks: []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, e.Code, false, false))},
	}
}

// Ambiguous renders "N codes fit — pick one" with a button per entry.
func Ambiguous(entries []catalog.Entry, ids recognize.Identifiers) Message {
	return Message{Text: "Several Cloud Sync errors fit"}
}

// NoMatch answers a query that names no catalog error, offering the
// closest codes (possibly none) and a hint on what to paste.
func NoMatch(query string, closest []catalog.Entry) Message {
	return Message{Text: "No Cloud Sync error recognized"}
}

// Help explains the /syncerr grammar.
func Help(command string) Message {
	return Message{Text: "Usage: " + command + " <error code or pasted error text>"}
}

// List shows every code in the catalog with its title.
func List(entries []catalog.Entry) Message {
	return Message{Text: "Cloud Sync error codes"}
}
