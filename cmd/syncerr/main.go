// Command syncerr is a Slack chat-ops bot for Microsoft Entra Cloud Sync
// errors, and the offline tools around it.
//
// Usage:
//
//	syncerr lookup [flags] [TEXT...]   recognise an error in TEXT (or stdin) and print its card
//	syncerr catalog list|show|validate|import
//	                                   inspect the catalog, check overlays, re-import Microsoft's page
//	syncerr serve                      run the bot over Socket Mode (configured by environment)
//	syncerr sandbox [flags]            run an embedded Slack emulator, with the bot unless --no-bot
//	syncerr config                     print the environment variables syncerr reads
//	syncerr version                    print the version
//
// Exit status: 0 on success (for lookup: a match was found), 1 when lookup
// finds nothing or a command fails, 2 on usage errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		var silent exitStatus
		if !errors.As(err, &silent) {
			fmt.Fprintln(os.Stderr, "syncerr:", err)
		}
	}
	os.Exit(exitCode(err))
}

const usage = `usage: syncerr <command> [flags]

commands:
  lookup    recognise a Cloud Sync error in text and print its card
  catalog   list, show, validate or import catalog entries
  serve     run the Slack bot over Socket Mode
  sandbox   run an embedded Slack emulator (with the bot unless --no-bot)
  config    print the environment variables syncerr reads
  version   print the version

Run "syncerr <command> -h" for a command's flags.
`

// run is main without the process: tests call it with buffers.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("no command")}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "lookup":
		return runLookup(ctx, rest, stdin, stdout, stderr)
	case "catalog":
		return runCatalog(ctx, rest, stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "sandbox":
		return runSandbox(ctx, rest, stdout, stderr)
	case "config":
		return runConfig(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "syncerr", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Errorf("unknown command %q", cmd)}
	}
}

// usageError marks a mistake in how syncerr was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitStatus ends the process with a status and no message, as lookup does
// when it finds nothing.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func exitCode(err error) int {
	var (
		u usageError
		s exitStatus
	)
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	case errors.As(err, &s):
		return int(s)
	default:
		return 1
	}
}
