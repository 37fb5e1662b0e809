package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// ReferenceURL is where Microsoft publishes the error code page that
// ParseReference reads.
const ReferenceURL = docsRoot + referencePage

const (
	// docsRoot is what the docs/ folder of MicrosoftDocs/entra-docs is
	// served as; "~/" in the page's links means this root.
	docsRoot = "https://learn.microsoft.com/en-us/entra/"
	// referencePage is the page's path under docs/, without ".md", which is
	// how learn.microsoft.com serves it. Its relative links start here.
	referencePage = "identity/hybrid/cloud-sync/reference-error-codes"
)

// The reference table's columns, matched by header text (case-insensitive)
// so that a reordered table still imports.
const (
	columnCode       = "error code"
	columnDetails    = "details"
	columnScenario   = "scenario"
	columnResolution = "resolution"
)

// markdown parses GitHub-flavoured tables; no linkify, so bare URLs stay
// plain text, as they are in the page.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table))

// validCode is what an error code looks like: one identifier, no spaces.
var validCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// ParseReference reads Microsoft's "Cloud Sync error codes" page (Markdown)
// and returns its table as entries with only Code, Message, Scenario and
// Resolution set, in the page's order. Markup is removed, relative links
// become absolute URLs written after their text, and the page's known
// defects are repaired (a row with a missing cell, stray quotes, <br>).
func ParseReference(page []byte) ([]Entry, error) {
	doc := markdown.Parser().Parse(text.NewReader(page))
	table, cols, err := findErrorTable(doc, page)
	if err != nil {
		return nil, fmt.Errorf("parse reference: %w", err)
	}
	var (
		entries []Entry
		seen    = map[string]bool{}
	)
	for row := table.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*east.TableRow); !ok {
			continue // the header
		}
		cells := cellTexts(row, page)
		e := Entry{
			Code:       cells[cols[columnCode]],
			Message:    cells[cols[columnDetails]],
			Scenario:   cells[cols[columnScenario]],
			Resolution: cells[cols[columnResolution]],
		}
		line := lineOf(row, page)
		switch {
		case !validCode.MatchString(e.Code):
			return nil, fmt.Errorf("parse reference: line %d: %q is not an error code", line, e.Code)
		case seen[strings.ToLower(e.Code)]:
			return nil, fmt.Errorf("parse reference: line %d: code %s appears twice", line, e.Code)
		}
		seen[strings.ToLower(e.Code)] = true
		repairRow(&e)
		if e.Message == "" {
			return nil, fmt.Errorf("parse reference: line %d: code %s has no details", line, e.Code)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, errors.New("parse reference: the error code table has no rows")
	}
	return entries, nil
}

// findErrorTable returns the first table whose header names the four
// columns, with each column's index.
func findErrorTable(doc ast.Node, page []byte) (*east.Table, map[string]int, error) {
	var (
		found *east.Table
		cols  map[string]int
	)
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		t, ok := n.(*east.Table)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		header, ok := t.FirstChild().(*east.TableHeader)
		if !ok {
			return ast.WalkSkipChildren, nil
		}
		idx := map[string]int{}
		for i, name := range cellTexts(header, page) {
			idx[strings.ToLower(name)] = i
		}
		for _, want := range []string{columnCode, columnDetails, columnScenario, columnResolution} {
			if _, ok := idx[want]; !ok {
				return ast.WalkSkipChildren, nil
			}
		}
		found, cols = t, idx
		return ast.WalkStop, nil
	})
	if err != nil {
		return nil, nil, err
	}
	if found == nil {
		return nil, nil, errors.New(`no table with columns "Error code", "Details", "Scenario" and "Resolution"`)
	}
	return found, cols, nil
}

// cellTexts returns the plain text of each cell of a header or row. The GFM
// extension pads short rows with empty cells, so every row has as many
// cells as the header.
func cellTexts(row ast.Node, page []byte) []string {
	var cells []string
	for c := row.FirstChild(); c != nil; c = c.NextSibling() {
		var b strings.Builder
		writePlain(&b, c, page)
		cells = append(cells, tidy(b.String()))
	}
	return cells
}

// writePlain writes the inline content of n as plain text: emphasis and
// code marks dropped, <br> as a line break, links as "text (URL)" with the
// URL made absolute.
func writePlain(b *strings.Builder, n ast.Node, page []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(unescape(c.Value(page)))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.RawHTML:
			// The page uses <br> for a line break inside a cell; any other
			// tag carries no text we want.
			var tag []byte
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				tag = append(tag, seg.Value(page)...)
			}
			if isLineBreakTag(tag) {
				b.WriteByte('\n')
			}
		case *ast.Link:
			var label strings.Builder
			writePlain(&label, c, page)
			writeLink(b, tidy(label.String()), absoluteURL(string(c.Destination)))
		case *ast.AutoLink:
			b.Write(c.URL(page))
		default:
			// Emphasis, code spans and anything else: keep the words.
			writePlain(b, c, page)
		}
	}
}

// writeLink writes a link so it stays readable as plain text.
func writeLink(b *strings.Builder, label, url string) {
	if label == "" || label == url {
		b.WriteString(url)
		return
	}
	fmt.Fprintf(b, "%s (%s)", label, url)
}

