package bot

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/syncerr/syncerr/bot/card"
	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
)

// threadTTL is how long "this thread already has this code's card" holds;
// longer than DedupTTL because threads stay active for days.
const threadTTL = 7 * 24 * time.Hour

// commandName is how help text names the command when asked by mention.
const commandName = "/syncerr"

// answer is a card and what recognition said about the text behind it.
type answer struct {
	msg     card.Message
	code    string // the card's code; "" for help, list, no match, ambiguous
	outcome string // metrics label: match, ambiguous, none, help, list
}

// lookup turns a query (a slash command's text or a mention) into an answer,
// following the /syncerr grammar: "", "help" → help; "list" → list;
// anything else is recognized. A single unknown word that resembles no code
// is taken as an unknown subcommand and gets help, as Sentry's app does.
func (b *Bot) lookup(query, command string, shareable bool) answer {
	q := strings.TrimSpace(query)
	switch strings.ToLower(q) {
	case "", "help", "-h", "--help", "?":
		return answer{msg: card.Help(command), outcome: "help"}
	case "list":
		return answer{msg: card.List(b.cat.Entries()), outcome: "list"}
	}
	res := b.engine.Recognize(q)
	if len(res.Matches) == 0 {
		closest := b.cat.Closest(q, maxSuggestions)
		if len(closest) == 0 && isSingleWord(q) {
			b.m.matches.WithLabelValues("none", "unknown_word").Inc()
			return answer{msg: card.Help(command), outcome: "help"}
		}
		if e, ok := b.cat.Meant(q); ok {
			b.m.matches.WithLabelValues(e.Code, "match").Inc()
			return answer{msg: card.Error(e, res.Identifiers, card.Options{Shareable: shareable}), code: e.Code, outcome: "match"}
		}
		b.m.matches.WithLabelValues("none", "none").Inc()
		return answer{msg: card.NoMatch(q, closest), outcome: "none"}
	}
	if res.Ambiguous && len(res.Matches) > 1 {
		entries := b.entries(res.Matches)
		for _, e := range entries {
			b.m.matches.WithLabelValues(e.Code, "ambiguous").Inc()
		}
		return answer{msg: card.Ambiguous(entries, res.Identifiers), outcome: "ambiguous"}
	}
	e, ok := b.cat.Lookup(res.Matches[0].Code)
	if !ok { // the engine only names catalog codes; guard anyway
		return answer{msg: card.NoMatch(q, nil), outcome: "none"}
	}
	b.m.matches.WithLabelValues(e.Code, "match").Inc()
	return answer{msg: card.Error(e, res.Identifiers, card.Options{Shareable: shareable}), code: e.Code, outcome: "match"}
}

func (b *Bot) entries(ms []recognize.Match) []catalog.Entry {
	out := make([]catalog.Entry, 0, len(ms))
	for _, m := range ms {
		if e, ok := b.cat.Lookup(m.Code); ok {
			out = append(out, e)
		}
	}
	return out
}

// handleSlash answers /syncerr: in the ack when a is not nil and still
// waiting, else through response_url. Answers are ephemeral; error cards
// carry the Share button.
func (b *Bot) handleSlash(ctx context.Context, log zerolog.Logger, cmd slack.SlashCommand, a *slashAck) {
	log.Debug().Str("text", cmd.Text).Msg("slash command")
	ans := b.lookup(cmd.Text, cmd.Command, true)
	if a != nil && a.send(ephemeral(ans.msg)) {
		b.m.replies.WithLabelValues("slash").Inc()
		return
	}
	if cmd.ResponseURL == "" {
		log.Warn().Msg("slash command without response_url; cannot answer")
		return
	}
	if err := b.respond(ctx, log, cmd.ChannelID, ans.msg, slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral)); err == nil {
		b.m.replies.WithLabelValues("slash").Inc()
	}
}

// responsePayload is a slash command answer carried in the ack (§1.6).
type responsePayload struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

func ephemeral(m card.Message) responsePayload {
	return responsePayload{ResponseType: slack.ResponseTypeEphemeral, Text: m.Text, Blocks: m.Blocks}
}

// mentionRE matches a user mention as Slack encodes it: <@U123> or <@U123|name>.
var mentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

