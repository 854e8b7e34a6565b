package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/rootguard/rootguard"

type pkg struct {
	ImportPath string
	Dir        string
	Doc        string
	Name       string
	Imports    []string
	GoFiles    []string
	// Deps are the packages it reaches, directly or not (tests excluded).
	Deps []string
	// DepOnly marks a package listed only as a dependency of the module's.
	DepOnly bool
}

// goList lists the module in dir ("" for the current directory's) and
// every package it depends on.
func goList(t *testing.T, dir string) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", module+"/...")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// listPackages lists the module's own packages.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	pkgs := slices.DeleteFunc(goList(t, ""), func(p pkg) bool { return p.DepOnly })
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestEveryPackageHasDoc(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("%s: no package doc comment", p.ImportPath)
		}
	}
}

// domain are the packages that hold rootguard's judgements: plain Go over
// the snapshot model and CloudTrail records. A new domain package is one
// more line here.
var domain = []string{
	"internal/inventory", // the snapshot model
	"internal/checks",
	"internal/compliance",
	"internal/policy",
	"internal/pattern/...",
	"internal/detect",
	"internal/report",
	"internal/guardrail", // its domain: desired state, plan, apply over an Executor
	"internal/guardrail/export",
	"internal/audit",
	"internal/delivery", // alert delivery, judged once for checks and guardrail
	"internal/yamlx",
	"internal/mutelist",   // suppressions and report filters
	"internal/custody",    // the custody registry: what people record, held against the snapshot by checks
	"internal/contacts",   // contact verification: targets, tokens, verdicts
	"internal/drill",      // root access drills and their proof from alerts
	"internal/iampolicy",  // the registry of the actions each mode calls, and the policies made from it
	"internal/breakglass", // persons, requests, the two-person rule, windows, root tasks; the store and the AWS calls are adapters
	"internal/recovery",   // the recovery-path graph over the snapshot and custody records
	"internal/runbook",    // runbooks written from the snapshot, findings and graph

	// the vectorised needle search under trail scan's prefilter: bytes in, positions out
	"internal/trail/teddy",
}

// readOnly are the packages that read AWS or judge what was read.
var readOnly = slices.Concat(domain, []string{"internal/collect", "internal/trail", "internal/trailquery", "internal/awsclient"})

// A rule bans the packages in pkgs (module-relative paths; "x/..." is x
// and below, "..." every package) from reaching, directly or through other
// packages, any package under a banned path. Banned paths are
// module-relative or, with a dot in their first element, import paths.
type rule struct {
	pkgs, except []string
	banned       []string
	why          string
}

