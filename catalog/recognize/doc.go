// Package recognize names the catalog error in a piece of Slack text: it
// normalises the text, extracts the identifiers a support ticket needs and
// ranks catalog codes by independent signals. It is deterministic, explains
// itself, and imports nothing from Slack.
package recognize
