package checks

import (
	"fmt"
)

// CustodyStorageIndependent fails when the root password is kept in the
// account it unlocks.
var CustodyStorageIndependent = &Check{
	ID:       "custody-storage-independent",
	Title:    "The root password is not stored in the account it unlocks",
	Severity: High,
	Doc: `Checks that the root password is not kept in a vault or password manager
hosted in the same AWS account, as the custody registry records it.

Root is what you reach for when the account itself is broken: locked out,
its IAM Identity Center gone, its workloads down. A password kept in a
secret store that runs in that account is out of reach exactly then, a
circular dependency SEC01-BP02 warns about. Longer chains (the password in
account B, whose own root password is in account A) are the recovery-path
graph's to find; this check looks at the account's own storage.

Facts: the root password's presence (iam:GetLoginProfile in an
sts:AssumeRoot audit session, iam:GetAccountSummary, the credential report)
and the storage the custody record names (kind, name and the AWS account
hosting it; none for storage outside AWS).

PASS: the password is stored outside AWS, or in another AWS account.
FAIL: the password is stored in the account it unlocks.
UNKNOWN: no custody registry; the account or its password storage is not
recorded (custody-complete fails that); or whether root has a password could
not be read.
NOT_APPLICABLE: root has no password; or the account is suspended or
closing.`,
	Remediation: `Move the root password to storage that does not depend on the account: a
vault or password manager in another account (ideally one whose own root is
kept elsewhere again), or outside AWS, such as a physical safe. Record it:
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
	return Result{Status: Pass, Detail: fmt.Sprintf("the root password is stored in %s, hosted in account %s", where, st.AWSAccount), Evidence: ev}
}
