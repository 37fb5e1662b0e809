package recognize

// Result is what recognition says about one text.
type Result struct {
	Matches     []Match     `json:"matches"`     // best first; empty when nothing fits
	Ambiguous   bool        `json:"ambiguous"`   // the text genuinely fits several codes, all listed
	AutoReply   bool        `json:"auto_reply"`  // confident enough to answer unasked
	Identifiers Identifiers `json:"identifiers"` // what a support ticket needs
}

// Match is one candidate code.
type Match struct {
	Code       string   `json:"code"`
	Confidence float64  `json:"confidence"` // in [0,1]
	Reason     string   `json:"reason"`     // short, human
	Signals    []Signal `json:"signals,omitempty"`
}

// Signal is one piece of evidence that fired for a code (shown by --explain).
type Signal struct {
	Kind   string  `json:"kind"`   // "code", "typo", "prefix", "phrase", "aadsts", "error_code", "localized", …
	Detail string  `json:"detail"` // what matched
	Weight float64 `json:"weight"`
}

// Identifiers found in the text; empty fields were not found.
type Identifiers struct {
	JobID         string   `json:"job_id,omitempty"`
	TraceID       string   `json:"trace_id,omitempty"`
	CorrelationID string   `json:"correlation_id,omitempty"`
	TrackingID    string   `json:"tracking_id,omitempty"`
	Timestamp     string   `json:"timestamp,omitempty"`
	AADSTS        []string `json:"aadsts,omitempty"`
	ErrorCode     string   `json:"error_code,omitempty"`
	Tenant        string   `json:"tenant,omitempty"`
	HTTPStatus    string   `json:"http_status,omitempty"`
}
