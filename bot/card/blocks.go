package card

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
)

// Slack's Block Kit limits (protocol notes §6, from Slack's block docs).
const (
	maxBlocks  = 50   // blocks per message
	maxHeader  = 150  // header text, plain_text only
	maxSection = 3000 // section text
	maxField   = 2000 // each section field; at most 10 fields
	maxButton  = 75   // button text
	maxURL     = 400  // our own cap for a link; Slack allows 3000 for a button url
)

// Budgets of our own, well inside Slack's limits: a card answers a slash
// command inside the Socket Mode ack (under 20 KiB of JSON) and Slack
// refuses messages whose blocks hold ~13k characters in all (bolt-js#2509),
// so no single piece of text may crowd out the rest.
const (
	maxFallback   = 500  // top-level text: a notification, not the card
	maxTitle      = 200  // a one-line title
	maxMeaning    = 1000 // "What it means"
	maxCause      = 800  // "Likely cause"
	maxStep       = 500  // one step of "How to fix"
	maxFix        = 2000 // all of "How to fix"
	maxSteps      = 10   // steps shown; the rest are counted
	maxCode       = 80   // an error code shown inline
	maxIdentifier = 120  // one identifier (a job ID is 88 characters)
	maxAADSTS     = 10   // AADSTS links shown; the rest are counted
	maxLinks      = 5    // doc links or runbooks shown
	maxLinkLabel  = 100  // a link's label
	maxDocs       = 1500 // the doc links together
	maxTeam       = 1500 // runbooks, owner and notes together
	maxOwner      = 200  // overlay owner
	maxNotes      = 1000 // overlay notes
	maxQuery      = 200  // a query echoed back
	maxChoices    = 10   // codes offered by an ambiguous answer
	maxClosest    = 5    // codes offered when nothing matched
	maxListText   = 9000 // all the lines of List together
)

// aadstsURL is Microsoft's page explaining one AADSTS code.
const aadstsURL = "https://login.microsoftonline.com/error?code="

// section is a mrkdwn section. verbatim is set so that Slack does not
// auto-link or parse mentions in text we already escaped; our own links
// are written explicitly as <url|label>.
func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil)
}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}

// context is a context block with one mrkdwn line.
func context(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", mrkdwn(text))
}

// header shows the code in large type.
func header(code string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, plain(code, maxHeader), false, false))
}

// summary is the title, what the error means and its likely cause.
func summary(e catalog.Entry) []slack.Block {
	var blocks []slack.Block
	if t := oneLine(e.Title); t != "" {
		blocks = append(blocks, section("*"+clip(t, maxTitle)+"*"))
	}
	if m := meaning(e); m != "" {
		blocks = append(blocks, section("*What it means*\n"+clip(m, maxMeaning)))
	}
	if s := strings.TrimSpace(e.Scenario); s != "" {
		blocks = append(blocks, section("*Likely cause*\n"+clip(s, maxCause)))
	}
	return blocks
}

// fix is "How to fix": our numbered steps, or Microsoft's resolution when
// an entry (say, one an overlay added) has none. nil when neither exists.
func fix(e catalog.Entry) slack.Block {
	const head = "*How to fix*\n"
	var steps []string
	for _, s := range e.Steps {
		if strings.TrimSpace(s) != "" {
			steps = append(steps, s)
		}
	}
	if len(steps) == 0 {
		r := strings.TrimSpace(e.Resolution)
		if r == "" {
			return nil
		}
		return section(head + clip(r, maxSection-length(head)))
	}
	text := head
	for i, s := range steps {
		line := fmt.Sprintf("%d. %s", i+1, clip(oneLine(s), maxStep))
		if i == maxSteps || length(text)+length(line)+len(moreSteps) > maxFix {
			text += fmt.Sprintf(moreSteps, len(steps)-i)
			break
		}
		text += line + "\n"
	}
	return section(strings.TrimSuffix(text, "\n"))
}

// moreSteps counts the steps a card leaves out; the bot has no room for
// them but the reader should know they exist.
const moreSteps = "…and %d more steps."

// clip2 cuts already-escaped mrkdwn to max units at a line break, so that
// no entity, code span or link is cut in half.
func clip2(s string, max int) string {
	if length(s) <= max {
		return s
	}
	for length(s) > max-2 {
		i := strings.LastIndexByte(s, '\n')
		if i < 0 {
			return ellipsis
		}
		s = s[:i]
	}
	return s + "\n" + ellipsis
}

