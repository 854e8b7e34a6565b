package serve

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// WebhookAuth is how EventBridge API destinations authenticate: their
// connection sends an API key in a header, or Basic auth. Either is
// accepted with the one secret.
type WebhookAuth struct {
	// Secret is the API key, and the Basic auth password.
	Secret string
	// Header carries the API key (default DefaultWebhookHeader).
	Header string
	// User is the Basic auth user name (default DefaultWebhookUser).
	User string
}

// LogValue keeps the secret out of logs.
func (w WebhookAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("header", w.Header), slog.String("user", w.User), slog.String("secret", "[redacted]"))
}

// Defaults of WebhookAuth.
const (
	DefaultWebhookHeader = "X-Rootguard-Key"
	DefaultWebhookUser   = "eventbridge"
)

// HookPath is where EventBridge API destinations post events.
const HookPath = "/hooks/eventbridge"

func (s *service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { text(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.m.Handler())
	if s.o.Webhook.Secret != "" {
		mux.HandleFunc(HookPath, s.webhook)
	}
	if s.o.UI != nil {
		mux.Handle("/", s.o.UI)
	} else {
		mux.HandleFunc("GET /{$}", s.index)
	}
	return mux
}

func text(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

func (s *service) index(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	b.WriteString("rootguard serve\n\n")
	b.WriteString("GET  /healthz   the process is alive\n")
	b.WriteString("GET  /readyz    the store answers with its schema current, and the SQS intake runs\n")
	b.WriteString("GET  /metrics   Prometheus metrics\n")
	if s.o.Webhook.Secret != "" {
		b.WriteString("POST " + HookPath + "   EventBridge API destination (API key header " + s.o.Webhook.Header + ", or Basic auth)\n")
	}
	text(w, http.StatusOK, b.String())
}

// ready answers 200 when the store answers with every migration applied
// and, with a queue, the consumer runs; 503 with the reason otherwise.
func (s *service) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.o.Store.CheckSchema(ctx); err != nil {
		text(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
		return
	}
	if s.o.Queue != nil && !s.running.Load() {
		text(w, http.StatusServiceUnavailable, "not ready: the SQS intake is not running")
		return
	}
	text(w, http.StatusOK, "ready")
}

// webhook takes one EventBridge event: authenticated, bounded, decoded,
// then the alert path; 2xx only once its alerts are stored and enqueued.
func (s *service) webhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.m.rejected.WithLabelValues("method").Inc()
		w.Header().Set("Allow", http.MethodPost)
		text(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if !s.authorized(r) {
		s.m.rejected.WithLabelValues("unauthorized").Inc()
		w.Header().Set("WWW-Authenticate", `Basic realm="rootguard", charset="UTF-8"`)
		text(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.BodyLimit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.m.rejected.WithLabelValues("too_large").Inc()
			text(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", s.o.BodyLimit))
			return
		}
		text(w, http.StatusBadRequest, "reading the body failed")
		return
	}
	rec, err := detect.DecodeRecord(body)
	if err != nil {
		s.m.rejected.WithLabelValues("invalid").Inc()
		text(w, http.StatusBadRequest, "not a CloudTrail event in an EventBridge envelope: "+err.Error())
		return
	}
	s.m.events.WithLabelValues("webhook").Inc()
	alerts, _ := s.hook.Observe(rec, detect.Source{File: "webhook"})
	for _, a := range alerts {
		if err := s.write(r.Context(), a); err != nil {
			s.log.Error("webhook alert", "event_id", rec.EventID, "error", err.Error())
			text(w, http.StatusServiceUnavailable, "the alert could not be stored; retry")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"event_id": rec.EventID, "alerts": len(alerts)})
}

// authorized compares the API key header, or the Basic auth user and
// password, with the secret in constant time (of hashes, so that not even
// the length leaks).
func (s *service) authorized(r *http.Request) bool {
	secret := s.o.Webhook.Secret
	if key := r.Header.Get(s.o.Webhook.Header); key != "" {
		return same(key, secret) == 1
	}
	user, pass, ok := r.BasicAuth()
	return ok && same(user, s.o.Webhook.User)&same(pass, secret) == 1
}

func same(a, b string) int {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:])
}
