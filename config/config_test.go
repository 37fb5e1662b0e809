package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

var update = flag.Bool("update", false, "rewrite testdata/variables.md")

const (
	appToken = "xapp-1-A0SECRETAPP-0000-abcdef"
	botToken = "xoxb-1111-2222-SECRETBOT"
)

// env is a lookup over a map, as Load takes it.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func minimal() map[string]string {
	return map[string]string{"SLACK_APP_TOKEN": appToken, "SLACK_BOT_TOKEN": botToken}
}

func TestDefaults(t *testing.T) {
	cfg, err := Load(env(minimal()))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		AppToken: appToken, BotToken: botToken, APIURL: "https://slack.com/api/",
		HTTPAddr: ":8080", LogLevel: "info", LogFormat: "json", Workers: 8, QueueSize: 256,
		ShutdownGrace: 10 * time.Second, DedupTTL: 15 * time.Minute, SlashAckAnswer: true,
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestEveryVariableIsRead(t *testing.T) {
	m := map[string]string{
		"SLACK_APP_TOKEN":            " " + appToken + "\n", // as read from a secret file
		"SLACK_BOT_TOKEN":            botToken,
		"SLACK_API_URL":              "http://127.0.0.1:9999/api",
		"SYNCERR_AUTOREPLY_CHANNELS": "C0123ABCD, G0456EFGH,,",
		"SYNCERR_ALLOWED_BOT_IDS":    "B0ALERTS",
		"SYNCERR_CATALOG_FILES":      "../catalog/testdata/overlays/good.yaml",
		"SYNCERR_HTTP_ADDR":          "127.0.0.1:9090",
		"SYNCERR_LOG_LEVEL":          "DEBUG",
		"SYNCERR_LOG_FORMAT":         "console",
		"SYNCERR_WORKERS":            "16",
		"SYNCERR_QUEUE_SIZE":         "1024",
		"SYNCERR_SHUTDOWN_GRACE":     "30s",
		"SYNCERR_DEDUP_TTL":          "1h",
		"SYNCERR_SLASH_ACK_ANSWER":   "false",
	}
	cfg, err := Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		AppToken: appToken, BotToken: botToken, APIURL: "http://127.0.0.1:9999/api/",
		AutoReplyChannels: []string{"C0123ABCD", "G0456EFGH"}, AllowedBotIDs: []string{"B0ALERTS"},
		CatalogFiles: []string{"../catalog/testdata/overlays/good.yaml"},
		HTTPAddr:     "127.0.0.1:9090", LogLevel: "debug", LogFormat: "console", Workers: 16, QueueSize: 1024,
		ShutdownGrace: 30 * time.Second, DedupTTL: time.Hour, SlashAckAnswer: false,
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Every variable Describe lists was exercised above, so a new field
	// cannot be added without a test reading it.
	for _, v := range Describe() {
		if _, ok := m[v.Name]; !ok {
			t.Errorf("%s is not covered by this test", v.Name)
		}
	}
}

func TestEmptyHTTPAddrDisables(t *testing.T) {
	m := minimal()
	m["SYNCERR_HTTP_ADDR"] = ""
	cfg, err := Load(env(m))
	if err != nil || cfg.HTTPAddr != "" {
		t.Errorf("HTTPAddr = %q, %v; want empty (disabled)", cfg.HTTPAddr, err)
	}
}

func TestAutoReplyEverywhere(t *testing.T) {
	m := minimal()
	m["SYNCERR_AUTOREPLY_CHANNELS"] = "*"
	if cfg, err := Load(env(m)); err != nil || !reflect.DeepEqual(cfg.AutoReplyChannels, []string{"*"}) {
		t.Errorf("got %q, %v", cfg.AutoReplyChannels, err)
	}
}

// TestEveryProblemAtOnce: one Load reports everything wrong, each problem
// naming its variable, and no token value appears anywhere.
func TestEveryProblemAtOnce(t *testing.T) {
	m := map[string]string{
		"SLACK_APP_TOKEN":            "xoxb-SECRETAPP",
		"SLACK_BOT_TOKEN":            "xoxp-SECRETBOT",
		"SLACK_API_URL":              "slack.com/api",
		"SYNCERR_AUTOREPLY_CHANNELS": "#general,*",
		"SYNCERR_ALLOWED_BOT_IDS":    "U123",
		"SYNCERR_CATALOG_FILES":      "testdata/missing.yaml",
		"SYNCERR_HTTP_ADDR":          "8080",
		"SYNCERR_LOG_LEVEL":          "verbose",
		"SYNCERR_LOG_FORMAT":         "xml",
		"SYNCERR_WORKERS":            "0",
		"SYNCERR_QUEUE_SIZE":         "lots",
		"SYNCERR_SHUTDOWN_GRACE":     "10",
		"SYNCERR_DEDUP_TTL":          "5m",
		"SYNCERR_SLASH_ACK_ANSWER":   "maybe",
	}
	_, err := Load(env(m))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load = %v, want *Error", err)
	}
	got := map[string][]string{}
	for _, p := range ce.Problems {
		got[p.Var] = append(got[p.Var], p.Message)
	}
	for _, v := range Describe() {
		if len(got[v.Name]) == 0 {
			t.Errorf("%s: no problem reported", v.Name)
		}
	}
	if want := "must start with xoxb- (got a value of length 14)"; !slicesContain(got["SLACK_BOT_TOKEN"], want) {
		t.Errorf("SLACK_BOT_TOKEN problems %q, want %q", got["SLACK_BOT_TOKEN"], want)
	}
	if len(got["SYNCERR_AUTOREPLY_CHANNELS"]) != 2 {
		t.Errorf("SYNCERR_AUTOREPLY_CHANNELS problems %q, want the ID and the lone *", got["SYNCERR_AUTOREPLY_CHANNELS"])
	}
	for _, secret := range []string{"SECRETAPP", "SECRETBOT"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error echoes a token:\n%v", err)
		}
	}
	t.Logf("%v", err)
}

