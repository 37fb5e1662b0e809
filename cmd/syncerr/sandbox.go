package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/syncerr/syncerr/config"
	"github.com/syncerr/syncerr/slackemu"
)

// defaultSandboxAddr is where the sandbox listens unless told otherwise: a
// fixed port, so the printed SLACK_API_URL survives restarts.
const defaultSandboxAddr = "127.0.0.1:3000"

// runSandbox runs the Slack emulator as a process. By default the bot runs
// inside it, configured as `syncerr serve` is (environment variables other
// than the Slack ones still apply), with auto-replies on in #identity-ops;
// the control API examples it prints on stderr let a person play the
// workspace's users with curl.
//
// With --no-bot it prints the three variables a Socket Mode bot needs as
// NAME=value lines (so `syncerr sandbox --no-bot > emu.env &` then
// `set -a; . ./emu.env` exports them) and serves until interrupted. stdout
// carries those lines and nothing else; hints and logs go to stderr.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noBot := fs.Bool("no-bot", false, "run the emulator alone, for a bot started separately against the printed variables")
	addr := fs.String("addr", defaultSandboxAddr, "listen address (port 0 picks a free port)")
	rateLimits := fs.String("rate-limits", "off", "Web API rate limiting: off, realistic or strict")
	verbose := fs.Bool("v", false, "log at debug level: the emulator's diagnostics and, with the bot, its log (message text included)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: syncerr sandbox [--no-bot] [--addr HOST:PORT] [--rate-limits off|realistic|strict] [-v]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{fmt.Errorf("sandbox: %w", err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("sandbox: unexpected argument %q", fs.Arg(0))}
	}
	mode, err := parseRateLimits(*rateLimits)
	if err != nil {
		return usageError{fmt.Errorf("sandbox: %w", err)}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	emu, err := startEmulator(*addr, slackemu.Options{RateLimits: mode, Logger: logger})
	if err != nil {
		return err
	}
	defer emu.Close() // after the bot has stopped: see startEmulator

	if *noBot {
		fmt.Fprintf(stdout, "SLACK_API_URL=%s\nSLACK_APP_TOKEN=%s\nSLACK_BOT_TOKEN=%s\n", emu.APIURL(), emu.AppToken(), emu.BotToken())
		fmt.Fprintf(stderr, "slackemu listening on %s (rate limits %s)\n"+
			"control API: %s/emu/… (POST /emu/messages, /emu/commands, /emu/actions, /emu/faults; GET /emu/messages, /emu/stats)\n"+
			"press Ctrl-C to stop\n", emu.URL(), *rateLimits, emu.URL())
		<-ctx.Done()
		return nil
	}
	return sandboxBot(ctx, emu, *verbose, stderr)
}

// sandboxChannel is the seeded channel where the sandbox's bot auto-replies.
const sandboxChannel = "#identity-ops"

