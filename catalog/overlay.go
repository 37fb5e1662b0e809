package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// An overlay file adds to the built-in catalog or changes it. Its shape:
//
//	entries:
//	  - code: HybridIdentityServiceNoActiveAgents   # required; an existing code, any case, or a new one
//	    aliases: [NoActiveAgents]                   # more names for Lookup; added to earlier files' aliases
//	    owner: "@identity-oncall"
//	    notes: Agents live on SYNC01 and SYNC02.
//	    runbooks:                                   # added to earlier files' runbooks
//	      - title: Restart the agent
//	        url: https://wiki.example.com/runbooks/cloud-sync-agent
//	    # Any Entry field may be set too; it replaces the current value:
//	    # title, summary, message, scenario, resolution, category, auto_retry,
//	    # steps, links, aadsts, error_codes, related.
//
// A new code needs at least a title and a message.
type overlayFile struct {
	Entries []overlayEntry `yaml:"entries"`
}

// overlayEntry uses pointers so that "not given" differs from "empty".
type overlayEntry struct {
	Code string `yaml:"code"`

	Title      *string   `yaml:"title"`
	Summary    *string   `yaml:"summary"`
	Message    *string   `yaml:"message"`
	Scenario   *string   `yaml:"scenario"`
	Resolution *string   `yaml:"resolution"`
	Category   *Category `yaml:"category"`
	AutoRetry  *bool     `yaml:"auto_retry"`
	Steps      *[]string `yaml:"steps"`
	Links      *[]Link   `yaml:"links"`
	AADSTS     *[]string `yaml:"aadsts"`
	ErrorCodes *[]string `yaml:"error_codes"`
	Related    *[]string `yaml:"related"`
	Owner      *string   `yaml:"owner"`
	Notes      *string   `yaml:"notes"`
	Aliases    []string  `yaml:"aliases"`
	Runbooks   []Link    `yaml:"runbooks"`
}

// Problem is one thing wrong in an overlay file.
type Problem struct {
	Path    string
	Line    int // 1-based; 0 when the file as a whole is at fault
	Message string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.Path, p.Message)
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
}

// OverlayError lists every problem Load found, one "file:line: what" per
// line, in file order then line order.
type OverlayError struct {
	Problems []Problem
}

func (e *OverlayError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load returns the built-in catalog with the overlay files applied in
// order. It is all-or-nothing: it checks every file completely and, if
// anything is wrong, returns an *OverlayError listing every problem and no
// catalog. Without paths it returns Default().
func Load(overlayPaths ...string) (*Catalog, error) {
	if len(overlayPaths) == 0 {
		return Default(), nil
	}
	o := newOverlayer(Default().Entries())
	for i, path := range overlayPaths {
		src, err := os.ReadFile(path)
		if err != nil {
			o.problem(i, path, 0, "cannot read: %v", unwrapPath(err))
			continue
		}
		o.apply(i, path, src)
	}
	o.finish()
	if len(o.problems) > 0 {
		slices.SortStableFunc(o.problems, func(a, b sitedProblem) int {
			return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.Line, b.Line))
		})
		err := &OverlayError{}
		for _, p := range o.problems {
			err.Problems = append(err.Problems, p.Problem)
		}
		return nil, err
	}
	c, err := newCatalog(o.entries)
	if err != nil {
		return nil, fmt.Errorf("load overlays: %w", err) // finish should have caught it
	}
	return c, nil
}

// unwrapPath drops the path os.ReadFile repeats in its error.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// overlayer applies overlay files to a working copy of the entries and
// collects problems.
type overlayer struct {
	entries  []Entry
	byCode   map[string]int       // lower-cased code → index
	aliases  map[string]aliasSite // lower-cased alias → where it was given
	related  []relatedSite        // related codes to check once all codes exist
	problems []sitedProblem
}

type site struct {
	file int // position in Load's arguments, for sorting
	path string
	line int
}

type aliasSite struct {
	site
	alias, code string
}

type relatedSite struct {
	site
	related, code string
}

type sitedProblem struct {
	Problem
	file int
}

