package mutelist

import (
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// Tree places accounts in the organization: for each account, the IDs and
// name paths of the root and OUs above it.
type Tree map[string][]string

// TreeOf reads the tree from a snapshot. Accounts whose parent is not
// known have no ancestors, so only their own ID or "*" selects them.
func TreeOf(s *inventory.Snapshot) Tree {
	t := Tree{}
	units := map[string]inventory.OrgUnit{}
	if s.Organization != nil {
		for _, u := range s.Organization.Units.Value {
			units[u.ID] = u
		}
	}
	for _, a := range s.Accounts {
		var up []string
		for id, seen := a.ParentID, 0; id != "" && seen < len(units); seen++ {
			u, ok := units[id]
			if !ok {
				break
			}
			up = append(up, u.ID)
			if p := path(units, u); len(p) > 1 {
				up = append(up, p)
			}
			id = u.ParentID
		}
		t[a.ID] = up
	}
	return t
}

// path is "/A/B" for OU B under OU A under the root; "" for a root.
func path(units map[string]inventory.OrgUnit, u inventory.OrgUnit) string {
	var names []string
	for seen := 0; u.ParentID != "" && seen <= len(units); seen++ {
		names = append([]string{u.Name}, names...)
		p, ok := units[u.ParentID]
		if !ok {
			return ""
		}
		u = p
	}
	return "/" + strings.Join(names, "/")
}

// In reports whether account is selected by sel: "*", its own ID, or an
// ID or name path of a unit above it (a path also selects sub-OUs'
// accounts, case as given).
func (t Tree) In(account, sel string) bool {
	if sel == "*" || sel == account {
		return true
	}
	for _, a := range t[account] {
		if a == sel {
			return true
		}
	}
	return false
}
