// Package slackemu is an in-process Slack emulator for developing and testing
// Socket Mode bots without a workspace: the Web API methods such a bot calls,
// Socket Mode (hello, envelopes, acks, redelivery, pings, disconnects, up to
// ten connections), interactivity (slash commands with response_url and
// trigger_id, buttons, modals, shortcuts, the Home tab), plus a control API
// through which tests act as the workspace's human users.
//
// It is exercised with the real slack-go v0.35 clients over loopback sockets,
// and nothing in it is specific to one bot: point any slack-go (or Bolt) bot
// at it. slack-go's own slacktest has no Socket Mode; this fills that gap.
//
// # Connecting a bot
//
//	emu, err := slackemu.New(slackemu.Options{})  // 127.0.0.1, free port
//	defer emu.Close()
//	api := slack.New(emu.BotToken(),
//		slack.OptionAPIURL(emu.APIURL()),          // "http://127.0.0.1:PORT/api/"
//		slack.OptionAppLevelToken(emu.AppToken()))
//	client := socketmode.New(api)
//	go client.RunContext(ctx)
//
// The workspace is seeded with #identity-ops (the bot is a member), #general
// (it is not) and the users @alice and @bob; AddUser and AddChannel add more.
// Wherever a method or control request takes a channel or a user, an ID
// ("C…", "U…") or a name ("#identity-ops", "@alice") is accepted.
//
// # Acting as users
//
// PostUserMessage, EditUserMessage, DeleteUserMessage, RunCommand, Click,
// SubmitView, Shortcut, OpenHome, InviteBot and PostIntegrationMessage do
// what a person (or a legacy integration) would do, and deliver exactly the
// envelopes Slack delivers for it: message events with escaped text and a
// rich_text block, the app_mention twin, the bot's own posts echoed,
// message_changed/message_deleted, channel_join, bot_message,
// app_home_opened, slash_commands, block_actions, view_submission,
// shortcut and message_action.
//
// # Testing without sleeps
//
// Wait(ctx, cond) blocks until cond holds; cond is re-evaluated on every state
// change (a message posted, edited or deleted, an envelope sent or acked, a
// connection opened or closed, a Web API call answered), never by polling:
//
//	err := emu.Wait(ctx, func() bool {
//		msgs, _ := emu.Messages("#identity-ops", threadTS)
//		return len(msgs) == 2 // the parent and the bot's reply
//	})
//
// Messages(channel, threadTS) lists a channel (or one thread, parent first) as
// users would see it now: edits are applied in place (Edited is set), deleted
// messages are gone, and ephemeral messages (EphemeralTo) and response_url
// posts are included. Views(user) lists a user's modal stack and Home tab;
// Stats counts envelopes, acks, redeliveries, ack latency and Web API calls
// by method and outcome.
//
// Options.Clock takes a *FakeClock: the 3-second ack deadline and the
// events_api redelivery schedule (3 s, then 1 and 5 minutes, with the same
// event_id and retry_attempt/retry_reason "timeout"), trigger_id (3 s) and
// response_url (30 minutes) expiry then move only when the test calls
// Advance, and timers due run before Advance returns.
//
// # Faults
//
// Fault (or POST /emu/faults) injects failures: FaultDropSockets,
// FaultDisconnect with a reason ("warning", "refresh_requested",
// "link_disabled", "too_many_websockets"), FaultRefuseConnections for the
// next Count apps.connections.open calls, FaultFailMethod for the next Count
// calls of a method (an error code, an HTTP status, a Retry-After),
// FaultDelay for every Web API answer and FaultStopPings. Options.RateLimits
// turns on Slack's rate limits (HTTP 429 with an integer Retry-After, which
// slack.OptionRetry honours); RateLimitsStrict provokes them in a few calls.
//
// # Control API
//
// The same server answers JSON requests under /emu/ for tests in other
// languages and for the sandbox: POST /emu/messages, /emu/commands,
// /emu/actions, /emu/views/submit, /emu/shortcuts, /emu/home, /emu/invite,
// /emu/faults, /emu/messages/update ({"channel","user","ts","text"}: a user
// edits their message) and /emu/messages/delete ({"channel","user","ts"});
// GET /emu/messages?channel=…[&thread_ts=…] (every message field present,
// null or empty when unset), /emu/views?user=…, /emu/stats. Unknown request fields are rejected; unknown channels, users,
// messages or buttons answer 404 with a reason, and a command or interaction
// with no bot connected answers 409 (Slack's dispatch_failed).
//
// GET /emu/messages also long-polls, the HTTP form of Wait: with
// &min=2&wait=10s it answers as soon as the listing holds two messages (a
// question and the bot's reply in its thread), or after ten seconds with
// what there is.
//
// The facts the emulator is built to are collected, with their sources, in
// the syncerr repository's docs/slack-protocol.md.
package slackemu
