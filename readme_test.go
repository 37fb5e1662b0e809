package syncerr_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeConfigurationTable keeps the README's variable table equal to
// the one `syncerr config --markdown` prints (pinned in config/testdata), so
// the documentation cannot drift from the code.
func TestReadmeConfigurationTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile("config/testdata/variables.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), strings.TrimSpace(string(table))) {
		t.Error("README.md's configuration table differs from config/testdata/variables.md; paste the latter in")
	}
}
