package checks

import (
	"fmt"
	"strings"

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
match shows as a hole. The probe carries what AWS sets for a principal of
the organization (aws:PrincipalOrgID, aws:PrincipalOrgPaths,
aws:PrincipalAccount, aws:ViaAWSService false), so a deny conditioned on the
organization applies, and runs in every collected Region (global services
answer in us-east-1): a deny limited with aws:RequestedRegion is partial
coverage.

Facts: organizations:ListRoots (SCP policy type enabled),
ListOrganizationalUnitsForParent (the OU tree), ListPolicies,
DescribePolicy and ListTargetsForPolicy (content and attachments), and the
account's parent.

PASS: every probed action is denied; the detail names the deciding
statement, policy and level (root, OU or account).
FAIL: some action is allowed; the detail lists each hole and why (the
action is exempted by NotAction, a condition does not match, no Deny
statement covers it) and, for partial coverage, the Regions left open; or
SCPs are not enabled on the organization root.
UNKNOWN: the OU tree or the policies could not be read, a policy on the
account's path could not be parsed, or the account's place in the tree is
not known.
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
	References:   References{SEC01BP02: stepGuardrails, CIS: []string{"v7.0:2.1.2"}},
	Organization: true,
	Run:          activeOnly(runSCPDenyRootActions),
}

func runSCPDenyRootActions(in Input) Result {
	v, r, ok := scpLevels(in)
	if !ok {
		return r
	}
	if v.disabled {
		return disabledResult(v, "denies the root user")
	}
	o := v.o
	regions := collectedRegions(in).regions
	// The probes run in every collected Region: a root deny limited with
	// aws:RequestedRegion covers only some of them.
	var cov policy.Coverage
	var covered, open []string
	for _, region := range regions {
		c := policy.RootDenyCoverageFor(v.levels, v.callerIn(region), nil)
		if c.Complete {
			covered = append(covered, region)
			if len(open) == 0 {
				cov = c
			}
			continue
		}
		if len(open) == 0 {
			cov = c
		}
		open = append(open, region)
	}
	ev := map[string]any{
		"source_api":     v.source,
		"scp_levels":     levelsEvidence(v.levels),
		"probed_actions": len(cov.Actions),
		"regions":        regions,
	}
	if len(open) > 0 {
		lines, holes := holeLines(cov.Actions)
		ev["holes"] = holes
		ev["allowed_actions"] = cov.Holes
		ev["regions_open"] = open
		if d := deciders(cov.Actions); len(d) > 0 {
			ev["denied_by"] = o.reasonEvidence(d)
		}
		where := ""
		if len(covered) > 0 {
			where = fmt.Sprintf("partial coverage: the root deny holds in %s but not in %s, the Regions left open; in %s ",
				strings.Join(covered, ", "), strings.Join(open, ", "), open[0])
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("%sthe SCPs in force let the root user perform %d of %d probed actions:%s",
			where, len(cov.Holes), len(cov.Actions), bullets(lines)), Evidence: ev}
	}
	d := deciders(cov.Actions)
	ev["denied_by"] = o.reasonEvidence(d)
	lines := make([]string, 0, len(d))
	for _, r := range d {
		lines = append(lines, r.String())
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("the root user is denied all %d probed actions in %s%s",
		len(cov.Actions), plural(len(regions), "the collected Region "+regions[0], "every collected Region ("+strings.Join(regions, ", ")+")"),
		listOrOne(lines)), Evidence: ev}
}
