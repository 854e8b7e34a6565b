package policy

import (
	"fmt"
	"strings"
)

// RootProbeActions returns a representative set of actions that a root-deny
// SCP should deny to a member account's root user: credential creation, data
// access, compute, leaving the organization, account settings, key
// destruction. (sts:GetCallerIdentity is left out: AWS answers it whatever
// the policies say.) Each call returns a new slice.
func RootProbeActions() []string {
	return []string{
		"iam:CreateAccessKey",
		"iam:CreateLoginProfile",
		"iam:CreateUser",
		"iam:EnableMFADevice",
		"s3:GetObject",
		"ec2:RunInstances",
		"organizations:LeaveOrganization",
		"account:PutAlternateContact",
		"account:StartPrimaryEmailUpdate",
		"kms:ScheduleKeyDeletion",
	}
}

// RootTaskActions returns the actions the centralized root access task
// policies (IAMAuditRootUserCredentials, IAMCreateRootUserPassword,
// IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy)
// perform inside an sts:AssumeRoot session. A root-deny SCP must leave them
// allowed there. Each call returns a new slice.
func RootTaskActions() []string {
	return []string{
		"iam:GetAccountSummary",
		"iam:ListAccessKeys",
		"iam:DeleteAccessKey",
		"iam:DeactivateMFADevice",
		"iam:DeleteLoginProfile",
		"iam:CreateLoginProfile",
		"iam:DeleteSigningCertificate",
		"s3:DeleteBucketPolicy",
		"s3:PutBucketPolicy",
		"sqs:SetQueueAttributes",
	}
}

// RootARN is the ARN of an account's root user.
func RootARN(accountID string) string {
	return "arn:aws:iam::" + accountID + ":root"
}

// ProbeResource returns a representative resource for action in the account:
// the root user itself for IAM actions (an IAM call without UserName made by
// root acts on root), a bucket or object for S3, a queue for SQS, the account
// for Account Management, an instance for EC2, and "*" otherwise.
func ProbeResource(action, accountID string) string {
	service, name, _ := strings.Cut(strings.ToLower(action), ":")
	switch service {
	case "iam":
		return RootARN(accountID)
	case "s3":
		if strings.Contains(name, "object") {
			return "arn:aws:s3:::rootguard-probe-" + accountID + "/probe"
		}
		return "arn:aws:s3:::rootguard-probe-" + accountID
	case "sqs":
		return "arn:aws:sqs:us-east-1:" + accountID + ":rootguard-probe"
	case "account":
		return "arn:aws:account::" + accountID + ":account"
	case "ec2":
		return "arn:aws:ec2:us-east-1:" + accountID + ":instance/i-0123456789abcdef0"
	case "kms":
		return "arn:aws:kms:us-east-1:" + accountID + ":key/00000000-0000-0000-0000-000000000000"
	}
	return "*"
}

// RootRequest is action performed by the account's root user signed in with
// its own credentials: aws:PrincipalArn is the root ARN, aws:AssumedRoot is
// absent, the region is us-east-1 (where global services answer).
func RootRequest(accountID, action string) Request {
	arn := RootARN(accountID)
	return Request{
		Action:       action,
		Resource:     ProbeResource(action, accountID),
		PrincipalARN: arn,
		Context: map[string][]string{
			"aws:PrincipalArn":     {arn},
			"aws:PrincipalAccount": {accountID},
			"aws:PrincipalType":    {"Account"},
			"aws:userid":           {accountID},
			"aws:RequestedRegion":  {"us-east-1"},
			"aws:SecureTransport":  {"true"},
		},
	}
}

// AssumedRootRequest is RootRequest made inside a centralized root session
// (sts:AssumeRoot): aws:AssumedRoot is "true".
func AssumedRootRequest(accountID, action string) Request {
	r := RootRequest(accountID, action)
	r.Context["aws:AssumedRoot"] = []string{"true"}
	return r
}

// Miss says why one Deny statement did not apply to a request.
type Miss struct {
	Level     string        `json:"level"`
	Statement *StatementRef `json:"statement,omitempty"`
	Code      MissCode      `json:"code,omitempty"`
	Detail    string        `json:"detail"`
}

// ActionResult is the SCP outcome for one probed action.
type ActionResult struct {
	Action   string   `json:"action"`
	Resource string   `json:"resource"`
	Decision Verdict  `json:"decision"`
	Reasons  []Reason `json:"reasons"`
	// Why explains an Allowed root action: each Deny statement that names
	// the action (or exempts it through NotAction) and the element that kept
	// it from applying. Empty when the action was denied.
	Why []Miss `json:"why,omitempty"`
	// Fix suggests a change when a centralized root task is blocked.
	Fix []string `json:"fix,omitempty"`
}

// Coverage is how well the SCPs deny the root user of one account.
type Coverage struct {
	AccountID    string         `json:"account_id"`
	PrincipalARN string         `json:"principal_arn"`
	Actions      []ActionResult `json:"actions"`
	// Holes lists the actions the root user may still perform.
	Holes []string `json:"holes"`
	// Complete is true when every probed action is denied.
	Complete bool `json:"complete"`
}

