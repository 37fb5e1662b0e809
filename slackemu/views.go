package slackemu

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"unicode/utf8"
)

// Modal limits (slack-protocol.md §4.4).
const (
	maxViewStack       = 3
	maxViewTitle       = 24
	maxPrivateMetadata = 3000
	maxCallbackID      = 255
)

// View is an open modal or a published Home tab, as the control API shows it.
type View struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	User            string          `json:"user"`
	CallbackID      string          `json:"callback_id"`
	PrivateMetadata string          `json:"private_metadata"`
	ExternalID      string          `json:"external_id"`
	Hash            string          `json:"hash"`
	Title           json.RawMessage `json:"title,omitempty"`
	Submit          json.RawMessage `json:"submit,omitempty"`
	Close           json.RawMessage `json:"close,omitempty"`
	Blocks          json.RawMessage `json:"blocks"`
	RootID          string          `json:"root_view_id"`
	PreviousID      string          `json:"previous_view_id,omitempty"`
	NotifyOnClose   bool            `json:"notify_on_close"`
	ClearOnClose    bool            `json:"clear_on_close"`
}

// viewInput is the view object an app sends to views.*.
type viewInput struct {
	Type            string          `json:"type"`
	Title           json.RawMessage `json:"title"`
	Submit          json.RawMessage `json:"submit"`
	Close           json.RawMessage `json:"close"`
	Blocks          json.RawMessage `json:"blocks"`
	PrivateMetadata string          `json:"private_metadata"`
	CallbackID      string          `json:"callback_id"`
	ExternalID      string          `json:"external_id"`
	NotifyOnClose   bool            `json:"notify_on_close"`
	ClearOnClose    bool            `json:"clear_on_close"`
}

// invalidArguments is Slack's answer to a malformed view: invalid_arguments
// with "[ERROR] … [json-pointer:…]" messages (§4.4).
func invalidArguments(errs []string) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "[ERROR] " + e
	}
	return &apiError{code: "invalid_arguments", extra: map[string]any{"response_metadata": map[string]any{"messages": msgs}}}
}

// parseView decodes and checks the `view` argument against Slack's limits.
func parseView(raw string, wantType string) (*viewInput, json.RawMessage, error) {
	if raw == "" {
		return nil, nil, invalidArguments([]string{"missing required field: view [json-pointer:/view]"})
	}
	var v viewInput
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, nil, invalidArguments([]string{"invalid json [json-pointer:/view]"})
	}
	var errs []string
	if v.Type != wantType {
		errs = append(errs, fmt.Sprintf("must be %q [json-pointer:/view/type]", wantType))
	}
	if utf8.RuneCountInString(v.PrivateMetadata) > maxPrivateMetadata {
		errs = append(errs, fmt.Sprintf("must be less than %d characters [json-pointer:/view/private_metadata]", maxPrivateMetadata+1))
	}
	if len(v.CallbackID) > maxCallbackID {
		errs = append(errs, fmt.Sprintf("must be less than %d characters [json-pointer:/view/callback_id]", maxCallbackID+1))
	}
	var blocks []map[string]any
	if len(v.Blocks) > 0 && string(v.Blocks) != "null" {
		if err := json.Unmarshal(v.Blocks, &blocks); err != nil {
			errs = append(errs, "must be an array [json-pointer:/view/blocks]")
		}
	}
	errs = append(errs, validateBlocks(blocks, maxViewBlocks, "/view/blocks")...)
	if wantType == "modal" {
		errs = append(errs, checkModalText(v.Title, "title", true)...)
		errs = append(errs, checkModalText(v.Submit, "submit", hasInput(blocks))...)
		errs = append(errs, checkModalText(v.Close, "close", false)...)
	}
	if len(errs) > 0 {
		return nil, nil, invalidArguments(errs)
	}
	parsed, err := parseBlocks(string(mustJSON(blocks)), maxViewBlocks)
	if err != nil {
		return nil, nil, err
	}
	if parsed == nil {
		parsed = json.RawMessage("[]")
	}
	return &v, parsed, nil
}

func hasInput(blocks []map[string]any) bool {
	for _, b := range blocks {
		if b["type"] == "input" {
			return true
		}
	}
	return false
}

