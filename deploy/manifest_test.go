package deploy

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaPath = "testdata/slack-manifest-schema/manifest.schema.1.0.0.json"

// compileSchema loads Slack's manifest schema (draft-07).
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	// Slack's schema is written for JavaScript: its domain patterns use
	// lookahead, which Go's regexp lacks, so patterns run on regexp2 in
	// ECMAScript mode.
	c.UseRegexpEngine(ecmaRegexp)
	if err := c.AddResource("https://syncerr.invalid/manifest.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("https://syncerr.invalid/manifest.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// manifestJSON is the manifest as Slack reads it: YAML turned into JSON.
func manifestJSON(t *testing.T, src []byte) any {
	t.Helper()
	js, err := yaml.YAMLToJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestManifestMatchesSlackSchema(t *testing.T) {
	if err := compileSchema(t).Validate(manifestJSON(t, Manifest)); err != nil {
		t.Fatalf("slack-app-manifest.yaml does not validate:\n%v", err)
	}
}

// TestSchemaRejectsBrokenManifests proves the validator is awake: each
// edit breaks a rule of Slack's schema.
func TestSchemaRejectsBrokenManifests(t *testing.T) {
	s := compileSchema(t)
	for name, edit := range map[string][2]string{
		"command without slash":  {"- command: /syncerr", "- command: syncerr"},
		"interactivity not bool": {"is_enabled: true", "is_enabled: yes please"},
		"unknown setting":        {"socket_mode_enabled: true", "socket_mode_enabled: true\n  socket_mode_everywhere: true"},
		"no bot display name":    {"display_name: syncerr", "always_on: true"},
	} {
		src := strings.Replace(string(Manifest), edit[0], edit[1], 1)
		if src == string(Manifest) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if err := s.Validate(manifestJSON(t, []byte(src))); err == nil {
			t.Errorf("%s: schema accepted it", name)
		}
	}
}

// manifest is the part of the manifest the bot depends on.
type manifest struct {
	Features struct {
		SlashCommands []struct {
			Command      string `json:"command"`
			ShouldEscape bool   `json:"should_escape"`
		} `json:"slash_commands"`
	} `json:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `json:"bot"`
		} `json:"scopes"`
	} `json:"oauth_config"`
	Settings struct {
		Events struct {
			Bot []string `json:"bot_events"`
		} `json:"event_subscriptions"`
		Interactivity struct {
			Enabled bool `json:"is_enabled"`
		} `json:"interactivity"`
		SocketMode bool `json:"socket_mode_enabled"`
	} `json:"settings"`
}

// TestManifestFitsTheBot pins what the bot relies on: Socket Mode, the
// command, the events it handles, buttons, and scopes kept to those events.
func TestManifestFitsTheBot(t *testing.T) {
	js, err := yaml.YAMLToJSON(Manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled {
		t.Error("Socket Mode and interactivity must both be on")
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/syncerr" || m.Features.SlashCommands[0].ShouldEscape {
		t.Errorf("slash commands = %+v, want /syncerr with should_escape false", m.Features.SlashCommands)
	}
	events := slices.Sorted(slices.Values(m.Settings.Events.Bot))
	if want := []string{"app_mention", "message.channels", "message.groups"}; !slices.Equal(events, want) {
		t.Errorf("bot events = %v, want %v", events, want)
	}
	scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	want := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "groups:history"}
	if !slices.Equal(scopes, want) {
		t.Errorf("bot scopes = %v, want exactly %v (justify any new one in the manifest)", scopes, want)
	}
}

// ecmaRegexp compiles a schema pattern as JavaScript would.
func ecmaRegexp(pattern string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaPattern)(re), nil
}

type ecmaPattern regexp2.Regexp

func (p *ecmaPattern) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(p).MatchString(s)
	return err == nil && ok
}

func (p *ecmaPattern) String() string { return (*regexp2.Regexp)(p).String() }
