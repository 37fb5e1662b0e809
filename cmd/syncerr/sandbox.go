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

	"github.com/syncerr/syncerr/slackemu"
)

// defaultSandboxAddr is where the sandbox listens unless told otherwise: a
// fixed port, so the printed SLACK_API_URL survives restarts.
const defaultSandboxAddr = "127.0.0.1:3000"

// runSandbox runs the Slack emulator as a process. With --no-bot it prints
// the three variables a Socket Mode bot needs as NAME=value lines (so
// `syncerr sandbox --no-bot > emu.env &` then `set -a; . ./emu.env` exports
// them) and serves until interrupted. stdout carries those lines and nothing
// else; hints and logs go to stderr.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noBot := fs.Bool("no-bot", false, "run the emulator alone, for a bot started separately against the printed variables")
	addr := fs.String("addr", defaultSandboxAddr, "listen address (port 0 picks a free port)")
	rateLimits := fs.String("rate-limits", "off", "Web API rate limiting: off, realistic or strict")
	verbose := fs.Bool("v", false, "log the emulator's diagnostics at debug level (socket connects, closes and stray acks)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: syncerr sandbox --no-bot [--addr HOST:PORT] [--rate-limits off|realistic|strict] [-v]\n\n")
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
	if !*noBot {
		return usageError{errors.New("sandbox: the sandbox with the bot inside is not wired yet; " +
			"run `syncerr sandbox --no-bot` and start the bot against the variables it prints")}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	emu, err := startEmulator(ctx, *addr, slackemu.Options{RateLimits: mode, Logger: logger})
	if err != nil {
		return err
	}
	defer emu.Close()

	fmt.Fprintf(stdout, "SLACK_API_URL=%s\nSLACK_APP_TOKEN=%s\nSLACK_BOT_TOKEN=%s\n", emu.APIURL(), emu.AppToken(), emu.BotToken())
	fmt.Fprintf(stderr, "slackemu listening on %s (rate limits %s)\n"+
		"control API: %s/emu/… (POST /emu/messages, /emu/commands, /emu/actions, /emu/faults; GET /emu/messages, /emu/stats)\n"+
		"press Ctrl-C to stop\n", emu.URL(), *rateLimits, emu.URL())
	<-ctx.Done()
	return nil
}

// startEmulator starts a Slack emulator on addr with opts and closes it when
// ctx ends; the caller may also Close it sooner. It is the sandbox's one
// start-up path, with or without the bot inside.
func startEmulator(ctx context.Context, addr string, opts slackemu.Options) (*slackemu.Server, error) {
	opts.Addr = addr
	emu, err := slackemu.New(opts)
	if err != nil {
		return nil, fmt.Errorf("sandbox: start emulator: %w", err)
	}
	context.AfterFunc(ctx, func() { _ = emu.Close() })
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
