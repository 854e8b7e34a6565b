package guardrail

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/inventory"
)

// KeyLastUsedParam is the audit log parameter of an iam:DeleteAccessKey
// call that holds the deleted key's last use (RFC 3339).
const KeyLastUsedParam = "KeyLastUsed"

// ReadDeletedKeys fills Root.DeletedKeys from the audit log at path, in
// the accounts where apply deleted root access keys (a successful
// iam:DeleteAccessKey result), with the last use each had. A record whose
// key the snapshot still lists is left out (that deletion is not this
// state's). It does nothing when there is no log at path; a log that
// cannot be read leaves the fact unknown, with the error, in every
// assessed account.
func ReadDeletedKeys(s *inventory.Snapshot, path string, opts audit.Options, at time.Time) {
	byAccount := map[string][]inventory.DeletedKey{}
	_, err := audit.Read(path, opts, func(r *audit.Record) {
		used, ok := r.Params[KeyLastUsedParam]
		if r.Operation != "iam:DeleteAccessKey" || r.Phase != audit.PhaseResult || r.Outcome != audit.OutcomeOK || !ok {
			return
		}
		t, err := time.Parse(time.RFC3339, used)
		a := s.Account(r.AccountID)
		if err != nil || a == nil || slices.ContainsFunc(a.Root.AccessKeys.Value, func(k inventory.AccessKey) bool {
			return strings.HasSuffix(r.ChangeID, KeyChangeSuffix(k.ID))
		}) {
			return
		}
		byAccount[r.AccountID] = append(byAccount[r.AccountID], inventory.DeletedKey{LastUsed: t, DeletedAt: r.Time})
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		for i := range s.Accounts {
			if a := &s.Accounts[i]; a.Skipped == "" {
				a.Root.DeletedKeys.Source = inventory.Source{API: inventory.AuditLogSource, At: at,
					Error: &inventory.CallError{Code: "Unreadable", Message: err.Error()}}
			}
		}
	default:
		for id, keys := range byAccount {
			s.Account(id).Root.DeletedKeys = inventory.Fact[[]inventory.DeletedKey]{Value: keys, Source: inventory.Source{API: inventory.AuditLogSource, At: at}}
		}
	}
}

// keepLastUse projects a root access key's deletion onto the audit log
// apply keeps: the key's last use stays known.
func keepLastUse(a *inventory.Account, c Change, at time.Time) {
	if c.LastUsed == nil {
		return
	}
	f := &a.Root.DeletedKeys
	if !f.Collected() {
		f.Source = inventory.Source{API: inventory.AuditLogSource, At: at}
	}
	f.Value = append(f.Value, inventory.DeletedKey{LastUsed: *c.LastUsed, DeletedAt: at})
}
