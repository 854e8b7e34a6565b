package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/policy"
)

// SCPAssumedRootExempt fails when a root-deny SCP also denies the
// centralized root sessions (sts:AssumeRoot) that replace member root
// credentials.
var SCPAssumedRootExempt = &Check{
	ID:       "scp-assumed-root-exempt",
	Title:    "Root-deny SCPs exempt centralized root sessions",
	Severity: Medium,
	Doc: `Checks that the root-deny SCPs in force for a member account leave centralized
root sessions working.

With centralized root access, the management account opens a short
sts:AssumeRoot session in a member account to delete root credentials,
recreate a password, or unlock a bucket or queue policy that denies
everyone. Requests in such a session are made as the member's root user
with aws:AssumedRoot "true". A root-deny SCP written only with
aws:PrincipalArn arn:aws:iam::*:root denies them too, and nothing says so
until the day the task is needed: the call fails with an explicit deny.
The fix is an exemption in the Deny statement: "Null": {"aws:AssumedRoot":
"true"} (the statement applies only when the key is absent).

rootguard evaluates the actions of each AWS managed task policy
(IAMAuditRootUserCredentials, IAMCreateRootUserPassword,
IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy;
the actions the IAM User Guide lists for each task) as made inside an
sts:AssumeRoot session of the account, with the request keys AWS sets for
a principal of the organization (aws:PrincipalOrgID,
aws:PrincipalOrgPaths, aws:PrincipalAccount), in every collected Region.
Whatever statement denies one of them counts: a root deny without the
exemption, a deny for every principal (one that freezes bucket policies),
a deny aimed at AssumeRoot sessions, or an allow-list that omits the
action.

Facts: as for scp-deny-root-actions, and iam:ListOrganizationsFeatures.

PASS: no SCP in force denies any task action in AssumeRoot sessions; the
detail names the root-deny statements that exempt them.
FAIL: an SCP denies task actions in AssumeRoot sessions; the detail names
the deciding statement (policy, level, Sid) or the level that allows none
of them, the task policies and actions it blocks, and the Regions where
that is so.
UNKNOWN: the OU tree or the policies could not be read, or a policy on the
account's path could not be parsed.
NOT_APPLICABLE: centralized root access is off (neither
RootCredentialsManagement nor RootSessions enabled, so no AssumeRoot
session runs; centralized-root-access-enabled fails that), the management
account, standalone or suspended accounts. With only one feature on, only
its task policies are evaluated (the credential tasks need
RootCredentialsManagement, the bucket and queue unlocks RootSessions) and
the detail names the others.`,
	Remediation: `Add the aws:AssumedRoot exemption to each Deny statement named in the detail:
  "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
                "Null": {"aws:AssumedRoot": "true"}}
then update the policy in place (its attachments stay):
  aws organizations update-policy --policy-id p-... --content file://deny-root.json
Test from the management account with
  aws sts assume-root --target-principal ACCOUNT_ID \
    --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials`,
	References:   References{SEC01BP02: stepGuardrails},
	Organization: true,
	Run:          activeOnly(runSCPAssumedRootExempt),
}

// stmtAt is one statement at one level.
type stmtAt struct {
	level string
	ref   policy.StatementRef
}

func (s stmtAt) String() string { return s.ref.String() + " attached to " + s.level }

// taskBlock is one reason that blocks root-task actions: a Deny statement,
// or a level whose policies allow none of them (ref zero).
type taskBlock struct {
	at      stmtAt
	text    string // the reason as a sentence
	kind    string // what sort of statement it is
	tasks   []string
	actions []string
	regions []string
	fixes   []string
}

// Kinds of blocking statements.
const (
	kindRootDeny    = "a root deny without the aws:AssumedRoot exemption"
	kindGeneralDeny = "a deny that applies to every principal, not only root"
	kindSessionDeny = "a deny aimed at centralized root sessions"
	kindAllowList   = "an allow-list that omits the action"
)

