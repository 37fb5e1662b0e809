package config

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/kelseyhightower/envconfig"
)

// Variable describes one environment variable syncerr reads.
type Variable struct {
	Name        string // e.g. SLACK_BOT_TOKEN
	Type        string // as envconfig names it: String, Integer, Duration, …
	Default     string // empty when there is none
	Required    bool
	Secret      bool // never printed, never echoed in an error
	Description string

	field string // the Config field it fills
}

// Describe lists the variables in Config's field order, as envconfig sees
// the struct tags.
func Describe() []Variable { return slices.Clone(describe()) }

// describe asks envconfig for the variables once: the struct cannot change
// while the program runs.
var describe = sync.OnceValue(func() []Variable {
	// envconfig renders a template over its view of the struct; one line
	// per variable, fields separated by a byte no tag contains.
	const format = `{{range .}}{{.Name}}` + "\x1f" + `{{usage_key .}}` + "\x1f" + `{{usage_type .}}` + "\x1f" +
		`{{usage_default .}}` + "\x1f" + `{{usage_required .}}` + "\x1f" + `{{usage_description .}}` + "\n{{end}}"
	var b strings.Builder
	if err := envconfig.Usagef("", &Config{}, &b, format); err != nil {
		panic(fmt.Sprintf("config: describe: %v", err)) // a malformed tag; the tests catch it
	}
	t := reflect.TypeFor[Config]()
	var vars []Variable
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		p := strings.Split(line, "\x1f")
		f, _ := t.FieldByName(p[0])
		vars = append(vars, Variable{
			field: p[0], Name: p[1], Type: p[2], Default: p[3], Required: p[4] == "true",
			Secret: f.Tag.Get("secret") == "true", Description: p[5],
		})
	}
	return vars
})

// WriteTable prints the variables as an aligned text table, or as a
// Markdown table (the README's) when markdown is set.
func WriteTable(w io.Writer, markdown bool) error {
	if markdown {
		var b strings.Builder
		b.WriteString("| Variable | Default | Required | Description |\n|---|---|---|---|\n")
		for _, v := range Describe() {
			def := ""
			if v.Default != "" {
				def = "`" + v.Default + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Name, def, yesNo(v.Required), mdCell(v.Description))
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tREQUIRED\tDESCRIPTION")
	for _, v := range Describe() {
		def := v.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Name, def, yesNo(v.Required), v.Description)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// mdCell keeps a description inside its table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// WriteSettings prints c as NAME=value lines in the table's order, the
// effective value of every variable (defaults included), so an operator
// sees what syncerr serve will use. Tokens print as <secret> when set;
// lists are comma-separated as they are written.
func WriteSettings(w io.Writer, c Config) error {
	v := reflect.ValueOf(c)
	var b strings.Builder
	for _, d := range Describe() {
		var val string
		switch f := v.FieldByName(d.field).Interface().(type) {
		case []string:
			val = strings.Join(f, ",")
		default:
			val = fmt.Sprint(f)
		}
		if d.Secret && val != "" {
			val = "<secret>"
		}
		fmt.Fprintf(&b, "%s=%s\n", d.Name, val)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
