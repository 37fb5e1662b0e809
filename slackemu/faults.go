package slackemu

import (
	"fmt"
	"net/http"
	"time"
)

// FaultKind names a failure the emulator can inject.
type FaultKind string

// Faults (POST /emu/faults {"kind": …}).
const (
	// FaultDropSockets closes every socket now without a disconnect frame.
	FaultDropSockets FaultKind = "drop_sockets"
	// FaultDisconnect sends `disconnect` with Reason on every socket.
	FaultDisconnect FaultKind = "disconnect"
	// FaultRefuseConnections makes the next Count apps.connections.open calls
	// fail with HTTP 503.
	FaultRefuseConnections FaultKind = "refuse_connections"
	// FaultFailMethod makes the next Count calls of Method fail with Error
	// (HTTP 200 ok:false), or with HTTP Status and RetryAfter seconds.
	FaultFailMethod FaultKind = "fail_method"
	// FaultDelay delays every Web API answer by Delay (0 clears it).
	FaultDelay FaultKind = "delay"
	// FaultStopPings stops (Stop true) or resumes WebSocket pings.
	FaultStopPings FaultKind = "stop_pings"
)

// Fault describes one injected failure; which fields matter depends on Kind.
type Fault struct {
	Kind       FaultKind     `json:"kind"`
	Reason     string        `json:"reason,omitempty"`
	Method     string        `json:"method,omitempty"`
	Count      int           `json:"count,omitempty"`
	Error      string        `json:"error,omitempty"`
	Status     int           `json:"status,omitempty"`
	RetryAfter int           `json:"retry_after,omitempty"`
	Delay      time.Duration `json:"delay_ns,omitempty"`
	Stop       bool          `json:"stop,omitempty"`
}

type methodFault struct {
	count, status, retryAfter int
	code                      string
}

type faultState struct {
	methods           map[string]*methodFault
	refuseConnections int
	delay             time.Duration
	stopPings         bool
}

// Fault injects f.
func (s *Server) Fault(f Fault) error {
	switch f.Kind {
	case FaultDropSockets:
		s.DropSockets()
		return nil
	case FaultDisconnect:
		switch f.Reason {
		case "warning", "refresh_requested", "link_disabled", "too_many_websockets":
		default:
			return fmt.Errorf("slackemu: fault disconnect: unknown reason %q", f.Reason)
		}
		s.Disconnect(f.Reason)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Kind {
	case FaultRefuseConnections:
		s.faults.refuseConnections = f.Count
	case FaultFailMethod:
		if _, ok := methods[f.Method]; !ok {
			return fmt.Errorf("slackemu: fault fail_method: unknown method %q", f.Method)
		}
		if f.Count <= 0 {
			return fmt.Errorf("slackemu: fault fail_method: count must be positive")
		}
		mf := &methodFault{count: f.Count, status: f.Status, retryAfter: f.RetryAfter, code: f.Error}
		if mf.code == "" {
			mf.code = "internal_error"
			if mf.status == http.StatusTooManyRequests {
				mf.code = "ratelimited"
			}
		}
		if s.faults.methods == nil {
			s.faults.methods = make(map[string]*methodFault)
		}
		s.faults.methods[f.Method] = mf
	case FaultDelay:
		s.faults.delay = f.Delay
	case FaultStopPings:
		s.faults.stopPings = f.Stop
	default:
		return fmt.Errorf("slackemu: fault: unknown kind %q", f.Kind)
	}
	return nil
}