// checkModalText checks a modal's title/submit/close: plain_text, ≤24 chars.
func checkModalText(raw json.RawMessage, field string, required bool) []string {
	at := "[json-pointer:/view/" + field + "]"
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return []string{"missing required field: " + field + " " + at}
		}
		return nil
	}
	var t struct{ Type, Text string }
	if json.Unmarshal(raw, &t) != nil || t.Type != "plain_text" {
		return []string{"must be a plain_text object " + at}
	}
	if n := utf8.RuneCountInString(t.Text); n > maxViewTitle {
		return []string{fmt.Sprintf("must be less than %d characters [json-pointer:/view/%s/text]", maxViewTitle+1, field)}
	}
	return nil
}

// triggerFormat is Slack's trigger_id shape; others are invalid_trigger_id.
var triggerFormat = regexp.MustCompile(`^\d+\.\d+\.[0-9a-f]+$`)

// useTriggerLocked consumes a trigger_id: single use, 3 seconds (§4.4).
func (s *Server) useTriggerLocked(id string) (*trigger, error) {
	t, ok := s.trigs[id]
	switch {
	case !triggerFormat.MatchString(id) || !ok:
		return nil, fail("invalid_trigger_id")
	case t.used:
		return nil, fail("exchanged_trigger_id")
	case s.opts.Now().Sub(t.issued) > triggerLifetime:
		return nil, fail("expired_trigger_id")
	}
	t.used = true
	return t, nil
}

func (s *Server) newViewLocked(in *viewInput, blocks json.RawMessage, user string) *View {
	v := &View{
		ID: fmt.Sprintf("V0EMU%05d", s.nextSeqLocked()), Type: in.Type, User: user,
		Blocks: blocks, Title: in.Title, Submit: in.Submit, Close: in.Close,
	}
	v.RootID = v.ID
	s.setViewLocked(v, in, blocks)
	s.ws.views[v.ID] = v
	return v
}

// setViewLocked replaces v's content with in and gives it a new hash.
func (s *Server) setViewLocked(v *View, in *viewInput, blocks json.RawMessage) {
	v.CallbackID, v.PrivateMetadata, v.ExternalID = in.CallbackID, in.PrivateMetadata, in.ExternalID
	v.Title, v.Submit, v.Close, v.Blocks = in.Title, in.Submit, in.Close, blocks
	v.NotifyOnClose, v.ClearOnClose = in.NotifyOnClose, in.ClearOnClose
	v.Hash = fmt.Sprintf("%d.%s", s.opts.Now().Unix(), randomAlnum(8))
	s.notifyLocked()
}

// wireView renders v as Slack returns it (and as view payloads carry it).
func wireView(v *View, state map[string]any) map[string]any {
	if state == nil {
		state = map[string]any{}
	}
	out := map[string]any{
		"id": v.ID, "team_id": teamID, "type": v.Type, "blocks": v.Blocks,
		"private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID,
		"state": map[string]any{"values": state}, "hash": v.Hash,
		"clear_on_close": v.ClearOnClose, "notify_on_close": v.NotifyOnClose,
		"root_view_id": v.RootID, "previous_view_id": nil, "app_id": appID,
		"external_id": v.ExternalID, "app_installed_team_id": teamID, "bot_id": botID,
	}
	if v.PreviousID != "" {
		out["previous_view_id"] = v.PreviousID
	}
	for k, raw := range map[string]json.RawMessage{"title": v.Title, "submit": v.Submit, "close": v.Close} {
		if len(raw) > 0 && string(raw) != "null" {
			out[k] = raw
		}
	}
	return out
}

// stackLocked is the user's open modal stack, bottom first.
func (s *Server) stackLocked(user string) []*View {
	var stack []*View
	for _, v := range s.ws.views {
		if v.User == user && v.Type == "modal" {
			stack = append(stack, v)
		}
	}
	// Order by depth: follow previous_view_id links from the root.
	ordered := make([]*View, 0, len(stack))
	prev := ""
	for range stack {
		for _, v := range stack {
			if v.PreviousID == prev {
				ordered = append(ordered, v)
				prev = v.ID
				break
			}
		}
	}
	return ordered
}

