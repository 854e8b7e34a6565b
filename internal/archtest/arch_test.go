package archtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
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

// rules lists what each package may not import, and why.
var rules = []struct {
	pkgPrefix string
	forbidden []string
	why       string
}{
	{"internal/checks", []string{"github.com/aws/", "internal/cli", "internal/sim"}, "checks are pure functions over a snapshot"},
	{"internal/delivery", []string{"github.com/aws/", "internal/cli", "internal/sim", "internal/checks", "internal/guardrail"}, "alert delivery is judged purely, once, for checks and guardrail"},
	{"internal/policy", []string{"github.com/aws/", "internal/cli"}, "the policy engine is pure"},
	{"internal/pattern", []string{"github.com/aws/", "internal/cli"}, "pattern evaluators are pure"},
	{"internal/detect", []string{"github.com/aws/", "internal/cli"}, "detection rules are pure over records"},
	{"internal/report", []string{"github.com/aws/", "internal/cli", "internal/sim"}, "renderers only format findings"},
	{"internal/inventory", []string{"internal/cli", "internal/guardrail", "internal/sim"}, "collection is read-only and knows nothing of the CLI"},
	{"internal/audit", []string{"github.com/aws/", "internal/cli"}, "the audit log records; it never calls AWS"},
	{"internal/awsclient", []string{"internal/cli"}, "adapters never import the CLI"},
	{"internal/trail", []string{"internal/cli"}, "domain packages never import the CLI"},
	{"internal/sim", []string{"internal/cli", "internal/inventory", "internal/checks"}, "the endpoint speaks AWS; it must not share code with what it tests"},
}

func TestForbiddenImports(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		for _, r := range rules {
			if rel != r.pkgPrefix && !strings.HasPrefix(rel, r.pkgPrefix+"/") {
				continue
			}
			for _, imp := range p.Imports {
				for _, f := range r.forbidden {
					if strings.HasPrefix(imp, f) || strings.HasPrefix(imp, module+"/"+f) {
						t.Errorf("%s imports %s: %s", rel, imp, r.why)
					}
				}
			}
		}
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
		if rel != "internal/inventory" && rel != "internal/trail" {
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
