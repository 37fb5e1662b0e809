package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/syncerr/syncerr/slackemu"
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

	stopRun(ctx, t, stop, done)
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

// TestSandboxWithBot runs `syncerr sandbox` as a person would: it waits for
// the hints on stderr (printed once the bot is connected), pastes an error
// into #identity-ops through the control API over HTTP, long-polls the
// thread for the bot's answer, then cancels: run returns nil.
func TestSandboxWithBot(t *testing.T) {
	for _, name := range []string{"SYNCERR_AUTOREPLY_CHANNELS", "SYNCERR_CATALOG_FILES", "SYNCERR_HTTP_ADDR", "SYNCERR_LOG_LEVEL"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)  // the sandbox's own defaults apply
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	stderrR, stderrW := io.Pipe()
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		err := run(runCtx, []string{"sandbox", "--addr", "127.0.0.1:0"}, strings.NewReader(""), &stdout, stderrW)
		_ = stderrW.Close()
		done <- err
	}()

	// Read stderr to its end (logs keep coming); report the emulator's URL
	// and when the hints have been printed.
	var stderr syncBuffer
	urlc, ready := make(chan string, 1), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderrR)
		sawURL, sawReady := false, false
		for sc.Scan() {
			line := sc.Text()
			_, _ = stderr.Write([]byte(line + "\n"))
			if rest, ok := strings.CutPrefix(line, "slackemu listening on "); ok && !sawURL {
				sawURL = true
				urlc <- strings.TrimSuffix(strings.Fields(rest)[0], ";")
			}
			if strings.HasPrefix(line, "Press Ctrl-C") && !sawReady {
				sawReady = true
				close(ready)
			}
		}
	}()
	var base string
	select {
	case base = <-urlc:
	case <-ctx.Done():
		t.Fatalf("no URL on stderr:\n%s", stderr.String())
	}
	select {
	case <-ready:
	case <-ctx.Done():
		t.Fatalf("the bot never connected:\n%s", stderr.String())
	}
	for _, want := range []string{base + "/emu/messages -d", "/emu/commands", "thread_ts=TS&min=2&wait=10s", "/emu/actions"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("hints lack %q:\n%s", want, stderr.String())
		}
	}

	var posted struct{ TS string }
	body := `{"channel":"#identity-ops","user":"@alice","text":` + strconv.Quote(sandboxPaste) + `}`
	if code := httpJSON(ctx, t, http.MethodPost, base+"/emu/messages", body, &posted); code != 200 || posted.TS == "" {
		t.Fatalf("POST /emu/messages = %d %+v", code, posted)
	}
	var thread struct {
		Messages []struct {
			BotID    string `json:"bot_id"`
			Text     string `json:"text"`
			ThreadTS string `json:"thread_ts"`
		}
	}
	poll := base + "/emu/messages?channel=%23identity-ops&thread_ts=" + posted.TS + "&min=2&wait=15s"
	if code := httpJSON(ctx, t, http.MethodGet, poll, "", &thread); code != 200 || len(thread.Messages) != 2 {
		t.Fatalf("GET thread = %d with %d messages, want the paste and the answer\n%s", code, len(thread.Messages), stderr.String())
	}
	if reply := thread.Messages[1]; reply.BotID == "" || reply.ThreadTS != posted.TS || !strings.Contains(reply.Text, "HybridIdentityServiceNoActiveAgents") {
		t.Errorf("reply = %+v, want the bot's card in the paste's thread", reply)
	}

	stopRun(ctx, t, stop, done)
	if stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing: with the bot inside there are no variables to export", stdout.String())
	}
	for _, secret := range []string{"xoxb-", "xapp-"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("stderr shows a token (%s…)", secret)
		}
	}
}

// stopRun cancels run's context (what SIGINT does) and checks that run
// returns nil, exit status 0, before ctx ends.
func stopRun(ctx context.Context, t *testing.T, stop func(), done <-chan error) {
	t.Helper()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run = %v, want nil after cancel", err)
		}
	case <-ctx.Done():
		t.Fatal("run did not return after cancel")
	}
}

// httpJSON sends a control API request and decodes the JSON answer.
func httpJSON(ctx context.Context, t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: decode: %v", method, url, err)
	}
	return resp.StatusCode
}

// At Ctrl-C the bot gets its grace period to post answers in flight; the
// emulator must still be there to take them.
func TestSandboxBotFinishesInFlightAnswerOnStop(t *testing.T) {
	for _, name := range []string{"SYNCERR_AUTOREPLY_CHANNELS", "SYNCERR_CATALOG_FILES", "SYNCERR_HTTP_ADDR", "SYNCERR_LOG_LEVEL"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	emu, err := startEmulator("127.0.0.1:0", slackemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- sandboxBot(runCtx, emu, false, &stderr) }()
	if err := emu.Wait(ctx, func() bool { return emu.Connections() > 0 }); err != nil {
		t.Fatalf("the bot never connected: %v\n%s", err, stderr.String())
	}
	// Every Web API answer takes a while, so the answer is in flight at stop.
	if err := emu.Fault(slackemu.Fault{Kind: slackemu.FaultDelay, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	acked := emu.Stats().EnvelopesAcked
	ts, err := emu.PostUserMessage(sandboxChannel, "@alice", sandboxPaste, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Wait(ctx, func() bool { return emu.Stats().EnvelopesAcked > acked }); err != nil {
		t.Fatal(err)
	}
	stopRun(ctx, t, stop, done)
	thread, err := emu.Messages(sandboxChannel, ts)
	if err != nil {
		t.Fatal(err)
	}
	if len(thread) != 2 {
		t.Errorf("thread has %d messages after stop, want the paste and the answer\n%s", len(thread), stderr.String())
	}
}

// A bot that cannot start ends the sandbox at once, leaving no goroutine
// behind that still waits for a connection to print the hints.
func TestSandboxBotThatCannotStartLeavesNothingRunning(t *testing.T) {
	for _, name := range []string{"SYNCERR_AUTOREPLY_CHANNELS", "SYNCERR_CATALOG_FILES", "SYNCERR_HTTP_ADDR", "SYNCERR_LOG_LEVEL"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	emu, err := startEmulator("127.0.0.1:0", slackemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if err := emu.Fault(slackemu.Fault{Kind: slackemu.FaultFailMethod, Method: "auth.test", Count: 1, Error: "invalid_auth"}); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	err = sandboxBot(context.Background(), emu, false, &stderr)
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("sandboxBot = %v, want invalid_auth", err)
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "syncerr.sandboxBot.func") {
		t.Errorf("a goroutine of sandboxBot outlived it:\n%s", stacks)
	}
}
