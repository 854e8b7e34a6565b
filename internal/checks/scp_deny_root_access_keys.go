package checks

import (
	"strings"

	"github.com/rootguard/rootguard/internal/policy"
)

// actionCreateAccessKey is the action scp-deny-root-access-keys probes.
const actionCreateAccessKey = "iam:CreateAccessKey"

// SCPDenyRootAccessKeys fails when a member account's effective SCPs let its
// root user create an access key.
var SCPDenyRootAccessKeys = &Check{
	ID:       "scp-deny-root-access-keys",
	Title:    "SCPs deny the member account's root user iam:CreateAccessKey",
	Severity: High,
	Doc: `Checks that the service control policies in force for a member account deny
its root user iam:CreateAccessKey.

A root access key is the most dangerous credential an account can have:
long-lived, unrestricted, and easy to leak. Even where a full root-deny SCP
is not possible yet, denying iam:CreateAccessKey to arn:aws:iam::*:root
keeps a stolen root password from minting one. The request is evaluated
through every SCP level (organization root, each OU on the path, the
account) as Organizations does, for the root user signed in with its own
credentials.

Facts: as for scp-deny-root-actions (the OU tree, the SCPs with their
content and targets, the account's parent).

PASS: iam:CreateAccessKey is denied; the evidence names the policy, the
level (root, OU or account) and the statement Sid that deny it.
FAIL: it is allowed; the detail says why (a NotAction exemption, a
condition that does not match, no Deny statement), or SCPs are not enabled.
UNKNOWN: the OU tree or the policies could not be read or parsed.
NOT_APPLICABLE: the management account (SCPs never apply to it), standalone
accounts, suspended accounts.`,
	Remediation: `Attach an SCP denying root access key creation to the organization root:
  {"Version": "2012-10-17", "Statement": [{"Sid": "DenyRootAccessKeys",
    "Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*",
    "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]}
  aws organizations attach-policy --policy-id p-... --target-id r-...
or, better, the full root-deny SCP of scp-deny-root-actions, which covers it.
If a NotAction list exempts iam:* or iam:CreateAccessKey, remove it.`,
	References:   References{SEC01BP02: stepGuardrails, CIS: []string{"v7.0:2.1.2"}},
	Organization: true,
	Run:          activeOnly(runSCPDenyRootAccessKeys),
}

func runSCPDenyRootAccessKeys(in Input) Result {
	v, r, ok := scpLevels(in)
	if !ok {
		return r
	}
	if v.disabled {
		return disabledResult(v, "denies the root user iam:CreateAccessKey")
	}
	o := v.o
	cov := policy.RootDenyCoverageFor(v.levels, v.caller, []string{actionCreateAccessKey})
	ar := cov.Actions[0]
	ev := map[string]any{
		"source_api": v.source,
		"scp_levels": levelsEvidence(v.levels),
		"action":     actionCreateAccessKey,
		"decision":   string(ar.Decision),
	}
	if ar.Decision == policy.Allowed {
		lines, holes := holeLines(cov.Actions)
		ev["why"] = holes[0]["why"]
		return Result{Status: Fail, Detail: "the root user may still create access keys: " + strings.TrimPrefix(lines[0], actionCreateAccessKey+": "), Evidence: ev}
	}
	ev["denied_by"] = o.reasonEvidence(ar.Reasons)
	lines := make([]string, 0, len(ar.Reasons))
	for _, r := range ar.Reasons {
		lines = append(lines, r.String())
	}
	detail := "the root user is denied " + actionCreateAccessKey + listOrOne(lines)
	return Result{Status: Pass, Detail: detail, Evidence: ev}
}