func runSCPAssumedRootExempt(in Input) Result {
	v, r, ok := scpLevels(in)
	if !ok {
		return r
	}
	org := in.Snapshot.Organization
	// A task policy is usable only with its feature on; with the features
	// unknown every task is evaluated.
	var tasks []policy.TaskPolicy
	var off []string
	for _, tp := range policy.TaskPolicies() {
		if f := org.Features; f.Known() && !slices.Contains(f.Value, tp.Feature) {
			off = append(off, tp.Name)
			continue
		}
		tasks = append(tasks, tp)
	}
	if len(tasks) == 0 {
		f := org.Features
		return Result{Status: NotApplicable, Detail: "centralized root access is off: neither RootCredentialsManagement nor " +
			"RootSessions is enabled for the organization, so no sts:AssumeRoot session runs in member accounts and no " +
			"SCP can break one (centralized-root-access-enabled fails that)",
			Evidence: map[string]any{"source_api": f.Source.API, "features": nonNil(f.Value)}}
	}
	if v.disabled {
		return Result{Status: Pass, Detail: fmt.Sprintf("service control policies are not enabled on the organization "+
			"root %s, so no SCP denies the root-task actions of sts:AssumeRoot sessions", v.root),
			Evidence: map[string]any{"source_api": v.source, "scp_enabled": false}}
	}
	regions := collectedRegions(in).regions
	ev := map[string]any{"source_api": v.source, "scp_levels": levelsEvidence(v.levels), "regions": regions}
	offNote := ""
	switch {
	case !org.Features.Known():
		ev["features_unknown"] = "iam:ListOrganizationsFeatures: " + org.Features.Reason()
	case len(off) > 0:
		ev["tasks_not_enabled"] = off
		offNote = fmt.Sprintf(" (%s not evaluated: %s, whose centralized root access feature is off)",
			plural(len(off), "one task policy", "task policies"), strings.Join(off, ", "))
	}
	blocks, nActions := taskBlocks(v, tasks, regions)
	ev["task_actions"] = nActions
	if len(blocks) > 0 {
		var lines []string
		var blocked []map[string]any
		var fixes []string
		for _, b := range blocks {
			where := ""
			if len(b.regions) < len(regions) {
				where = " in " + strings.Join(b.regions, ", ")
			}
			lines = append(lines, fmt.Sprintf("%s (%s) blocks %s: %s%s", b.text, b.kind,
				strings.Join(b.tasks, ", "), strings.Join(b.actions, ", "), where))
			m := map[string]any{"explanation": b.text}
			if b.at.ref != (policy.StatementRef{}) {
				m = v.o.statementEvidence(b.at.level, b.at.ref)
			} else {
				m["level"] = b.at.level
			}
			m["kind"] = b.kind
			m["task_policies"] = b.tasks
			m["blocked_actions"] = b.actions
			m["regions"] = b.regions
			blocked = append(blocked, m)
			for _, f := range b.fixes {
				if !slices.Contains(fixes, f) {
					fixes = append(fixes, f)
				}
			}
		}
		ev["blocking_statements"] = blocked
		note := ""
		if len(fixes) > 0 {
			ev["fix"] = fixes
			note = "\nTo fix: " + strings.Join(fixes, "; ")
		}
		return Result{Status: Fail, Detail: "the SCPs in force deny centralized root sessions (aws:AssumedRoot \"true\") " +
			"actions of the root-task policies, so those tasks fail when run from the management account with sts:AssumeRoot:" +
			bullets(lines) + note + offNote, Evidence: ev}
	}
	exempt := rootDenyStatements(v)
	detail := fmt.Sprintf("no SCP in force denies any of the %d actions of the %d root-task policies in centralized root sessions%s",
		nActions, len(tasks), offNote)
	if len(exempt) > 0 {
		ev["root_deny_statements"] = stmtEvidence(v.o, exempt)
		names := make([]string, 0, len(exempt))
		for _, s := range exempt {
			names = append(names, s.String())
		}
		detail += fmt.Sprintf("; the root-deny %s centralized root sessions%s",
			plural(len(names), "statement exempts", "statements exempt"), listOrOne(names))
	}
	return Result{Status: Pass, Detail: detail, Evidence: ev}
}

