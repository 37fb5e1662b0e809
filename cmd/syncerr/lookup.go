package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/syncerr/syncerr/bot/card"
	"github.com/syncerr/syncerr/catalog"
	"github.com/syncerr/syncerr/catalog/recognize"
)

const lookupUsage = `usage: syncerr lookup [flags] [TEXT...]

Recognise the Entra Cloud Sync error in TEXT (the arguments joined with
spaces), or in stdin when no TEXT is given or TEXT is "-". Put "--" before
TEXT that starts with a dash. stdin is read up to 1 MiB; a larger input is
refused (use --jsonl for big exports, one record a line).

Formats:
  text     a card for the terminal (default)
  json     one object: {"matches":[{"code","confidence","reason"}],"ambiguous",
           "auto_reply","identifiers":{…only the identifiers found…}}
  blocks   the Block Kit message the bot would post: {"text","blocks":[…]}

--jsonl reads {"id":…,"text":"…"} lines from stdin and writes one JSON result
per line, in the same order, with the id echoed as given (string or number).
Blank lines are skipped. A line that cannot be read (bad JSON, no text, over
1 MiB) gives {"id":…,"error":"line N: …"} and processing continues.

Exit status: 0 when a code matched (--jsonl: when the input was processed),
1 when none did, 2 on usage errors.

Flags:
`

// maxInput caps what lookup reads as one text: stdin without --jsonl, or
// one --jsonl line. Slack caps a message at 40,000 characters; 1 MiB leaves
// room for pasted logs without letting a stray pipe eat the memory.
const maxInput = 1 << 20

type lookupOptions struct {
	format  string
	explain bool
	engine  *recognize.Engine
	catalog *catalog.Catalog
}

func runLookup(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), lookupUsage)
		fs.PrintDefaults()
	}
	var opts lookupOptions
	var overlays overlayFlags
	fs.StringVar(&opts.format, "format", "text", "output `FORMAT`: text, json or blocks")
	fs.BoolVar(&opts.explain, "explain", false, "show which signals fired for each code, with their weights")
	jsonl := fs.Bool("jsonl", false, `read {"id","text"} JSON lines from stdin, write one JSON result per line`)
	fs.Var(&overlays, "catalog", "overlay `FILE` to apply after SYNCERR_CATALOG_FILES (repeatable)")
	text, help, err := parseFlags(fs, args)
	if help || err != nil {
		return err
	}
	switch opts.format {
	case "text", "json", "blocks":
	default:
		return usageError{fmt.Errorf("lookup: unknown format %q (want text, json or blocks)", opts.format)}
	}
	if *jsonl {
		if len(text) > 0 {
			return usageError{errors.New("lookup: --jsonl reads stdin; give no TEXT")}
		}
		formatSet := false
		fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
		if formatSet && opts.format != "json" {
			return usageError{fmt.Errorf("lookup: --jsonl writes JSON; --format %s does not apply", opts.format)}
		}
	}

	var query string
	if !*jsonl {
		if query, err = lookupText(text, stdin); err != nil {
			return err
		}
	}
	opts.catalog, err = loadCatalog(overlays, stderr)
	if err != nil {
		return err
	}
	opts.engine = recognize.New(opts.catalog)
	if *jsonl {
		return lookupLines(ctx, opts, stdin, stdout)
	}

	res := opts.recognize(query)
	switch opts.format {
	case "json":
		err = writeJSON(stdout, res, "  ")
	case "blocks":
		err = writeJSON(stdout, blocksFor(opts.catalog, query, res), "  ")
	default:
		writeTextCard(stdout, opts, query, res)
	}
	if err != nil {
		return err
	}
	if len(res.Matches) == 0 {
		return exitStatus(1)
	}
	return nil
}

// lookupText is the text to recognise: the arguments, or stdin.
func lookupText(args []string, stdin io.Reader) (string, error) {
	if len(args) > 0 && !(len(args) == 1 && args[0] == "-") {
		return strings.Join(args, " "), nil
	}
	if f, ok := stdin.(*os.File); ok && len(args) == 0 {
		// A terminal on stdin means nobody piped anything: waiting for
		// end-of-file there would look like a hang.
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return "", usageError{errors.New("lookup: give TEXT, or pipe it on stdin")}
		}
	}
	b, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
	if err != nil {
		return "", fmt.Errorf("lookup: read stdin: %w", err)
	}
	if len(b) > maxInput {
		return "", fmt.Errorf("lookup: stdin is over %d bytes (1 MiB); split it, or use --jsonl with one record a line", maxInput)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageError{errors.New("lookup: no text on stdin")}
	}
	return string(b), nil
}

