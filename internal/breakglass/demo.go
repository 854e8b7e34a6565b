package breakglass

import (
	_ "embed"
	"time"
)

// DemoTrail is the demo organization's CloudTrail records of its
// break-glass history: the approved window's sts:AssumeRoot call and its
// session's s3:DeleteBucketPolicy in 666666666666, and a root sign-in to
// the management account outside every window.
//
//go:embed demo-trail.json
var DemoTrail []byte

// Demo is the demo organization's break-glass history: the persons of the
// demo's caller identities and its requests.
type Demo struct {
	Persons  []Person
	Mappings []Mapping
	Requests []Request
}

// DemoHistory returns the demo history. Its times are fixed, to match
// DemoTrail.
func DemoHistory() Demo {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return Demo{
		Persons: []Person{{ID: "alice", Name: "Alice (platform on-call)"}, {ID: "bob", Name: "Bob (security)"}, {ID: "admin", Name: "Demo administrator"}},
		Mappings: []Mapping{
			{Identity: "arn:aws:iam::111111111111:role/BreakGlassRequester", Person: "alice"},
			{Identity: "arn:aws:iam::111111111111:role/BreakGlassApprover", Person: "bob"},
			{Identity: "arn:aws:iam::111111111111:role/Admin", Person: "admin"},
		},
		Requests: []Request{
			{
				ID: "bg-demo00000001", AccountID: "666666666666", Duration: 30 * time.Minute,
				Reason: "the payments audit bucket policy denies every principal; CI can no longer write its reports",
				Task:   TaskUnlockBucketPolicy, TaskParam: "acme-payments-audit",
				Requester: "alice", RequesterARN: "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice",
				CreatedAt: at("2026-11-20T08:52:00Z"), ExpiresAt: at("2026-11-21T08:52:00Z"),
				State: Closed, Decider: "bob", DeciderARN: "arn:aws:sts::111111111111:assumed-role/BreakGlassApprover/bob",
				DecidedAt: at("2026-11-20T09:02:00Z"), ClosedAt: at("2026-11-20T09:20:00Z"), ClosedBy: "alice",
			},
			{
				ID: "bg-demo00000002", AccountID: "111111111111", Duration: time.Hour,
				Reason:    "replace the management account's lost root MFA key",
				Requester: "alice", RequesterARN: "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice",
				CreatedAt: at("2026-11-22T16:30:00Z"), ExpiresAt: at("2026-11-23T16:30:00Z"),
				State: Denied, Decider: "bob", DeciderARN: "arn:aws:sts::111111111111:assumed-role/BreakGlassApprover/bob",
				DecidedAt: at("2026-11-22T17:05:00Z"),
			},
		},
	}
}
