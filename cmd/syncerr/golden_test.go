package main

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkGolden compares got with the golden file at path, rewriting the file
// first when update is set (each command's tests have their own -update-…
// flag, so one can be refreshed without touching the others).
func checkGolden(t *testing.T, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
}
