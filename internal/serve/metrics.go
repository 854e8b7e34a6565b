package serve

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/intake"
)

// Metrics are the service's Prometheus metrics, on a registry of their
// own. The delivery methods are the hooks a Notifier reports to.
type Metrics struct {
	reg        *prometheus.Registry
	scans      *prometheus.CounterVec
	findings   *prometheus.GaugeVec
	events     *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	poison     prometheus.Counter
	alerts     *prometheus.CounterVec
	rejected   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	lag        prometheus.Gauge
	handled    prometheus.Histogram
	restarts   prometheus.Counter
}

// NewMetrics returns the metrics, registered on a new registry with the
// Go runtime's and the process's collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rootguard_scans_total",
			Help: "Scheduled scans run by this replica, by result (ok, failed)."}, []string{"result"}),
		findings: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rootguard_findings",
			Help: "Findings of the latest recorded scan, by status."}, []string{"status"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rootguard_events_received_total",
			Help: "Events received, by source (sqs, webhook); an SQS redelivery counts again."}, []string{"source"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rootguard_events_duplicate_total",
			Help: "Events received again that this replica had handled already, deleted without being observed again, by source."}, []string{"source"}),
		poison: prometheus.NewCounter(prometheus.CounterOpts{Name: "rootguard_poison_messages_total",
			Help: "Receives of SQS messages that are not CloudTrail events, left in the queue for its dead-letter queue."}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rootguard_alerts_total",
			Help: "Alerts of the detection rules, by result: new (stored now) or duplicate (stored already, by any replica)."}, []string{"result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rootguard_webhook_rejected_total",
			Help: "Webhook requests refused, by reason (unauthorized, too_large, invalid, method)."}, []string{"reason"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rootguard_deliveries_total",
			Help: "Alert deliveries reported by the notifier, by destination and result (sent, failed, gave_up, deduplicated; unrouted with no destination)."}, []string{"destination", "result"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rootguard_queue_lag_seconds",
			Help: "How long the newest SQS message received had waited in the queue (now minus its SentTimestamp)."}),
		handled: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rootguard_sqs_message_seconds",
			Help:    "From an SQS message's SentTimestamp to its deletion, after its alerts were stored and enqueued.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
		restarts: prometheus.NewCounter(prometheus.CounterOpts{Name: "rootguard_intake_restarts_total",
			Help: "Times the SQS consumer stopped on an error and was started again."}),
	}
	m.reg.MustRegister(m.scans, m.findings, m.events, m.duplicates, m.poison, m.alerts, m.rejected, m.deliveries,
		m.lag, m.handled, m.restarts, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the metrics are registered, for a caller that adds
// its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Sent counts an alert delivered to destination. Sent, Failed, GaveUp,
// Deduplicated and Unrouted are the hooks alert routing reports to
// (notify.Metrics).
func (m *Metrics) Sent(destination string) {
	m.deliveries.WithLabelValues(destination, "sent").Inc()
}

// Failed counts a delivery attempt to destination that failed and will be
// retried.
func (m *Metrics) Failed(destination string) {
	m.deliveries.WithLabelValues(destination, "failed").Inc()
}

// GaveUp counts a delivery to destination given up after its retries.
func (m *Metrics) GaveUp(destination string) {
	m.deliveries.WithLabelValues(destination, "gave_up").Inc()
}

// Deduplicated counts an alert folded into its window's first
// notification to destination.
func (m *Metrics) Deduplicated(destination string) {
	m.deliveries.WithLabelValues(destination, "deduplicated").Inc()
}

// Unrouted counts an alert of rule that no route and no default matched.
func (m *Metrics) Unrouted(rule string) {
	m.deliveries.WithLabelValues("", "unrouted").Inc()
}

// setFindings sets the findings gauge from a scan's findings.
func (m *Metrics) setFindings(fs []checks.Finding) {
	m.findings.Reset()
	for _, s := range []checks.Status{checks.Pass, checks.Fail, checks.Unknown, checks.NotApplicable} {
		m.findings.WithLabelValues(string(s)).Set(0)
	}
	for _, f := range fs {
		m.findings.WithLabelValues(string(f.Status)).Inc()
	}
}

// tally is intake's Options.Tally.
func (m *Metrics) tally(now func() time.Time) func(intake.Outcome, time.Time) {
	return func(o intake.Outcome, sent time.Time) {
		switch o {
		case intake.Received:
			m.events.WithLabelValues("sqs").Inc()
			if !sent.IsZero() {
				m.lag.Set(max(0, now().Sub(sent).Seconds()))
			}
		case intake.Duplicate:
			m.duplicates.WithLabelValues("sqs").Inc()
		case intake.Poison:
			m.poison.Inc()
		case intake.Deleted:
			if !sent.IsZero() {
				m.handled.Observe(max(0, now().Sub(sent).Seconds()))
			}
		}
	}
}
