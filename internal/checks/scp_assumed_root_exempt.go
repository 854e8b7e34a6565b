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

rootguard finds the root-deny statements: those that deny the account's
root user a probed action (through every SCP level) but not an IAM role of
the same account (a deny for everyone, such as one on
organizations:LeaveOrganization, is a general guardrail). It then evaluates
the root-task actions (iam:DeleteAccessKey, iam:DeactivateMFADevice,
iam:DeleteLoginProfile, iam:CreateLoginProfile, s3:DeleteBucketPolicy,
sqs:SetQueueAttributes…) as made inside an sts:AssumeRoot session.

Facts: as for scp-deny-root-actions.

PASS: root-deny SCPs apply and every root-task action stays allowed in
AssumeRoot sessions; the detail names the exempting statements.
FAIL: a statement that denies the root user also denies root-task actions
in AssumeRoot sessions; the detail names the policy, level and Sid and the
actions it blocks.
UNKNOWN: the OU tree or the policies could not be read or parsed.
NOT_APPLICABLE: no root-deny SCP applies to the account (scp-deny-root-actions
fails that), SCPs are not enabled, the management account, standalone or
suspended accounts.`,
	Remediation: `Add the aws:AssumedRoot exemption to each Deny statement named in the detail:
  "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
                "Null": {"aws:AssumedRoot": "true"}}
then update the policy in place (its attachments stay):
  aws organizations update-policy --policy-id p-... --content file://deny-root.json
Test from the management account with
  aws sts assume-root --target-principal ACCOUNT_ID \
    --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials`,
	References: References{SEC01BP02: stepGuardrails},
	Run:        activeOnly(runSCPAssumedRootExempt),
}

// stmtAt is one statement at one level.
type stmtAt struct {
	level string
	ref   policy.StatementRef
}

func (s stmtAt) String() string { return s.ref.String() + " attached to " + s.level }

func runSCPAssumedRootExempt(in Input) Result {
	v, r, ok := scpLevels(in)
	if !ok {
		return r
	}
	if v.disabled {
		return Result{Status: NotApplicable, Detail: fmt.Sprintf("service control policies are not enabled on the "+
			"organization root %s, so no root-deny SCP applies (scp-deny-root-actions fails that)", v.root),
			Evidence: map[string]any{"source_api": v.source, "scp_enabled": false}}
	}
	a := in.Account
	o := v.o
	// The statements that deny the root user itself, over both action sets.
	probe := append(policy.RootProbeActions(), policy.RootTaskActions()...)
	cov := policy.RootDenyCoverage(v.levels, a.ID, probe)
	// A statement that denies an IAM role the same action is a general
	// guardrail (deny leaving the organization), not a root deny.
	var rootDeny, general []stmtAt
	for _, ar := range cov.Actions {
		if ar.Decision != policy.ExplicitDeny {
			continue
		}
		other := policy.EvaluateSCPs(v.levels, roleRequest(a.ID, ar.Action))
		for _, rs := range other.Reasons {
			if other.Decision == policy.ExplicitDeny {
				general = append(general, stmtAt{rs.Level, rs.Statement})
			}
		}
		for _, rs := range ar.Reasons {
			if s := (stmtAt{rs.Level, rs.Statement}); !slices.Contains(rootDeny, s) && !slices.Contains(general, s) {
				rootDeny = append(rootDeny, s)
			}
		}
	}
	rootDeny = slices.DeleteFunc(rootDeny, func(s stmtAt) bool { return slices.Contains(general, s) })
	ev := map[string]any{"source_api": v.source, "scp_levels": levelsEvidence(v.levels)}
	if len(rootDeny) == 0 {
		return Result{Status: NotApplicable, Detail: "no SCP statement denies the root user of this account specifically, so there " +
			"is no root-deny SCP to exempt (scp-deny-root-actions fails that)", Evidence: ev}
	}
	ev["root_deny_statements"] = stmtEvidence(o, rootDeny)

	ta := policy.RootTaskAccess(v.levels, a.ID, nil)
	ev["task_actions"] = len(ta.Actions)
	blocking := map[stmtAt][]string{}
	var order []stmtAt
	var fixes, implicit []string
	for _, ar := range ta.Actions {
		if ar.Decision == policy.Allowed {
			continue
		}
		if ar.Decision == policy.ImplicitDeny {
			implicit = append(implicit, ar.Action)
			continue
		}
		for _, rs := range ar.Reasons {
			s := stmtAt{rs.Level, rs.Statement}
			if !slices.Contains(rootDeny, s) {
				continue
			}
			if _, seen := blocking[s]; !seen {
				order = append(order, s)
			}
			blocking[s] = append(blocking[s], ar.Action)
		}
		for _, f := range ar.Fix {
			if !slices.Contains(fixes, f) {
				fixes = append(fixes, f)
			}
		}
	}
	note := ""
	if len(implicit) > 0 {
		ev["not_allowed_actions"] = implicit
		note = fmt.Sprintf("; note: %s not allowed by any SCP at some level, so AssumeRoot sessions cannot use %s either",
			plural(len(implicit), "this action is", "these actions are"), strings.Join(implicit, ", "))
	}
	if len(order) > 0 {
		var lines []string
		var blocked []map[string]any
		for _, s := range order {
			lines = append(lines, fmt.Sprintf("%s denies %s", s, strings.Join(blocking[s], ", ")))
			m := o.statementEvidence(s.level, s.ref)
			m["blocked_actions"] = blocking[s]
			blocked = append(blocked, m)
		}
		ev["blocking_statements"] = blocked
		ev["blocked_actions"] = ta.Blocked
		if len(fixes) > 0 {
			ev["fix"] = fixes
			note += "\nTo fix: " + strings.Join(fixes, "; ")
		}
		return Result{Status: Fail, Detail: "a root-deny SCP also denies centralized root sessions (aws:AssumedRoot " +
			"\"true\"), which silently breaks the root tasks run from the management account with sts:AssumeRoot:" +
			bullets(lines) + note, Evidence: ev}
	}
	names := make([]string, 0, len(rootDeny))
	for _, s := range rootDeny {
		names = append(names, s.String())
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("root-deny SCPs exempt centralized root sessions: none of the %d "+
		"root-task actions is denied with aws:AssumedRoot \"true\" by the root-deny %s%s", len(ta.Actions),
		plural(len(names), "statement", "statements"), listOrOne(names)+note), Evidence: ev}
}

func stmtEvidence(o *orgSCP, ss []stmtAt) []map[string]any {
	out := make([]map[string]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, o.statementEvidence(s.level, s.ref))
	}
	return out
}

// roleRequest is policy.RootRequest made by an IAM role of the account
// instead of its root user.
func roleRequest(accountID, action string) policy.Request {
	r := policy.RootRequest(accountID, action)
	arn := "arn:aws:iam::" + accountID + ":role/rootguard-probe"
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
