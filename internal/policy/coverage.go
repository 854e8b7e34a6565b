package policy

import (
	"fmt"
	"slices"
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

// TaskPolicy is one AWS managed root-task policy (arn:aws:iam::aws:policy/root-task/NAME)
// that scopes an sts:AssumeRoot session, with the actions it allows.
type TaskPolicy struct {
	Name string
	// Feature is the centralized root access feature of the organization
	// (iam:ListOrganizationsFeatures) that lets sessions use this policy:
	// RootCredentialsManagement for the root credential tasks, RootSessions
	// for the privileged root actions on bucket and queue policies.
	Feature string
	Actions []string
}

// The centralized root access features, as iam:ListOrganizationsFeatures
// names them.
const (
	featureCredentials = "RootCredentialsManagement"
	featureSessions    = "RootSessions"
)

// TaskPolicies returns the centralized root access task policies with the
// actions each task uses, as the IAM User Guide page "Perform a privileged
// task on an AWS Organizations member account" lists them, and the feature
// that enables each. A root-deny SCP
// must leave these actions allowed inside an sts:AssumeRoot session. Each
// call returns new slices.
func TaskPolicies() []TaskPolicy {
	return []TaskPolicy{
		{"IAMAuditRootUserCredentials", featureCredentials, []string{"iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys",
			"iam:ListSigningCertificates", "iam:ListMFADevices", "iam:GetAccessKeyLastUsed"}},
		{"IAMCreateRootUserPassword", featureCredentials, []string{"iam:GetLoginProfile", "iam:CreateLoginProfile"}},
		{"IAMDeleteRootUserCredentials", featureCredentials, []string{"iam:DeleteLoginProfile", "iam:DeleteAccessKey",
			"iam:DeleteSigningCertificate", "iam:DeactivateMFADevice"}},
		{"S3UnlockBucketPolicy", featureSessions, []string{"s3:ListAllMyBuckets", "s3:GetBucketPolicy", "s3:PutBucketPolicy",
			"s3:DeleteBucketPolicy"}},
		{"SQSUnlockQueuePolicy", featureSessions, []string{"sqs:ListQueues", "sqs:GetQueueUrl", "sqs:GetQueueAttributes",
			"sqs:SetQueueAttributes"}},
	}
}

// RootTaskActions returns the distinct actions of every TaskPolicies
// entry, in order of first appearance. Each call returns a new slice.
func RootTaskActions() []string {
	var out []string
	for _, tp := range TaskPolicies() {
		for _, a := range tp.Actions {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// RootARN is the ARN of an account's root user.
func RootARN(accountID string) string {
	return "arn:aws:iam::" + accountID + ":root"
}

// Caller is the principal the probes run as and where: what AWS puts in the
// request context of a member account's principal. Only AccountID is
// required; OrgID and OrgPath add aws:PrincipalOrgID and
// aws:PrincipalOrgPaths, Region is the Region of regional calls (us-east-1
// when empty). Global services (IAM, Organizations, Account Management)
// always answer in us-east-1.
type Caller struct {
	AccountID string
	// OrgID is the organization ID, "o-a1b2c3d4e5".
	OrgID string
	// OrgPath is the account's path, "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".
	OrgPath string
	Region  string
}

// defaultRegion is where global services answer and where probes run when
// no Region is given.
const defaultRegion = "us-east-1"

// globalService reports whether requests to service always carry
// aws:RequestedRegion us-east-1.
func globalService(service string) bool {
	switch service {
	case "iam", "organizations", "account":
		return true
	}
	return false
}

// region is where action is requested.
func (c Caller) region(action string) string {
	service, _, _ := strings.Cut(strings.ToLower(action), ":")
	if c.Region == "" || globalService(service) {
		return defaultRegion
	}
	return c.Region
}

// ProbeResource returns a representative resource for action in the account:
// the root user itself for IAM actions (an IAM call without UserName made by
// root acts on root), a bucket or object for S3, a queue for SQS, the account
// for Account Management, an instance for EC2, and "*" for listing calls and
// otherwise. Regional resources are in us-east-1.
func ProbeResource(action, accountID string) string {
	return Caller{AccountID: accountID}.probeResource(action)
}

func (c Caller) probeResource(action string) string {
	accountID, region := c.AccountID, c.region(action)
	service, name, _ := strings.Cut(strings.ToLower(action), ":")
	switch {
	case name == "listallmybuckets" || name == "listqueues":
		return "*"
	case service == "iam":
		return RootARN(accountID)
	case service == "s3":
		if strings.Contains(name, "object") {
			return "arn:aws:s3:::rootguard-probe-" + accountID + "/probe"
		}
		return "arn:aws:s3:::rootguard-probe-" + accountID
	case service == "sqs":
		return "arn:aws:sqs:" + region + ":" + accountID + ":rootguard-probe"
	case service == "account":
		return "arn:aws:account::" + accountID + ":account"
	case service == "ec2":
		return "arn:aws:ec2:" + region + ":" + accountID + ":instance/i-0123456789abcdef0"
	case service == "kms":
		return "arn:aws:kms:" + region + ":" + accountID + ":key/00000000-0000-0000-0000-000000000000"
	}
	return "*"
}

// RootRequest is action performed by the account's root user signed in with
// its own credentials: aws:PrincipalArn is the root ARN, aws:AssumedRoot is
// absent, the region is us-east-1 (where global services answer).
func RootRequest(accountID, action string) Request {
	return Caller{AccountID: accountID}.RootRequest(action)
}

// RootRequest is action performed by the caller's root user signed in with
// its own credentials, with the keys AWS sets for a principal of an
// organization and for a call made directly, not through a service.
func (c Caller) RootRequest(action string) Request {
	return c.PrincipalRequest(RootARN(c.AccountID), c.AccountID, action)
}

// PrincipalRequest is action performed by the principal arn of the
// caller's account (the root user, an IAM user, or a role, whose sessions
// AWS names by the role ARN in aws:PrincipalArn), with the keys AWS sets:
// aws:PrincipalType from the ARN, aws:userid as given, the organization
// keys, the Region. The resource is ProbeResource's for the root user (an
// IAM call by root acts on root), "*" for other principals.
func (c Caller) PrincipalRequest(arn, userID, action string) Request {
	ctx := map[string][]string{
		"aws:PrincipalArn":          {arn},
		"aws:PrincipalAccount":      {c.AccountID},
		"aws:PrincipalType":         {principalType(arn)},
		"aws:PrincipalIsAWSService": {"false"},
		"aws:ViaAWSService":         {"false"},
		"aws:userid":                {userID},
		"aws:RequestedRegion":       {c.region(action)},
		"aws:SecureTransport":       {"true"},
	}
	if c.OrgID != "" {
		ctx["aws:PrincipalOrgID"] = []string{c.OrgID}
	}
	if c.OrgPath != "" {
		ctx["aws:PrincipalOrgPaths"] = []string{c.OrgPath}
	}
	resource := "*"
	if arn == RootARN(c.AccountID) {
		resource = c.probeResource(action)
	}
	return Request{Action: action, Resource: resource, PrincipalARN: arn, Context: ctx}
}

// principalType is aws:PrincipalType for a principal ARN.
func principalType(arn string) string {
	switch {
	case strings.HasSuffix(arn, ":root"):
		return "Account"
	case strings.Contains(arn, ":user/"):
		return "User"
	case strings.Contains(arn, ":federated-user/"):
		return "FederatedUser"
	}
	return "AssumedRole"
}

// AssumedRootRequest is RootRequest made inside a centralized root session
// (sts:AssumeRoot): aws:AssumedRoot is "true".
func AssumedRootRequest(accountID, action string) Request {
	return Caller{AccountID: accountID}.AssumedRootRequest(action)
}

// AssumedRootRequest is the caller's RootRequest made inside a centralized
// root session (sts:AssumeRoot): aws:AssumedRoot is "true".
func (c Caller) AssumedRootRequest(action string) Request {
	r := c.RootRequest(action)
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
	return RootDenyCoverageFor(levels, Caller{AccountID: accountID}, actions)
}

// RootDenyCoverageFor is RootDenyCoverage for the root user of c, with its
// organization keys and Region.
func RootDenyCoverageFor(levels []Level, c Caller, actions []string) Coverage {
	if actions == nil {
		actions = RootProbeActions()
	}
	cov := Coverage{AccountID: c.AccountID, PrincipalARN: RootARN(c.AccountID), Holes: []string{}}
	cov.Actions = make([]ActionResult, 0, len(actions))
	for _, a := range actions {
		req := prepare(c.RootRequest(a))
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
	return RootTaskAccessFor(levels, Caller{AccountID: accountID}, actions)
}

// RootTaskAccessFor is RootTaskAccess in c's centralized root sessions,
// with its organization keys and Region.
func RootTaskAccessFor(levels []Level, c Caller, actions []string) TaskAccess {
	if actions == nil {
		actions = RootTaskActions()
	}
	ta := TaskAccess{AccountID: c.AccountID, Blocked: []string{}}
	ta.Actions = make([]ActionResult, 0, len(actions))
	for _, a := range actions {
		req := prepare(c.AssumedRootRequest(a))
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