var lineBreakTag = regexp.MustCompile(`(?i)^<br\s*/?>$`)

func isLineBreakTag(tag []byte) bool { return lineBreakTag.Match(bytes.TrimSpace(tag)) }

// unescape resolves backslash escapes and character references, as an HTML
// renderer would.
func unescape(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// absoluteURL turns a link in the reference page into a learn.microsoft.com
// URL: "~/x.md" is x under the docs root, other relative paths are resolved
// against the page, ".md" is dropped, anchors and queries are kept. Absolute
// URLs and anything unparsable are returned as they are.
func absoluteURL(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return dest
	}
	var p string
	switch {
	case strings.HasPrefix(u.Path, "~/"):
		p = path.Clean(strings.TrimPrefix(u.Path, "~/"))
	case u.Path == "":
		p = referencePage // "#anchor" on the page itself
	default:
		p = path.Join(path.Dir(referencePage), u.Path)
	}
	p = strings.TrimPrefix(strings.TrimSuffix(p, ".md"), "/")
	// Past the docs root ("../../../../x") there is no learn.microsoft.com
	// page to point at; keep the link under the root rather than invent one.
	for strings.HasPrefix(p, "../") {
		p = strings.TrimPrefix(p, "../")
	}
	if p == "." || p == ".." {
		p = ""
	}
	abs := &url.URL{Scheme: "https", Host: "learn.microsoft.com", Path: "/en-us/entra/" + p, RawQuery: u.RawQuery, Fragment: u.Fragment}
	return abs.String()
}

// repairRow fixes the page's known table defects in place.
func repairRow(e *Entry) {
	// The HybridIdentityServiceNoActiveAgents row lost a "|": its
	// resolution (a link) sits at the end of the scenario cell and the
	// resolution cell is empty. Move a trailing link across.
	if e.Resolution == "" {
		if i := trailingLink.FindStringIndex(e.Scenario); i != nil && i[0] > 0 {
			e.Scenario, e.Resolution = tidy(e.Scenario[:i[0]]), tidy(e.Scenario[i[0]:])
		}
	}
	e.Message = tidy(messagePrefix.ReplaceAllString(e.Message, ""))
	e.Scenario = dropStrayQuote(e.Scenario)
	e.Resolution = dropStrayQuote(e.Resolution)
	e.Message = dropStrayQuote(e.Message)
}

// trailingLink is a link as writePlain renders it, "text (https://…)", at
// the end of a cell; the text starts after the last sentence end.
var trailingLink = regexp.MustCompile(`[^.!?]*\(https?://[^\s()]+\)$`)

// messagePrefix is the label every Details cell starts with.
var messagePrefix = regexp.MustCompile(`^(?i)error message:\s*`)

// dropStrayQuote removes an unpaired double quote at either end of s: the
// page has cells that open or close a quotation that never ends or began.
func dropStrayQuote(s string) string {
	if strings.Count(s, `"`)%2 == 0 {
		return s
	}
	switch {
	case strings.HasPrefix(s, `"`):
		return tidy(s[1:])
	case strings.HasSuffix(s, `"`):
		return tidy(s[:len(s)-1])
	}
	return s
}

// tidy trims s and collapses runs of spaces, keeping single line breaks.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// lineOf is the 1-based line where n starts in page, or 0 if unknown.
func lineOf(n ast.Node, page []byte) int {
	for ; n != nil; n = n.FirstChild() {
		if t, ok := n.(*ast.Text); ok {
			return bytes.Count(page[:t.Segment.Start], []byte("\n")) + 1
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return bytes.Count(page[:n.Lines().At(0).Start], []byte("\n")) + 1
		}
	}
	return 0
}

// importedFile is the layout of data/imported.json.
type importedFile struct {
	Comment string          `json:"comment"`
	Source  string          `json:"source"`
	Entries []importedEntry `json:"entries"`
}

type importedEntry struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	Scenario   string `json:"scenario"`
	Resolution string `json:"resolution"`
}

const importedComment = "Generated by `syncerr catalog import` from reference-error-codes.md; do not edit. Our own words go in enrichment.yaml."

// EncodeImported renders entries (as ParseReference returns them) as the
// contents of data/imported.json: indented, stable, HTML left unescaped so
// the file reads well in a diff.
func EncodeImported(entries []Entry) ([]byte, error) {
	f := importedFile{Comment: importedComment, Source: ReferenceURL}
	for _, e := range entries {
		f.Entries = append(f.Entries, importedEntry{Code: e.Code, Message: e.Message, Scenario: e.Scenario, Resolution: e.Resolution})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode imported entries: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeImported reads data/imported.json.
func decodeImported(data []byte) ([]Entry, error) {
	var f importedFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode imported entries: %w", err)
	}
	entries := make([]Entry, 0, len(f.Entries))
	for _, e := range f.Entries {
		entries = append(entries, Entry{Code: e.Code, Message: e.Message, Scenario: e.Scenario, Resolution: e.Resolution})
	}
	return entries, nil
}
