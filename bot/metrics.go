package bot

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics are the bot's Prometheus series. Label values stay bounded:
// envelope types, catalog codes, outcomes, Slack method and error codes;
// never users, channels or text.
type metrics struct {
	envelopes  *prometheus.CounterVec   // by envelope type
	ackLatency prometheus.Histogram     // receipt to ack handed to the socket
	matches    *prometheus.CounterVec   // by code and outcome
	replies    *prometheus.CounterVec   // by kind (slash, auto, mention, share, pick)
	apiErrors  *prometheus.CounterVec   // by method and error
	reconnects prometheus.Counter       // sockets opened after the first
	connected  prometheus.Gauge         // 1 while a socket is open
	queueDepth prometheus.Gauge         // envelopes waiting for a worker
	dropped    *prometheus.CounterVec   // by reason (queue_full, unparseable, …)
	panics     prometheus.Counter       // handler panics recovered
	duplicates *prometheus.CounterVec   // deliveries skipped, by key kind
	handleTime *prometheus.HistogramVec // handler duration by kind
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := newSeries(reg)
	// A vector shows nothing until a label value is used, so the series
	// the README documents are created at zero: dashboards, alerts such as
	// rate(syncerr_dropped_total[5m]) > 0 and a look at /metrics find
	// them before the first event, drop or error.
	for _, t := range []string{"events_api", "slash_commands", "interactive", "unparseable"} {
		m.envelopes.WithLabelValues(t)
	}
	m.matches.WithLabelValues("none", "none")
	for _, k := range []string{"slash", "auto", "mention", "share", "pick"} {
		m.replies.WithLabelValues(k)
	}
	for _, k := range []string{"message", "mention", "slash", "share", "pick"} {
		m.handleTime.WithLabelValues(k)
	}
	for _, method := range []string{"chat.postMessage", "response_url"} {
		m.apiErrors.WithLabelValues(method, "ratelimited")
	}
	for _, r := range []string{"queue_full", "unparseable"} {
		m.dropped.WithLabelValues(r)
	}
	for _, k := range []string{"event_id", "channel_ts", "thread_code"} {
		m.duplicates.WithLabelValues(k)
	}
	return m
}

func newSeries(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		envelopes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "syncerr_envelopes_total", Help: "Socket Mode envelopes received, by type.",
		}, []string{"type"}),
		ackLatency: f.NewHistogram(prometheus.HistogramOpts{
			Name: "syncerr_ack_latency_seconds", Help: "Time from receiving an envelope to queuing its ack (Slack's deadline is 3 s).",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 2, 3},
		}),
		matches: f.NewCounterVec(prometheus.CounterOpts{
			Name: "syncerr_matches_total", Help: "Recognition outcomes, by catalog code (or none) and outcome.",
		}, []string{"code", "outcome"}),
		replies: f.NewCounterVec(prometheus.CounterOpts{
			Name: "syncerr_replies_total", Help: "Answers sent, by kind.",
		}, []string{"kind"}),
		apiErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "syncerr_slack_api_errors_total", Help: "Failed Slack Web API calls, by method and error.",
		}, []string{"method", "error"}),
		reconnects: f.NewCounter(prometheus.CounterOpts{
			Name: "syncerr_reconnects_total", Help: "Socket Mode connections opened after the first.",
		}),
		connected: f.NewGauge(prometheus.GaugeOpts{
			Name: "syncerr_connected", Help: "1 while a Socket Mode connection is open.",
		}),
		queueDepth: f.NewGauge(prometheus.GaugeOpts{
			Name: "syncerr_queue_depth", Help: "Envelopes waiting for a worker.",
		}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "syncerr_dropped_total", Help: "Envelopes not handled, by reason.",
		}, []string{"reason"}),
		panics: f.NewCounter(prometheus.CounterOpts{
			Name: "syncerr_handler_panics_total", Help: "Handler panics recovered.",
		}),
		duplicates: f.NewCounterVec(prometheus.CounterOpts{
			Name: "syncerr_duplicates_total", Help: "Deliveries not answered again, by dedup key.",
		}, []string{"key"}),
		handleTime: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "syncerr_handle_seconds", Help: "Handler duration, by kind.",
			Buckets: prometheus.ExponentialBuckets(.001, 4, 8),
		}, []string{"kind"}),
	}
}
