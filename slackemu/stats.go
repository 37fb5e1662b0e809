package slackemu

import (
	"maps"
	"slices"
	"time"
)

// Stats is a snapshot of what the emulator has seen (GET /emu/stats).
type Stats struct {
	Connections          int `json:"connections"`
	ConnectionsOpened    int `json:"connections_opened"`
	EnvelopesSent        int `json:"envelopes_sent"`
	EnvelopesAcked       int `json:"envelopes_acked"`
	EnvelopesRedelivered int `json:"envelopes_redelivered"`
	// EnvelopesPending counts envelopes sent and not acked yet, plus events
	// waiting for a connection.
	EnvelopesPending int `json:"envelopes_pending"`
	// AckLatency is the time from sending an envelope to its ack, over the
	// last 10,000 acks.
	AckLatency Percentiles `json:"ack_latency"`
	// APICalls counts Web API calls by method, then by outcome ("ok" or the
	// error code, "ratelimited" for 429s).
	APICalls map[string]map[string]int `json:"api_calls"`
}

// Percentiles summarises a latency distribution.
type Percentiles struct {
	P50 time.Duration `json:"p50_ns"`
	P90 time.Duration `json:"p90_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
}

type statsState struct {
	sent, acked, redelivered int
	latencies                []time.Duration // ring of the last maxLatencies acks
	calls                    map[string]map[string]int
}

// maxLatencies bounds the ack latencies kept, so a long sandbox run does
// not grow (and Stats does not sort) every ack ever seen.
const maxLatencies = 10_000

// recordAck counts an ack and keeps its latency in the window.
func (st *statsState) recordAck(latency time.Duration) {
	if len(st.latencies) < maxLatencies {
		st.latencies = append(st.latencies, latency)
	} else {
		st.latencies[st.acked%maxLatencies] = latency
	}
	st.acked++
}

func newStatsState() statsState { return statsState{calls: make(map[string]map[string]int)} }

func (st *statsState) countCall(method, outcome string) {
	if st.calls[method] == nil {
		st.calls[method] = make(map[string]int)
	}
	st.calls[method][outcome]++
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := make(map[string]map[string]int, len(s.stats.calls))
	for m, byOutcome := range s.stats.calls {
		calls[m] = maps.Clone(byOutcome)
	}
	return Stats{
		Connections:          len(s.sock.conns),
		ConnectionsOpened:    s.sock.opened,
		EnvelopesSent:        s.stats.sent,
		EnvelopesAcked:       s.stats.acked,
		EnvelopesRedelivered: s.stats.redelivered,
		EnvelopesPending:     len(s.sock.pending) + len(s.sock.queue),
		AckLatency:           percentiles(s.stats.latencies),
		APICalls:             calls,
	}
}

// percentiles uses the nearest-rank method.
func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := func(p int) time.Duration { return sorted[(len(sorted)*p+99)/100-1] }
	return Percentiles{P50: rank(50), P90: rank(90), P99: rank(99), Max: sorted[len(sorted)-1]}
}
