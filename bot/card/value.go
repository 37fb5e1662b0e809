package card

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/syncerr/syncerr/catalog/recognize"
)

// maxValue is Slack's limit on a button's value.
const maxValue = 2000

// buttonValue is what a Share or Pick button carries back on a click. A
// click brings nothing else from the answer it was on (a block_actions
// payload from an ephemeral message has no message), and syncerr stores
// no message text between the two; so the value holds the code and the
// identifiers recognition found, which are IDs, never the paste itself.
// Keys are short: the whole value must fit in maxValue.
type buttonValue struct {
	Code          string   `json:"c"`
	JobID         string   `json:"j,omitempty"`
	Tenant        string   `json:"tn,omitempty"`
	Timestamp     string   `json:"ts,omitempty"`
	TraceID       string   `json:"tr,omitempty"`
	CorrelationID string   `json:"co,omitempty"`
	TrackingID    string   `json:"tk,omitempty"`
	ErrorCode     string   `json:"e,omitempty"`
	HTTPStatus    string   `json:"h,omitempty"`
	AADSTS        []string `json:"a,omitempty"`
}

// valuesBudget bounds the bytes all button values of one card add to the
// message's JSON (Slack's and the ack's size limits are in bytes of JSON, and
// JSON escaping can make one character of a hostile identifier six bytes):
// a share button gets it all, each of N pick buttons an Nth. A real paste's
// identifiers take a few hundred bytes; a job ID and a code fit in the
// smallest share (ten picks).
const valuesBudget = 2000

// ButtonValue is the value of a button that shows code's card again: the
// bare code when there are no identifiers (what every card carried before
// identifiers rode along), else compact JSON with them, each cut as the
// card shows it. When hostile identifiers would push it past Slack's 2000
// characters, the least useful ones are left out, the job ID last.
func ButtonValue(code string, ids recognize.Identifiers) string {
	return valueWithin(code, ids, valuesBudget)
}

// valueWithin is ButtonValue taking at most budget bytes of message JSON.
func valueWithin(code string, ids recognize.Identifiers, budget int) string {
	v := buttonValue{Code: code}
	v.setIDs(ids)
	if v.encode() == (buttonValue{Code: code}).encode() {
		return code // nothing found that a card would show
	}
	// Fields in the order they are given up: least useful for a support
	// ticket first.
	drop := []func(){
		func() { v.AADSTS = nil }, func() { v.HTTPStatus = "" }, func() { v.ErrorCode = "" },
		func() { v.TrackingID = "" }, func() { v.CorrelationID = "" }, func() { v.TraceID = "" },
		func() { v.Timestamp = "" }, func() { v.Tenant = "" }, func() { v.JobID = "" },
	}
	for _, d := range drop {
		if s := v.encode(); length(s) <= maxValue && jsonSize(s) <= budget {
			return s
		}
		d()
	}
	return code
}

// jsonSize is how many bytes s takes as a JSON string in the message.
func jsonSize(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}

// ParseButtonValue reads a value ButtonValue made, or a bare code (cards
// sent before identifiers rode along). A value that is neither gives an
// empty code, which no catalog entry has.
func ParseButtonValue(value string) (code string, ids recognize.Identifiers) {
	value = strings.TrimSpace(value)
	if !strings.HasPrefix(value, "{") {
		return value, recognize.Identifiers{}
	}
	var v buttonValue
	if len(value) > 4*maxValue || json.Unmarshal([]byte(value), &v) != nil {
		return "", recognize.Identifiers{}
	}
	// The value came back from Slack, but cut it as the card would anyway.
	var clean buttonValue
	clean.setIDs(v.identifiers())
	return strings.TrimSpace(v.Code), clean.identifiers()
}

// setIDs copies ids in, each on one line and cut to what a card shows.
func (v *buttonValue) setIDs(ids recognize.Identifiers) {
	id := func(s string) string { return plain(s, maxIdentifier) }
	v.JobID, v.Tenant, v.Timestamp = id(ids.JobID), id(ids.Tenant), id(ids.Timestamp)
	v.TraceID, v.CorrelationID, v.TrackingID = id(ids.TraceID), id(ids.CorrelationID), id(ids.TrackingID)
	v.ErrorCode, v.HTTPStatus = id(ids.ErrorCode), id(ids.HTTPStatus)
	v.AADSTS = nil
	for _, a := range ids.AADSTS {
		if len(v.AADSTS) == maxAADSTS {
			break
		}
		if a = plain(a, 40); a != "" {
			v.AADSTS = append(v.AADSTS, a)
		}
	}
}

func (v buttonValue) identifiers() recognize.Identifiers {
	return recognize.Identifiers{
		JobID: v.JobID, Tenant: v.Tenant, Timestamp: v.Timestamp,
		TraceID: v.TraceID, CorrelationID: v.CorrelationID, TrackingID: v.TrackingID,
		ErrorCode: v.ErrorCode, HTTPStatus: v.HTTPStatus, AADSTS: v.AADSTS,
	}
}

// encode is v as JSON without HTML escaping, which would turn each of
// < > & into six characters of the budget.
func (v buttonValue) encode() string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings and a slice of strings: cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}