var rules = []rule{
	{pkgs: domain, banned: []string{"github.com/aws/"},
		why: "domain packages are plain Go over the model: the AWS SDK, its service clients and write APIs, belongs to the adapters (collect, guardrail/awsexec, awsclient, trail, trailquery)"},
	{pkgs: []string{"..."}, except: []string{"internal/cli", "cmd/rootguard", "internal/sim/..."}, banned: []string{"internal/sim"},
		why: "only the CLI (for --demo and sim serve) and tests (through sim/simtest) use the simulated AWS endpoint"},
	{pkgs: []string{"..."}, except: []string{"cmd/rootguard"}, banned: []string{"internal/cli"},
		why: "the CLI is the outermost layer: only main imports it"},
	{pkgs: readOnly, banned: []string{"internal/guardrail/awsexec"},
		why: "read-only packages never reach the code that writes to AWS"},
	{pkgs: []string{"internal/severity", "internal/termsafe", "internal/suggest", "internal/jsonstrict", "internal/filelimit"}, banned: []string{"github.com/", "golang.org/", "internal"},
		why: "the small shared helpers (severity scale, terminal-safe text, suggestions, strict JSON, bounded reads) depend on nothing"},
	{pkgs: []string{"internal/trail/teddy"}, banned: []string{"github.com/", "internal"},
		why: "the vectorised needle search is an algorithm over bytes (and the CPU's features): it knows nothing of CloudTrail"},
	{pkgs: []string{"internal/delivery"}, banned: []string{"internal/checks", "internal/guardrail"},
		why: "checks and guardrail both use the delivery judgement; it uses neither"},
	{pkgs: []string{"internal/collect"}, banned: []string{"internal/guardrail"},
		why: "collection reads the organization; it knows nothing of plans"},
	{pkgs: []string{"internal/intake"}, banned: []string{"internal/guardrail", "internal/report", "internal/cli", "internal/trail"},
		why: "the queue consumer feeds the detection driver and hands alerts to its caller: it neither writes to AWS nor renders, and shares no reader with trail scan"},
	{pkgs: []string{"internal/serve"}, banned: []string{"internal/guardrail", "internal/cli", "internal/sim"},
		why: "the service reads (scans through the function it is given, queues) and stores alerts: it never writes to AWS, and the simulator is the CLI's (serve --demo) and the tests'"},
	{pkgs: []string{"internal/sim"}, banned: []string{"internal/inventory", "internal/collect", "internal/checks"},
		why: "the endpoint speaks AWS; it must not share code with what it tests"},
	{pkgs: domain, banned: []string{"internal/store"},
		why: "the store is an adapter: domain packages declare the interfaces it implements and never import it"},
	{pkgs: []string{"internal/store/..."}, banned: []string{"github.com/aws/"},
		why: "the store keeps state; it never talks to AWS, so a database that is unreachable or locked stops a command before anything reaches AWS"},
	{pkgs: []string{"..."}, except: []string{"internal/store/storetest"}, banned: []string{"internal/store/storetest"},
		why: "the harness that runs a test on every backend is for tests only"},
	{pkgs: []string{"internal/contactmail"}, banned: []string{"github.com/aws/", "internal/store", "internal/checks"},
		why: "the mail adapter looks up DNS and talks SMTP; what a verification means is package contacts', where it is kept the store's"},
	{pkgs: []string{"internal/notify"}, banned: []string{"internal/guardrail", "internal/collect", "internal/serve", "internal/web"},
		why: "alert delivery sends what detection raised, through the store's outbox: it neither plans nor collects, and knows nothing of the service or the dashboard that use it"},
	{pkgs: []string{"..."}, except: []string{"internal/contactmail/mailtest"}, banned: []string{"internal/contactmail/mailtest"},
		why: "the loopback DNS and SMTP servers are for tests only"},
	{pkgs: []string{"internal/web/..."}, banned: []string{"github.com/aws/", "internal/guardrail", "internal/collect", "internal/trail"},
		why: "the dashboard reads the store and decides break-glass requests through the breakglass service: it neither talks to AWS nor plans changes"},
	{pkgs: []string{"..."}, except: []string{"internal/web/oidctest"}, banned: []string{"internal/web/oidctest"},
		why: "the in-process OpenID Connect provider is for tests only"},
}

// matches reports whether the module-relative path rel is one of patterns.
func matches(patterns []string, rel string) bool {
	for _, p := range patterns {
		base, tree := strings.CutSuffix(p, "/...")
		if p == "..." || rel == base || tree && strings.HasPrefix(rel, base+"/") {
			return true
		}
	}
	return false
}

// bans reports whether the import path dep is under banned.
func bans(banned, dep string) bool {
	if first, _, _ := strings.Cut(banned, "/"); !strings.Contains(first, ".") {
		banned = module + "/" + banned
	}
	banned = strings.TrimSuffix(banned, "/")
	return dep == banned || strings.HasPrefix(dep, banned+"/")
}

// violations checks the module's packages in pkgs (which lists their
// dependencies too) against rules: one line per package and banned path it
// reaches, with the chain of imports that reaches it and the rule's reason.
func violations(pkgs []pkg, rules []rule) []string {
	imports := map[string][]string{}
	for _, p := range pkgs {
		imports[p.ImportPath] = p.Imports
	}
	var out []string
	for _, p := range pkgs {
		rel, ours := strings.CutPrefix(p.ImportPath, module+"/")
		if !ours || p.DepOnly {
			continue
		}
		for _, r := range rules {
			if !matches(r.pkgs, rel) || matches(r.except, rel) {
				continue
			}
			for _, b := range r.banned {
				var reached []string
				for _, d := range p.Deps {
					if bans(b, d) {
						reached = append(reached, d)
					}
				}
				if len(reached) == 0 {
					continue
				}
				out = append(out, fmt.Sprintf("%s reaches %s (%d banned package(s) under %s) through %s: %s",
					rel, short(reached[0]), len(reached), b, strings.Join(chain(imports, p.ImportPath, reached[0]), " -> "), r.why))
			}
		}
	}
	return out
}

