// Package syncerr_test holds checks on the shape of the whole module.
package syncerr_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointInward keeps the domain packages free of adapters:
// the catalog and the recogniser must be usable without Slack, logging or
// metrics, and nothing below cmd/ may depend on the command.
func TestDependenciesPointInward(t *testing.T) {
	forbidden := map[string][]string{
		"./catalog/...": {
			"github.com/slack-go/",
			"github.com/rs/zerolog",
			"github.com/prometheus/",
			"github.com/syncerr/syncerr/bot",
			"github.com/syncerr/syncerr/slackemu",
			"github.com/syncerr/syncerr/config",
		},
		"./config/...":   {"github.com/slack-go/", "github.com/syncerr/syncerr/bot"},
		"./slackemu/...": {"github.com/syncerr/syncerr/bot", "github.com/syncerr/syncerr/catalog"},
		"./bot/...":      {"github.com/syncerr/syncerr/cmd", "github.com/syncerr/syncerr/slackemu"},
	}
	for pattern, banned := range forbidden {
		// A layer that does not exist yet has nothing to check; go list
		// would fail on the missing directory.
		if _, err := os.Stat(strings.TrimSuffix(pattern, "/...")); os.IsNotExist(err) {
			continue
		}
		out, err := exec.Command("go", "list", "-deps", pattern).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pattern, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if strings.HasPrefix(dep, b) {
					t.Errorf("%s depends on %s", pattern, dep)
				}
			}
		}
	}
}