// handleMention answers @syncerr in the thread of the mention, in any
// channel: whoever mentions the bot is asking.
func (b *Bot) handleMention(ctx context.Context, log zerolog.Logger, ev *slackevents.AppMentionEvent) {
	if b.isSelf(ev.User, ev.BotID, nil) || (ev.BotID != "" && !b.allowedBots[ev.BotID]) {
		log.Debug().Msg("mention by a bot ignored")
		return
	}
	if !b.seen.claim(messageKey(ev.Channel, ev.TimeStamp), b.opts.DedupTTL) {
		b.m.duplicates.WithLabelValues("channel_ts").Inc()
		log.Debug().Msg("message already answered")
		return
	}
	query := mentionRE.ReplaceAllStringFunc(ev.Text, func(m string) string {
		if strings.Contains(m, b.userID) {
			return " "
		}
		return m
	})
	log.Debug().Str("text", ev.Text).Msg("mention")
	ans := b.lookup(query, commandName, false)
	thread := threadOf(ev.ThreadTimeStamp, ev.TimeStamp)
	if ans.code != "" {
		b.seen.claim(threadKey(ev.Channel, thread, ans.code), threadTTL)
	}
	_ = b.post(ctx, log, ev.Channel, thread, ans.msg, "mention")
}

// handleMessage auto-replies to a pasted error: only in configured channels,
// only when recognition is confident (auto_reply), always in the thread, at
// most once per message and once per (thread, code).
func (b *Bot) handleMessage(ctx context.Context, log zerolog.Logger, ev *slackevents.MessageEvent) {
	var (
		user, botID, text, ts, thread string
		profile                       *slack.BotProfile
		edited                        bool
	)
	switch ev.SubType {
	case "", "thread_broadcast", "file_share", "bot_message":
		user, botID, text, ts, thread = ev.User, ev.BotID, ev.Text, ev.TimeStamp, ev.ThreadTimeStamp
		if ev.Message != nil {
			profile = ev.Message.BotProfile
		}
	case "message_changed":
		// An edit may turn chatter into an error paste: answer it once,
		// unless the original was answered already.
		if ev.Message == nil || (ev.Message.SubType != "" && ev.Message.SubType != "thread_broadcast") {
			return
		}
		m := ev.Message
		user, botID, text, ts, thread, profile, edited = m.User, m.BotID, m.Text, m.Timestamp, m.ThreadTimestamp, m.BotProfile, true
	default:
		return // joins, deletes, topic changes, …: never answered (§2.5)
	}
	if b.isSelf(user, botID, profile) {
		return
	}
	if (botID != "" || ev.SubType == "bot_message") && !b.allowedBots[botID] {
		log.Debug().Str("from_bot", botID).Msg("message from another bot ignored")
		return
	}
	if !b.autoAll && !b.autoChannels[ev.Channel] {
		return
	}
	if strings.Contains(text, "<@"+b.userID) {
		return // a mention: handleMention owns it
	}
	key := messageKey(ev.Channel, ts)
	if edited && b.seen.has(key) {
		return
	}
	log.Debug().Str("text", text).Bool("edited", edited).Msg("message")
	res := b.engine.Recognize(text)
	if !res.AutoReply || len(res.Matches) == 0 {
		if len(res.Matches) > 0 {
			b.m.matches.WithLabelValues(res.Matches[0].Code, "not_confident").Inc()
		}
		return
	}
	msg, key2, codes := b.autoReply(res)
	if len(codes) == 0 {
		return
	}
	if !b.seen.claim(key, b.opts.DedupTTL) {
		b.m.duplicates.WithLabelValues("channel_ts").Inc()
		return
	}
	thread = threadOf(thread, ts)
	if !b.seen.claim(threadKey(ev.Channel, thread, key2), threadTTL) {
		b.m.duplicates.WithLabelValues("thread_code").Inc()
		log.Debug().Str("code", key2).Msg("thread already has this card")
		return
	}
	for _, c := range codes {
		b.m.matches.WithLabelValues(c, "auto_reply").Inc()
	}
	_ = b.post(ctx, log, ev.Channel, thread, msg, "auto")
}

