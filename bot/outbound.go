package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/bot/card"
)

// post sends msg to channel (in thread when threadTS is set), paced per
// channel. slack-go retries 429s after their Retry-After (Options.MaxRetries).
func (b *Bot) post(ctx context.Context, log zerolog.Logger, channel, threadTS string, msg card.Message, kind string) error {
	if err := b.pacer.wait(ctx, channel); err != nil {
		return err
	}
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	if _, _, err := b.api.PostMessageContext(ctx, channel, opts...); err != nil {
		b.apiError("chat.postMessage", channel, err)
		return err
	}
	b.m.replies.WithLabelValues(kind).Inc()
	log.Debug().Str("channel", channel).Str("kind", kind).Msg("posted")
	return nil
}

// respond sends msg through a response_url (the option says which and how).
func (b *Bot) respond(ctx context.Context, log zerolog.Logger, channel string, msg card.Message, how slack.MsgOption) error {
	if err := b.pacer.wait(ctx, channel); err != nil {
		return err
	}
	_, _, err := b.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...), how)
	if err != nil {
		b.apiError("response_url", channel, err)
		return err
	}
	log.Debug().Msg("responded")
	return nil
}

// advice says what an operator should do about a Slack error that no retry
// fixes; such errors are logged once at warning level, later at debug.
var advice = map[string]string{
	"not_in_channel":                    "invite the bot to the channel (/invite @syncerr) or remove it from SYNCERR_AUTOREPLY_CHANNELS",
	"channel_not_found":                 "check the channel IDs in SYNCERR_AUTOREPLY_CHANNELS and that the bot can see the channel",
	"is_archived":                       "the channel is archived; remove it from SYNCERR_AUTOREPLY_CHANNELS",
	"missing_scope":                     "reinstall the app with the scopes in deploy/slack-app-manifest.yaml",
	"invalid_auth":                      "check SLACK_BOT_TOKEN",
	"not_authed":                        "check SLACK_BOT_TOKEN",
	"token_revoked":                     "the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN",
	"account_inactive":                  "the app was uninstalled or its user deactivated; reinstall it",
	"restricted_action":                 "a workspace admin restricts posting in this channel",
	"invalid_blocks":                    "a card broke Block Kit rules; please report it with the code shown",
	"msg_blocks_too_long":               "a card is too long for Slack; please report it with the code shown",
	"expired_url":                       "the user clicked more than 30 minutes after asking; they can run the command again",
	"used_url":                          "a response_url was used more than 5 times",
	"ratelimited":                       "Slack rate-limited the bot beyond its retries; answers were lost, check for a flood",
	"rate_limited":                      "Slack's posting limit was hit; answers were lost, check for a flood",
	"channel_is_archived":               "the channel is archived",
	"user_not_in_channel":               "the user left the channel",
	"ekm_access_denied":                 "Enterprise Key Management revoked access to this message",
	"posting_to_general_channel_denied": "only admins may post in #general",
}

// apiError counts a failed Web API call and logs it; errors that need an
// operator are explained once per method and error.
func (b *Bot) apiError(method, channel string, err error) {
	code := errorCode(err)
	b.m.apiErrors.WithLabelValues(method, code).Inc()
	ev := b.log.Debug()
	what, known := advice[code]
	if _, dup := b.loggedOnce.LoadOrStore(method+"/"+code, true); !dup {
		ev = b.log.Warn()
	}
	if known {
		ev = ev.Str("fix", what)
	}
	ev.Str("method", method).Str("channel", channel).Str("error", code).Err(err).Msg("slack api call failed")
}

// errorCode names an error by Slack's code, or by its kind for transport
// failures; the set stays small enough for a metric label.
func errorCode(err error) string {
	var (
		se slack.SlackErrorResponse
		rl *slack.RateLimitedError
		sc slack.StatusCodeError
	)
	switch {
	case errors.As(err, &rl):
		return "ratelimited"
	case errors.As(err, &se):
		return se.Err
	case errors.As(err, &sc):
		return fmt.Sprintf("http_%d", sc.Code)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case strings.Contains(err.Error(), "used_url"):
		return "used_url" // a response_url answered in plain text
	case strings.Contains(err.Error(), "expired_url"):
		return "expired_url"
	default:
		return "transport"
	}
}
