package detect_test

import (
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

func decodeAll(t *testing.T, recs []json.RawMessage) []*detect.Record {
	t.Helper()
	out := make([]*detect.Record, len(recs))
	for i, raw := range recs {
		r, err := detect.DecodeRecord(raw)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		out[i] = r
	}
	return out
}

func only(as []detect.Alert, rule string) []detect.Alert {
	var out []detect.Alert
	for _, a := range as {
		if a.RuleID == rule {
			out = append(out, a)
		}
	}
	return out
}

// TestBruteForceOrderIndependent feeds the same failures in many shuffled orders, and from
// several goroutines at once, and wants the same single burst alert every time.
func TestBruteForceOrderIndependent(t *testing.T) {
	recs := decodeAll(t, loadRecords(t, filepath.Join("testdata", "rules", detect.RuleConsoleBruteForce, "tp-six-in-twelve-minutes.json")))
	srcs := make([]detect.Source, len(recs))
	for i := range recs {
		srcs[i] = detect.Source{File: "burst.json", Index: i}
	}
	observe := func(e *detect.Engine, order []int) {
		for _, i := range order {
			e.Observe(recs[i], srcs[i])
		}
	}
	e := newEngine(t, detect.DefaultConfig())
	observe(e, []int{0, 1, 2, 3, 4, 5, 6})
	want := only(e.Flush(), detect.RuleConsoleBruteForce)
	if len(want) != 1 || want[0].Count != 6 || len(want[0].EventIDs) != 6 {
		t.Fatalf("want one burst of 6, got %+v", want)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 50 {
		order := rng.Perm(len(recs))
		e := newEngine(t, detect.DefaultConfig())
		if n%2 == 0 {
			observe(e, order)
		} else { // split across goroutines, as the trail scanner does with files
			var wg sync.WaitGroup
			for part := range 3 {
				wg.Go(func() {
					for k, i := range order {
						if k%3 == part {
							e.Observe(recs[i], srcs[i])
						}
					}
				})
			}
			wg.Wait()
		}
		if diff := cmp.Diff(want, only(e.Flush(), detect.RuleConsoleBruteForce)); diff != "" {
			t.Fatalf("order %v (-want +got):\n%s", order, diff)
		}
	}
}

func failureAt(t *testing.T, account, id string, at time.Time) *detect.Record {
	t.Helper()
	raw := `{"eventVersion":"1.09","userIdentity":{"type":"Root","principalId":"` + account + `","arn":"arn:aws:iam::` + account + `:root","accountId":"` + account + `","accessKeyId":""},` +
		`"eventTime":"` + at.Format(time.RFC3339) + `","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5",` +
		`"userAgent":"Mozilla/5.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},` +
		`"additionalEventData":{"MFAUsed":"No"},"eventID":"` + id + `","eventType":"AwsConsoleSignIn","recipientAccountId":"` + account + `"}`
	r, err := detect.DecodeRecord([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBruteForceBursts(t *testing.T) {
	t0 := time.Date(2024, 5, 2, 3, 0, 0, 0, time.UTC)
	at := func(minutes ...int) []time.Time {
		var out []time.Time
		for _, m := range minutes {
			out = append(out, t0.Add(time.Duration(m)*time.Minute))
		}
		return out
	}
	tests := []struct {
		name   string
		cfg    detect.Config
		times  []time.Time
		twice  bool // observe every record twice (a file and its .gz copy)
		counts []int
	}{
		{"below threshold", detect.DefaultConfig(), at(0, 1, 2, 3), false, nil},
		{"exactly threshold", detect.DefaultConfig(), at(0, 1, 2, 3, 4), false, []int{5}},
		{"overlapping windows merge", detect.DefaultConfig(), at(0, 3, 6, 9, 12, 15, 18, 21, 24, 27), false, []int{10}},
		{"two bursts an hour apart", detect.DefaultConfig(), at(0, 1, 2, 3, 4, 60, 61, 62, 63, 64, 65), false, []int{5, 6}},
		{"stragglers outside any window are left out", detect.DefaultConfig(), at(0, 40, 41, 42, 43, 44, 90), false, []int{5}},
		{"duplicates count once", detect.DefaultConfig(), at(0, 1, 2, 3), true, nil},
		{"configurable threshold", detect.Config{BruteForceThreshold: 3, BruteForceWindow: 2 * time.Minute}, at(0, 1, 2, 10, 11), false, []int{3}},
		{"zero config takes defaults", detect.Config{}, at(0, 14, 15, 15, 15), false, []int{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, tc.cfg)
			for i, ts := range tc.times {
				r := failureAt(t, "111122223333", "id-"+string(rune('a'+i)), ts)
				e.Observe(r, detect.Source{File: "a.json", Index: i})
				if tc.twice {
					e.Observe(r, detect.Source{File: "a.json.gz", Index: i})
				}
			}
			var counts []int
			for _, a := range only(e.Flush(), detect.RuleConsoleBruteForce) {
				counts = append(counts, a.Count)
				if len(a.EventIDs) != a.Count || a.Severity != detect.High || a.AccountID != "111122223333" {
					t.Errorf("burst alert %+v: event IDs, severity or account wrong", a)
				}
			}
			if diff := cmp.Diff(tc.counts, counts); diff != "" {
				t.Errorf("burst sizes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAssumeRootJoin joins a centralized-root session to its AssumeRoot call in both orders,
// and leaves it unnamed when the call is absent.
func TestAssumeRootJoin(t *testing.T) {
	recs := decodeAll(t, loadRecords(t, filepath.Join("testdata", "rules", detect.RuleAssumeRootSession, "tp-joined-session-before-call.json")))
	session, call := recs[0], recs[1]
	const caller = "arn:aws:sts::444455556666:assumed-role/JohnDoe/JohnRole1"
	tests := []struct {
		name       string
		records    []*detect.Record
		wantCaller string
	}{
		{"session first", []*detect.Record{session, call}, caller},
		{"call first", []*detect.Record{call, session}, caller},
		{"call missing", []*detect.Record{session}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, detect.DefaultConfig())
			for i, r := range tc.records {
				for _, a := range e.Observe(r, detect.Source{File: "f", Index: i}) {
					if a.RuleID == detect.RuleAssumeRootSession {
						t.Errorf("assume-root-session returned by Observe; want it held until Flush")
					}
				}
			}
			got := only(e.Flush(), detect.RuleAssumeRootSession)
			if len(got) != 1 {
				t.Fatalf("want one assume-root-session alert, got %d", len(got))
			}
			a := got[0]
			if a.Caller != tc.wantCaller || !a.AssumedRoot {
				t.Errorf("caller = %q, assumed_root = %v; want %q, true", a.Caller, a.AssumedRoot, tc.wantCaller)
			}
			if tc.wantCaller != "" && (a.TargetAccount != "111122223333" || !strings.HasSuffix(a.TaskPolicy, "/S3UnlockBucketPolicy")) {
				t.Errorf("target %q, task policy %q not taken from the call", a.TargetAccount, a.TaskPolicy)
			}
			if again := e.Flush(); len(again) != 0 {
				t.Errorf("second Flush returned %d alerts; want state reset", len(again))
			}
		})
	}
}

func TestDecodeRecord(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    func(r *detect.Record) bool
		wantErr string
	}{
		{"record", `{"eventName":"ConsoleLogin","userIdentity":{"type":"Root"},"eventTime":"2024-05-02T03:00:00Z","readOnly":true}`,
			func(r *detect.Record) bool {
				return r.EventName == "ConsoleLogin" && r.UserIdentity.Type == "Root" && r.EventTime.Equal(time.Date(2024, 5, 2, 3, 0, 0, 0, time.UTC)) && r.ReadOnly != nil && *r.ReadOnly
			}, ""},
		{"eventbridge envelope", `{"version":"0","detail-type":"AWS API Call via CloudTrail","account":12345,"detail":{"eventName":"CreateUser","userIdentity":{"type":"Root","accountId":12345}}}`,
			func(r *detect.Record) bool { return r.EventName == "CreateUser" && r.UserIdentity.AccountID == "12345" }, ""},
		{"placeholder time kept raw", `{"eventName":"ConsoleLogin","eventTime":"..."}`,
			func(r *detect.Record) bool { return r.EventTime.IsZero() && r.EventTimeRaw == "..." }, ""},
		{"readOnly as string", `{"eventName":"ListUsers","readOnly":"false"}`,
			func(r *detect.Record) bool { return r.ReadOnly != nil && !*r.ReadOnly }, ""},
		{"readOnly absent", `{"eventName":"ListUsers"}`, func(r *detect.Record) bool { return r.ReadOnly == nil }, ""},
		{"null parameters become nil", `{"eventName":"X","requestParameters":null,"responseElements":{"a":1}}`,
			func(r *detect.Record) bool {
				return r.RequestParameters == nil && string(r.ResponseElements) == `{"a":1}`
			}, ""},
		{"assumedRoot exact key", `{"eventName":"X","userIdentity":{"type":"Root","sessionContext":{"assumedRoot":"true","sessionIssuer":{"type":"Role"}}}}`,
			func(r *detect.Record) bool {
				sc := r.UserIdentity.SessionContext
				return sc != nil && sc.AssumedRoot == "true" && sc.SessionIssuer.Type == "Role"
			}, ""},
		{"assumedRoot in another case is not read", `{"eventName":"X","userIdentity":{"type":"IAMUser","sessionContext":{"ASSUMEDROOT":"true"}}}`,
			func(r *detect.Record) bool { return r.UserIdentity.SessionContext.AssumedRoot == "" }, ""},
		{"not an object", `[1,2]`, nil, "decode cloudtrail record"},
		{"not json", `{"eventName":`, nil, "decode cloudtrail record"},
		{"nothing to read", `{"foo":"bar"}`, nil, "no eventName and no userIdentity"},
		{"identity not an object", `{"eventName":"X","userIdentity":"Root"}`, nil, "decode cloudtrail record"},
		{"string field holds an object", `{"eventName":{"a":1}}`, nil, "decode cloudtrail record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := detect.DecodeRecord([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(r) {
				t.Errorf("decoded record not as expected: %+v", r)
			}
		})
	}
}

// TestInterestingConservative runs every sample record through the rules and the prefilter.
func TestInterestingConservative(t *testing.T) {
	for _, path := range sampleFiles(t) {
		for i, raw := range loadRecords(t, path) {
			r, err := detect.DecodeRecord(raw)
			if err != nil {
				t.Fatal(err)
			}
			e := newEngine(t, detect.Config{BruteForceThreshold: 1, BruteForceWindow: time.Hour})
			alerts := append(e.Observe(r, detect.Source{}), e.Flush()...)
			if len(alerts) > 0 && !detect.Interesting(raw) {
				t.Errorf("%s record %d: %s fired but Interesting is false", path, i, alerts[0].RuleID)
			}
		}
	}
}

func TestInteresting(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"root identity", `{"userIdentity":{"type":"Root"}}`, true},
		{"assume root", `{"eventName":"AssumeRoot"}`, true},
		{"recovery", `{"eventName":"PasswordRecoveryRequested"}`, true},
		{"contact", `{"eventName":"PutAlternateContact"}`, true},
		{"primary email", `{"eventName":"StartPrimaryEmailUpdate"}`, true},
		{"escaped needle", `{"userIdentity":{"type":"R\u006f\u006Ft"}}`, true},
		{"escaped backslash is not an escape", `{"userAgent":"R\\u006fot"}`, false},
		{"IAM user named root", `{"userIdentity":{"type":"IAMUser","userName":"root","arn":"arn:aws:iam::111122223333:user/root"}}`, false},
		{"root ARN alone", `{"resources":[{"ARN":"arn:aws:iam::111122223333:root"}]}`, false},
		{"ordinary call", `{"eventName":"DescribeInstances","userIdentity":{"type":"AssumedRole"}}`, false},
		{"escape of a non-ascii rune", `{"eventName":"\u00e9"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := detect.Interesting([]byte(tc.raw)); got != tc.want {
				t.Errorf("Interesting(%s) = %v, want %v", tc.raw, got, tc.want)
			}
		})
	}
	// Decoy samples (IAM users named root) should not pass the prefilter.
	for _, path := range sampleFiles(t) {
		if !strings.Contains(path, "named-root") {
			continue
		}
		for _, raw := range loadRecords(t, path) {
			if detect.Interesting(raw) {
				t.Errorf("%s: decoy passes the prefilter", path)
			}
		}
	}
}

// TestNeedlesCoverInteresting: a record holding none of Needles must not be Interesting, so a
// chunk scanner that skips on Needles alone stays conservative.
func TestNeedlesCoverInteresting(t *testing.T) {
	for _, raw := range []string{
		`{"userIdentity":{"type":"R\u006f\u006ft"}}`,
		`{"eventName":"PasswordRecoveryRequested"}`,
		`{"eventName":"DescribeInstances"}`,
	} {
		any := false
		for _, n := range detect.Needles() {
			any = any || strings.Contains(raw, string(n))
		}
		if !any && detect.Interesting([]byte(raw)) {
			t.Errorf("%s is Interesting but holds none of Needles()", raw)
		}
	}
}