// RootDenyCoverage evaluates, for every action (RootProbeActions when nil),
// a request by the account's root user signed in with its own credentials,
// through the effective SCP levels of the account (organization root first).
// An allowed action is a hole; Why says which Deny statements were near and
// what kept them from applying (a NotAction exemption, a resource, a
// condition that did not match). With no levels (the management account,
// which SCPs never restrict, or an account outside an organization) every
// action is a hole; callers should report that case as such.
func RootDenyCoverage(levels []Level, accountID string, actions []string) Coverage {
	if actions == nil {
		actions = RootProbeActions()
	}
	cov := Coverage{AccountID: accountID, PrincipalARN: RootARN(accountID), Holes: []string{}}
	base := prepare(RootRequest(accountID, ""))
	cov.Actions = make([]ActionResult, 0, len(actions))
	for _, a := range actions {
		req := base.with(a, ProbeResource(a, accountID))
		res := evaluateLevels(levels, req)
		ar := ActionResult{Action: a, Resource: req.resource, Decision: res.Decision, Reasons: res.Reasons}
		if res.Decision == Allowed {
			cov.Holes = append(cov.Holes, a)
			ar.Why = denyMisses(levels, req)
		}
		cov.Actions = append(cov.Actions, ar)
	}
	cov.Complete = len(cov.Holes) == 0
	return cov
}

// denyMisses explains why no Deny statement applied, skipping statements
// that simply do not list the action.
func denyMisses(levels []Level, req *prepared) []Miss {
	var out []Miss
	for _, l := range levels {
		for _, p := range l.Policies {
			for i := range p.Statements {
				s := &p.Statements[i]
				if s.Effect != Deny {
					continue
				}
				code, detail := s.explain(req)
				if code == "" || code == MissAction {
					continue
				}
				ref := p.Ref(s)
				out = append(out, Miss{Level: l.Name, Statement: &ref, Code: code, Detail: detail})
			}
		}
	}
	if len(out) == 0 {
		out = append(out, Miss{Detail: fmt.Sprintf("no Deny statement at any level covers %s", req.raw)})
	}
	return out
}

// TaskAccess is whether centralized root sessions still work in one account.
type TaskAccess struct {
	AccountID string         `json:"account_id"`
	Actions   []ActionResult `json:"actions"`
	// Blocked lists the root-task actions the SCPs deny inside an
	// sts:AssumeRoot session.
	Blocked []string `json:"blocked"`
	// Working is true when no task action is blocked.
	Working bool `json:"working"`
}

// RootTaskAccess evaluates every action (RootTaskActions when nil) as made
// inside a centralized root session (aws:AssumedRoot "true") through the
// account's SCP levels. A root-deny SCP written without an aws:AssumedRoot
// exemption (Null aws:AssumedRoot true, or BoolIfExists aws:AssumedRoot
// false) blocks them; Fix names those statements.
func RootTaskAccess(levels []Level, accountID string, actions []string) TaskAccess {
	if actions == nil {
		actions = RootTaskActions()
	}
	ta := TaskAccess{AccountID: accountID, Blocked: []string{}}
	base := prepare(AssumedRootRequest(accountID, ""))
	ta.Actions = make([]ActionResult, 0, len(actions))
	for _, a := range actions {
		req := base.with(a, ProbeResource(a, accountID))
		res := evaluateLevels(levels, req)
		ar := ActionResult{Action: a, Resource: req.resource, Decision: res.Decision, Reasons: res.Reasons}
		if res.Decision != Allowed {
			ta.Blocked = append(ta.Blocked, a)
			ar.Fix = taskFixes(levels, res)
		}
		ta.Actions = append(ta.Actions, ar)
	}
	ta.Working = len(ta.Blocked) == 0
	return ta
}

func taskFixes(levels []Level, res Result) []string {
	var out []string
	for _, r := range res.Reasons {
		if r.Statement == (StatementRef{}) {
			out = append(out, fmt.Sprintf("allow the action in a policy attached to %s", r.Level))
			continue
		}
		if s := findStatement(levels, r.Level, r.Statement); s != nil && !mentionsKey(s, "aws:assumedroot") {
			out = append(out, fmt.Sprintf("add an aws:AssumedRoot exemption (\"Null\": {\"aws:AssumedRoot\": \"true\"}) to %s attached to %s", r.Statement, r.Level))
			continue
		}
		out = append(out, fmt.Sprintf("%s denies centralized root sessions; review its aws:AssumedRoot condition", r.Statement))
	}
	return out
}

func findStatement(levels []Level, level string, ref StatementRef) *Statement {
	for _, l := range levels {
		if l.Name != level {
			continue
		}
		for _, p := range l.Policies {
			if p.Name == ref.Policy && ref.Statement < len(p.Statements) {
				return &p.Statements[ref.Statement]
			}
		}
	}
	return nil
}

// mentionsKey reports whether a statement has a condition on key (lower case).
func mentionsKey(s *Statement, key string) bool {
	for i := range s.Conditions {
		if s.Conditions[i].keyLower == key {
			return true
		}
	}
	return false
}