// autoReply is the card for an unasked answer and the key that stands for
// it in a thread: one code's card, or, when the paste fits several codes
// (a message several codes share, pasted without its details), the "pick
// one" card listing them all: posting one of them would be a guess.
func (b *Bot) autoReply(res recognize.Result) (msg card.Message, threadKey string, codes []string) {
	if res.Ambiguous && len(res.Matches) > 1 {
		entries := b.entries(res.Matches)
		for _, e := range entries {
			codes = append(codes, e.Code)
		}
		return card.Ambiguous(entries, res.Identifiers), strings.Join(codes, "+"), codes
	}
	e, ok := b.cat.Lookup(res.Matches[0].Code)
	if !ok {
		return card.Message{}, "", nil
	}
	return card.Error(e, res.Identifiers, card.Options{}), e.Code, []string{e.Code}
}

// isSelf reports whether a message is the bot's own (§2.5): by user, by
// bot ID, or by the app of its bot profile.
func (b *Bot) isSelf(user, botID string, profile *slack.BotProfile) bool {
	if user != "" && user == b.userID || botID != "" && botID == b.botID {
		return true
	}
	app, _ := b.appID.Load().(string)
	return profile != nil && app != "" && profile.AppID == app
}

// handleShare re-posts an ephemeral card for the whole channel and removes
// the ephemeral one, both through the click's response_url. The card is
// drawn again from the button's value, which carries the code and the
// paste's identifiers: a click on an ephemeral message brings no copy of
// it, and syncerr stores none.
func (b *Bot) handleShare(ctx context.Context, log zerolog.Logger, cb slack.InteractionCallback, act *slack.BlockAction) {
	e, ids, ok := b.clicked(log, act)
	if !ok {
		return
	}
	msg := card.Error(e, ids, card.Options{})
	if userID.MatchString(cb.User.ID) {
		// Say who shared it: otherwise the channel sees an unasked-for
		// card that looks like an auto-reply.
		msg.Blocks = append(msg.Blocks, slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, "Shared by <@"+cb.User.ID+"> with "+commandName, false, false)))
	}
	channel := cb.Channel.ID
	if err := b.respond(ctx, log, channel, msg,
		slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeInChannel)); err != nil {
		return
	}
	b.m.replies.WithLabelValues("share").Inc()
	_ = b.respond(ctx, log, channel, card.Message{Text: msg.Text}, slack.MsgOptionDeleteOriginal(cb.ResponseURL))
}

// handlePick replaces an ambiguous answer with the chosen code's card,
// with the identifiers of the paste the pick button carries.
func (b *Bot) handlePick(ctx context.Context, log zerolog.Logger, cb slack.InteractionCallback, act *slack.BlockAction) {
	e, ids, ok := b.clicked(log, act)
	if !ok {
		return
	}
	b.m.matches.WithLabelValues(e.Code, "picked").Inc()
	msg := card.Error(e, ids, card.Options{Shareable: cb.Container.IsEphemeral})
	if err := b.respond(ctx, log, cb.Channel.ID, msg, slack.MsgOptionReplaceOriginal(cb.ResponseURL)); err == nil {
		b.m.replies.WithLabelValues("pick").Inc()
	}
}

// clicked reads a Share or Pick button's value: the entry to draw and the
// paste's identifiers. A code the catalog lacks (an overlay removed since
// the card was sent, or a mangled value) is logged and ignored.
func (b *Bot) clicked(log zerolog.Logger, act *slack.BlockAction) (catalog.Entry, recognize.Identifiers, bool) {
	code, ids := card.ParseButtonValue(act.Value)
	e, ok := b.cat.Lookup(code)
	if !ok {
		log.Warn().Msg("click on an unknown code ignored")
	}
	return e, ids, ok
}

// maxSuggestions is how many near codes a no-match answer offers.
const maxSuggestions = 3

func isSingleWord(s string) bool {
	return s != "" && strings.IndexFunc(s, unicode.IsSpace) < 0
}

// userID is a Slack user ID, safe to put in a <@…> mention.
var userID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

func messageKey(channel, ts string) string { return "msg:" + channel + ":" + ts }

func threadKey(channel, thread, code string) string {
	return "thread:" + channel + ":" + thread + ":" + code
}

func threadOf(threadTS, ts string) string {
	if threadTS != "" {
		return threadTS
	}
	return ts
}
