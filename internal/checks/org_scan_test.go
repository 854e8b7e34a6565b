package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
)

// TestManagementAccountWithoutOrg: a management account scanned alone
// (no --org) has no OU tree, SCPs or organization features collected; the
// organization-level checks say that --org assesses them instead of a
// bare UNKNOWN, and the other checks say nothing of it.
func TestManagementAccountWithoutOrg(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)
	s := &inventory.Snapshot{Schema: inventory.Schema, CollectedAt: at, Mode: inventory.ModeStandalone,
		Organization: &inventory.Organization{ID: "o-abc123def4", ManagementAccountID: "111111111111"},
		Accounts:     []inventory.Account{{ID: "111111111111", Role: inventory.RoleManagement, State: "ACTIVE"}}}
	var orgUnknown int
	for _, f := range Default().Assess(s, Config{Now: at}) {
		c, _ := Default().Lookup(f.CheckID)
		says := strings.Contains(f.Detail, "scan with --org")
		switch {
		case c.Organization && f.Status == Unknown:
			orgUnknown++
			if !says || f.Evidence["needs_org_scan"] != true {
				t.Errorf("%s: UNKNOWN without naming --org: %q", f.CheckID, f.Detail)
			}
		case says:
			t.Errorf("%s (%s) names --org: %q", f.CheckID, f.Status, f.Detail)
		}
	}
	if orgUnknown == 0 {
		t.Error("no organization-level check is UNKNOWN for a management account scanned alone")
	}
}
