package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/syncerr/syncerr/catalog"
)

const catalogUsage = `usage: syncerr catalog <command> [flags]

commands:
  list [--catalog FILE]...              list every code with its category and title
  show [--catalog FILE]... [--json] CODE
                                        print one entry (CODE may be an alias, any case)
  validate FILE...                      check overlay files; prints file:line problems
  import [-o PATH] FILE                 convert Microsoft's reference page (Markdown) to
                                        the catalog's imported.json (stdout without -o)

Overlay files also come from SYNCERR_CATALOG_FILES (comma-separated paths),
applied before any --catalog flags.
`

// catalogFilesEnv names overlay files for list and show (and the bot).
const catalogFilesEnv = "SYNCERR_CATALOG_FILES"

func runCatalog(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, catalogUsage)
		return usageError{errors.New("catalog: no command")}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "list":
		return runCatalogList(rest, stdout, stderr)
	case "show":
		return runCatalogShow(rest, stdout, stderr)
	case "validate":
		return runCatalogValidate(rest, stdout, stderr)
	case "import":
		return runCatalogImport(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, catalogUsage)
		return nil
	default:
		fmt.Fprint(stderr, catalogUsage)
		return usageError{fmt.Errorf("catalog: unknown command %q", cmd)}
	}
}

// overlayFlags collects repeatable --catalog flags.
type overlayFlags []string

func (o *overlayFlags) String() string { return strings.Join(*o, ",") }
func (o *overlayFlags) Set(path string) error {
	*o = append(*o, path)
	return nil
}

// loadCatalog applies the overlays named by SYNCERR_CATALOG_FILES, then
// those given with --catalog. Overlay problems go to stderr, one
// "file:line: what" per line.
func loadCatalog(flags overlayFlags, stderr io.Writer) (*catalog.Catalog, error) {
	var paths []string
	for p := range strings.SplitSeq(os.Getenv(catalogFilesEnv), ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	c, err := catalog.Load(append(paths, flags...)...)
	return c, reportOverlayProblems(err, stderr)
}

// reportOverlayProblems prints each overlay problem on its own line and
// turns the error into a silent exit 1; other errors pass through.
func reportOverlayProblems(err error, stderr io.Writer) error {
	var oe *catalog.OverlayError
	if !errors.As(err, &oe) {
		return err
	}
	for _, p := range oe.Problems {
		fmt.Fprintln(stderr, p)
	}
	return exitStatus(1)
}

// parseFlags parses args with fs, allowing flags after positional
// arguments ("show CODE --json"), and returns the positional ones. Flag
// errors become usage errors; -h prints the usage and reports help.
func parseFlags(fs *flag.FlagSet, args []string) (positional []string, help bool, err error) {
	for {
		err = fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, true, nil
		}
		if err != nil {
			return nil, false, usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, false, nil
		}
		// After "--" the flag package stops and so do we.
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), false, nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

func runCatalogList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var overlays overlayFlags
	fs.Var(&overlays, "catalog", "overlay `FILE` to apply (repeatable)")
	args, help, err := parseFlags(fs, args)
	if help || err != nil {
		return err
	}
	if len(args) > 0 {
		return usageError{fmt.Errorf("catalog list: unexpected argument %q", args[0])}
	}
	c, err := loadCatalog(overlays, stderr)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tCATEGORY\tTITLE")
	for _, e := range c.Entries() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Code, orDash(string(e.Category)), orDash(e.Title))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runCatalogShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var overlays overlayFlags
	fs.Var(&overlays, "catalog", "overlay `FILE` to apply (repeatable)")
	asJSON := fs.Bool("json", false, "print the entry as JSON")
	args, help, err := parseFlags(fs, args)
	if help || err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError{errors.New("catalog show: want exactly one CODE")}
	}
	c, err := loadCatalog(overlays, stderr)
	if err != nil {
		return err
	}
	code := args[0]
	e, ok := c.Lookup(code)
	if !ok {
		msg := fmt.Sprintf("catalog show: unknown code %q", code)
		if near := closestCodes(c.Codes(), code); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		return errors.New(msg)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(e)
	}
	writeEntry(stdout, e)
	return nil
}

