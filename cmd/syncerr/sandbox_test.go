package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// syncBuffer is a bytes.Buffer safe to write from run's goroutine while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSandboxNoBot runs `syncerr sandbox --no-bot`, reads the printed
// variables as a shell would, drives a real slack-go client and a Socket
// Mode connection with them, then cancels: run returns nil and stdout holds
// exactly the three lines.
func TestSandboxNoBot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	stdoutR, stdoutW := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		err := run(runCtx, []string{"sandbox", "--no-bot", "--addr", "127.0.0.1:0", "--rate-limits", "realistic"}, strings.NewReader(""), stdoutW, &stderr)
		_ = stdoutW.CloseWithError(io.EOF)
		done <- err
	}()

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdoutR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	env := map[string]string{}
	var order []string
	for len(env) < 3 {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("stdout ended after %v; stderr:\n%s", order, stderr.String())
			}
			name, value, found := strings.Cut(line, "=")
			if !found || value == "" || strings.ContainsAny(value, " \t'\"") {
				t.Fatalf("stdout line %q is not NAME=value ready for export", line)
			}
			env[name] = value
			order = append(order, name)
		case <-ctx.Done():
			t.Fatalf("no variables printed; stderr:\n%s", stderr.String())
		}
	}
	if want := []string{"SLACK_API_URL", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("variables = %v, want %v", order, want)
	}

	api := slack.New(env["SLACK_BOT_TOKEN"], slack.OptionAPIURL(env["SLACK_API_URL"]), slack.OptionAppLevelToken(env["SLACK_APP_TOKEN"]))
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Fatalf("auth.test against the sandbox: %v", err)
	}
	sm := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	smCtx, smStop := context.WithCancel(ctx)
	smDone := make(chan struct{})
	go func() {
		defer close(smDone)
		_ = sm.RunContext(smCtx)
	}()
	hello := false
	for !hello {
		select {
		case evt := <-sm.Events:
			hello = evt.Type == socketmode.EventTypeHello
		case <-ctx.Done():
			t.Fatal("no Socket Mode hello from the sandbox")
		}
	}
	smStop()
	<-smDone

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run = %v, want nil after cancel", err)
		}
	case <-ctx.Done():
		t.Fatal("run did not return after cancel")
	}
	if extra, ok := <-lines; ok {
		t.Errorf("stdout has more than the three variables: %q", extra)
	}
	if !strings.Contains(stderr.String(), "/emu/") {
		t.Errorf("stderr = %q, want the control API hint", stderr.String())
	}
}

func TestSandboxUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"without --no-bot", []string{"sandbox"}, "not wired yet"},
		{"bad rate limits", []string{"sandbox", "--no-bot", "--rate-limits", "sometimes"}, "off, realistic or strict"},
		{"stray argument", []string{"sandbox", "--no-bot", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v (exit %d), want a usage error mentioning %q", err, exitCode(err), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}