// retry says whether Microsoft retries the error by itself, and where the
// fix lies: the first thing an on-call engineer wants to know.
func retry(e catalog.Entry) *slack.ContextBlock {
	line := ":hourglass_flowing_sand: Microsoft retries this automatically; it may clear without anyone acting."
	if !e.AutoRetry {
		line = ":wrench: Microsoft does not retry this automatically: someone has to fix it."
	}
	elems := []slack.MixedElement{mrkdwn(line)}
	if e.Category != "" {
		elems = append(elems, mrkdwn("Category: "+clip(categoryName(e.Category), 60)))
	}
	return slack.NewContextBlock("", elems...)
}

// identifiers lists what recognition found in the paste as fields, each
// value in code formatting so it copies cleanly into a support ticket.
// nil when nothing was found.
func identifiers(ids recognize.Identifiers) slack.Block {
	var fields []*slack.TextBlockObject
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			fields = append(fields, mrkdwn("*"+label+"*\n"+code(value, maxIdentifier)))
		}
	}
	add("Job ID", ids.JobID)
	add("Tenant", ids.Tenant)
	add("Timestamp", ids.Timestamp)
	add("Trace ID", ids.TraceID)
	add("Correlation ID", ids.CorrelationID)
	add("Tracking ID", ids.TrackingID)
	add("Error code", ids.ErrorCode)
	add("HTTP status", ids.HTTPStatus)
	if len(ids.AADSTS) > 0 {
		fields = append(fields, mrkdwn("*AADSTS*\n"+aadstsLinks(ids.AADSTS)))
	}
	if len(fields) == 0 {
		return nil
	}
	return slack.NewSectionBlock(mrkdwn("*For a support ticket*"), fields, nil)
}

// aadstsLinks links each AADSTS code to Microsoft's explanation. A value
// that is not AADSTS and digits is shown as code, never put in a URL.
func aadstsLinks(codes []string) string {
	parts := make([]string, 0, maxAADSTS+1)
	for i, c := range codes {
		if i == maxAADSTS {
			parts = append(parts, fmt.Sprintf("+%d more", len(codes)-i))
			break
		}
		if n, ok := aadstsNumber(c); ok {
			parts = append(parts, link(aadstsURL+n, "AADSTS"+n, maxLinkLabel))
		} else {
			parts = append(parts, code(c, 40))
		}
	}
	return strings.Join(parts, ", ")
}

// aadstsNumber returns the digits of "AADSTS50034" (any case).
func aadstsNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 7 || len(s) > 16 || !strings.EqualFold(s[:6], "AADSTS") {
		return "", false
	}
	for _, r := range s[6:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s[6:], true
}

// docs lists the entry's documentation links; nil when there are none.
func docs(links []catalog.Link) slack.Block {
	if len(links) == 0 {
		return nil
	}
	return section(clip2("*Docs*\n"+bullets(links), maxDocs))
}

func bullets(links []catalog.Link) string {
	lines := make([]string, 0, maxLinks+1)
	for i, l := range links {
		if i == maxLinks {
			lines = append(lines, fmt.Sprintf("…and %d more.", len(links)-i))
			break
		}
		label := l.Title
		if strings.TrimSpace(label) == "" {
			label = l.URL
		}
		lines = append(lines, "• "+link(l.URL, label, maxLinkLabel))
	}
	return strings.Join(lines, "\n")
}

// team shows what the organisation's overlay files added: runbooks, the
// owner and notes. nil when the entry has none of them.
func team(e catalog.Entry) slack.Block {
	var parts []string
	if len(e.Runbooks) > 0 {
		parts = append(parts, "*Runbooks*\n"+bullets(e.Runbooks))
	}
	if o := oneLine(e.Owner); o != "" {
		parts = append(parts, "*Owner:* "+clip(o, maxOwner))
	}
	if n := strings.TrimSpace(e.Notes); n != "" {
		parts = append(parts, "*Notes:* "+clip(n, maxNotes))
	}
	if len(parts) == 0 {
		return nil
	}
	return section(clip2(strings.Join(parts, "\n"), maxTeam))
}

