package detect_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

func fuzzSeeds(f *testing.F) {
	for _, path := range sampleFiles(f) {
		for _, raw := range loadRecords(f, path) {
			f.Add([]byte(raw))
		}
	}
	for _, s := range []string{
		`{"eventName":"ConsoleLogin","userIdentity":{"type":"R\u006fot"},"responseElements":{"ConsoleLogin":"Success"}}`,
		`{"detail":{"eventName":"AssumeRoot","eventSource":"sts.amazonaws.com"}}`,
		`{"eventName":"X","userIdentity":{"type":"Root","sessionContext":{"assumedRoot":"TRUE"}}}`,
		`{"eventName":"X","userIdentity":{"type":"FederatedUser","sessionContext":{"sessionIssuer":{"type":"Root"}}}}`,
		`{"eventName":"X","userIdentity":{"type":"Root","sessionContext":{"assumedroot":"true"}}}`,
		`{"eventname":"PasswordRecoveryCompleted","EVENTSOURCE":"signin.amazonaws.com"}`,
		`{"eventName":"ConsoleLogin","eventTime":"2024-05-02T03:00:00.123456789+02:00","userIdentity":{"type":"Root"},"errorMessage":"x"}`,
		`null`, `[]`, `"Root"`, `{}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecodeRecord: DecodeRecord never panics, gives the same answer twice, and a record that is
// not an envelope decodes to the same value when wrapped in an EventBridge envelope.
func FuzzDecodeRecord(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r1, err1 := detect.DecodeRecord(data)
		r2, err2 := detect.DecodeRecord(data)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("inconsistent: %v then %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if diff := cmp.Diff(r1, r2); diff != "" {
			t.Fatalf("two decodes differ (-first +second):\n%s", diff)
		}
		if bytes.Contains(bytes.ToLower(data), []byte("detail")) {
			return
		}
		wrapped := append(append([]byte(`{"version":"0","source":"aws.signin","detail":`), data...), '}')
		r3, err := detect.DecodeRecord(wrapped)
		if err != nil {
			t.Fatalf("record decodes alone but not in an envelope: %v", err)
		}
		if diff := cmp.Diff(r1, r3); diff != "" {
			t.Fatalf("record and its envelope decode differently (-record +envelope):\n%s", diff)
		}
	})
}

// FuzzInteresting: whenever any rule fires on a record (per-event, aggregate with a threshold
// of 1, or held for a join), Interesting must be true for its raw bytes.
func FuzzInteresting(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		interesting := detect.Interesting(data)
		r, err := detect.DecodeRecord(data)
		if err != nil {
			return
		}
		e := newEngine(t, detect.Config{BruteForceThreshold: 1, BruteForceWindow: time.Hour})
		alerts := append(e.Observe(r, detect.Source{}), e.Flush()...)
		if len(alerts) > 0 && !interesting {
			t.Fatalf("%s fired but Interesting is false", alerts[0].RuleID)
		}
		if interesting && !slices.ContainsFunc(detect.Needles(), func(n []byte) bool { return bytes.Contains(data, n) }) {
			t.Fatalf("Interesting is true but the record holds none of Needles()")
		}
	})
}
