package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
	"github.com/rootguard/rootguard/internal/web"
)

func sqliteStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), storetest.DSN(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its body and the CSRF token in its forms.
func get(t *testing.T, c *http.Client, u string, wantStatus int) (string, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body := read(t, resp)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: %d, want %d: %.300s", u, resp.StatusCode, wantStatus, body)
	}
	tok := ""
	if m := csrfRE.FindStringSubmatch(body); m != nil {
		tok = m[1]
	}
	return body, tok
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, read(t, resp)
}

func state(t *testing.T, st *store.Store, id string) breakglass.State {
	t.Helper()
	q, err := st.Breakglass().Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return q.State
}

// TestApproval: on both backends, a person who requested on the CLI and
// signs in through OIDC cannot approve their own request (the service's
// refusal, shown), a viewer is refused, and another approver approves.
func TestApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		approve := f.srv.URL + "/breakglass/" + f.pending + "/approve"

		alice := f.client(t)
		if resp := f.signIn(t, alice, "alice"); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
			t.Fatalf("alice's sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
		}
		page, tok := get(t, alice, f.srv.URL+"/breakglass", http.StatusOK)
		if !strings.Contains(page, "Approve "+f.pending) {
			t.Fatalf("an approver sees no approve button for %s", f.pending)
		}
		code, body := post(t, alice, approve, url.Values{"csrf": {tok}})
		if code != http.StatusForbidden || !strings.Contains(body, breakglass.ErrSelfApproval.Error()) {
			t.Fatalf("self-approval: %d %.400s", code, body)
		}

		carol := f.client(t)
		f.signIn(t, carol, "carol").Body.Close()
		page, tok = get(t, carol, f.srv.URL+"/breakglass", http.StatusOK)
		if strings.Contains(page, "Approve "+f.pending) {
			t.Error("a viewer sees an approve button")
		}
		if code, _ := post(t, carol, approve, url.Values{"csrf": {tok}}); code != http.StatusForbidden {
			t.Errorf("a viewer's approval: %d, want 403", code)
		}
		if s := state(t, st, f.pending); s != breakglass.Pending {
			t.Fatalf("after refusals the request is %s", s)
		}

		bob := f.client(t)
		f.signIn(t, bob, "bob").Body.Close()
		_, tok = get(t, bob, f.srv.URL+"/breakglass", http.StatusOK)
		code, body = post(t, bob, approve, url.Values{"csrf": {tok}})
		if code != http.StatusOK || !strings.Contains(body, "is now approved") {
			t.Fatalf("bob's approval: %d %.400s", code, body)
		}
		q, err := st.Breakglass().Get(t.Context(), f.pending)
		if err != nil {
			t.Fatal(err)
		}
		if q.State != breakglass.Approved || q.Decider != "bob" || q.DeciderARN != breakglass.OIDCIdentity(f.idp.Issuer, "bob") {
			t.Errorf("stored: %s by %s as %s", q.State, q.Decider, q.DeciderARN)
		}
		// A second decision loses: the store's conditional write.
		if code, _ := post(t, bob, f.srv.URL+"/breakglass/"+f.pending+"/deny", url.Values{"csrf": {tok}}); code != http.StatusConflict {
			t.Errorf("denying an approved request: %d, want 409", code)
		}
	})
}

