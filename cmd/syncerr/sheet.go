package main

import (
	"fmt"
	"io"
	"strings"
)

// sheet writes the parts of the terminal cards that catalog show and
// lookup print: aligned "Name: value" fields and indented sections, each
// left out when it has nothing to say.
type sheet struct {
	w     io.Writer
	width int // of the field names, colon included
}

func (s sheet) field(name, value string) {
	if value != "" {
		fmt.Fprintf(s.w, "%-*s %s\n", s.width, name+":", value)
	}
}

func (s sheet) section(name, body string) {
	if body != "" {
		fmt.Fprintf(s.w, "\n%s\n%s\n", name, indent(body))
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
