package bot

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/bot/card"
)

// Every envelope, event, command and action the bot handles, in one place:
//
//	slash_commands /syncerr …            → handleSlash (answer in the ack or via response_url)
//	events_api     message               → handleMessage (auto-reply in configured channels)
//	events_api     message_changed       → handleMessage (an edit that became an error paste)
//	events_api     app_mention           → handleMention (answer in thread, any channel)
//	interactive    block_actions ActionShare → handleShare (re-post in_channel, drop the ephemeral)
//	interactive    block_actions ActionPick  → handlePick (replace with the chosen code's card)
//
// Everything else is acked and ignored.

// drain reads slack-go's Events until ctx ends. It never blocks on work:
// it acks, records and enqueues, so slack-go's 50-slot channel never fills
// and pings keep being read (§8.2 slow consumer pitfall).
func (b *Bot) drain(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-b.sm.Events:
			b.route(ctx, ev)
		}
	}
}

func (b *Bot) route(ctx context.Context, ev socketmode.Event) {
	received := time.Now()
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		b.setReady(false)
		b.noteConnecting()
	case socketmode.EventTypeConnectionError:
		b.setReady(false)
		if e, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			b.log.Warn().Err(e.ErrorObj).Int("attempt", e.Attempt).Dur("backoff", e.Backoff).Msg("socket mode connection failed")
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error().Msg("socket mode: invalid app token (check SLACK_APP_TOKEN and that Socket Mode is on)")
	case socketmode.EventTypeConnected:
		if b.connected.Add(1) > 1 {
			b.m.reconnects.Inc()
		}
		b.setReady(true)
		b.log.Info().Int64("connection", b.connected.Load()).Msg("socket mode connected")
	case socketmode.EventTypeHello:
		b.log.Debug().Msg("hello")
	case socketmode.EventTypeIncomingError:
		if e, ok := ev.Data.(*slack.IncomingEventError); ok {
			b.log.Debug().Err(e.ErrorObj).Msg("socket read failed")
		}
	case socketmode.EventTypeErrorWriteFailed:
		b.log.Warn().Msg("socket mode: writing an ack failed")
	case socketmode.EventTypeErrorBadMessage:
		b.badMessage(ctx, ev)
	case socketmode.EventTypeEventsAPI:
		b.countEnvelope("events_api")
		b.routeEvent(ctx, ev, received)
	case socketmode.EventTypeSlashCommand:
		b.countEnvelope("slash_commands")
		b.routeSlash(ctx, ev, received)
	case socketmode.EventTypeInteractive:
		b.countEnvelope("interactive")
		b.routeInteractive(ctx, ev, received)
	default:
		if ev.Request != nil && ev.Request.EnvelopeID != "" {
			b.countEnvelope(string(ev.Type))
			b.ack(ctx, ev.Request.EnvelopeID, nil, received)
		}
	}
}

func (b *Bot) countEnvelope(kind string) { b.m.envelopes.WithLabelValues(kind).Inc() }

// ack queues an ack and records how long the envelope waited for it.
func (b *Bot) ack(ctx context.Context, envelopeID string, payload any, received time.Time) bool {
	if err := b.sm.AckCtx(ctx, envelopeID, payload); err != nil {
		b.log.Warn().Err(err).Str("envelope_id", envelopeID).Msg("ack failed")
		return false
	}
	b.m.ackLatency.Observe(time.Since(received).Seconds())
	return true
}

// badMessage acks what slack-go could not decode, so Slack stops retrying
// it (§8.2 parse failure pitfall), and counts it. The payload is not logged:
// it may hold message text.
func (b *Bot) badMessage(ctx context.Context, ev socketmode.Event) {
	b.m.dropped.WithLabelValues("unparseable").Inc()
	e, ok := ev.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		b.log.Warn().Msg("unparseable socket mode frame")
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(e.Message, &env)
	b.log.Warn().Err(e.Cause).Str("envelope_id", env.EnvelopeID).Str("type", env.Type).Int("bytes", len(e.Message)).
		Msg("unparseable payload acked and dropped")
	if env.EnvelopeID != "" {
		b.countEnvelope("unparseable")
		b.ack(ctx, env.EnvelopeID, nil, time.Now())
	}
}

