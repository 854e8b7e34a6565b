// Package guardrail holds rootguard's desired guardrails: the preventive and
// detective controls that SEC01-BP02 asks of an organization, as
// configuration (Config, decoded strictly from YAML over DefaultConfig) and
// as a desired State computed against a snapshot (Desired).
//
// The desired state is what `rootguard plan` diffs against the snapshot and
// what `rootguard export` writes as Terraform or CloudFormation:
//
//   - service control policies attached at the organization root (or
//     configured targets, with exempt OUs and accounts honoured by attaching
//     to the sibling subtrees instead): deny every root action except in
//     centralized root sessions (a Null aws:AssumedRoot condition), deny root
//     iam:CreateAccessKey, and deny changes to account contacts and the
//     primary email outside admin roles (scp.go; each document stays under
//     the 5,120-character SCP quota and is checked with the policy engine in
//     tests);
//   - trusted access for IAM and the centralized root access features
//     RootCredentialsManagement and RootSessions;
//   - removal of every remaining member root credential (password, access
//     keys, signing certificates, MFA devices), each with its last use and a
//     one-line risk; keys used within max_key_last_used_days, or whose last
//     use is unknown, are marked RecentUse so apply removes them only with its
//     explicit flag;
//   - missing alternate contacts, set from configured values only: an
//     unconfigured type is a Gap, never an invented contact;
//   - a root-activity alerting stack in us-east-1 (the hub): an EventBridge
//     rule on root API calls and root console sign-ins, an SNS topic whose
//     policy lets only that rule publish, and the configured subscription;
//     and, since EventBridge delivers an account's events to that account
//     only, in every other account where root-activity-alerting fails (the
//     spokes) a rule forwarding the same events to the hub's default bus,
//     whose policy lets each spoke put events on it (apply grants by
//     account, so the spokes' targets need no IAM role; the exported
//     infrastructure code grants the organization and gives each spoke's
//     target a role, deployed as a service-managed StackSet).
//
// Desired is pure: no AWS call, no clock (ages are counted from the
// snapshot's collection time), sorted output. Facts the snapshot lacks (not
// collected, or a failed call) become Gaps naming the reason, so a plan can
// say what it could not decide instead of silently doing less.
//
// Plan and apply (plan*.go, apply*.go): NewPlan diffs the desired state
// against the snapshot into a Plan, a versioned JSON file (PlanSchema) of
// changes, each with the exact API calls it makes, the checks it fixes, its
// risk, its precondition (the observed facts it depends on, with a
// fingerprint) and its postcondition. Before any SCP attachment the policy
// engine evaluates the organization as it will be (newly covered accounts,
// centralized root sessions still working, or the plan is refused), and the
// checks run over the projected snapshot give the findings the plan
// changes. Apply re-reads the state and sorts each change: done (the
// postcondition holds: skipped, which is how a rerun after a partial
// failure finishes without repeating), pending (applied, each call audited
// before it is made) or stale (the plan is refused). Apply makes its calls
// through an Executor; its AWS implementation, in package awsexec, is the
// only code in rootguard that writes to AWS, and this package imports no
// AWS SDK.
//
// Performance: BenchmarkNewPlan plans a 1,000-account copy of the collected
// demo organization (1,109 changes, forwarding granted until the central
// bus policy's 10 KB limit, the rest gaps): about 0.7 s/op and 530 MB/op
// on the shared 2-core machine, half of it the two runs of every check
// (before and after); BenchmarkReview, apply's comparison with a fresh
// snapshot, about 4 ms/op:
//
//	go test ./internal/guardrail -run '^$' -bench 'NewPlan|Review' -benchtime 3x -benchmem
//
// Performance: BenchmarkDesired computes the desired state of a
// 1,000-account organization (the demo organization's members copied, every
// section configured, exemptions splitting the attachments):
//
//	go test ./internal/guardrail -run '^$' -bench Desired -benchmem -count 3
//
// On the shared 2-core development machine (Go 1.26, load average about 10)
// it took 0.70-0.80 ms/op, 0.9 MB and 4,600 allocations per op.
package guardrail