// sandboxBot runs the bot against emu until ctx ends, and prints how to
// talk to it once it is connected.
func sandboxBot(ctx context.Context, emu *slackemu.Server, verbose bool, stderr io.Writer) error {
	channel, err := emu.ChannelID(sandboxChannel)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	cfg, err := config.Load(sandboxEnv(emu, channel, verbose, os.LookupEnv))
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	fmt.Fprintf(stderr, "slackemu listening on %s; starting the bot\n", emu.URL())
	// The hints wait for the first connection; they end with the bot, so
	// nothing writes to stderr after this function returns, even when the
	// bot fails to start.
	hintCtx, stopHints := context.WithCancel(ctx)
	hinted := make(chan struct{})
	go func() {
		defer close(hinted)
		if emu.Wait(hintCtx, func() bool { return emu.Connections() > 0 }) == nil {
			fmt.Fprint(stderr, sandboxHints(emu.URL(), channel))
		}
	}()
	err = serveBot(ctx, cfg, stderr)
	stopHints()
	<-hinted
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// sandboxEnv is the environment the sandbox's bot reads: the emulator's
// URL and tokens always; auto-replies in channel, no ops listener and
// console logs unless the environment says otherwise; the rest (catalog
// overlays, allowed bots, workers, …) from the environment as for serve.
func sandboxEnv(emu *slackemu.Server, channel string, verbose bool, lookup func(string) (string, bool)) func(string) (string, bool) {
	fixed := map[string]string{
		"SLACK_API_URL":   emu.APIURL(),
		"SLACK_APP_TOKEN": emu.AppToken(),
		"SLACK_BOT_TOKEN": emu.BotToken(),
	}
	defaults := map[string]string{
		"SYNCERR_AUTOREPLY_CHANNELS": channel,
		"SYNCERR_HTTP_ADDR":          "",
		"SYNCERR_LOG_FORMAT":         "console",
	}
	if verbose {
		defaults["SYNCERR_LOG_LEVEL"] = "debug"
	}
	return func(name string) (string, bool) {
		if v, ok := fixed[name]; ok {
			return v, true
		}
		if v, ok := lookup(name); ok {
			return v, true
		}
		v, ok := defaults[name]
		return v, ok
	}
}

// sandboxPaste is an error as the Entra admin center shows it; the bot
// answers it in its thread.
const sandboxPaste = "Provisioning failed. Error: HybridIdentityServiceNoActiveAgents - " +
	"unable to find an active agent for the domain. Job ID: AD2AADProvisioning.7c98d604855d9abe28026f53c4ac3e60.b777e2ef-34c6-4a51-a965-73994e6c2945"

// sandboxHints tells a person how to play the workspace's users with curl.
func sandboxHints(base, channel string) string {
	return fmt.Sprintf(`
The bot is connected to the emulated Slack at %[1]s.
Workspace: #identity-ops (%[2]s, the bot is in it, auto-replies on), #general (no bot), users @alice and @bob.

Paste an error into #identity-ops as @alice (answers {"ts": …}):
  curl -s %[1]s/emu/messages -d '{"channel":"#identity-ops","user":"@alice","text":"%[3]s"}'
Read the bot's answer in that thread (waits up to 10 s for it):
  curl -s '%[1]s/emu/messages?channel=%%23identity-ops&thread_ts=TS&min=2&wait=10s'
Run /syncerr as @alice (help, list, a code, a typo or pasted text; the answer is ephemeral_to @alice):
  curl -s %[1]s/emu/commands -d '{"channel":"#identity-ops","user":"@alice","command":"/syncerr","text":"timeot"}'
Read the channel, ephemeral answers included:
  curl -s '%[1]s/emu/messages?channel=%%23identity-ops'
Click a button of a message (Share in channel: syncerr_share; pick a code: syncerr_pick):
  curl -s %[1]s/emu/actions -d '{"channel":"#identity-ops","message_ts":"TS","user":"@alice","action_id":"syncerr_share"}'
Mention the bot in a message where it is a member: "text":"@syncerr TimeOut". Counters: curl -s %[1]s/emu/stats
Press Ctrl-C to stop.
`, base, channel, sandboxPaste)
}

// startEmulator starts a Slack emulator on addr with opts; the caller
// closes it. It is the sandbox's one start-up path, with or without the
// bot inside. The emulator deliberately outlives ctx: at Ctrl-C the bot
// still posts its in-flight answers during its grace period.
func startEmulator(addr string, opts slackemu.Options) (*slackemu.Server, error) {
	opts.Addr = addr
	emu, err := slackemu.New(opts)
	if err != nil {
		return nil, fmt.Errorf("sandbox: start emulator: %w", err)
	}
	return emu, nil
}

// parseRateLimits reads the --rate-limits flag.
func parseRateLimits(s string) (slackemu.RateLimitMode, error) {
	switch s {
	case "off":
		return slackemu.RateLimitsOff, nil
	case "realistic":
		return slackemu.RateLimitsRealistic, nil
	case "strict":
		return slackemu.RateLimitsStrict, nil
	}
	return 0, fmt.Errorf("--rate-limits %q: want off, realistic or strict", s)
}