func newOverlayer(entries []Entry) *overlayer {
	o := &overlayer{entries: entries, byCode: map[string]int{}, aliases: map[string]aliasSite{}}
	for i, e := range entries {
		o.byCode[strings.ToLower(e.Code)] = i
		for _, a := range e.Aliases {
			o.aliases[strings.ToLower(a)] = aliasSite{alias: a, code: e.Code}
		}
	}
	return o
}

func (o *overlayer) problem(file int, path string, line int, format string, args ...any) {
	o.problems = append(o.problems, sitedProblem{Problem{path, line, fmt.Sprintf(format, args...)}, file})
}

// apply checks one file and applies its valid entries.
func (o *overlayer) apply(file int, path string, src []byte) {
	at := func(line int, format string, args ...any) { o.problem(file, path, line, format, args...) }
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		at(yamlLine(err), "%s", yamlMessage(err))
		return
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		if len(f.Docs) > 1 {
			at(nodeLine(f.Docs[1]), "more than one YAML document; put every entry under one entries: list")
		} else {
			at(1, `empty overlay; expected "entries:" with a list of entries`)
		}
		return
	}
	if n := firstFancyNode(f.Docs[0].Body); n != nil {
		at(nodeLine(n), "YAML tags, anchors and aliases are not supported in overlays; write values out")
		return
	}
	var parsed overlayFile
	if err := decodeNode(f.Docs[0].Body, &parsed); err != nil {
		at(yamlLine(err), "%s", yamlMessage(err))
		return
	}
	lines := fileLines{f}
	seen := map[string]int{} // lower-cased code → line, within this file
	for i, oe := range parsed.Entries {
		p := fmt.Sprintf("$.entries[%d]", i)
		line := lines.of(p + ".code")
		code := strings.TrimSpace(oe.Code)
		switch {
		case code == "":
			at(lines.of(p), "entry has no code")
			continue
		case !validCode.MatchString(code):
			at(line, "code %q is not a valid code: use letters, digits, '.', '_' or '-', starting with a letter", code)
			continue
		}
		if prev, ok := seen[strings.ToLower(code)]; ok {
			at(line, "code %s already appears at line %d of this file", code, prev)
			continue
		}
		seen[strings.ToLower(code)] = line
		if a, ok := o.aliases[strings.ToLower(code)]; ok && !o.isCode(code) {
			at(line, "%s is an alias of %s; use the code", code, a.code)
			continue
		}
		before := len(o.problems)
		o.check(oe, p, lines, at)
		if len(o.problems) > before {
			continue // apply only entries without problems
		}
		o.merge(oe, code, site{file, path, line}, p, lines, at)
	}
}

func (o *overlayer) isCode(code string) bool {
	_, ok := o.byCode[strings.ToLower(code)]
	return ok
}

var (
	aadstsCode  = regexp.MustCompile(`^AADSTS\d+$`)
	numericCode = regexp.MustCompile(`^\d+$`)
)

