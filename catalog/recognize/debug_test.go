package recognize

import (
	"encoding/json"
	"os"
	"testing"
)

// TestDebugText prints the full result for $RECOGNIZE_TEXT; it is skipped
// unless that variable is set.
func TestDebugText(t *testing.T) {
	text := os.Getenv("RECOGNIZE_TEXT")
	if text == "" {
		t.Skip("RECOGNIZE_TEXT not set")
	}
	b, _ := json.MarshalIndent(engine(t).Explain(text), "", "  ")
	t.Log(string(b))
}