// routeEvent dedups an events_api delivery and queues its handler. A retry
// (retry_attempt > 0) is handled like a first delivery unless its event_id
// was already seen: it may be the only copy that reached us.
func (b *Bot) routeEvent(ctx context.Context, ev socketmode.Event, received time.Time) {
	req := ev.Request
	outer, ok := ev.Data.(slackevents.EventsAPIEvent)
	if !ok || req == nil {
		b.m.dropped.WithLabelValues("unparseable").Inc()
		if req != nil {
			b.ack(ctx, req.EnvelopeID, nil, received)
		}
		return
	}
	if outer.APIAppID != "" {
		b.appID.Store(outer.APIAppID)
	}
	eventID := ""
	if cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	log := b.log.With().Str("event_id", eventID).Str("envelope_id", req.EnvelopeID).Int("retry_attempt", req.RetryAttempt).Logger()
	if eventID != "" && b.seen.has("ev:"+eventID) {
		b.m.duplicates.WithLabelValues("event_id").Inc()
		b.ack(ctx, req.EnvelopeID, nil, received)
		log.Debug().Msg("duplicate delivery")
		return
	}
	var j job
	switch inner := outer.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		j = job{kind: "message", run: func(ctx context.Context) { b.handleMessage(ctx, log, inner) }}
	case *slackevents.AppMentionEvent:
		j = job{kind: "mention", run: func(ctx context.Context) { b.handleMention(ctx, log, inner) }}
	default:
		b.ack(ctx, req.EnvelopeID, nil, received)
		log.Debug().Str("event_type", outer.InnerEvent.Type).Msg("event ignored")
		return
	}
	// Overloaded: leave the envelope unacked, so Slack redelivers it later
	// instead of the event being lost.
	if !b.enqueue(j) {
		log.Warn().Msg("queue full: event left unacked for Slack to retry")
		return
	}
	if eventID != "" {
		b.seen.claim("ev:"+eventID, b.opts.DedupTTL)
	}
	b.ack(ctx, req.EnvelopeID, nil, received)
}

// slashAckBudget is how long a slash command's answer may take to go in the
// ack: Slack shows an error after 3 s (§1.9), and the ack still has to travel.
const slashAckBudget = 2 * time.Second

// routeSlash queues the command; its answer rides in the ack if ready
// within slashAckBudget (and SlashAckAnswer), else goes via response_url.
func (b *Bot) routeSlash(ctx context.Context, ev socketmode.Event, received time.Time) {
	req := ev.Request
	cmd, ok := ev.Data.(slack.SlashCommand)
	if !ok || req == nil {
		b.m.dropped.WithLabelValues("unparseable").Inc()
		if req != nil {
			b.ack(ctx, req.EnvelopeID, nil, received)
		}
		return
	}
	log := b.log.With().Str("envelope_id", req.EnvelopeID).Str("command", cmd.Command).Logger()
	if !b.opts.SlashAckAnswer {
		b.ack(ctx, req.EnvelopeID, nil, received)
		if !b.enqueue(job{kind: "slash", run: func(ctx context.Context) { b.handleSlash(ctx, log, cmd, nil) }}) {
			log.Warn().Msg("queue full: slash command not answered")
		}
		return
	}
	a := &slashAck{b: b, ctx: ctx, envelopeID: req.EnvelopeID, received: received}
	// If no worker answers in time, ack empty; the worker then answers
	// through response_url. The timer is armed before the job can run, so
	// the worker's ack always finds it to stop.
	a.mu.Lock()
	a.timer = time.AfterFunc(slashAckBudget, func() { a.send(nil) })
	a.mu.Unlock()
	if !b.enqueue(job{kind: "slash", run: func(ctx context.Context) { b.handleSlash(ctx, log, cmd, a) }}) {
		a.send(ephemeral(card.Message{Text: "syncerr is busy right now; please try again in a minute."}))
		log.Warn().Msg("queue full: slash command answered busy")
	}
}

// slashAck is the one ack of a slash command, raced for by the worker
// (with the answer) and the budget timer (empty).
type slashAck struct {
	b          *Bot
	ctx        context.Context
	envelopeID string
	received   time.Time
	mu         sync.Mutex
	done       bool
	timer      *time.Timer
}

// send acks with payload unless the envelope was acked already; it reports
// whether payload went out in the ack.
func (a *slashAck) send(payload any) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return false
	}
	a.done = true
	if a.timer != nil {
		a.timer.Stop()
	}
	if !a.b.ack(a.ctx, a.envelopeID, payload, a.received) && payload != nil {
		// Too big for an ack (≥ 20 KB) or the socket is gone: ack empty
		// and let the caller use response_url.
		a.b.ack(a.ctx, a.envelopeID, nil, a.received)
		return false
	}
	return payload != nil
}

// routeInteractive acks a click at once and queues its handler.
func (b *Bot) routeInteractive(ctx context.Context, ev socketmode.Event, received time.Time) {
	req := ev.Request
	cb, ok := ev.Data.(slack.InteractionCallback)
	if req == nil {
		return
	}
	b.ack(ctx, req.EnvelopeID, nil, received)
	if !ok {
		b.m.dropped.WithLabelValues("unparseable").Inc()
		return
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		act := act
		log := b.log.With().Str("envelope_id", req.EnvelopeID).Str("action_id", act.ActionID).Logger()
		var j job
		switch act.ActionID {
		case card.ActionShare:
			j = job{kind: "share", run: func(ctx context.Context) { b.handleShare(ctx, log, cb, act) }}
		case card.ActionPick:
			j = job{kind: "pick", run: func(ctx context.Context) { b.handlePick(ctx, log, cb, act) }}
		default:
			continue
		}
		if !b.enqueue(j) {
			log.Warn().Msg("queue full: click not handled")
		}
	}
}
