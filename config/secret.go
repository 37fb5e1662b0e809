package config

// Secret is a value that must never reach a log, an error or a terminal:
// every way of printing or encoding it gives "<secret>". Reveal is the one
// way to the value, so each use of a token is visible in review.
type Secret string

const redacted = "<secret>"

// Reveal returns the value, for the one place that needs it: the Slack client.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string   { return s.mask() }
func (s Secret) GoString() string { return s.mask() }

// MarshalText covers JSON, YAML and loggers that encode values as text.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}
