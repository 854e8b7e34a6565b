package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/notify"
	"github.com/rootguard/rootguard/internal/serve"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/web"
)

// newNotifier builds the alert routing of --notify FILE: a dispatcher over
// the store's outbox, reporting to serve's metrics. SNS destinations
// publish through the source's AWS connection (nil: none can be used).
func newNotifier(path string, st *store.Store, m *serve.Metrics, log *slog.Logger, c *conn) (serve.Notifier, error) {
	cfg, err := notify.Load(path)
	if err != nil {
		return nil, err
	}
	opts := notify.Options{Metrics: m, Logger: log}
	if c != nil {
		opts.SNS = sns.NewFromConfig(c.cfg)
	}
	return notify.NewDispatcher(st, cfg, opts)
}

// dashboard builds the web dashboard when a way to sign in is configured
// (an OIDC provider, the bootstrap admin's password hash, or --demo's
// generated admin password); nil otherwise, and "/" lists the endpoints.
func (o *ServeOptions) dashboard(e *env, st *store.Store) (http.Handler, error) {
	auth := web.AuthConfig{Issuer: o.OIDCIssuer, ClientID: o.OIDCClientID}
	if o.OIDCIssuer != "" {
		auth.ClientSecret = os.Getenv(o.OIDCClientSecretEnv)
		if auth.ClientSecret == "" {
			return nil, fmt.Errorf("--oidc-client-secret-env: $%s is empty or not set", o.OIDCClientSecretEnv)
		}
		auth.RedirectURL = strings.TrimSuffix(o.publicURL(), "/") + "/auth/callback"
	}
	switch {
	case o.AdminHashFile != "":
		b, err := readSecretFile("--admin-password-hash-file", o.AdminHashFile)
		if err != nil {
			return nil, err
		}
		auth.AdminPasswordHash = []byte(b)
	case o.Source.Demo:
		hash, path, err := demoAdminPassword()
		if err != nil {
			return nil, err
		}
		auth.AdminPasswordHash = hash
		fmt.Fprintf(e.stdout, "rootguard serve: dashboard sign-in: user admin, the password in %s (demo only)\n", path)
	}
	if auth.Issuer == "" && auth.AdminPasswordHash == nil {
		e.log.Info("no dashboard: neither --oidc-issuer nor --admin-password-hash-file is set")
		return nil, nil
	}
	logPath, err := o.Source.auditLogPath()
	if err != nil {
		return nil, err
	}
	log, err := audit.Open(logPath, audit.Options{})
	if err != nil {
		return nil, fmt.Errorf("dashboard: no audit log, no approvals: %w", err)
	}
	return web.New(web.Config{
		Store: st, Auth: auth, Audit: log, Logger: e.log,
		Snapshot: func(context.Context) (*inventory.Snapshot, error) { return o.latest.Load(), nil },
		Secure:   strings.HasPrefix(o.publicURL(), "https://"),
	})
}

// publicURL is --public-url, or http:// and --listen.
func (o *ServeOptions) publicURL() string {
	if o.PublicURL != "" {
		return o.PublicURL
	}
	return "http://" + o.Listen
}

// validPublicURL checks --public-url: an http or https URL without a
// path beyond "/".
func validPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.User != nil {
		return usageError("--public-url %q: want http(s)://HOST[:PORT] as browsers reach this service", s)
	}
	return nil
}

// demoAdminPassword makes a fresh password for serve --demo's bootstrap
// admin, written 0600 (writePrivate) into the state directory rather than
// to a log.
func demoAdminPassword() (hash []byte, path string, err error) {
	dir, err := madeStateDir("")
	if err != nil {
		return nil, "", err
	}
	pw := rand.Text()
	path = filepath.Join(dir, "demo-admin-password")
	if err := writePrivate(path, []byte(pw+"\n")); err != nil {
		return nil, "", err
	}
	hash, err = web.HashPassword(pw)
	return hash, path, err
}
