package trailquery_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailgen"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// sample is one raw CloudTrail record of the test corpus and where it came from.
type sample struct {
	name string
	raw  json.RawMessage
}

// corpus gathers every record the project tests detection with: the rule samples of
// internal/detect, the peer conformance cases and datasets (when shared/ is present) and a
// small archive from the trail generator (root activity of every kind plus look-alikes).
func corpus(t testing.TB) []sample {
	t.Helper()
	var out []sample
	files, err := filepath.Glob(filepath.Join("..", "detect", "testdata", "rules", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule samples under internal/detect/testdata/rules: %v", err)
	}
	for _, f := range files {
		out = append(out, records(t, f, readFile(t, f))...)
	}
	if dir := sharedDir("conformance"); dir != "" {
		cases, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, f := range cases {
			if strings.Contains(f, "policy") {
				continue // credential-report resources, not CloudTrail
			}
			sc := bufio.NewScanner(bytes.NewReader(readFile(t, f)))
			sc.Buffer(nil, 1<<22)
			for i := 0; sc.Scan(); i++ {
				var c struct {
					Event json.RawMessage `json:"event"`
				}
				if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
					t.Fatalf("%s line %d: %v", f, i+1, err)
				}
				out = append(out, sample{name: filepath.Base(f) + "#" + itoa(i), raw: c.Event})
			}
		}
		sets, _ := filepath.Glob(filepath.Join(dir, "datasets", "*", "*.json"))
		for _, f := range sets {
			out = append(out, records(t, f, readFile(t, f))...)
		}
	}
	gen := t.TempDir()
	if _, err := trailgen.Generate(t.Context(), trailgen.GenerateOptions{Out: gen, Accounts: 2, Days: 2, SizeMB: 1.5, Seed: 7,
		MinFileBytes: 200_000, MaxFileBytes: 400_000}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	err = filepath.WalkDir(gen, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(gen, p)
		out = append(out, records(t, rel, data)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// records splits a CloudTrail log file {"Records": [...]} or returns the one record a file holds.
func records(t testing.TB, name string, data []byte) []sample {
	t.Helper()
	var file struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if file.Records == nil {
		return []sample{{name: name, raw: bytes.TrimSpace(data)}}
	}
	out := make([]sample, len(file.Records))
	for i, r := range file.Records {
		out[i] = sample{name: name + "#" + itoa(i), raw: r}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// sharedDir finds shared/<name> above the working directory, or "".
func sharedDir(name string) string {
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

// alertsOf runs a fresh engine over records, Flush included.
func alertsOf(t testing.TB, recs []*detect.Record) []detect.Alert {
	e, err := detect.NewEngine(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out []detect.Alert
	for i, r := range recs {
		out = append(out, e.Observe(r, detect.Source{Index: i})...)
	}
	return append(out, e.Flush()...)
}