// writeEntry prints an entry for a terminal: title first, then what a
// person needs to act, then Microsoft's text.
func writeEntry(w io.Writer, e catalog.Entry) {
	fmt.Fprintf(w, "%s\n", e.Code)
	if e.Title != "" {
		fmt.Fprintf(w, "%s\n", e.Title)
	}
	fmt.Fprintln(w)
	sh := sheet{w: w, width: 12}
	sh.field("Category", string(e.Category))
	if e.AutoRetry {
		sh.field("Auto-retry", "yes, the service retries it by itself")
	}
	sh.field("Aliases", strings.Join(e.Aliases, ", "))
	sh.field("AADSTS", strings.Join(e.AADSTS, ", "))
	sh.field("Error codes", strings.Join(e.ErrorCodes, ", "))
	sh.field("Related", strings.Join(e.Related, ", "))
	sh.field("Owner", e.Owner)
	sh.section("Meaning", e.Summary)
	sh.section("Message", e.Message)
	sh.section("Scenario", e.Scenario)
	sh.section("Resolution", e.Resolution)
	if len(e.Steps) > 0 {
		fmt.Fprintln(w, "\nSteps")
		for i, s := range e.Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	}
	links := func(name string, ls []catalog.Link) {
		if len(ls) > 0 {
			fmt.Fprintf(w, "\n%s\n", name)
			for _, l := range ls {
				fmt.Fprintf(w, "  %s: %s\n", l.Title, l.URL)
			}
		}
	}
	links("Links", e.Links)
	links("Runbooks", e.Runbooks)
	sh.section("Notes", e.Notes)
	if len(e.Localized) > 0 {
		fmt.Fprintf(w, "\nLocalized: %s\n", strings.Join(slices.Sorted(maps.Keys(e.Localized)), ", "))
	}
}

// closestCodes is the CLI's "did you mean": up to three codes near a
// mistyped one, chosen as the bot chooses them.
func closestCodes(codes []string, typed string) []string {
	return catalog.ClosestCodes(codes, typed, 3)
}

func runCatalogValidate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	args, help, err := parseFlags(fs, args)
	if help || err != nil {
		return err
	}
	if len(args) == 0 {
		return usageError{errors.New("catalog validate: want at least one FILE")}
	}
	c, err := catalog.Load(args...)
	if err != nil {
		return reportOverlayProblems(err, stderr)
	}
	fmt.Fprintf(stdout, "ok: %d overlay file(s); the catalog has %d codes\n", len(args), len(c.Codes()))
	return nil
}

func runCatalogImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write to `PATH` instead of stdout (e.g. catalog/data/imported.json)")
	args, help, err := parseFlags(fs, args)
	if help || err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError{errors.New("catalog import: want exactly one FILE")}
	}
	page, err := os.ReadFile(args[0])
	if err != nil {
		return fmt.Errorf("catalog import: %w", err)
	}
	entries, err := catalog.ParseReference(page)
	if err != nil {
		return fmt.Errorf("catalog import: %s: %w", args[0], err)
	}
	data, err := catalog.EncodeImported(entries)
	if err != nil {
		return fmt.Errorf("catalog import: %w", err)
	}
	if *out == "" {
		_, err = stdout.Write(data)
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("catalog import: %w", err)
	}
	fmt.Fprintf(stderr, "imported %d codes into %s\n", len(entries), *out)
	warnUnenriched(stderr, entries)
	return nil
}

// warnUnenriched names imported codes that the built-in enrichment does not
// cover (new on the page) and enriched codes the page no longer lists, so
// whoever re-imports knows what to write in enrichment.yaml.
func warnUnenriched(stderr io.Writer, imported []catalog.Entry) {
	built := catalog.Default()
	var fresh []string
	onPage := map[string]bool{}
	for _, e := range imported {
		onPage[e.Code] = true
		if known, ok := built.Lookup(e.Code); !ok || known.Title == "" {
			fresh = append(fresh, e.Code)
		}
	}
	var gone []string
	for _, code := range built.Codes() {
		if !onPage[code] {
			gone = append(gone, code)
		}
	}
	if len(fresh) > 0 {
		fmt.Fprintf(stderr, "warning: not enriched yet (add to catalog/data/enrichment.yaml): %s\n", strings.Join(fresh, ", "))
	}
	if len(gone) > 0 {
		fmt.Fprintf(stderr, "warning: no longer on the page (remove from catalog/data/enrichment.yaml): %s\n", strings.Join(gone, ", "))
	}
}
