package eventpattern_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
)

// fuzzEvents are evaluated by every pattern the fuzzer manages to parse.
var fuzzEvents = [][]byte{
	[]byte(`{"detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"eventType":"AwsApiCall"}}`),
	[]byte(`{"time":"2017-10-02T16:24:49Z","detail":{"c-count":5,"x-limit":301.8,"source-ip":"10.0.0.33","state":"running","tags":["a",{"b":null}],"nothing":null}}`),
	[]byte(`{"employees":[{"firstName":"Anna","lastName":"Smith"},[{"firstName":"Peter"}]]}`),
	[]byte(`[]`),
}

func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/patterns/*.json")
	if err != nil {
		f.Fatal(err)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed patterns in testdata/patterns")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, pattern []byte) {
		p, err := eventpattern.Parse(pattern)
		if err != nil {
			return
		}
		again, err := eventpattern.Parse([]byte(p.String()))
		if err != nil {
			t.Fatalf("reparse of %q: %v", p.String(), err)
		}
		for _, ev := range fuzzEvents {
			first := p.Match(ev)
			if p.Match(ev) != first || again.Match(ev) != first {
				t.Fatalf("pattern %q on %q: Match is not deterministic", pattern, ev)
			}
		}
	})
}

// TestSeedPatternsParse keeps the fuzz seeds valid: a seed that stops
// parsing would silently stop exercising the matcher.
func TestSeedPatternsParse(t *testing.T) {
	t.Parallel()
	seeds, err := filepath.Glob("testdata/patterns/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		t.Run(filepath.Base(s), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := eventpattern.Parse(b); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}