// actions is the row of buttons at the foot of a card. It takes any
// buttons, so later ones ("I'm on it", "Resolved") join the same row.
func actions(buttons ...*slack.ButtonBlockElement) *slack.ActionBlock {
	elems := make([]slack.BlockElement, len(buttons))
	for i, b := range buttons {
		elems[i] = b
	}
	return slack.NewActionBlock("syncerr_actions", elems...)
}

func shareButton(code string, ids recognize.Identifiers) *slack.ButtonBlockElement {
	return button(ActionShare, ButtonValue(code, ids), "Share in channel").WithStyle(slack.StylePrimary)
}

func button(actionID, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value,
		slack.NewTextBlockObject(slack.PlainTextType, plain(text, maxButton), false, false))
}

// choices is one section per entry, its code and title, with a button
// that picks it (carrying ids to the picked card); beyond max the rest are
// counted in a context line.
func choices(entries []catalog.Entry, limit int, ids recognize.Identifiers) []slack.Block {
	var blocks []slack.Block
	budget := valuesBudget / max(1, min(len(entries), limit))
	for i, e := range entries {
		if i == limit {
			blocks = append(blocks, context(fmt.Sprintf("…and %d more.", len(entries)-i)))
			break
		}
		line := code(e.Code, maxCode)
		if t := oneLine(e.Title); t != "" {
			line += " — " + clip(t, maxTitle)
		}
		if m := firstSentence(meaning(e)); m != "" {
			line += "\n_" + clip(m, 300) + "_"
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line), nil,
			slack.NewAccessory(button(ActionPick, valueWithin(e.Code, ids, budget), "Show this one"))))
	}
	return blocks
}

// errorText is the fallback of an error card: code, title, what it means
// in a sentence, and the job ID, which is what a notification needs.
func errorText(e catalog.Entry, ids recognize.Identifiers) string {
	s := e.Code
	if t := oneLine(e.Title); t != "" {
		s += ": " + t
	}
	if m := firstSentence(meaning(e)); m != "" {
		s += ". " + strings.TrimSuffix(m, ".") + "."
	}
	if j := oneLine(ids.JobID); j != "" {
		s += " Job ID: " + j
	}
	return clip(s, maxFallback)
}

// meaning is what an error means: our summary, or Microsoft's message for
// an entry without one (an overlay's own code, say). Microsoft's messages
// carry sample job and trace IDs, which must not pass for the reader's own.
func meaning(e catalog.Entry) string {
	return cmp.Or(strings.TrimSpace(e.Summary), strings.TrimSpace(e.Message))
}

// firstSentence is the text up to its first full stop followed by a space,
// on one line: enough to say what an error means in a list.
func firstSentence(s string) string {
	s = oneLine(s)
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// codeList joins the entries' codes for a fallback text.
func codeList(entries []catalog.Entry) string {
	codes := make([]string, len(entries))
	for i, e := range entries {
		codes[i] = oneLine(e.Code)
	}
	return strings.Join(codes, ", ")
}

type group struct {
	category catalog.Category
	entries  []catalog.Entry
}

// categoryOrder runs from what a customer fixes themselves to what they
// wait out.
var categoryOrder = []catalog.Category{
	catalog.CategoryAgent, catalog.CategoryServiceAccount, catalog.CategoryConfiguration, catalog.CategoryService,
}

// byCategory groups entries in categoryOrder, keeping the catalog's order
// within a group; unknown or missing categories come last, together.
func byCategory(entries []catalog.Entry) []group {
	var groups []group
	known := map[catalog.Category]bool{}
	for _, c := range categoryOrder {
		known[c] = true
		g := group{category: c}
		for _, e := range entries {
			if e.Category == c {
				g.entries = append(g.entries, e)
			}
		}
		if len(g.entries) > 0 {
			groups = append(groups, g)
		}
	}
	other := group{}
	for _, e := range entries {
		if !known[e.Category] {
			other.entries = append(other.entries, e)
		}
	}
	if len(other.entries) > 0 {
		groups = append(groups, other)
	}
	return groups
}

func categoryName(c catalog.Category) string {
	switch c {
	case catalog.CategoryAgent:
		return "Provisioning agent"
	case catalog.CategoryServiceAccount:
		return "Service account"
	case catalog.CategoryConfiguration:
		return "Configuration"
	case catalog.CategoryService:
		return "Service side (often transient)"
	case "":
		return "Other"
	}
	return string(c)
}
