package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// SCPManagementAccountUncovered reports that SCPs never restrict the
// management account, and fails unless the management account's own root
// controls stand in for them.
var SCPManagementAccountUncovered = &Check{
	ID:       "scp-management-account-uncovered",
	Title:    "The management account, which SCPs never restrict, guards its root user itself",
	Severity: High,
	Doc: `Checks the management account, which service control policies never restrict:
no root-deny SCP, however it is attached, limits its root user. That is a fact
of AWS Organizations, not a misconfiguration, but the risk is real: the
management account's root user can do anything in the account that governs
every other one, including detaching the SCPs that protect the members.

So this check does not fail for the fact itself (a finding nobody can fix
would only teach people to ignore it). It states the fact on every run and
judges the controls that must stand in for an SCP, from the snapshot:
  - the root user has MFA (see root-mfa-enabled, root-mfa-hardware);
  - the root user has no access keys (root-access-keys-absent);
  - root activity raises an alert that reaches a person
    (root-activity-alerting).

Facts: the root credential facts of the management account
(iam:GetAccountSummary, the credential report) and its detective controls.

PASS: all three controls are in place; the detail still says that SCPs do
not apply.
FAIL: one of them is missing; the detail names which and the state of each.
UNKNOWN: none is missing, but one could not be read.
NOT_APPLICABLE: member accounts (SCPs apply to them; see
scp-deny-root-actions), standalone accounts, suspended accounts.`,
	Remediation: `SCPs cannot cover the management account; make its root user the best
protected in the organization instead:
  - at least two MFA devices, hardware or FIDO (IAM > Security credentials);
  - no root access keys (delete them after moving their users to roles);
  - root activity alerting in us-east-1 (see rootguard explain root-activity-alerting);
  - keep workloads out of the management account, and delegate administration
    of security services to a member account, so root there is rarely needed.`,
	References:   References{SEC01BP02: stepGuardrails},
	Organization: true,
	Run:          activeOnly(runSCPManagementAccountUncovered),
}

func runSCPManagementAccountUncovered(in Input) Result {
	a := in.Account
	switch a.Role {
	case inventory.RoleManagement:
	case inventory.RoleStandalone:
		return Result{Status: NotApplicable, Detail: "standalone account: not in an organization, so no SCP applies to any account " +
			"(the root controls are judged by the root-* checks)", Evidence: map[string]any{"account_role": a.Role}}
	default:
		return Result{Status: NotApplicable, Detail: "member account: service control policies apply to it (see scp-deny-root-actions)",
			Evidence: map[string]any{"account_role": a.Role}}
	}
	type control struct {
		name, state string
		ok, known   bool
	}
	var cs []control
	var sources, failed []string

	mfa := mfaEnabled(a)
	switch {
	case !mfa.known:
		cs = append(cs, control{name: "root MFA", state: "not known: " + strings.TrimPrefix(mfa.reason, "root MFA: ")})
		failed = append(failed, mfa.failed...)
	case mfa.yes:
		cs = append(cs, control{name: "root MFA", state: "enabled", ok: true, known: true})
		sources = append(sources, mfa.source)
	default:
		cs = append(cs, control{name: "root MFA", state: "NOT enabled", known: true})
		sources = append(sources, mfa.source)
	}

	keys := accessKeys(a)
	switch {
	case !keys.known:
		cs = append(cs, control{name: "root access keys", state: "not known: " + strings.TrimPrefix(keys.reason, "root access keys: ")})
		failed = append(failed, keys.failed...)
	case keys.yes:
		state := "PRESENT"
		if keys.listed && keys.items > 0 {
			state = fmt.Sprintf("%d PRESENT", keys.items)
		}
		cs = append(cs, control{name: "root access keys", state: state, known: true})
		sources = append(sources, keys.source)
	default:
		cs = append(cs, control{name: "root access keys", state: "none", ok: true, known: true})
		sources = append(sources, keys.source)
	}

	al := rootAlerting(in)
	sources = append(sources, al.sources...)
	alertState := control{name: "root activity alerting"}
	switch {
	case al.passes():
		var names []string
		for _, c := range al.controls {
			if c.wired() {
				names = append(names, c.desc)
			}
		}
		alertState.state, alertState.ok, alertState.known = "in place ("+strings.Join(names, "; ")+")", true, true
	default:
		r := alertingResult(al)
		alertState.known = r.Status != Unknown
		if alertState.known {
			alertState.state = "MISSING (misses " + al.missing() + ")"
		} else {
			alertState.state = "not known: " + strings.Join(al.allUnread(), "; ")
			failed = append(failed, al.failed...)
		}
	}
	cs = append(cs, alertState)

	ev := map[string]any{"scp_applies": false}
	state := map[string]any{}
	var lines, bad []string
	allKnown := true
	for _, c := range cs {
		state[strings.ReplaceAll(strings.ToLower(c.name), " ", "_")] = c.state
		lines = append(lines, c.name+": "+c.state)
		if c.known && !c.ok {
			bad = append(bad, c.name)
		}
		allKnown = allKnown && c.known
	}
	ev["controls"] = state
	const fact = "service control policies never apply to the management account, so its root user is held back only by its own controls"
	switch {
	case len(bad) > 0:
		ev["source_api"] = sourceList(sources...)
		ev["missing"] = bad
		return Result{Status: Fail, Detail: fact + "; missing: " + strings.Join(bad, ", ") + bullets(lines), Evidence: ev}
	case !allKnown:
		return unknownFrom(fact+"; some could not be read"+bullets(lines), failed, ev)
	}
	ev["source_api"] = sourceList(sources...)
	return Result{Status: Pass, Detail: fact + ", which are in place:" + bullets(lines), Evidence: ev}
}
