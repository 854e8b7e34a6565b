package checks

import (
	"fmt"

	"github.com/rootguard/rootguard/internal/policy"
)

// SCPDenyRootActions fails when a member account's effective SCPs let its
// root user perform any of a representative set of actions.
var SCPDenyRootActions = &Check{
	ID:       "scp-deny-root-actions",
	Title:    "SCPs deny the member account's root user",
	Severity: High,
	Doc: `Checks that the service control policies in force for a member account deny
its root user, signed in with its own credentials, a representative set of
actions: creating access keys, a password, users and MFA devices, reading
S3 objects, launching instances, leaving the organization, changing account
contacts and email, and scheduling KMS key deletion.

A member account's root user should never be used: centralized root access
covers the few tasks that need it. A root-deny SCP (Deny with an
aws:PrincipalArn condition on arn:aws:iam::*:root) is the guardrail that
makes a leaked root password or key useless. rootguard evaluates the SCPs
the way Organizations does, through every level from the organization root,
down each OU on the account's path, to the account, so a deny attached to
a parent OU counts, and a NotAction exemption or a condition that does not
match shows as a hole.

Facts: organizations:ListRoots (SCP policy type enabled),
ListOrganizationalUnitsForParent (the OU tree), ListPolicies,
DescribePolicy and ListTargetsForPolicy (content and attachments), and the
account's parent.

PASS: every probed action is denied; the detail names the deciding
statement, policy and level (root, OU or account).
FAIL: some action is allowed; the detail lists each hole and why (the
action is exempted by NotAction, a condition does not match, no Deny
statement covers it), or SCPs are not enabled on the organization root.
UNKNOWN: the OU tree or the policies could not be read, a policy could not
be parsed, or the account's place in the tree is not known.
NOT_APPLICABLE: the management account (SCPs never apply to it, see
scp-management-account-uncovered), standalone accounts, suspended accounts.`,
	Remediation: `Attach a root-deny SCP to the organization root (or to every OU holding member
accounts), exempting centralized root sessions so their tasks keep working:
  {"Version": "2012-10-17", "Statement": [{"Sid": "DenyRootUser",
    "Effect": "Deny", "Action": "*", "Resource": "*",
    "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
                  "Null": {"aws:AssumedRoot": "true"}}}]}
  aws organizations create-policy --type SERVICE_CONTROL_POLICY \
    --name DenyRootUser --content file://deny-root.json --description "..."
  aws organizations attach-policy --policy-id p-... --target-id r-...
If the detail shows a hole, remove the NotAction exemption or the condition
that lets the action through. rootguard plan generates and attaches this SCP.`,
	References: References{SEC01BP02: stepGuardrails, CIS: []string{"v7.0:2.1.2"}},
	Run:        activeOnly(runSCPDenyRootActions),
}

func runSCPDenyRootActions(in Input) Result {
	v, r, ok := scpLevels(in)
	if !ok {
		return r
	}
	if v.disabled {
		return disabledResult(v, "denies the root user")
	}
	a := in.Account
	o := v.o
	cov := policy.RootDenyCoverage(v.levels, a.ID, nil)
	ev := map[string]any{
		"source_api":     v.source,
		"scp_levels":     levelsEvidence(v.levels),
		"probed_actions": len(cov.Actions),
	}
	if !cov.Complete {
		lines, holes := holeLines(cov.Actions)
		ev["holes"] = holes
		ev["allowed_actions"] = cov.Holes
		if d := deciders(cov.Actions); len(d) > 0 {
			ev["denied_by"] = o.reasonEvidence(d)
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("the SCPs in force let the root user perform %d of %d probed actions:%s",
			len(cov.Holes), len(cov.Actions), bullets(lines)), Evidence: ev}
	}
	d := deciders(cov.Actions)
	ev["denied_by"] = o.reasonEvidence(d)
	lines := make([]string, 0, len(d))
	for _, r := range d {
		lines = append(lines, r.String())
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("the root user is denied all %d probed actions%s",
		len(cov.Actions), listOrOne(lines)), Evidence: ev}
}
