// Package policy parses IAM policy documents (identity policies, service
// control policies, resource control policies) into a compiled form and
// evaluates them, with AWS's documented semantics, against a request.
//
// Parsing and evaluation are separate, in the manner of OPA's ast/topdown
// split. Parse validates a document the way IAM does and returns a *Error
// with a stable Code and a JSON-path Location; the resulting *Policy holds
// lower-cased action patterns, pre-split wildcards, pre-parsed numbers,
// dates and CIDR blocks, and is immutable, so one compiled SCP is shared by
// every account that inherits it.
//
// Evaluate answers for one policy; EvaluateSCPs walks the levels of an
// organization (root, OUs, account) and applies the SCP rule: an action must
// be allowed at every level and any matching Deny wins. Results carry the
// deciding statements as reasons and marshal to JSON for evidence.
//
// RootDenyCoverage and RootTaskAccess answer the two questions the root
// checks ask of an account's effective SCPs: is the root user, signed in with
// its own credentials, denied a representative set of actions (and if not,
// what hole let it through: a NotAction exemption, a resource, a condition)?
// And do centralized root sessions (sts:AssumeRoot, aws:AssumedRoot "true")
// still reach the root-task actions, or does a root-deny SCP without an
// aws:AssumedRoot exemption break them?
//
// Conformance cases live in testdata/cases/*.yaml and also seed FuzzParse.
//
// Performance: BenchmarkOrgCoverage evaluates root-deny coverage (10 probe
// actions) and root-task access (10 task actions) for every account of a
// 1,000-account organization (root, four OU levels, account; nine SCPs with
// conditions and NotAction holes), building each account's levels through a
// Cache so that compiled policies are shared. One op is the whole
// organization:
//
//	go test ./internal/policy -run '^$' -bench OrgCoverage -benchmem -count 5
//
// On the 2-core AMD EPYC development machine (Go 1.26, shared with other
// jobs) the best runs took 50-61 ms/op, i.e. 16,000-20,000 accounts/s,
// 29 MB and 277k allocations per op; under a load average of 16 the same
// benchmark took up to 250 ms/op.
package policy
