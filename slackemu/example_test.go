package slackemu_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
)

// A Socket Mode bot written with slack-go connects to the emulator, a user
// runs a slash command, and the bot answers in its ack, which Slack shows to
// that user only.
func Example() {
	emu, err := slackemu.New(slackemu.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	api := slack.New(emu.BotToken(), slack.OptionAPIURL(emu.APIURL()), slack.OptionAppLevelToken(emu.AppToken()))
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	go func() { _ = client.RunContext(ctx) }()
	if err := emu.Wait(ctx, func() bool { return emu.Connections() == 1 }); err != nil {
		log.Fatal(err)
	}

	// @alice types "/syncerr help" in #identity-ops.
	if _, _, err := emu.RunCommand("#identity-ops", "@alice", "/syncerr", "help"); err != nil {
		log.Fatal(err)
	}
	for evt := range client.Events {
		if evt.Type != socketmode.EventTypeSlashCommand {
			continue // connecting, connected, hello
		}
		cmd := evt.Data.(slack.SlashCommand)
		fmt.Println("bot got:", cmd.Command, cmd.Text, "from", cmd.UserName)
		client.Ack(*evt.Request, map[string]any{"text": "Try /syncerr lookup <error>"})
		break
	}

	// Wait for the answer to land, then read the channel as alice sees it.
	shown := func() bool { msgs, _ := emu.Messages("#identity-ops", ""); return len(msgs) == 1 }
	if err := emu.Wait(ctx, shown); err != nil {
		log.Fatal(err)
	}
	msgs, _ := emu.Messages("#identity-ops", "")
	alice, _ := emu.UserID("@alice")
	fmt.Println("alice sees:", msgs[0].Text, "(ephemeral:", msgs[0].EphemeralTo == alice, ")")
	// Output:
	// bot got: /syncerr help from alice
	// alice sees: Try /syncerr lookup <error> (ephemeral: true )
}

// With a FakeClock the 3-second ack deadline passes at once: an event the
// bot leaves unacknowledged comes again with the same event_id and
// retry_reason "timeout".
func Example_redelivery() {
	clock := slackemu.NewFakeClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	emu, err := slackemu.New(slackemu.Options{Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	api := slack.New(emu.BotToken(), slack.OptionAPIURL(emu.APIURL()), slack.OptionAppLevelToken(emu.AppToken()))
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	go func() { _ = client.RunContext(ctx) }()
	if err := emu.Wait(ctx, func() bool { return emu.Connections() == 1 }); err != nil {
		log.Fatal(err)
	}
	if _, err := emu.PostUserMessage("#identity-ops", "@alice", "sync failed", ""); err != nil {
		log.Fatal(err)
	}

	deliveries := 0
	for evt := range client.Events {
		if evt.Type != socketmode.EventTypeEventsAPI {
			continue
		}
		outer := evt.Data.(slackevents.EventsAPIEvent)
		msg := outer.InnerEvent.Data.(*slackevents.MessageEvent)
		fmt.Printf("%q attempt %d reason %q\n", msg.Text, evt.Request.RetryAttempt, evt.Request.RetryReason)
		if deliveries++; deliveries == 2 {
			client.Ack(*evt.Request)
			break
		}
		clock.Advance(3 * time.Second) // no ack: Slack gives up waiting and retries
	}
	// Output:
	// "sync failed" attempt 0 reason ""
	// "sync failed" attempt 1 reason "timeout"
}
