package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/trail"
	"github.com/rootguard/rootguard/internal/web"
	"github.com/rootguard/rootguard/internal/web/oidctest"
)

// The demo's identities, as the CLI's demo callers sign in.
const (
	aliceARN = "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice"
	adminPW  = "correct horse battery staple"
)

var (
	demoOnce sync.Once
	demoSnap *inventory.Snapshot
	demoErr  error
)

// demoSnapshot collects the demo organization from the simulator with
// the real SDK clients, once per test binary.
func demoSnapshot(t *testing.T) *inventory.Snapshot {
	t.Helper()
	demoOnce.Do(func() {
		_, cfg := simtest.Start(t, sim.Demo(), sim.Options{})
		demoSnap, demoErr = collect.Run(t.Context(), cfg, collect.Options{Org: true})
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoSnap
}

// fixture is a dashboard over a store holding the demo organization: two
// recorded scans, custody, a drill, the break-glass persons with OIDC
// identities, a pending request by alice made as on the CLI, and the
// alerts of the demo's trail.
type fixture struct {
	st    *store.Store
	idp   *oidctest.Provider
	srv   *httptest.Server
	audit *audit.Log
	now   time.Time
	// pending is alice's request, waiting for approval.
	pending string
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{st: st, idp: oidctest.Start(t, "rootguard", "test-secret"), now: time.Now().UTC().Truncate(time.Second)}
	snap := demoSnapshot(t)
	l, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f.audit = l

	demo := breakglass.DemoHistory()
	for _, p := range demo.Persons {
		ids := []string{breakglass.OIDCIdentity(f.idp.Issuer, p.ID)}
		for _, m := range demo.Mappings {
			if m.Person == p.ID {
				ids = append(ids, m.Identity)
			}
		}
		if err := st.Breakglass().AddPerson(ctx, p, ids, f.now); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Breakglass().AddPerson(ctx, breakglass.Person{ID: "carol", Name: "Carol (auditor)"},
		[]string{breakglass.OIDCIdentity(f.idp.Issuer, "carol")}, f.now); err != nil {
		t.Fatal(err)
	}
	for _, q := range demo.Requests {
		if err := st.Breakglass().Create(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for p, role := range map[string]string{"alice": "approver", "bob": "approver"} {
		if err := st.SetRole(ctx, p, role, "test", f.now); err != nil {
			t.Fatal(err)
		}
	}
	svc := breakglass.Service{Repo: st.Breakglass(), Audit: l, Policy: breakglass.DefaultPolicy(), Now: time.Now,
		NewID: func() string { return "bg-" + strings.ToLower(store.NewID()[:12]) }}
	q, err := svc.Open(ctx, aliceARN, "666666666666", "the payments audit bucket policy denies every principal again", 30*time.Minute,
		breakglass.TaskUnlockBucketPolicy, "acme-payments-audit")
	if err != nil {
		t.Fatal(err)
	}
	f.pending = q.ID

	if err := st.WriteCustody(ctx, custody.Diff(&custody.Registry{}, custody.Demo()), f.now); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	if _, err := st.AddDrill(ctx, drill.Drill{AccountID: "111111111111", Kind: drill.SignIn, OpenedAt: f.now.Add(-40 * day),
		ClosesAt: f.now.Add(-40*day + time.Hour), OpenedBy: "alice", Result: drill.Verified, CheckedAt: f.now.Add(-40*day + time.Hour),
		EventID: "demo-drill-sign-in", EventTime: f.now.Add(-40*day + 12*time.Minute)}); err != nil {
		t.Fatal(err)
	}

	// A week ago without the people's records, today with them: the
	// history shows the custody and drill checks move from UNKNOWN.
	reg, err := st.Custody(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := st.Drills(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{f.now.Add(-7 * day), f.now} {
		cfg := checks.DefaultConfig(at)
		if at.Equal(f.now) {
			cfg.Custody, cfg.Drills = reg, &drill.History{Drills: ds}
		}
		rep := report.New(report.Meta{Mode: "demo"}, checks.Default().Assess(snap, cfg), at)
		if _, err := st.RecordScan(ctx, rep, at, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}

	driver, err := detect.NewDriver(detect.Config{}, detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trail.Scan(ctx, driver, trail.Paths(ctx, []string{"-"}, bytes.NewReader(breakglass.DemoTrail), trail.Window{}, nil), trail.Options{},
		func(a detect.Alert) error { _, err := st.RecordAlert(ctx, a, f.now); return err }); err != nil {
		t.Fatal(err)
	}

	hash, err := bcrypt.GenerateFromPassword([]byte(adminPW), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(f.srv.Close)
	h, err = web.New(web.Config{
		Store: st,
		Auth: web.AuthConfig{Issuer: f.idp.Issuer, ClientID: f.idp.ClientID, ClientSecret: f.idp.ClientSecret,
			RedirectURL: f.srv.URL + "/auth/callback", AdminPasswordHash: hash},
		Snapshot:     func(context.Context) (*inventory.Snapshot, error) { return snap, nil },
		Audit:        l,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), nil)),
		PollInterval: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// client is an HTTP client with its own cookies.
func (f *fixture) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// signIn signs subject in through the provider's form and returns the
// page the dashboard answered with.
func (f *fixture) signIn(t *testing.T, c *http.Client, subject string) *http.Response {
	t.Helper()
	resp, err := c.Get(f.srv.URL + "/auth/oidc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.String(), f.idp.Issuer+"/authorize") {
		t.Fatalf("/auth/oidc led to %s, not the provider", resp.Request.URL)
	}
	form := url.Values{}
	for k, v := range resp.Request.URL.Query() {
		form[k] = v
	}
	form.Set("login", subject)
	resp, err = c.PostForm(f.idp.Issuer+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
