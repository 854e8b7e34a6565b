package logfilter_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/pattern/logfilter"
)

// fuzzEvents are evaluated by every pattern the fuzzer manages to parse.
var fuzzEvents = [][]byte{
	[]byte(`{"userIdentity":{"type":"Root","invokedBy":"x"},"eventType":"AwsApiCall","n":5,"a":[1,"b",null,{"c":true}]}`),
	[]byte(`{"eventType":"UpdateTrail","SomeObject":null,"ThisFlag":true,"latency":1000}`),
	[]byte(`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 1534`),
	[]byte(`ERROR WARN message`),
	[]byte(``),
}

func FuzzParse(f *testing.F) {
	file, err := os.Open("testdata/patterns.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f.Add(line)
	}
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		flt, err := logfilter.Parse(pattern)
		if err != nil {
			return
		}
		again, err := logfilter.Parse(flt.String())
		if err != nil {
			t.Fatalf("reparse of %q: %v", flt.String(), err)
		}
		for _, ev := range fuzzEvents {
			first := flt.Match(ev)
			if flt.Match(ev) != first || again.Match(ev) != first {
				t.Fatalf("pattern %q on %q: Match is not deterministic", pattern, ev)
			}
		}
	})
}
