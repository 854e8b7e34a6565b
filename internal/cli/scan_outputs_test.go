package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestScanOutputDir writes three formats in one run and checks each file:
// its name from the default template, 0600, and content in its format.
func TestScanOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	code, stdout, stderr := run(t, "scan", "--demo", "--format", "json,html,ocsf", "--output-dir", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout is not empty with --output-dir: %q", stdout)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	stamp := regexp.MustCompile(`^rootguard-\d{8}T\d{6}Z\.(json|html|ocsf\.json)$`)
	if len(names) != 3 {
		t.Fatalf("files %v, want three", names)
	}
	byExt := map[string]string{}
	for _, n := range names {
		m := stamp.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("file %q is not named rootguard-<UTC timestamp>.<ext>", n)
			continue
		}
		byExt[m[1]] = filepath.Join(dir, n)
		info, err := os.Stat(filepath.Join(dir, n))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", n, info.Mode().Perm(), err)
		}
		if !strings.Contains(stderr, "wrote "+filepath.Join(dir, n)) {
			t.Errorf("stderr does not name %s:\n%s", n, stderr)
		}
	}
	data, _ := os.ReadFile(byExt["json"])
	if doc := decodeFindings(t, string(data)); doc.Schema != "rootguard.findings/v1" || len(doc.Findings) == 0 {
		t.Errorf("json file: schema %q, %d findings", doc.Schema, len(doc.Findings))
	}
	data, _ = os.ReadFile(byExt["html"])
	if !strings.HasPrefix(strings.TrimSpace(string(data)), "<!DOCTYPE html>") {
		t.Errorf("html file does not start with a doctype: %.80s", data)
	}
	data, _ = os.ReadFile(byExt["ocsf.json"])
	var ocsf []map[string]any
	if err := json.Unmarshal(data, &ocsf); err != nil || len(ocsf) == 0 || ocsf[0]["class_uid"] == nil {
		t.Errorf("ocsf file is not a list of OCSF findings (%v): %.80s", err, data)
	}
}

func TestScanOutputName(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "scan", "--demo", "--format", "csv,markdown", "--output-dir", dir, "--output-name", "posture.{{.Format}}.{{.Ext}}")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"posture.csv.csv", "posture.markdown.md"}; !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
}

func TestScanOutputsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"several formats without a dir", []string{"--format", "json,html"}, "--output-dir"},
		{"unknown format in a list", []string{"--format", "json,yaml", "--output-dir", dir}, `--format "yaml"`},
		{"a format twice", []string{"--format", "json,json", "--output-dir", dir}, "twice"},
		{"output and output-dir", []string{"--format", "json", "--output", "x.json", "--output-dir", dir}, "exclude each other"},
		{"names that collide", []string{"--format", "json,html", "--output-dir", dir, "--output-name", "report"}, "the same name"},
		{"a name with a path", []string{"--format", "json", "--output-dir", dir, "--output-name", "../{{.Ext}}"}, "not a file name"},
		{"an unknown template field", []string{"--format", "json", "--output-dir", dir, "--output-name", "{{.Account}}"}, "--output-name"},
		{"a broken template", []string{"--format", "json", "--output-dir", dir, "--output-name", "{{.Ext"}, "--output-name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"scan", "--demo"}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want a usage error with %q", code, stderr, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused run wrote %d files", len(entries))
	}
}