func (s *Server) viewsOpen(r *apiRequest) (map[string]any, error) {
	in, blocks, err := parseView(r.arg("view"), "modal")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.useTriggerLocked(r.arg("trigger_id"))
	if err != nil {
		return nil, err
	}
	if err := s.checkExternalIDLocked(in.ExternalID, nil); err != nil {
		return nil, err
	}
	// Opening a modal replaces whatever stack the user had.
	for _, v := range s.stackLocked(t.user) {
		delete(s.ws.views, v.ID)
	}
	v := s.newViewLocked(in, blocks, t.user)
	return map[string]any{"view": wireView(v, nil)}, nil
}

func (s *Server) viewsPush(r *apiRequest) (map[string]any, error) {
	in, blocks, err := parseView(r.arg("view"), "modal")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.useTriggerLocked(r.arg("trigger_id"))
	if err != nil {
		return nil, err
	}
	v, err := s.pushLocked(t.user, in, blocks)
	if err != nil {
		return nil, err
	}
	return map[string]any{"view": wireView(v, nil)}, nil
}

// pushLocked puts a new view on top of the user's stack (at most 3 deep).
func (s *Server) pushLocked(user string, in *viewInput, blocks json.RawMessage) (*View, error) {
	stack := s.stackLocked(user)
	if len(stack) == 0 {
		return nil, fail("not_found")
	}
	if len(stack) >= maxViewStack {
		return nil, fail("push_limit_reached")
	}
	if err := s.checkExternalIDLocked(in.ExternalID, nil); err != nil {
		return nil, err
	}
	top := stack[len(stack)-1]
	v := s.newViewLocked(in, blocks, user)
	v.RootID, v.PreviousID = top.RootID, top.ID
	return v, nil
}

func (s *Server) checkExternalIDLocked(externalID string, self *View) error {
	if externalID == "" {
		return nil
	}
	for _, v := range s.ws.views {
		if v != self && v.ExternalID == externalID {
			return fail("duplicate_external_id")
		}
	}
	return nil
}

func (s *Server) viewsUpdate(r *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v *View
	id, ext := r.arg("view_id"), r.arg("external_id")
	for _, x := range s.allViewsLocked() {
		if (id != "" && x.ID == id) || (id == "" && ext != "" && x.ExternalID == ext) {
			v = x
		}
	}
	if v == nil {
		return nil, fail("not_found")
	}
	if h := r.arg("hash"); h != "" && h != v.Hash {
		return nil, fail("hash_conflict")
	}
	in, blocks, err := parseView(r.arg("view"), v.Type)
	if err != nil {
		return nil, err
	}
	if err := s.checkExternalIDLocked(in.ExternalID, v); err != nil {
		return nil, err
	}
	s.setViewLocked(v, in, blocks)
	return map[string]any{"view": wireView(v, nil)}, nil
}

func (s *Server) allViewsLocked() []*View {
	var out []*View
	for _, v := range s.ws.views {
		out = append(out, v)
	}
	for _, v := range s.ws.home {
		out = append(out, v)
	}
	return out
}

func (s *Server) viewsPublish(r *apiRequest) (map[string]any, error) {
	in, blocks, err := parseView(r.arg("view"), "home")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.user(r.arg("user_id"))
	if !ok || r.arg("user_id") == "" || u.IsBot {
		return nil, invalidArguments([]string{"invalid `user_id` [json-pointer:/user_id]"})
	}
	v, ok := s.ws.home[u.ID]
	if ok {
		if h := r.arg("hash"); h != "" && h != v.Hash {
			return nil, fail("hash_conflict")
		}
		s.setViewLocked(v, in, blocks)
	} else {
		v = &View{ID: fmt.Sprintf("V0EMU%05d", s.nextSeqLocked()), Type: "home", User: u.ID}
		v.RootID = v.ID
		s.setViewLocked(v, in, blocks)
		s.ws.home[u.ID] = v
	}
	return map[string]any{"view": wireView(v, nil)}, nil
}

// Views returns the user's open modals (bottom of the stack first) and the
// Home tab published for them (nil if none).
func (s *Server) Views(user string) ([]View, *View, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.user(user)
	if !ok || user == "" {
		return nil, nil, fmt.Errorf("slackemu: views: user %q: %w", user, ErrNotFound)
	}
	modals := []View{}
	for _, v := range s.stackLocked(u.ID) {
		modals = append(modals, *v)
	}
	var home *View
	if h, ok := s.ws.home[u.ID]; ok {
		cp := *h
		home = &cp
	}
	return modals, home, nil
}