// check reports what is wrong with one entry's fields, each at its line.
func (o *overlayer) check(oe overlayEntry, p string, lines fileLines, at func(int, string, ...any)) {
	if !o.isCode(oe.Code) {
		if oe.Title == nil || oe.Message == nil {
			at(lines.of(p+".code"), "new code %s needs a title and a message", strings.TrimSpace(oe.Code))
		}
	}
	for name, v := range map[string]*string{"title": oe.Title, "summary": oe.Summary, "message": oe.Message, "scenario": oe.Scenario,
		"resolution": oe.Resolution, "owner": oe.Owner, "notes": oe.Notes} {
		if v != nil && strings.TrimSpace(*v) == "" {
			at(lines.of(p+"."+name), "%s is empty; leave it out to keep the current text", name)
		}
	}
	if oe.Category != nil {
		if err := checkCategory(*oe.Category); err != nil || *oe.Category == "" {
			at(lines.of(p+".category"), "category %q is not one of agent, service-account, service, configuration", *oe.Category)
		}
	}
	eachText := func(field string, items *[]string, valid func(string) bool, want string) {
		if items == nil {
			return
		}
		for j, s := range *items {
			if strings.TrimSpace(s) == "" || !valid(strings.TrimSpace(s)) {
				at(lines.of(fmt.Sprintf("%s.%s[%d]", p, field, j)), "%s: %q is not %s", field, s, want)
			}
		}
	}
	anyText := func(string) bool { return true }
	eachText("steps", oe.Steps, anyText, "a step")
	eachText("aadsts", oe.AADSTS, aadstsCode.MatchString, "an AADSTS code like AADSTS50034")
	eachText("error_codes", oe.ErrorCodes, numericCode.MatchString, `a number like "81"`)
	eachText("related", oe.Related, validCode.MatchString, "a code")
	singleLine := func(s string) bool { return !strings.ContainsAny(s, "\r\n") }
	eachText("aliases", &oe.Aliases, singleLine, "a one-line alias")
	eachLink := func(field string, links []Link) {
		for j, l := range links {
			lp := fmt.Sprintf("%s.%s[%d]", p, field, j)
			if strings.TrimSpace(l.Title) == "" {
				at(lines.of(lp), "%s: link has no title", field)
			}
			if err := checkURL(l.URL); err != nil {
				at(lines.of(lp+".url"), "%s: %v", field, err)
			}
		}
	}
	if oe.Links != nil {
		eachLink("links", *oe.Links)
	}
	eachLink("runbooks", oe.Runbooks)
}

// merge applies a checked entry: given fields replace, aliases and
// runbooks add up across files.
func (o *overlayer) merge(oe overlayEntry, code string, s site, p string, lines fileLines, at func(int, string, ...any)) {
	i, ok := o.byCode[strings.ToLower(code)]
	if !ok {
		o.entries = append(o.entries, Entry{Code: code})
		i = len(o.entries) - 1
		o.byCode[strings.ToLower(code)] = i
	}
	e := &o.entries[i]
	setText := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	setText(&e.Title, oe.Title)
	setText(&e.Summary, oe.Summary)
	setText(&e.Message, oe.Message)
	setText(&e.Scenario, oe.Scenario)
	setText(&e.Resolution, oe.Resolution)
	setText(&e.Owner, oe.Owner)
	setText(&e.Notes, oe.Notes)
	if oe.Category != nil {
		e.Category = *oe.Category
	}
	if oe.AutoRetry != nil {
		e.AutoRetry = *oe.AutoRetry
	}
	setList := func(dst *[]string, v *[]string) {
		if v != nil {
			*dst = trimAll(*v)
		}
	}
	setList(&e.Steps, oe.Steps)
	setList(&e.AADSTS, oe.AADSTS)
	setList(&e.ErrorCodes, oe.ErrorCodes)
	if oe.Links != nil {
		e.Links = slices.Clone(*oe.Links)
	}
	if oe.Related != nil {
		e.Related = trimAll(*oe.Related)
		for j, r := range e.Related {
			o.related = append(o.related, relatedSite{site{s.file, s.path, lines.of(fmt.Sprintf("%s.related[%d]", p, j))}, r, e.Code})
		}
	}
	e.Runbooks = append(e.Runbooks, oe.Runbooks...)
	for j, a := range trimAll(oe.Aliases) {
		line := lines.of(fmt.Sprintf("%s.aliases[%d]", p, j))
		prev, taken := o.aliases[strings.ToLower(a)]
		switch {
		case taken && prev.code != e.Code:
			at(line, "alias %s already names %s%s", a, prev.code, prev.where())
		case taken && prev.path == s.path && prev.file == s.file:
			at(line, "alias %s is listed twice for %s", a, e.Code)
		case taken:
			// The same alias for the same code in an earlier file: nothing to add.
		default:
			o.aliases[strings.ToLower(a)] = aliasSite{site{s.file, s.path, line}, a, e.Code}
			e.Aliases = append(e.Aliases, a)
		}
	}
}

func (a aliasSite) where() string {
	if a.path == "" {
		return " in the built-in catalog"
	}
	return fmt.Sprintf(" (%s:%d)", a.path, a.line)
}

