package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"

	"github.com/syncerr/syncerr/bot"
	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/config"
)

const serveUsage = `usage: syncerr serve

Runs the Slack bot over Socket Mode until SIGINT or SIGTERM, then finishes
in-flight answers within SYNCERR_SHUTDOWN_GRACE and exits 0. Configured by
environment variables only; "syncerr config" lists them.
`

// runServe is `syncerr serve`: config → bot.Options, logs, the ops HTTP
// listener and signals. The bot itself is bot.Run, the same code the
// end-to-end tests run against slackemu.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{fmt.Errorf("serve: %w", err)}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))}
	}
	// Kubernetes stops pods with SIGTERM; a terminal with SIGINT.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := config.FromEnv()
	if err != nil {
		return fmt.Errorf("serve: %w", err) // names each variable, never a token
	}
	if err := serveBot(ctx, cfg, stderr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// serveBot runs the bot that cfg describes until ctx ends: logs, catalog,
// the ops HTTP listener and bot.Run. serve and sandbox both come here, so
// the sandbox's bot is configured exactly as a deployed one.
func serveBot(ctx context.Context, cfg config.Config, stderr io.Writer) error {
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stderr)
	if err != nil {
		return err
	}
	cat, err := catalog.Load(cfg.CatalogFiles...)
	if err != nil {
		return fmt.Errorf("SYNCERR_CATALOG_FILES: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	b, err := bot.New(botOptions(cfg, cat, log, reg))
	if err != nil {
		return err
	}

	if cfg.HTTPAddr != "" {
		// Listen before connecting to Slack, so a busy port fails at once.
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("SYNCERR_HTTP_ADDR: %w", err)
		}
		srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error().Err(err).Msg("ops http server failed")
			}
		}()
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		log.Info().Str("addr", ln.Addr().String()).Msg("serving /healthz, /readyz and /metrics")
	}
	log.Info().Str("version", version).Int("catalog_codes", len(cat.Codes())).
		Int("autoreply_channels", len(cfg.AutoReplyChannels)).Msg("starting")
	if err := b.Run(ctx); err != nil {
		return err
	}
	log.Info().Msg("bye")
	return nil
}

// botOptions maps the environment's config onto the bot's options.
func botOptions(cfg config.Config, cat *catalog.Catalog, log zerolog.Logger, reg *prometheus.Registry) bot.Options {
	return bot.Options{
		AppToken:          cfg.AppToken.Reveal(),
		BotToken:          cfg.BotToken.Reveal(),
		APIURL:            cfg.APIURL,
		AutoReplyChannels: cfg.AutoReplyChannels,
		AllowedBotIDs:     cfg.AllowedBotIDs,
		Catalog:           cat,
		Workers:           cfg.Workers,
		QueueSize:         cfg.QueueSize,
		ShutdownGrace:     cfg.ShutdownGrace,
		DedupTTL:          cfg.DedupTTL,
		SlashAckAnswer:    cfg.SlashAckAnswer,
		Logger:            log,
		Registry:          reg,
	}
}

// newLogger builds the process's one logger: JSON lines for collectors,
// or zerolog's console format for humans.
func newLogger(level, format string, w io.Writer) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("SYNCERR_LOG_LEVEL: %w", err)
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}
