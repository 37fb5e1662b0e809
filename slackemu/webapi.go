package slackemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tokenKind is the token type a Web API method requires.
type tokenKind int

const (
	botToken tokenKind = iota
	appToken
)

// Rate-limit tiers (docs web-api/rate-limits).
type tier int

const (
	tierSpecial tier = iota // per-method: posting is ~1 message/s/channel
	tier1
	tier2
	tier3
	tier4
)

// apiMethod is one Web API method's handler and its requirements.
type apiMethod struct {
	token   tokenKind
	tier    tier
	posting bool // counts against the per-channel posting limit
	handle  func(s *Server, r *apiRequest) (map[string]any, error)
}

// apiRequest is a Web API call with its arguments flattened to strings, the
// way form bodies carry them; JSON object and array values keep their JSON
// text (a form's `blocks` is JSON text too).
type apiRequest struct {
	method string
	args   map[string]string
}

func (r *apiRequest) arg(name string) string { return r.args[name] }

// apiError is an `ok:false` answer (HTTP 200, must-do #9), or an HTTP status
// with optional Retry-After.
type apiError struct {
	code       string
	status     int // 0 means 200
	retryAfter int
	extra      map[string]any
}

func (e *apiError) Error() string { return e.code }

func fail(code string) error { return &apiError{code: code} }

var methods = map[string]apiMethod{
	"auth.test":             {token: botToken, tier: tierSpecial, handle: (*Server).authTest},
	"apps.connections.open": {token: appToken, tier: tier3, handle: (*Server).appsConnectionsOpen},
	"chat.postMessage":      {token: botToken, tier: tierSpecial, posting: true, handle: (*Server).chatPostMessage},
	"chat.postEphemeral":    {token: botToken, tier: tier4, handle: (*Server).chatPostEphemeral},
	"chat.update":           {token: botToken, tier: tier3, handle: (*Server).chatUpdate},
	"chat.delete":           {token: botToken, tier: tier3, handle: (*Server).chatDelete},
	"reactions.add":         {token: botToken, tier: tier3, handle: (*Server).reactionsAdd},
	"conversations.replies": {token: botToken, tier: tier3, handle: (*Server).conversationsReplies},
	"conversations.history": {token: botToken, tier: tier3, handle: (*Server).conversationsHistory},
	"conversations.info":    {token: botToken, tier: tier3, handle: (*Server).conversationsInfo},
	"users.info":            {token: botToken, tier: tier4, handle: (*Server).usersInfo},
	"views.open":            {token: botToken, tier: tier4, handle: (*Server).viewsOpen},
	"views.push":            {token: botToken, tier: tier4, handle: (*Server).viewsPush},
	"views.update":          {token: botToken, tier: tier4, handle: (*Server).viewsUpdate},
	"views.publish":         {token: botToken, tier: tier4, handle: (*Server).viewsPublish},
}

// handleAPI serves /api/<method>.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	req, token, err := parseAPIRequest(r, name)
	if err != nil {
		s.answer(w, name, nil, &apiError{code: "invalid_form_data"})
		return
	}
	m, ok := methods[name]
	if !ok || m.handle == nil {
		s.answer(w, name, nil, fail("unknown_method"))
		return
	}
	if err := s.checkToken(m.token, token, r.Header.Get("Authorization") != ""); err != nil {
		s.answer(w, name, nil, err)
		return
	}
	if err := s.callFaults(r, name); err != nil {
		s.answer(w, name, nil, err)
		return
	}
	if wait := s.rateLimit(name, m, req); wait > 0 {
		s.answer(w, name, nil, &apiError{code: "ratelimited", status: http.StatusTooManyRequests, retryAfter: wait})
		return
	}
	res, err := m.handle(s, req)
	s.answer(w, name, res, err)
}

// checkToken applies Slack's token errors: not_authed without a token,
// invalid_auth for an unknown one, not_allowed_token_type for the wrong kind.
// apps.connections.open only takes the xapp token in the Authorization header.
func (s *Server) checkToken(want tokenKind, token string, inHeader bool) error {
	switch {
	case token == "":
		return fail("not_authed")
	case token != s.botToken && token != s.appToken:
		return fail("invalid_auth")
	case want == appToken && token != s.appToken, want == botToken && token != s.botToken:
		return fail("not_allowed_token_type")
	case want == appToken && !inHeader:
		return fail("not_authed")
	}
	return nil
}

// parseAPIRequest reads the arguments from the query, a form body or a JSON
// body, and the token from `Authorization: Bearer` or the `token` argument
// (must-do #8: slack-go uses both).
func parseAPIRequest(r *http.Request, name string) (*apiRequest, string, error) {
	req := &apiRequest{method: name, args: make(map[string]string)}
	for k, v := range r.URL.Query() {
		req.args[k] = v[0]
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method != http.MethodPost:
	case ctype == "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil {
			return nil, "", err
		}
		if len(bytes.TrimSpace(body)) > 0 {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(body, &fields); err != nil {
				return nil, "", err
			}
			for k, raw := range fields {
				var str string
				if json.Unmarshal(raw, &str) == nil {
					req.args[k] = str
				} else if string(raw) != "null" {
					req.args[k] = string(raw)
				}
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, "", err
		}
		for k, v := range r.PostForm {
			req.args[k] = v[0]
		}
	}
	token := req.args["token"]
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = auth
	}
	delete(req.args, "token")
	return req, token, nil
}

// answer writes a Web API response and counts it in the stats.
func (s *Server) answer(w http.ResponseWriter, method string, res map[string]any, err error) {
	outcome := "ok"
	status := http.StatusOK
	body := map[string]any{"ok": true}
	for k, v := range res {
		body[k] = v
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{code: "internal_error"}
			s.log.Error("api method failed", "method", method, "err", err)
		}
		body = map[string]any{"ok": false, "error": ae.code}
		for k, v := range ae.extra {
			body[k] = v
		}
		outcome = ae.code
		if ae.status != 0 {
			status = ae.status
		}
		if ae.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ae.retryAfter))
		}
	}
	s.mu.Lock()
	s.stats.countCall(method, outcome)
	s.notifyLocked() // a Wait may be watching the call counts
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// callFaults applies injected API faults: a delay, then a forced failure.
func (s *Server) callFaults(r *http.Request, method string) error {
	s.mu.Lock()
	delay := s.faults.delay
	var forced *apiError
	if f := s.faults.methods[method]; f != nil && f.count > 0 {
		f.count--
		forced = &apiError{code: f.code, status: f.status, retryAfter: f.retryAfter}
	}
	if method == "apps.connections.open" && s.faults.refuseConnections > 0 && forced == nil {
		s.faults.refuseConnections--
		forced = &apiError{code: "internal_error", status: http.StatusServiceUnavailable}
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	if forced != nil {
		return forced
	}
	return nil
}
