package guardrail

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/inventory"
)

// TestReadDeletedKeys: the last use apply recorded with a root key's
// deletion comes back in the account whose key is gone, and not where the
// snapshot still lists the key, nor from a deletion that failed.
func TestReadDeletedKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	log, err := audit.Open(path, audit.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	used := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	deletion := func(account, key string, ok bool) {
		c := &Change{ID: KindDeleteAccessKey + "/" + account + "/" + hashID(key), AccountID: account, Kind: KindDeleteAccessKey, LastUsed: &used}
		call := Call{Operation: "iam:DeleteAccessKey", Session: SessionAssumeRoot, TaskPolicy: TaskPolicyDeleteRootCredentials,
			Params: map[string]string{"AccessKeyId": key}}
		e := auditEntry(&Plan{ID: "plan-1"}, c, "arn:aws:sts::111111111111:assumed-role/Admin/x", call)
		if e.Params[KeyLastUsedParam] != "2026-11-28T08:00:00Z" {
			t.Fatalf("the audit entry does not record the key's last use: %v", e.Params)
		}
		var callErr error
		if !ok {
			callErr = errors.New("AccessDenied")
		}
		_ = log.Do(t.Context(), e, func(context.Context) error { return callErr })
	}
	deletion("222222222222", "AKIAGONE000000000001", true)
	deletion("333333333333", "AKIASTILL00000000001", true)
	deletion("444444444444", "AKIAFAILED0000000001", false)
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	s := &inventory.Snapshot{Accounts: []inventory.Account{{ID: "222222222222"}, {ID: "333333333333"}, {ID: "444444444444"}}}
	s.Accounts[1].Root.AccessKeys.Value = []inventory.AccessKey{{ID: "AKIASTILL00000000001"}}
	ReadDeletedKeys(s, path, audit.Options{}, at)
	got := map[string][]inventory.DeletedKey{}
	for _, a := range s.Accounts {
		if a.Root.DeletedKeys.Collected() {
			got[a.ID] = a.Root.DeletedKeys.Value
		}
	}
	want := map[string][]inventory.DeletedKey{"222222222222": {{LastUsed: used, DeletedAt: at}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deleted keys (-want +got):\n%s", diff)
	}
	// No log: nothing deleted here. A log that cannot be read: not known.
	s = &inventory.Snapshot{Accounts: []inventory.Account{{ID: "222222222222"}}}
	ReadDeletedKeys(s, filepath.Join(t.TempDir(), "none.log"), audit.Options{}, at)
	if f := s.Accounts[0].Root.DeletedKeys; f.Collected() {
		t.Errorf("no audit log: %+v", f)
	}
	ReadDeletedKeys(s, t.TempDir(), audit.Options{}, at)
	if f := s.Accounts[0].Root.DeletedKeys; f.Known() || !strings.Contains(f.Reason(), "rootguard:audit-log failed: Unreadable") {
		t.Errorf("unreadable audit log: %+v (%s)", f, f.Reason())
	}
}