// chain is the shortest import path from one package to another, both
// included, module paths shortened.
func chain(imports map[string][]string, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for ; cur != ""; cur = prev[cur] {
				path = append(path, short(cur))
			}
			slices.Reverse(path)
			return path
		}
		for _, next := range imports[cur] {
			if _, seen := prev[next]; !seen {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return []string{short(from), "?", short(to)}
}

func short(path string) string { return strings.TrimPrefix(path, module+"/") }

// TestDependencies enforces rules over every package's transitive
// dependencies (tests excluded: they may use the simulator and the SDK).
func TestDependencies(t *testing.T) {
	for _, v := range violations(goList(t, ""), rules) {
		t.Error(v)
	}
}

// TestDependenciesCatchBannedImport builds a small module with the
// project's path in a temporary directory, where the model reaches an AWS
// SDK service package and a renderer reaches the simulator through a
// helper, and checks that the rules report both, each naming the package,
// the chain of imports and the reason, while the clean packages pass.
func TestDependenciesCatchBannedImport(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                          "module " + module + "\n\ngo 1.26\n\nrequire github.com/aws/aws-sdk-go-v2 v1.0.0\n\nreplace github.com/aws/aws-sdk-go-v2 => ./sdk\n",
		"sdk/go.mod":                      "module github.com/aws/aws-sdk-go-v2\n\ngo 1.26\n",
		"sdk/service/iam/iam.go":          "package iam\n",
		"internal/inventory/inventory.go": "package inventory\n\nimport _ \"github.com/aws/aws-sdk-go-v2/service/iam\"\n",
		"internal/checks/checks.go":       "package checks\n\nimport _ \"" + module + "/internal/inventory\"\n",
		"internal/sim/sim.go":             "package sim\n",
		"internal/helper/helper.go":       "package helper\n\nimport _ \"" + module + "/internal/sim\"\n",
		"internal/report/report.go":       "package report\n\nimport _ \"" + module + "/internal/helper\"\n",
		"internal/policy/policy.go":       "package policy\n",
		"internal/cli/cli.go":             "package cli\n\nimport _ \"" + module + "/internal/sim\"\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOWORK", "off")
	t.Setenv("GOFLAGS", "-mod=mod")
	got := violations(goList(t, dir), rules)

	want := []string{
		"internal/checks reaches github.com/aws/aws-sdk-go-v2/service/iam (1 banned package(s) under github.com/aws/) through internal/checks -> internal/inventory -> github.com/aws/aws-sdk-go-v2/service/iam: " + rules[0].why,
		"internal/inventory reaches github.com/aws/aws-sdk-go-v2/service/iam (1 banned package(s) under github.com/aws/) through internal/inventory -> github.com/aws/aws-sdk-go-v2/service/iam: " + rules[0].why,
		"internal/helper reaches internal/sim (1 banned package(s) under internal/sim) through internal/helper -> internal/sim: " + rules[1].why,
		"internal/report reaches internal/sim (1 banned package(s) under internal/sim) through internal/report -> internal/helper -> internal/sim: " + rules[1].why,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// writeCall matches a call of an AWS write operation on an SDK client.
var writeCall = regexp.MustCompile(`\.(Create|Delete|Put|Attach|Detach|Enable|Disable|Update|Tag|Untag|Set|Upload|Deactivate|Remove|Add|Accept|Register|Deregister|Associate|Disassociate|Reset|Change|Modify)[A-Z][A-Za-z]*\(`)

// notAWS are methods the pattern catches that are not AWS operations.
var notAWS = map[string]bool{"AddDate": true, "SetLimit": true, "SetContext": true, "SetBytes": true, "SetOutput": true}

// TestReadOnlyPackagesMakeNoWrites scans the non-test sources of the
// packages that must only read AWS for calls to write operations.
func TestReadOnlyPackagesMakeNoWrites(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if rel != "internal/collect" && rel != "internal/trail" {
			continue
		}
		for _, f := range p.GoFiles {
			src, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(src), "\n") {
				if m := writeCall.FindString(line); m != "" && !notAWS[strings.Trim(m, ".(")] {
					t.Errorf("%s/%s:%d: %s looks like an AWS write call in a read-only package", rel, f, i+1, m)
				}
			}
		}
	}
}
