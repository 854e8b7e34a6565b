package checks

import (
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/recovery"
)

// CustodyStorageIndependent fails when the root password is kept in the
// account it unlocks.
var CustodyStorageIndependent = &Check{
	ID:       "custody-storage-independent",
	Title:    "The root password is not stored in an account whose root recovery depends on the account it unlocks",
	Severity: High,
	Doc: `Checks that the root password is not kept in a vault or password manager
hosted in the same AWS account, nor in an account whose own root recovery
depends on the account the password unlocks, as the custody registry
records the storage and the recovery-path graph the dependencies.

Root is what you reach for when the account itself is broken: locked out,
its IAM Identity Center gone, its workloads down. A password kept in a
secret store that runs in that account is out of reach exactly then, a
circular dependency SEC01-BP02 warns about. So is one kept in account B
when B's own root recovery needs A: B's root password stored in A, B's root
email on a domain hosted, registered or received in A, or a longer chain
through other accounts. The check follows the recovery-path graph (see
recovery-path-cycle) from the storage account's root and fails when it
reaches the account the password unlocks, with the path as evidence.

Facts: the root password's presence (iam:GetLoginProfile in an
sts:AssumeRoot audit session, iam:GetAccountSummary, the credential report)
and the storage the custody record names (kind, name and the AWS account
hosting it; none for storage outside AWS); for storage in another account,
the recovery-path graph's facts of the accounts on the way
(organizations:ListAccounts, route53:ListHostedZones,
route53domains:ListDomains, ses:DescribeActiveReceiptRuleSet,
workmail:ListMailDomains) and the custody registry.

PASS: the password is stored outside AWS, or in another AWS account whose
root recovery, followed through every readable dependency, does not reach
this account.
FAIL: the password is stored in the account it unlocks, or in an account
whose root recovery depends on it; the detail gives the path hop by hop.
UNKNOWN: no custody registry; the account or its password storage is not
recorded (custody-complete fails that); whether root has a password could
not be read; or the password is in another account that is not in the
snapshot, or whose dependencies (or those of an account on the way) could
not all be read, and no path was found.
NOT_APPLICABLE: root has no password; or the account is suspended or
closing.`,
	Remediation: `Move the root password to storage that does not depend on the account: a
vault or password manager in another account whose own root recovery does
not need this one (rootguard graph --account STORAGE_ACCOUNT shows what it
needs), or outside AWS, such as a physical safe. Record it:
rootguard custody set --account ID --storage KIND:NAME[@ACCOUNT].`,
	References: References{SEC01BP02: stepCircular},
	Run:        activeOnly(runCustodyStorageIndependent),
}

func runCustodyStorageIndependent(in Input) Result {
	a := in.Account
	rec, pw, r, ok := passwordRecord(in, "there is nothing to store")
	if !ok {
		return r
	}
	ev := map[string]any{}
	if rec.Password == nil || rec.Password.Storage == nil {
		ev["source_api"] = custodySource
		return unknown("where the root password is stored is not recorded", ev)
	}
	st := rec.Password.Storage
	where := st.Kind
	if st.Name != "" {
		where += " " + fmt.Sprintf("%q", st.Name)
	}
	ev["storage_kind"] = st.Kind
	ev["storage_name"] = st.Name
	ev["storage_account"] = st.AWSAccount
	ev["source_api"] = sourceList(pw.source, custodySource)
	switch st.AWSAccount {
	case a.ID:
		return Result{Status: Fail, Detail: fmt.Sprintf("the root password is stored in %s, hosted in this very account: locked out of the account, you are locked out of its password", where), Evidence: ev}
	case "":
		return Result{Status: Pass, Detail: fmt.Sprintf("the root password is stored in %s, outside AWS", where), Evidence: ev}
	}
	return storageRecovery(in, where, st.AWSAccount, ev)
}

// storageRecovery judges a password stored in account store by whether
// store's root recovery reaches the account the password unlocks.
func storageRecovery(in Input, where, store string, ev map[string]any) Result {
	a, g := in.Account, in.graph()
	hosted := fmt.Sprintf("the root password is stored in %s, hosted in account %s", where, store)
	if path := g.Path(recovery.RootNode(store), recovery.RootNode(a.ID)); path != nil {
		ev["path"] = labels(g, path)
		return Result{Status: Fail, Detail: fmt.Sprintf("%s, whose own root recovery depends on this account: %s", hosted,
			strings.Join(labels(g, path), " → ")), Evidence: ev}
	}
	if in.Snapshot.Account(store) == nil {
		return unknown(fmt.Sprintf("%s, which is not in the snapshot: whether its root recovery depends on this account was not read (collect it too, with --org)", hosted), ev)
	}
	reached := g.Reach(store)
	on := map[string]bool{store: true}
	sources := []string{ev["source_api"].(string)}
	for _, e := range reached {
		if n, _ := g.Node(e.To); n.Account != "" {
			on[n.Account] = true
		}
		if e.Source != "" {
			sources = append(sources, e.Source)
		}
	}
	ev["source_api"] = sourceList(sources...)
	var unread, failed []string
	for _, u := range g.Unread {
		if on[u.Account] {
			unread = append(unread, fmt.Sprintf("%s of %s: %s", u.What, u.Account, u.Reason))
			if u.Source != "" {
				failed = append(failed, u.Source)
			}
		}
	}
	if len(unread) > 0 {
		return unknownFrom(fmt.Sprintf("%s; no path from its root back to this account was found, but not every dependency on the way was readable: %s",
			hosted, strings.Join(unread, "; ")), failed, ev)
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("%s, whose root recovery does not depend on this account (%d dependencies followed)", hosted, len(reached)), Evidence: ev}
}