// finish runs the checks that need every file applied: aliases that are
// also codes, and related codes that do not exist.
func (o *overlayer) finish() {
	// Sorted so that problems on one line always come out in one order.
	for _, key := range slices.Sorted(maps.Keys(o.aliases)) {
		a := o.aliases[key]
		if a.path == "" {
			continue
		}
		if i, ok := o.byCode[strings.ToLower(a.alias)]; ok {
			o.problem(a.file, a.path, a.line, "alias %s is already the code %s", a.alias, o.entries[i].Code)
		}
	}
	for _, r := range o.related {
		switch i, ok := o.byCode[strings.ToLower(r.related)]; {
		case !ok:
			o.problem(r.file, r.path, r.line, "related code %s is not in the catalog", r.related)
		case o.entries[i].Code == r.code:
			o.problem(r.file, r.path, r.line, "%s lists itself as related", r.code)
		}
	}
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// decodeNode decodes strictly, turning a panic inside go-yaml (fuzzing
// found some on malformed input) into an error.
func decodeNode(n ast.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML: %v", r)
		}
	}()
	return yaml.NodeToValue(n, v, yaml.DisallowUnknownField())
}

// firstFancyNode finds the first tag, anchor or alias. Overlays need none,
// tags crash go-yaml's decoder on some input, and aliases can expand a
// small file into a huge one.
func firstFancyNode(root ast.Node) ast.Node {
	var found ast.Node
	ast.Walk(visitFunc(func(n ast.Node) bool {
		switch n.(type) {
		case *ast.TagNode, *ast.AnchorNode, *ast.AliasNode:
			if found == nil {
				found = n
			}
		}
		return found == nil
	}), root)
	return found
}

// visitFunc adapts a function to ast.Visitor; returning false stops the
// walk below that node.
type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if f(n) {
		return f
	}
	return nil
}

// fileLines finds the line of a YAML path in a parsed file.
type fileLines struct{ f *ast.File }

// of returns the line of the node at path ("$.entries[0].aliases[1]"),
// or of its nearest ancestor that exists, or 1.
func (l fileLines) of(path string) int {
	for path != "" && path != "$" {
		if p, err := yaml.PathString(path); err == nil {
			if n, err := p.FilterFile(l.f); err == nil && n != nil {
				return nodeLine(n)
			}
		}
		cut := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
		if cut <= 0 {
			break
		}
		path = path[:cut]
	}
	return 1
}

func nodeLine(n ast.Node) int {
	if d, ok := n.(*ast.DocumentNode); ok {
		// A document's GetToken dereferences its "---", which it may lack.
		switch {
		case d.Start != nil && d.Start.Position != nil:
			return d.Start.Position.Line
		case d.Body != nil:
			return nodeLine(d.Body)
		}
		return 1
	}
	if t := n.GetToken(); t != nil && t.Position != nil {
		return t.Position.Line
	}
	return 1
}

// yamlLine is where go-yaml says an error is.
func yamlLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if t := ye.GetToken(); t != nil && t.Position != nil {
			return t.Position.Line
		}
	}
	return 1
}

// yamlMessage says what go-yaml found wrong, in the overlay's terms rather
// than Go's.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("wrong type: want %s, got %s", describeType(te.DstType), describeType(te.SrcType))
	}
	var ne *yaml.UnexpectedNodeTypeError
	if errors.As(err, &ne) {
		return fmt.Sprintf("wrong type: want %s, got %s", describeNode(ne.Expected), describeNode(ne.Actual))
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		// go-yaml cites other places as "[line:column]".
		return yamlPosition.ReplaceAllString(ye.GetMessage(), "line $1")
	}
	return err.Error()
}

var yamlPosition = regexp.MustCompile(`\[(\d+):\d+\]`)

func describeNode(t ast.NodeType) string {
	switch t {
	case ast.SequenceType:
		return "a list"
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.StringType, ast.LiteralType:
		return "text"
	case ast.BoolType:
		return "true or false"
	case ast.IntegerType, ast.FloatType:
		return "a number"
	case ast.NullType:
		return "nothing"
	}
	return t.YAMLName()
}

func describeType(t reflect.Type) string {
	if t == nil {
		return "nothing"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		return "a number"
	}
	return t.String()
}