// taskBlocks evaluates the actions of every root-task policy in an
// sts:AssumeRoot session of the account, in each Region, and groups what
// blocks them by deciding reason, in order of first appearance. It also
// returns how many distinct actions were evaluated.
func taskBlocks(v scpView, tasks []policy.TaskPolicy, regions []string) ([]*taskBlock, int) {
	var order []*taskBlock
	byKey := map[string]*taskBlock{}
	add := func(list []string, x string) []string {
		if slices.Contains(list, x) {
			return list
		}
		return append(list, x)
	}
	var all []string
	for _, tp := range tasks {
		for _, a := range tp.Actions {
			all = add(all, a)
		}
		for _, region := range regions {
			ta := policy.RootTaskAccessFor(v.levels, v.callerIn(region), tp.Actions)
			for _, ar := range ta.Actions {
				if ar.Decision == policy.Allowed {
					continue
				}
				for i, rs := range ar.Reasons {
					at := stmtAt{rs.Level, rs.Statement}
					key := at.String()
					if rs.Statement == (policy.StatementRef{}) {
						key = "level " + rs.Level
					}
					b := byKey[key]
					if b == nil {
						b = &taskBlock{at: at, text: "no policy attached to " + rs.Level + " allows them", kind: kindAllowList}
						if rs.Statement != (policy.StatementRef{}) {
							b.text, b.kind = at.String(), denyKind(v, at, ar.Action, region)
						}
						byKey[key] = b
						order = append(order, b)
					}
					b.tasks = add(b.tasks, tp.Name)
					b.actions = add(b.actions, ar.Action)
					b.regions = add(b.regions, region)
					if i < len(ar.Fix) { // RootTaskAccess gives one fix per reason
						b.fixes = add(b.fixes, ar.Fix[i])
					}
				}
			}
		}
	}
	return order, len(all)
}

// denyKind says what sort of Deny statement at blocks action in a
// centralized root session: one that also denies an IAM role of the
// account, one that denies the root user signed in with its own
// credentials too (no aws:AssumedRoot exemption), or one aimed at the
// sessions alone.
func denyKind(v scpView, at stmtAt, action, region string) string {
	denies := func(r policy.Request) bool {
		res := policy.EvaluateSCPs(v.levels, r)
		return res.Decision == policy.ExplicitDeny && slices.ContainsFunc(res.Reasons, func(rs policy.Reason) bool {
			return rs.Level == at.level && rs.Statement == at.ref
		})
	}
	c := v.callerIn(region)
	switch {
	case denies(roleRequest(c, action)):
		return kindGeneralDeny
	case denies(c.RootRequest(action)):
		return kindRootDeny
	}
	return kindSessionDeny
}

// rootDenyStatements are the statements that deny the account's root user
// a probed action but not an IAM role of the account.
func rootDenyStatements(v scpView) []stmtAt {
	var out []stmtAt
	for _, action := range policy.RootProbeActions() {
		res := policy.EvaluateSCPs(v.levels, v.caller.RootRequest(action))
		if res.Decision != policy.ExplicitDeny {
			continue
		}
		for _, rs := range res.Reasons {
			at := stmtAt{rs.Level, rs.Statement}
			if !slices.Contains(out, at) && denyKind(v, at, action, "") != kindGeneralDeny {
				out = append(out, at)
			}
		}
	}
	return out
}

func stmtEvidence(o *orgSCP, ss []stmtAt) []map[string]any {
	out := make([]map[string]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, o.statementEvidence(s.level, s.ref))
	}
	return out
}

// roleRequest is the caller's RootRequest made by an IAM role of the account
// instead of its root user.
func roleRequest(c policy.Caller, action string) policy.Request {
	r := c.RootRequest(action)
	arn := "arn:aws:iam::" + c.AccountID + ":role/rootguard-probe"
	r.PrincipalARN = arn
	r.Context["aws:PrincipalArn"] = []string{arn}
	r.Context["aws:PrincipalType"] = []string{"AssumedRole"}
	r.Context["aws:userid"] = []string{"AROAEXAMPLEPROBE:rootguard"}
	return r
}

// plural picks the singular or plural phrase for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