// dmLocked returns the ID of the bot's DM with user, creating it.
func (s *Server) dmLocked(user *User) *Channel {
	if id, ok := s.ws.dms[user.ID]; ok {
		c, _ := s.ws.channel(id)
		return c
	}
	c := &Channel{ID: fmt.Sprintf("D0EMU%05d", s.nextSeqLocked()), Members: []string{user.ID, botUserID}}
	s.ws.channels = append(s.ws.channels, c)
	s.ws.dms[user.ID] = c.ID
	return c
}

// OpenHome has user open the app's Home tab: an app_home_opened event,
// carrying the published view if there is one.
func (s *Server) OpenHome(user string) error {
	s.mu.Lock()
	u, ok := s.ws.user(user)
	if !ok || user == "" || u.IsBot {
		s.mu.Unlock()
		return fmt.Errorf("slackemu: open home: user %q: %w", user, ErrNotFound)
	}
	dm := s.dmLocked(u)
	ev := map[string]any{
		"type": "app_home_opened", "user": u.ID, "channel": dm.ID, "tab": "home",
		"event_ts": formatTS(s.opts.Now()),
	}
	if v, ok := s.ws.home[u.ID]; ok {
		ev["view"] = wireView(v, nil)
	}
	var events []*envelope
	s.queueEventLocked(&events, nil, ev)
	s.mu.Unlock()
	s.sendAll(events)
	return nil
}

// viewValues builds view.state.values from what the user "typed":
// values[block_id][action_id] = text, or the option value for selects.
func viewValues(blocks json.RawMessage, values map[string]map[string]string) (map[string]any, error) {
	var parsed []struct {
		Type    string         `json:"type"`
		BlockID string         `json:"block_id"`
		Element map[string]any `json:"element"`
	}
	_ = json.Unmarshal(blocks, &parsed)
	state := map[string]any{}
	for blockID, actions := range values {
		for actionID, value := range actions {
			var el map[string]any
			for _, b := range parsed {
				if b.BlockID == blockID && b.Type == "input" && b.Element["action_id"] == actionID {
					el = b.Element
				}
			}
			if el == nil {
				return nil, fmt.Errorf("no input %s/%s in the view: %w", blockID, actionID, ErrNotFound)
			}
			entry, err := inputValue(el, value)
			if err != nil {
				return nil, fmt.Errorf("input %s/%s: %w", blockID, actionID, err)
			}
			if state[blockID] == nil {
				state[blockID] = map[string]any{}
			}
			state[blockID].(map[string]any)[actionID] = entry
		}
	}
	return state, nil
}

// inputValue is the state entry of one input element holding value.
func inputValue(el map[string]any, value string) (map[string]any, error) {
	typ, _ := el["type"].(string)
	entry := map[string]any{"type": typ}
	switch typ {
	case "static_select", "radio_buttons":
		opts, _ := el["options"].([]any)
		for _, o := range opts {
			if om, _ := o.(map[string]any); om != nil && om["value"] == value {
				entry["selected_option"] = withEmoji(om)
				return entry, nil
			}
		}
		return nil, fmt.Errorf("no option with value %q: %w", value, ErrNotFound)
	case "users_select":
		entry["selected_user"] = value
	case "conversations_select":
		entry["selected_conversation"] = value
	case "channels_select":
		entry["selected_channel"] = value
	case "datepicker":
		entry["selected_date"] = value
	case "timepicker":
		entry["selected_time"] = value
	default:
		entry["value"] = value
	}
	return entry, nil
}

// withEmoji copies an option, marking its plain_text as emoji:true when the
// app left that out, as Slack does in state values.
func withEmoji(option map[string]any) map[string]any {
	out := maps.Clone(option)
	if text, ok := option["text"].(map[string]any); ok {
		text = maps.Clone(text)
		if _, set := text["emoji"]; !set && text["type"] == "plain_text" {
			text["emoji"] = true
		}
		out["text"] = text
	}
	return out
}