// recognize runs the engine, listing the evidence only for --explain.
func (o lookupOptions) recognize(text string) recognize.Result {
	if o.explain {
		return o.engine.Explain(text)
	}
	return o.engine.Recognize(text)
}

func writeJSON(w io.Writer, v any, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	return enc.Encode(v)
}

// lineResult is one --jsonl output line: the id as given, then the result.
type lineResult struct {
	ID json.RawMessage `json:"id"`
	recognize.Result
}

// lineError is the output line for an input line that could not be read.
type lineError struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

// lookupLines is the batch mode: one result per input line, in order. A bad
// line is answered with an error object rather than ending the batch, so
// one broken record in an exported log loses nothing else.
func lookupLines(ctx context.Context, opts lookupOptions, stdin io.Reader, stdout io.Writer) error {
	r := bufio.NewReaderSize(stdin, 64<<10)
	w := bufio.NewWriter(stdout)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, err := readLine(r, maxInput)
		if err != nil && !errors.Is(err, io.EOF) {
			w.Flush()
			return fmt.Errorf("lookup: read stdin: %w", err)
		}
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			var out any
			if tooLong {
				out = lineError{ID: json.RawMessage("null"), Error: fmt.Sprintf("line %d: over %d bytes (1 MiB)", n, maxInput)}
			} else {
				out = recognizeLine(opts, n, line)
			}
			if werr := writeJSON(w, out, ""); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return w.Flush()
		}
	}
}

