package detect_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// loadRecords reads a JSON file holding one record (or EventBridge envelope) or a CloudTrail
// log file {"Records": [...]}, and returns the raw records.
func loadRecords(t testing.TB, path string) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := splitRecords(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func splitRecords(data []byte) ([]json.RawMessage, error) {
	var file struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	if file.Records != nil {
		return file.Records, nil
	}
	return []json.RawMessage{bytes.TrimSpace(data)}, nil
}

// run feeds records through a fresh engine and returns every alert, Flush included.
func run(t testing.TB, cfg detect.Config, file string, recs []json.RawMessage) []detect.Alert {
	t.Helper()
	e := newEngine(t, cfg)
	var out []detect.Alert
	for i, raw := range recs {
		r, err := detect.DecodeRecord(raw)
		if err != nil {
			t.Fatalf("%s record %d: %v", file, i, err)
		}
		out = append(out, e.Observe(r, detect.Source{File: file, Index: i})...)
	}
	return append(out, e.Flush()...)
}

func ruleIDs(as []detect.Alert) map[string]int {
	m := map[string]int{}
	for _, a := range as {
		m[a.RuleID]++
	}
	return m
}

// sharedDir walks up from the working directory to find shared/<name>.
func sharedDir(t testing.TB, name string) string {
	t.Helper()
	p := findShared(name)
	if p == "" {
		t.Skipf("shared/%s not found above the working directory: peer cases are kept outside the repository", name)
	}
	return p
}

// findShared returns shared/<name> in the working directory or above it, or "".
func findShared(name string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func sampleFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "rules", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples under testdata/rules: %v", err)
	}
	return files
}

// newEngine returns an engine of cfg, failing the test when it cannot be built.
func newEngine(t testing.TB, cfg detect.Config) *detect.Engine {
	t.Helper()
	e, err := detect.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
