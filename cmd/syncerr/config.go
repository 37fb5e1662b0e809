package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/syncerr/syncerr/config"
)

const configUsage = `usage: syncerr config [--markdown | --check]

Prints the environment variables syncerr serve reads, with their defaults.
  --markdown   print them as a Markdown table (the README's)
  --check      load the current environment and report every problem
               (exit status 1 when there are problems); tokens are never shown
`

func runConfig(args []string, stdout, stderr io.Writer) error {
	return runConfigEnv(args, os.LookupEnv, stdout, stderr)
}

// runConfigEnv is runConfig with the environment injected, for tests.
func runConfigEnv(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, configUsage) }
	markdown := fs.Bool("markdown", false, "print a Markdown table")
	check := fs.Bool("check", false, "check the current environment")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case err != nil:
		return usageError{err}
	case fs.NArg() > 0:
		fs.Usage()
		return usageError{fmt.Errorf("config: unexpected argument %q", fs.Arg(0))}
	case *markdown && *check:
		fs.Usage()
		return usageError{errors.New("config: --markdown and --check do not go together")}
	}
	if !*check {
		return config.WriteTable(stdout, *markdown)
	}
	cfg, err := config.Load(lookup)
	var problems *config.Error
	if errors.As(err, &problems) {
		for _, p := range problems.Problems {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "%d problem(s) in the configuration\n", len(problems.Problems))
		return exitStatus(1)
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	fmt.Fprintln(stdout, "configuration is valid")
	return config.WriteSettings(stdout, cfg) // tokens as <secret>
}
