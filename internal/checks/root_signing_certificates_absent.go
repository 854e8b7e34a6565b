package checks

import (
	"fmt"
	"strings"
)

// RootSigningCertificatesAbsent fails when the root user has an X.509
// signing certificate.
var RootSigningCertificatesAbsent = &Check{
	ID:       "root-signing-certificates-absent",
	Title:    "The root user has no signing certificates",
	Severity: High,
	Doc: `Checks that the root user has no X.509 signing certificates, active or inactive.

Signing certificates are a forgotten long-lived root credential: a few
legacy SOAP interfaces accept requests signed with them. Like access keys
they bypass the password and MFA, so the root user should hold none. Few
tools look at them (CIS and Security Hub do not).

Facts: the certificate list (iam:ListSigningCertificates in an sts:AssumeRoot
audit session for member accounts; the credential report's cert_1/cert_2
columns for management and standalone accounts) cross-checked with
iam:GetAccountSummary's AccountSigningCertificatesPresent.

PASS: no certificate listed and none counted.
FAIL: at least one certificate (evidence: ID or slot, status, upload date).
UNKNOWN: neither the list nor the account summary could be read.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Member account with centralized root access: from the management account,
  aws sts assume-root --target-principal ACCOUNT_ID \
    --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials
  then: aws iam list-signing-certificates; aws iam delete-signing-certificate --certificate-id ID
  (or: rootguard plan / rootguard apply).
Management or standalone account: sign in to the console as root, open the
account menu > Security credentials, and delete each entry under X.509
certificates. Do not create a root access key just to do this.`,
	References: References{SEC01BP02: stepCredentials},
	Run:        activeOnly(runRootSigningCertificatesAbsent),
}

func runRootSigningCertificatesAbsent(in Input) Result {
	a := in.Account
	p := signingCertificates(a)
	if !p.known {
		return unknownFrom(p.reason, p.failed, nil)
	}
	ev := map[string]any{"source_api": p.source}
	if sum := a.Root.Summary; sum.Known() {
		ev["account_signing_certificates_present"] = sum.Value.AccountSigningCertificatesPresent
	}
	if !p.yes {
		return Result{Status: Pass, Detail: "the root user has no signing certificates", Evidence: ev}
	}
	if p.listed && p.items > 0 {
		var certs []map[string]any
		var names []string
		for _, c := range a.Root.SigningCertificates.Value {
			m := map[string]any{"status": c.Status}
			name := "certificate"
			if c.ID != "" {
				m["id"], name = c.ID, "certificate "+c.ID
			}
			if c.Slot > 0 {
				m["slot"] = c.Slot
				if c.ID == "" {
					name = fmt.Sprintf("certificate %d", c.Slot)
				}
			}
			if c.UploadDate != nil {
				m["upload_date"] = stamp(*c.UploadDate)
			}
			certs = append(certs, m)
			names = append(names, fmt.Sprintf("%s (%s)", name, c.Status))
		}
		ev["signing_certificates"] = certs
		ev["source_api"] = a.Root.SigningCertificates.Source.API
		return Result{Status: Fail, Detail: fmt.Sprintf("the root user has %d signing certificate(s): %s",
			p.items, strings.Join(names, ", ")), Evidence: ev}
	}
	detail := "iam:GetAccountSummary counts root signing certificates (AccountSigningCertificatesPresent) but the certificate list "
	if p.disagree {
		detail += "is empty; the list may be stale"
	} else {
		detail += "could not be read: " + why(a, a.Root.SigningCertificates)
	}
	return Result{Status: Fail, Detail: detail, Evidence: ev}
}
