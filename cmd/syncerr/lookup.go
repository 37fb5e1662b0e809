package main

import (
	"context"
	"errors"
	"io"
)

func runLookup(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("lookup: not implemented yet")
}
