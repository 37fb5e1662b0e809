package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestConfigCommand(t *testing.T) {
	const secret = "xoxb-1-TOPSECRET"
	good := map[string]string{"SLACK_APP_TOKEN": "xapp-1-TOPSECRET", "SLACK_BOT_TOKEN": secret}
	bad := map[string]string{"SLACK_APP_TOKEN": secret, "SYNCERR_WORKERS": "0"}
	variables, err := os.ReadFile("../../config/testdata/variables.md")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  string
		wantErr  []string
		exactOut bool
	}{
		{"table", nil, nil, 0, "SYNCERR_AUTOREPLY_CHANNELS", nil, false},
		{"markdown is the README's table", []string{"--markdown"}, nil, 0, string(variables), nil, true},
		{"check good", []string{"--check"}, good, 0, "configuration is valid", nil, false},
		// The effective settings, one variable a line as they would be
		// exported, not a Go struct dump; tokens stay hidden.
		{"check good shows settings", []string{"--check"}, good, 0, "\nSLACK_APP_TOKEN=<secret>\n", nil, false},
		{"check good shows a list", []string{"--check"}, good, 0, "\nSYNCERR_WORKERS=8\n", nil, false},
		{"check bad", []string{"--check"}, bad, 1, "", []string{
			"SLACK_APP_TOKEN: must start with xapp- (got a value of length 16 that starts like a bot token",
			"SLACK_BOT_TOKEN: required, not set",
			"SYNCERR_WORKERS: must be from 1 to 256 (got 0)",
			"3 problem(s)",
		}, false},
		{"both flags", []string{"--check", "--markdown"}, nil, 2, "", nil, false},
		{"stray argument", []string{"show"}, nil, 2, "", nil, false},
		{"bad flag", []string{"--nope"}, nil, 2, "", nil, false},
		{"help", []string{"-h"}, nil, 0, "", []string{"usage: syncerr config"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runConfigEnv(tt.args, mapEnv(tt.env), &stdout, &stderr)
			if got := exitCode(err); got != tt.wantCode {
				t.Errorf("exit code = %d, want %d (err %v, stderr %s)", got, tt.wantCode, err, stderr.String())
			}
			if tt.exactOut && stdout.String() != tt.wantOut || !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.wantOut)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr = %q, want it to contain %q", stderr.String(), w)
				}
			}
			if all := stdout.String() + stderr.String(); strings.Contains(all, "TOPSECRET") {
				t.Errorf("output shows a token:\n%s", all)
			}
		})
	}
}