func TestMissingTokens(t *testing.T) {
	_, err := Load(env(map[string]string{"SLACK_BOT_TOKEN": "  "}))
	want := "invalid configuration:\n  SLACK_APP_TOKEN: required, not set\n  SLACK_BOT_TOKEN: required, not set"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func slicesContain(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestTokensNeverPrinted formats a loaded Config every way a program
// might log it.
func TestTokensNeverPrinted(t *testing.T) {
	cfg, err := Load(env(minimal()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&out, f+"\n", cfg)
		fmt.Fprintf(&out, f+"\n", &cfg)
		fmt.Fprintf(&out, f+"\n", cfg.AppToken) // a field on its own is a Secret too
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	log := zerolog.New(&out)
	log.Info().Interface("config", cfg).Interface("ptr", &cfg).Stringer("token", cfg.BotToken).Interface("app", cfg.AppToken).Msg("starting")
	for _, secret := range []string{appToken, botToken, "SECRET"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("a token leaked:\n%s", out.String())
		}
	}
	if !strings.Contains(out.String(), "<secret>") || !strings.Contains(out.String(), "SYNCERR") && !strings.Contains(out.String(), "8080") {
		t.Errorf("formatting hides too much:\n%s", out.String())
	}
}

// TestVariablesTable pins the README's table; `go test ./config -update`
// rewrites testdata/variables.md, which the README section copies.
func TestVariablesTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, true); err != nil {
		t.Fatal(err)
	}
	const path = "testdata/variables.md"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("%s is stale (-want +got; -update rewrites it):\n%s", path, diff)
	}
}

func TestDescribeCoversEveryField(t *testing.T) {
	vars := Describe()
	typ := reflect.TypeFor[Config]()
	if len(vars) != typ.NumField() {
		t.Fatalf("Describe lists %d variables, Config has %d fields", len(vars), typ.NumField())
	}
	for i, v := range vars {
		f := typ.Field(i)
		if v.Name != f.Tag.Get("envconfig") || v.Description == "" {
			t.Errorf("field %s: variable %+v", f.Name, v)
		}
	}
	var text bytes.Buffer
	if err := WriteTable(&text, false); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), "VARIABLE") || strings.Count(text.String(), "\n") != len(vars)+1 {
		t.Errorf("text table:\n%s", text.String())
	}
}

// FuzzLoad: whatever surrounds a token's secret part, Load's error never
// echoes it, and Load never panics.
func FuzzLoad(f *testing.F) {
	f.Add("xapp-", "", "xoxb-", "", "8")
	f.Add("xoxb-\x00", " ", "🧨", "\n", "-1")
	f.Fuzz(func(t *testing.T, appHead, appTail, botHead, botTail, workers string) {
		const marker = "Q7Zsecret"
		_, err := Load(env(map[string]string{
			"SLACK_APP_TOKEN": appHead + marker + appTail,
			"SLACK_BOT_TOKEN": botHead + marker + botTail,
			"SYNCERR_WORKERS": workers,
		}))
		if err != nil && strings.Contains(err.Error(), marker) {
			t.Fatalf("error echoes a token:\n%v", err)
		}
	})
}