// readLine reads one line without its newline. A line longer than limit is
// consumed to its end and reported as tooLong, without keeping it.
func readLine(r *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > limit+1 { // +1: the newline does not count
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

// recognizeLine answers one --jsonl record.
func recognizeLine(opts lookupOptions, n int, line []byte) any {
	var rec struct {
		ID   json.RawMessage `json:"id"`
		Text *string         `json:"text"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return lineError{ID: json.RawMessage("null"), Error: fmt.Sprintf("line %d: not a JSON object: %v", n, err)}
	}
	if rec.ID == nil {
		rec.ID = json.RawMessage("null")
	}
	if rec.Text == nil {
		return lineError{ID: rec.ID, Error: fmt.Sprintf(`line %d: no "text" string`, n)}
	}
	return lineResult{ID: rec.ID, Result: opts.recognize(*rec.Text)}
}

// blocksFor renders the message the bot would post for the result.
func blocksFor(c *catalog.Catalog, query string, res recognize.Result) card.Message {
	var msg card.Message
	entries := matchedEntries(c, res)
	switch {
	case len(entries) == 0:
		// As the bot answers /syncerr: a word surely meant for one code
		// gets its card, anything else the closest codes.
		if e, ok := c.Meant(query); ok {
			msg = card.Error(e, res.Identifiers, card.Options{})
		} else {
			msg = card.NoMatch(query, c.Closest(query, 3))
		}
	case res.Ambiguous:
		msg = card.Ambiguous(entries, res.Identifiers)
	default:
		msg = card.Error(entries[0], res.Identifiers, card.Options{})
	}
	if msg.Blocks == nil {
		msg.Blocks = []slack.Block{} // "blocks": [] rather than null
	}
	return msg
}

func matchedEntries(c *catalog.Catalog, res recognize.Result) []catalog.Entry {
	var entries []catalog.Entry
	for _, m := range res.Matches {
		if e, ok := c.Lookup(m.Code); ok {
			entries = append(entries, e)
		}
	}
	return entries
}

// writeTextCard prints the result for a terminal: the best code as a card
// (what it means, why, what to do), the other candidates, the identifiers.
func writeTextCard(w io.Writer, opts lookupOptions, query string, res recognize.Result) {
	entries := matchedEntries(opts.catalog, res)
	switch {
	case len(entries) == 0:
		fmt.Fprintln(w, "No Cloud Sync error recognized.")
		if near := opts.catalog.Closest(query, 3); len(near) > 0 {
			fmt.Fprintln(w, "\nClosest codes:")
			for _, e := range near {
				fmt.Fprintf(w, "  %s: %s\n", e.Code, e.Title)
			}
		}
	case res.Ambiguous:
		fmt.Fprintf(w, "Ambiguous: the text fits %d codes.\n", len(entries))
		for i, e := range entries {
			m := res.Matches[i]
			fmt.Fprintf(w, "\n%d. %s: %s\n", i+1, e.Code, e.Title)
			fmt.Fprintf(w, "   Confidence: %s (%s)\n", percent(m.Confidence), m.Reason)
			if m := cmp.Or(e.Summary, e.Message); m != "" {
				fmt.Fprintf(w, "   Meaning: %s\n", m)
			}
			writeSignals(w, m.Signals, "   ")
		}
		fmt.Fprintln(w, "\nRun \"syncerr catalog show CODE\" for the steps of one of them.")
	default:
		writeBest(w, entries[0], res.Matches[0], res.AutoReply)
		if len(entries) > 1 {
			fmt.Fprintln(w, "\nAlso possible")
			for i, e := range entries[1:] {
				m := res.Matches[i+1]
				fmt.Fprintf(w, "  %s (%s): %s\n", e.Code, percent(m.Confidence), m.Reason)
				writeSignals(w, m.Signals, "    ")
			}
		}
	}
	writeIdentifiers(w, res.Identifiers)
}

func writeBest(w io.Writer, e catalog.Entry, m recognize.Match, autoReply bool) {
	fmt.Fprintf(w, "%s: %s\n", e.Code, e.Title)
	fmt.Fprintf(w, "Confidence: %s (%s)\n", percent(m.Confidence), m.Reason)
	reply := "no"
	if autoReply {
		reply = "yes"
	}
	fmt.Fprintf(w, "Auto-reply: %s\n", reply)
	writeSignals(w, m.Signals, "")
	sh := sheet{w: w, width: 11}
	sh.field("Category", string(e.Category))
	if e.AutoRetry {
		sh.field("Auto-retry", "yes, the service retries it by itself")
	} else {
		sh.field("Auto-retry", "no, someone has to act")
	}
	sh.section("Meaning", cmp.Or(e.Summary, e.Message))
	sh.section("Cause", e.Scenario)
	if len(e.Steps) > 0 {
		fmt.Fprintln(w, "\nSteps")
		for i, s := range e.Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	} else {
		sh.section("Resolution", e.Resolution)
	}
	if links := slices.Concat(e.Links, e.Runbooks); len(links) > 0 {
		fmt.Fprintln(w, "\nLinks")
		for _, l := range links {
			fmt.Fprintf(w, "  %s: %s\n", l.Title, l.URL)
		}
	}
}

// writeSignals prints the evidence behind one code (only with --explain:
// otherwise the signals were dropped).
func writeSignals(w io.Writer, signals []recognize.Signal, pad string) {
	if len(signals) == 0 {
		return
	}
	fmt.Fprintf(w, "%sSignals:\n", pad)
	for _, s := range signals {
		fmt.Fprintf(w, "%s  %+7.2f  %-11s %s\n", pad, s.Weight, s.Kind, s.Detail)
	}
}

func writeIdentifiers(w io.Writer, ids recognize.Identifiers) {
	rows := []struct{ name, value string }{
		{"Job ID", ids.JobID},
		{"Trace ID", ids.TraceID},
		{"Correlation ID", ids.CorrelationID},
		{"Tracking ID", ids.TrackingID},
		{"Timestamp", ids.Timestamp},
		{"AADSTS", strings.Join(ids.AADSTS, ", ")},
		{"Error code", ids.ErrorCode},
		{"Tenant", ids.Tenant},
		{"HTTP status", ids.HTTPStatus},
	}
	header := false
	for _, r := range rows {
		if r.value == "" {
			continue
		}
		if !header {
			fmt.Fprintln(w, "\nIdentifiers")
			header = true
		}
		fmt.Fprintf(w, "  %-15s %s\n", r.name+":", r.value)
	}
}

func percent(c float64) string { return fmt.Sprintf("%.0f%%", 100*c) }
