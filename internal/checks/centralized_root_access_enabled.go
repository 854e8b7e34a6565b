package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// Centralized root access features (iam:ListOrganizationsFeatures).
const (
	featureRootCredentials = "RootCredentialsManagement"
	featureRootSessions    = "RootSessions"
)

// CentralizedRootAccessEnabled fails when the organization has not turned on
// both centralized root access features.
var CentralizedRootAccessEnabled = &Check{
	ID:       "centralized-root-access-enabled",
	Title:    "Centralized root access is enabled for the organization",
	Severity: High,
	Doc: `Checks that the organization has both centralized root access features on:
RootCredentialsManagement (remove and audit member root credentials) and
RootSessions (short sts:AssumeRoot sessions for the privileged tasks that
need root, such as unlocking a bucket policy that denies everyone).

With both on, member accounts need no root credentials at all: new accounts
are created without them, existing ones can be removed, and the few
root-only tasks run from the management account through audited sessions.
Prowler looks at RootCredentialsManagement only; without RootSessions the
deny-all bucket and queue policy recoveries still need a member root password.

The features belong to the organization, so the check is assessed once, on
the management account.

Facts: iam:ListOrganizationsFeatures, called from the management account or
the IAM delegated administrator (a member account is refused).

PASS: both features are enabled.
FAIL: one or both are missing. ServiceAccessNotEnabled (IAM trusted access
is off) and OrganizationNotInAllFeaturesMode are prerequisites missing, so
they prove the features are off and FAIL too.
UNKNOWN: iam:ListOrganizationsFeatures failed otherwise (for example
AccessDenied), or the organization was not collected.
NOT_APPLICABLE: member accounts (assessed on the management account),
standalone accounts (not in an organization), or a suspended account.`,
	Remediation: `From the management account:
  aws organizations enable-aws-service-access --service-principal iam.amazonaws.com
  aws iam enable-organizations-root-credentials-management
  aws iam enable-organizations-root-sessions
Console: IAM > Root access management > Enable, and tick both "Root credentials
management" and "Privileged root actions in member accounts".
(rootguard plan / apply include these steps.)`,
	References:   References{SEC01BP02: stepCredentials, CIS: []string{"v7.0:2.1.1"}},
	Organization: true,
	Run:          activeOnly(runCentralizedRootAccessEnabled),
}

func runCentralizedRootAccessEnabled(in Input) Result {
	a := in.Account
	org := in.Snapshot.Organization
	switch a.Role {
	case inventory.RoleManagement:
	case inventory.RoleStandalone:
		return Result{Status: NotApplicable, Detail: "standalone account: centralized root access needs AWS Organizations",
			Evidence: map[string]any{"account_role": a.Role}}
	default:
		d := "member account: centralized root access is an organization setting, assessed on the management account"
		if org != nil && org.ManagementAccountID != "" {
			d += " " + org.ManagementAccountID
		}
		return Result{Status: NotApplicable, Detail: d, Evidence: map[string]any{"account_role": a.Role}}
	}
	if org == nil {
		return unknown("the organization was not collected", nil)
	}
	f := org.Features
	ev := map[string]any{"source_api": f.Source.API}
	if f.Source.Error != nil {
		switch strings.TrimSuffix(f.Source.Error.Code, "Exception") {
		case "ServiceAccessNotEnabled", "OrganizationNotInAllFeaturesMode":
			ev["error_code"] = f.Source.Error.Code
			return Result{Status: Fail, Detail: fmt.Sprintf("centralized root access is off: %s answered %s (a prerequisite is missing)",
				f.Source.API, f.Source.Error.Code), Evidence: ev}
		}
	}
	if !f.Known() {
		return unknownFrom("organization features: "+f.Reason(), failedOf(f), nil)
	}
	enabled := slices.Clone(f.Value)
	slices.Sort(enabled)
	ev["enabled_features"] = enabled
	var missing []string
	for _, want := range []string{featureRootCredentials, featureRootSessions} {
		if !slices.Contains(f.Value, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		ev["missing_features"] = missing
		return Result{Status: Fail, Detail: "centralized root access features not enabled: " + strings.Join(missing, ", "), Evidence: ev}
	}
	return Result{Status: Pass, Detail: "RootCredentialsManagement and RootSessions are enabled", Evidence: ev}
}
