package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/store"
)

// Config is what the dashboard needs; Store is required.
type Config struct {
	Store *store.Store
	Auth  AuthConfig
	// Snapshot returns the latest collected facts, for the recovery graph;
	// nil: the account page says there is no snapshot yet.
	Snapshot func(ctx context.Context) (*inventory.Snapshot, error)
	// Audit records every approval and denial before it is written (the
	// audit log, as on the CLI); nil: approvals are refused.
	Audit breakglass.Recorder
	// Clock is the time; nil: time.Now.
	Clock  func() time.Time
	Logger *slog.Logger
	// Secure marks the cookies Secure (true unless serving plain http on
	// loopback).
	Secure bool
	// SessionTTL is how long a sign-in lasts (default 12 hours).
	SessionTTL time.Duration
	// PollInterval is how often the live activity view asks for new
	// alerts (default 5 s).
	PollInterval time.Duration
}

// AuthConfig says how people sign in: an OpenID Connect provider, a
// bootstrap local administrator, or both.
type AuthConfig struct {
	// Issuer is the OIDC provider's issuer URL; "" for no OIDC sign-in.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this dashboard's /auth/callback as the provider
	// knows it.
	RedirectURL string
	// HTTPClient talks to the provider; nil: http.DefaultClient.
	HTTPClient *http.Client
	// AdminPasswordHash is the bcrypt hash of the bootstrap administrator's
	// password (user "admin", identity local:admin); nil: none. It signs in
	// only while no person holds the admin role.
	AdminPasswordHash []byte
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// server is the dashboard.
type server struct {
	cfg   Config
	st    *store.Store
	log   *slog.Logger
	now   func() time.Time
	pages map[string]*template.Template
	oidc  *oidcClient
	// limiter bounds failed local sign-ins.
	limiter *limiter
}

// New returns the dashboard's handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: no store")
	}
	if cfg.Auth.Issuer == "" && len(cfg.Auth.AdminPasswordHash) == 0 {
		return nil, errors.New("web: no way to sign in: configure an OIDC issuer or the bootstrap admin's password hash")
	}
	if err := checkAdminHash(cfg.Auth.AdminPasswordHash); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	s := &server{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Clock, limiter: newLimiter(5, time.Minute)}
	if cfg.Auth.Issuer != "" {
		o, err := newOIDC(cfg.Auth)
		if err != nil {
			return nil, err
		}
		s.oidc = o
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	return s.routes(), nil
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.localLogin)
	mux.HandleFunc("GET /auth/oidc", s.oidcStart)
	mux.HandleFunc("GET /auth/callback", s.oidcCallback)
	mux.HandleFunc("POST /logout", s.authed(viewer, s.logout))

	mux.HandleFunc("GET /{$}", s.authed(viewer, s.overview))
	mux.HandleFunc("GET /accounts/{id}", s.authed(viewer, s.account))
	mux.HandleFunc("GET /activity", s.authed(viewer, s.activity))
	mux.HandleFunc("GET /activity.json", s.authed(viewer, s.activityJSON))
	mux.HandleFunc("GET /breakglass", s.authed(viewer, s.breakglassQueue))
	mux.HandleFunc("POST /breakglass/{id}/{action}", s.authed(approver, s.decide))
	mux.HandleFunc("GET /drills", s.authed(viewer, s.drills))
	mux.HandleFunc("GET /admin/roles", s.authed(admin, s.rolesPage))
	mux.HandleFunc("POST /admin/roles", s.authed(admin, s.setRole))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return headers(cop.Handler(mux))
}

// csp allows the dashboard's own scripts, styles and images and nothing
// else: no inline script or style, no framing, forms to itself only.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// headers sets the security headers on every response.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "public, max-age=3600")
		} else {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
