package web_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rootguard/rootguard/internal/detect"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the dashboard's screenshots into docs/img")

// browser returns a headless Chromium allocator and axe-core's source, or
// skips (fails with ROOTGUARD_REQUIRE_BROWSER=1) when either is missing.
func browser(t *testing.T) (context.Context, string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("ROOTGUARD_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg + " (ROOTGUARD_REQUIRE_BROWSER=1)")
		}
		t.Skip(msg + ": the browser tests skip; .ci/run installs both")
	}
	exe := os.Getenv("ROOTGUARD_CHROMIUM")
	if exe == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		missing("no chromium on PATH")
	}
	axePath := os.Getenv("ROOTGUARD_AXE_JS")
	if axePath == "" {
		missing("ROOTGUARD_AXE_JS does not name axe-core's axe.min.js")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		missing("axe-core: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.DisableGPU, chromedp.WindowSize(1000, 700))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	// Start the browser under the test's context, never under a timeout.
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return root, string(axe)
}

// tab opens a tab in a browser context of its own (its own cookies).
func tab(t *testing.T, root context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	return ctx
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// signInBrowser signs subject in through the provider's form, signing
// out whoever was signed in.
func (f *fixture) signInBrowser(t *testing.T, ctx context.Context, subject string) {
	t.Helper()
	signedIn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("form.signout button") !== null`))
	if err == nil && signedIn {
		do(t, ctx, "sign out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS(`a[href="/auth/oidc"]`)))
	}
	do(t, ctx, "sign in as "+subject,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/auth/oidc"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/auth/oidc"]`)),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), subject),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("table.grid")),
	)
}

// checkPage runs axe-core in the page (no serious or critical violation)
// and checks that a 390-pixel-wide viewport does not scroll sideways.
func checkPage(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	for _, v := range violations(t, ctx, axe) {
		t.Errorf("%s: accessibility: %s", name, v)
	}
	if w := phoneWidth(t, ctx); w > 390 {
		t.Errorf("%s: %d pixels wide at a 390-pixel viewport: it scrolls sideways", name, w)
	}
}

// violations are axe-core's serious and critical findings on the page.
func violations(t *testing.T, ctx context.Context, axe string) []string {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; ")))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return bad
}

// phoneWidth is the page's scroll width in a 390-pixel-wide viewport.
func phoneWidth(t *testing.T, ctx context.Context) int {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 700)); err != nil {
		t.Fatal(err)
	}
	return w
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "img", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser drives the dashboard in headless Chromium: sign in through
// the provider, every page accessible (axe-core) and no wider than a
// phone, a person refused approving their own CLI request, another
// approving it, a live alert appearing without a reload, a viewer without
// an approve button.
func TestBrowser(t *testing.T) {
	root, axe := browser(t)
	f := newFixture(t, sqliteStore(t))

	// One tab, one person after another (a new browser context per person
	// costs seconds on a busy machine).
	alice := tab(t, root)
	f.signInBrowser(t, alice, "alice")
	screenshot(t, alice, "dashboard-overview")
	checkPage(t, alice, axe, "overview")
	do(t, alice, "open an account", chromedp.Click(chromedp.CSS(`a[href="/accounts/666666666666"]`)), chromedp.WaitVisible(chromedp.CSS("#h-findings")))
	if got := text(t, alice, "h1"); !strings.Contains(got, "666666666666") {
		t.Errorf("account page heading %q", got)
	}
	screenshot(t, alice, "dashboard-account")
	checkPage(t, alice, axe, "account")
	for _, p := range []string{"/activity", "/drills"} {
		do(t, alice, p, chromedp.Navigate(f.srv.URL+p), chromedp.WaitVisible(chromedp.CSS("main table")))
		checkPage(t, alice, axe, p)
	}

	approve := chromedp.CSS("#req-" + f.pending + " button.approve")
	do(t, alice, "the queue", chromedp.Navigate(f.srv.URL+"/breakglass"), chromedp.WaitVisible(approve))
	screenshot(t, alice, "dashboard-breakglass")
	checkPage(t, alice, axe, "break-glass queue")
	do(t, alice, "approve her own request", chromedp.Click(approve), chromedp.WaitVisible(chromedp.CSS(".msg.refused")))
	if got := text(t, alice, ".msg.refused"); !strings.Contains(got, "different person") {
		t.Errorf("self-approval says %q", got)
	}
	checkPage(t, alice, axe, "refusal")

	bob := alice
	f.signInBrowser(t, bob, "bob")
	do(t, bob, "approve alice's request", chromedp.Navigate(f.srv.URL+"/breakglass"), chromedp.Click(approve), chromedp.WaitVisible(chromedp.CSS(".msg")))
	if got := text(t, bob, ".msg"); !strings.Contains(got, f.pending+" is now approved") {
		t.Errorf("bob's approval says %q", got)
	}

	// The live view: an alert stored while the page is open appears.
	resp, err := chromedp.RunResponse(bob, chromedp.Navigate(f.srv.URL+"/activity"))
	if err != nil {
		t.Fatal(err)
	}
	if csp, _ := resp.Headers["Content-Security-Policy"].(string); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the browser got CSP %q", csp)
	}
	a := detect.Alert{RuleID: "root-console-login", Severity: "critical", Title: "Root console sign-in", EventID: "live-1",
		EventTime: time.Now().UTC().Format(time.RFC3339), AccountID: "222222222222", EventName: "ConsoleLogin"}
	if _, err := f.st.RecordAlert(t.Context(), a, time.Now()); err != nil {
		t.Fatal(err)
	}
	do(t, bob, "see the live alert", chromedp.WaitVisible(chromedp.CSS(`tr[data-event-id="live-1"]`)))
	if got := text(t, bob, "#alerts tbody tr:first-child"); !strings.Contains(got, "Root console sign-in") {
		t.Errorf("the live row says %q", got)
	}

	carol := alice
	f.signInBrowser(t, carol, "carol")
	do(t, carol, "the queue as a viewer", chromedp.Navigate(f.srv.URL+"/breakglass"), chromedp.WaitVisible(chromedp.CSS("#h-pending")))
	n, err := chromedp.Run(carol, chromedp.Evaluate[int](`document.querySelectorAll("button.approve, button.deny").length`))
	if err != nil || n != 0 {
		t.Errorf("a viewer sees %d decision buttons (%v)", n, err)
	}

	// The two page checks catch what they look for: an unlabelled field
	// and a wide element.
	if _, err := chromedp.Run(carol, chromedp.Evaluate[bool](`(() => { const i = document.createElement("input");
		document.querySelector("main").append(i); const d = document.createElement("div"); d.style.width = "900px";
		d.textContent = "wide"; document.querySelector("main").append(d); return true })()`)); err != nil {
		t.Fatal(err)
	}
	if v := violations(t, carol, axe); len(v) == 0 {
		t.Error("axe-core found nothing wrong with an unlabelled input")
	}
	if w := phoneWidth(t, carol); w <= 390 {
		t.Errorf("a 900-pixel element left the page %d pixels wide", w)
	}
}
