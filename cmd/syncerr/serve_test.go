package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncerr/syncerr/slackemu"
)

// lockedBuffer is a bytes.Buffer safe for the logger and the test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeAnswersAndExitsCleanly runs `syncerr serve` as main does, with
// the environment pointing at an emulator: it connects, answers a paste in
// its thread, and on cancellation (what SIGTERM does) returns nil: exit 0.
func TestServeAnswersAndExitsCleanly(t *testing.T) {
	emu, err := slackemu.New(slackemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ops, _ := emu.ChannelID("#identity-ops")
	t.Setenv("SLACK_APP_TOKEN", emu.AppToken())
	t.Setenv("SLACK_BOT_TOKEN", emu.BotToken())
	t.Setenv("SLACK_API_URL", emu.APIURL())
	t.Setenv("SYNCERR_AUTOREPLY_CHANNELS", ops)
	t.Setenv("SYNCERR_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SYNCERR_LOG_LEVEL", "info")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), &stdout, &stderr) }()

	wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
	defer wcancel()
	if err := emu.Wait(wctx, func() bool { return emu.Connections() == 1 }); err != nil {
		t.Fatalf("serve never connected: %v\n%s", err, stderr.String())
	}
	ts, err := emu.PostUserMessage(ops, "@alice", "Error: HybridIdentityServiceNoActiveAgents - We're unable to find an active agent for the domain you're trying to sync.", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Wait(wctx, func() bool {
		ms, _ := emu.Messages(ops, ts)
		return len(ms) == 2 && ms[1].BotID != ""
	}); err != nil {
		t.Fatalf("no answer in thread: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if code := exitCode(err); code != 0 {
			t.Fatalf("serve exited %d (%v), want 0", code, err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
	logs := stderr.String()
	for _, secret := range []string{emu.AppToken(), emu.BotToken(), "unable to find"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs at info level contain %q", secret)
		}
	}
	if !strings.Contains(logs, `"message":"bye"`) {
		t.Errorf("no clean-exit log line in:\n%s", logs)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	t.Setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token-SECRET")
	t.Setenv("SLACK_BOT_TOKEN", "")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve"}, strings.NewReader(""), &stdout, &stderr)
	if code := exitCode(err); code != 1 {
		t.Fatalf("exit %d (%v), want 1", code, err)
	}
	for _, want := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error echoes a token: %v", err)
	}
}

func TestServeUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "extra"}, strings.NewReader(""), &stdout, &stderr)
	if code := exitCode(err); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}
