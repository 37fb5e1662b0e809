package main

import (
	"errors"
	"io"
)

func runConfig(args []string, stdout, stderr io.Writer) error {
	return errors.New("config: not implemented yet")
}