// TestCSRF: a POST without the session's token, with another session's,
// or from another origin is refused and changes nothing.
func TestCSRF(t *testing.T) {
	f := newFixture(t, sqliteStore(t))
	bob, alice := f.client(t), f.client(t)
	f.signIn(t, bob, "bob").Body.Close()
	f.signIn(t, alice, "alice").Body.Close()
	_, aliceTok := get(t, alice, f.srv.URL+"/breakglass", http.StatusOK)
	_, bobTok := get(t, bob, f.srv.URL+"/breakglass", http.StatusOK)
	approve := f.srv.URL + "/breakglass/" + f.pending + "/approve"
	for name, form := range map[string]url.Values{
		"no token":               {},
		"empty token":            {"csrf": {""}},
		"another session's":      {"csrf": {aliceTok}},
		"the sign-in form token": {"csrf": {"x" + bobTok[1:]}},
	} {
		if code, body := post(t, bob, approve, form); code != http.StatusForbidden || !strings.Contains(body, "CSRF") {
			t.Errorf("%s: %d %.200s", name, code, body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, approve, strings.NewReader(url.Values{"csrf": {bobTok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := bob.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := read(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST with the right token: %d %.200s", resp.StatusCode, body)
	}
	if s := state(t, f.st, f.pending); s != breakglass.Pending {
		t.Errorf("the request is %s", s)
	}
	if code, _ := post(t, f.client(t), approve, url.Values{"csrf": {bobTok}}); code != http.StatusUnauthorized {
		t.Errorf("signed out: %d, want 401", code)
	}
}

// TestHeaders: every answer, signed in or not, carries the CSP and the
// other security headers; pages need a session.
func TestHeaders(t *testing.T) {
	f := newFixture(t, sqliteStore(t))
	c := f.client(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, path := range []string{"/", "/login", "/static/style.css", "/activity.json", "/nope"} {
		resp, err := c.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		read(t, resp)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", path, h)
		}
		if path == "/" && (resp.StatusCode != http.StatusSeeOther || h.Get("Location") != "/login") {
			t.Errorf("/ signed out: %d to %q", resp.StatusCode, h.Get("Location"))
		}
		if path == "/activity.json" && resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/activity.json signed out: %d", resp.StatusCode)
		}
	}
}

// TestPages: what each page shows comes from the store.
func TestPages(t *testing.T) {
	f := newFixture(t, sqliteStore(t))
	c := f.client(t)
	f.signIn(t, c, "carol").Body.Close()
	_, rep, err := f.st.LatestScan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	overview, _ := get(t, c, f.srv.URL+"/", http.StatusOK)
	for _, step := range web.Steps(checks.Default()) {
		if !strings.Contains(overview, step) {
			t.Errorf("overview lacks the step %q", step)
		}
	}
	accounts := map[string]bool{}
	for _, x := range rep.Findings {
		accounts[x.AccountID] = true
	}
	for a := range accounts {
		if !strings.Contains(overview, `href="/accounts/`+a+`"`) {
			t.Errorf("overview lacks account %s", a)
		}
	}
	acct, _ := get(t, c, f.srv.URL+"/accounts/666666666666", http.StatusOK)
	for _, want := range []string{"<svg", "data-id=\"root:666666666666\"", "Recorded scans", f.pending} {
		if !strings.Contains(acct, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	get(t, c, f.srv.URL+"/accounts/000000000000", http.StatusNotFound)
	drills, _ := get(t, c, f.srv.URL+"/drills", http.StatusOK)
	if !strings.Contains(drills, "never") || !strings.Contains(drills, "(sign-in)") {
		t.Errorf("drills page: no account without a drill, or none with one:\n%.2000s", drills)
	}

	// The live view's JSON reads the store: a new alert appears in it.
	a := detect.Alert{RuleID: "root-console-login", Severity: "critical", Title: "Root console sign-in <script>", EventID: "web-test-1",
		EventTime: time.Now().UTC().Format(time.RFC3339), AccountID: "222222222222", EventName: "ConsoleLogin"}
	if _, err := f.st.RecordAlert(t.Context(), a, time.Now()); err != nil {
		t.Fatal(err)
	}
	js, _ := get(t, c, f.srv.URL+"/activity.json", http.StatusOK)
	if !strings.HasPrefix(js, `[{"event_id":"web-test-1"`) {
		t.Errorf("activity.json does not start with the newest alert: %.200s", js)
	}
	page, _ := get(t, c, f.srv.URL+"/activity", http.StatusOK)
	if strings.Contains(page, "<script>") && !strings.Contains(page, "&lt;script&gt;") {
		t.Error("an alert's title is not escaped")
	}
}

// TestSignInRefusals: an identity mapped to nobody, a replayed or unknown
// state, and the bootstrap admin's wrong password, rate limit and
// retirement once a person holds the admin role.
func TestSignInRefusals(t *testing.T) {
	f := newFixture(t, sqliteStore(t))
	resp := f.signIn(t, f.client(t), "mallory")
	if body := read(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "is not mapped to a person") {
		t.Errorf("unmapped identity: %d %.300s", resp.StatusCode, body)
	}
	c := f.client(t)
	if _, err := c.Get(f.srv.URL + "/auth/callback?state=forged&code=x"); err != nil {
		t.Fatal(err)
	}
	if body, _ := get(t, c, f.srv.URL+"/auth/callback?state=forged&code=x", http.StatusBadRequest); !strings.Contains(body, "unknown, used or expired") {
		t.Errorf("forged state: %.300s", body)
	}

	admin := f.client(t)
	_, tok := get(t, admin, f.srv.URL+"/login", http.StatusOK)
	if code, _ := post(t, admin, f.srv.URL+"/login", url.Values{"username": {"admin"}, "password": {adminPW}}); code != http.StatusForbidden {
		t.Errorf("local sign-in without the form's token: %d", code)
	}
	if code, _ := post(t, admin, f.srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {"wrong"}}); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	code, body := post(t, admin, f.srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {adminPW}})
	if code != http.StatusOK || !strings.Contains(body, "(admin)") {
		t.Fatalf("local admin: %d %.300s", code, body)
	}
	// The bootstrap admin is nobody: it decides no request.
	queue, btok := get(t, admin, f.srv.URL+"/breakglass", http.StatusOK)
	if strings.Contains(queue, "Approve "+f.pending) {
		t.Error("the bootstrap admin sees an approve button")
	}
	if code, _ := post(t, admin, f.srv.URL+"/breakglass/"+f.pending+"/approve", url.Values{"csrf": {btok}}); code != http.StatusForbidden {
		t.Errorf("the bootstrap admin's approval: %d, want 403", code)
	}
	page, rtok := get(t, admin, f.srv.URL+"/admin/roles", http.StatusOK)
	if !strings.Contains(page, "carol") {
		t.Error("the roles page lacks carol")
	}
	if code, _ := post(t, admin, f.srv.URL+"/admin/roles", url.Values{"csrf": {rtok}, "person": {"carol"}, "role": {"root"}}); code != http.StatusBadRequest {
		t.Errorf("an unknown role: %d", code)
	}
	if code, _ := post(t, admin, f.srv.URL+"/admin/roles", url.Values{"csrf": {rtok}, "person": {"carol"}, "role": {"admin"}}); code != http.StatusOK {
		t.Errorf("making carol admin: %d", code)
	}
	// Carol is admin now: the bootstrap admin signs in no more.
	again := f.client(t)
	_, tok = get(t, again, f.srv.URL+"/login", http.StatusOK)
	if code, body := post(t, again, f.srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {adminPW}}); code != http.StatusForbidden ||
		!strings.Contains(body, "disabled") {
		t.Errorf("bootstrap admin after an admin exists: %d %.200s", code, body)
	}
	carol := f.client(t)
	f.signIn(t, carol, "carol").Body.Close()
	get(t, carol, f.srv.URL+"/admin/roles", http.StatusOK)

	// Five failures a minute, then even the right password waits.
	limited := f.client(t)
	_, tok = get(t, limited, f.srv.URL+"/login", http.StatusOK)
	codes := []int{}
	for range 6 {
		code, _ := post(t, limited, f.srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {"guess"}})
		codes = append(codes, code)
	}
	if codes[5] != http.StatusTooManyRequests {
		t.Errorf("failed sign-ins answered %v, want 429 at the sixth", codes)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	st := sqliteStore(t)
	for name, cfg := range map[string]web.Config{
		"no store":        {Auth: web.AuthConfig{Issuer: "https://idp.example.com", ClientID: "x", RedirectURL: "https://r/auth/callback"}},
		"no sign-in":      {Store: st},
		"hash not bcrypt": {Store: st, Auth: web.AuthConfig{AdminPasswordHash: []byte("plaintext")}},
		"issuer not URL":  {Store: st, Auth: web.AuthConfig{Issuer: "idp", ClientID: "x", RedirectURL: "https://r/auth/callback"}},
		"no client ID":    {Store: st, Auth: web.AuthConfig{Issuer: "https://idp.example.com", RedirectURL: "https://r/auth/callback"}},
	} {
		if _, err := web.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
