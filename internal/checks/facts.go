package checks

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/recovery"
)

// This file holds the readings of the snapshot that several checks share:
// whether the root user has a password, MFA, access keys or certificates,
// its MFA device list in either collection mode, its last-use dates, and
// the account-state and email helpers. Each reading carries the API of the
// fact that decided it, or the reason it could not be decided.

// SEC01-BP02 steps, as named in the design.
const (
	stepContacts     = "Accurate contact information, corporate distribution-list root email and dedicated phone"
	stepNoAccessKeys = "No root access keys"
	stepCredentials  = "Decide whether root credentials should exist"
	stepMFA          = "Complex password, MFA, hardware MFA and several devices"
	stepRotation     = "Optional password rotation"
	stepRareUse      = "Root used only exceptionally"
)

// runCache holds values computed once per Assess run and shared by the
// checks of every account; it goes away with the run.
type runCache struct {
	emails  runValue[*emailIndex]
	mail    runValue[*mailIndex]
	scp     runValue[*orgSCP]
	regions runValue[collected]
	mgmt    runValue[*inventory.Account]
	graph   runValue[*recovery.Graph]
}

// runValue is one value of a run, built on first use.
type runValue[T any] struct {
	once sync.Once
	v    T
}

func (rv *runValue[T]) get(build func() T) T {
	rv.once.Do(func() { rv.v = build() })
	return rv.v
}

// cache returns the run's shared values; a check called outside Assess
// (no run) gets a fresh cache and so computes them afresh.
func (in Input) cache() *runCache {
	if in.run == nil {
		return &runCache{}
	}
	return in.run
}

// inactive returns a NOT_APPLICABLE result for an account that is not
// ACTIVE: a suspended or closing account cannot be signed in to or fixed.
func inactive(a *inventory.Account) (Result, bool) {
	switch strings.ToUpper(a.State) {
	case "", "ACTIVE":
		return Result{}, false
	}
	return Result{
		Status:   NotApplicable,
		Detail:   fmt.Sprintf("account is %s: not assessed", a.State),
		Evidence: map[string]any{"account_state": a.State},
	}, true
}

// activeOnly wraps a check's logic so that accounts that are not ACTIVE are
// NOT_APPLICABLE.
func activeOnly(fn func(Input) Result) func(Input) Result {
	return func(in Input) Result {
		if r, ok := inactive(in.Account); ok {
			return r
		}
		return fn(in)
	}
}

// answer is a yes/no fact about the root user and where it came from.
type answer struct {
	known  bool
	yes    bool
	source string   // API of the deciding fact, when known
	reason string   // why it is not known
	failed []string // APIs whose failure left it unknown
}

// failedAPI names the call whose failure left f unknown: the AssumeRoot
// session if it failed, else f's own call if it failed, else "".
func failedAPI[T any](a *inventory.Account, f inventory.Fact[T]) string {
	if f.Known() {
		return ""
	}
	if _, failed := sessionFailure(a); failed {
		return a.Root.Session.Source.API
	}
	if f.Source.Error != nil {
		return f.Source.API
	}
	return ""
}

// missing is the answer for a fact that is not known.
func missing[T any](a *inventory.Account, f inventory.Fact[T]) answer {
	return answer{reason: why(a, f), failed: dedupe([]string{failedAPI(a, f)})}
}

// unknownFrom is the UNKNOWN result for reason, naming the failed APIs (if
// any) as the evidence's source_api.
func unknownFrom(reason string, failed []string, ev map[string]any) Result {
	if ev == nil {
		ev = map[string]any{}
	}
	delete(ev, "source_api")
	if s := sourceList(failed...); s != "" {
		ev["source_api"] = s
	}
	return unknown(reason, ev)
}

// why explains why a root fact is not known. In an AssumeRoot audit a
// failed session explains every fact that depends on it.
func why[T any](a *inventory.Account, f inventory.Fact[T]) string {
	if r, failed := sessionFailure(a); failed && !f.Known() {
		return r
	}
	return f.Reason()
}

// sessionFailure returns the reason when the sts:AssumeRoot audit session
// for the account failed, so that no root fact could be read.
func sessionFailure(a *inventory.Account) (string, bool) {
	s := a.Root.Session
	if a.Root.Method == inventory.MethodAssumeRoot && s.Collected() && !s.Known() {
		return s.Reason(), true
	}
	return "", false
}

// decide combines readings of one yes/no fact from several APIs: any known
// "yes" wins (a credential seen anywhere exists), then any known "no".
func decide(what string, readings ...answer) answer {
	var no *answer
	var reasons, failed []string
	for i := range readings {
		r := readings[i]
		failed = append(failed, r.failed...)
		switch {
		case r.known && r.yes:
			return r
		case r.known && no == nil:
			no = &readings[i]
		case !r.known && r.reason != "" && !slices.Contains(reasons, r.reason):
			reasons = append(reasons, r.reason)
		}
	}
	if no != nil {
		return *no
	}
	if len(reasons) == 0 {
		reasons = []string{"not collected"}
	}
	return answer{reason: what + ": " + strings.Join(reasons, "; "), failed: dedupe(failed)}
}

// reportColumn returns a column of the credential report's root row.
func reportColumn(a *inventory.Account, col string) (string, bool) {
	f := a.Root.CredentialReport
	if !f.Known() || f.Value == nil {
		return "", false
	}
	v, ok := f.Value.Columns[col]
	return v, ok
}

// reportBool reads a true/false column of the credential report's root row.
// not_supported and other values are not an answer.
func reportBool(a *inventory.Account, col string) answer {
	f := a.Root.CredentialReport
	v, ok := reportColumn(a, col)
	switch {
	case !f.Known():
		return missing(a, f)
	case !ok:
		return answer{reason: fmt.Sprintf("credential report has no %s column", col)}
	}
	switch strings.ToLower(v) {
	case "true":
		return answer{known: true, yes: true, source: f.Source.API}
	case "false":
		return answer{known: true, source: f.Source.API}
	}
	return answer{reason: fmt.Sprintf("credential report %s is %q", col, v)}
}

func summaryCount(a *inventory.Account, n func(inventory.AccountSummary) int) answer {
	f := a.Root.Summary
	if !f.Known() {
		return missing(a, f)
	}
	return answer{known: true, yes: n(f.Value) > 0, source: f.Source.API}
}

// passwordPresent says whether the root user has a console password, from
// GetLoginProfile (root session), GetAccountSummary, or the credential
// report's password_enabled column ("not_supported" is not an answer).
func passwordPresent(a *inventory.Account) answer {
	var lp answer
	if f := a.Root.LoginProfile; f.Known() {
		lp = answer{known: true, yes: f.Value.Exists, source: f.Source.API}
	} else if f.Collected() || a.Root.Method == inventory.MethodAssumeRoot {
		lp = missing(a, f)
	}
	sum := summaryCount(a, func(s inventory.AccountSummary) int { return s.AccountPasswordPresent })
	return decide("root password", lp, sum, reportBool(a, "password_enabled"))
}

// mfaEnabled says whether the root user has at least one MFA device.
func mfaEnabled(a *inventory.Account) answer {
	var dev answer
	if f := a.Root.MFADevices; f.Known() {
		dev = answer{known: true, yes: len(f.Value) > 0, source: f.Source.API}
	} else if f.Collected() || a.Root.Method == inventory.MethodAssumeRoot {
		dev = missing(a, f)
	}
	// A root virtual device proves MFA; an empty virtual list proves nothing.
	virt := answer{}
	if f := a.Root.VirtualMFADevices; f.Known() && len(f.Value) > 0 {
		virt = answer{known: true, yes: true, source: f.Source.API}
	}
	sum := summaryCount(a, func(s inventory.AccountSummary) int { return s.AccountMFAEnabled })
	return decide("root MFA", dev, sum, virt, reportBool(a, "mfa_active"))
}

// presence is whether the root user holds credentials of one kind (access
// keys or signing certificates), from their listing and the account
// summary's counter, either of which proves presence.
type presence struct {
	answer
	listed   bool // the listing was read
	items    int  // how many the listing holds
	disagree bool // the summary counts some, the listing shows none
}

func credentialPresence[T any](a *inventory.Account, list inventory.Fact[[]T], counter func(inventory.AccountSummary) int, what string) presence {
	var l answer
	if list.Known() {
		l = answer{known: true, yes: len(list.Value) > 0, source: list.Source.API}
	} else {
		l = missing(a, list)
	}
	sum := summaryCount(a, counter)
	p := presence{answer: decide(what, l, sum), listed: list.Known()}
	if list.Known() {
		p.items = len(list.Value)
		p.disagree = sum.known && sum.yes && len(list.Value) == 0
	}
	return p
}

func accessKeys(a *inventory.Account) presence {
	return credentialPresence(a, a.Root.AccessKeys,
		func(s inventory.AccountSummary) int { return s.AccountAccessKeysPresent }, "root access keys")
}

func signingCertificates(a *inventory.Account) presence {
	return credentialPresence(a, a.Root.SigningCertificates,
		func(s inventory.AccountSummary) int { return s.AccountSigningCertificatesPresent }, "root signing certificates")
}

// mfaInventory is the root user's MFA devices as far as they can be listed.
type mfaInventory struct {
	known    bool
	devices  []inventory.MFADevice // types normalized
	complete bool                  // devices holds every root MFA device
	source   string
	reason   string   // why the list is unknown, or why it is incomplete
	failed   []string // APIs whose failure left the list unknown
	enabled  answer
}

// directModeGap explains why a direct-mode list is incomplete.
const directModeGap = "with ordinary credentials only the root user's virtual MFA devices can be listed " +
	"(iam:ListVirtualMFADevices); hardware TOTP and FIDO devices are listed only by iam:ListMFADevices " +
	"in an sts:AssumeRoot session, which is not possible for a management or standalone account"

// rootMFA lists the root user's MFA devices: every device from
// ListMFADevices in a root session, or only the virtual ones (matched on the
// root ARN) with ordinary credentials. A summary saying root has no MFA at
// all also makes the (empty) list complete.
func rootMFA(a *inventory.Account) mfaInventory {
	inv := mfaInventory{enabled: mfaEnabled(a)}
	if f := a.Root.MFADevices; f.Known() {
		inv.known, inv.complete, inv.source = true, true, f.Source.API
		inv.devices = normalizeMFA(f.Value)
		return inv
	}
	if f := a.Root.VirtualMFADevices; f.Known() {
		inv.known, inv.source = true, f.Source.API
		inv.devices = normalizeMFA(f.Value)
		for i := range inv.devices {
			inv.devices[i].Type = inventory.MFAVirtual
		}
		if len(inv.devices) == 0 && inv.enabled.known && !inv.enabled.yes {
			inv.complete, inv.source = true, inv.enabled.source
			return inv
		}
		inv.reason = directModeGap
		return inv
	}
	if inv.enabled.known && !inv.enabled.yes {
		inv.known, inv.complete, inv.source = true, true, inv.enabled.source
		return inv
	}
	m := missing(a, a.Root.MFADevices)
	if a.Root.Method != inventory.MethodAssumeRoot && !a.Root.MFADevices.Collected() {
		m = missing(a, a.Root.VirtualMFADevices)
	}
	inv.reason, inv.failed = "root MFA devices: "+m.reason, m.failed
	return inv
}

// normalizeMFA copies devices, filling a missing type from the serial.
func normalizeMFA(ds []inventory.MFADevice) []inventory.MFADevice {
	out := slices.Clone(ds)
	for i := range out {
		if out[i].Type == "" {
			out[i].Type = mfaType(out[i].Serial)
		}
	}
	return out
}

// mfaType classifies an MFA serial: arn:…:u2f/… is a FIDO security key or
// passkey, arn:…:mfa/… a virtual device, anything else a hardware TOTP
// token's vendor serial.
func mfaType(serial string) string {
	switch {
	case strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":u2f/"):
		return inventory.MFAFIDO
	case strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":mfa/"):
		return inventory.MFAVirtual
	default:
		return inventory.MFAHardwareTOTP
	}
}

// countTypes counts devices by type.
func countTypes(ds []inventory.MFADevice) map[string]int {
	n := map[string]int{}
	for _, d := range ds {
		n[d.Type]++
	}
	return n
}

func deviceEvidence(ds []inventory.MFADevice) []map[string]any {
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		m := map[string]any{"serial": d.Serial, "type": d.Type}
		if d.EnableDate != nil {
			m["enable_date"] = stamp(*d.EnableDate)
		}
		out = append(out, m)
	}
	return out
}

// use is one dated use of a root credential.
type use struct {
	credential string // "password", "access key 1", "access key AKIA…"
	date       time.Time
	source     string
}

// lastUses gathers the last-use dates of the root password and every root
// access key. gaps lists the credentials whose date could not be read.
func lastUses(a *inventory.Account) (uses []use, sources, gaps, failed []string) {
	if r, ok := sessionFailure(a); ok {
		return nil, nil, []string{"root last-used dates: " + r}, []string{a.Root.Session.Source.API}
	}
	// Password: GetUser in a root session, else the credential report.
	switch u := a.Root.User; {
	case u.Known():
		sources = append(sources, u.Source.API)
		if u.Value.PasswordLastUsed != nil {
			uses = append(uses, use{"password", *u.Value.PasswordLastUsed, u.Source.API})
		}
	default:
		f := a.Root.CredentialReport
		v, ok := reportColumn(a, "password_last_used")
		switch {
		case !f.Known():
			m := missing(a, f)
			if a.Root.Method == inventory.MethodAssumeRoot || u.Collected() {
				m = missing(a, u)
			}
			gaps = append(gaps, "password last used: "+m.reason)
			failed = append(failed, m.failed...)
		case !ok:
			gaps = append(gaps, "password last used: credential report has no password_last_used column")
		default:
			sources = append(sources, f.Source.API)
			switch strings.ToLower(v) {
			case "n/a", "no_information", "":
				// No password, or never used (or not since 2014-10-20).
			default:
				t, err := reportDate(v)
				if err != nil {
					gaps = append(gaps, fmt.Sprintf("password last used: credential report value %q is not a date", v))
					break
				}
				uses = append(uses, use{"password", t, f.Source.API})
			}
		}
	}
	// Access keys: their listing (with GetAccessKeyLastUsed, or the report's
	// last_used columns in direct mode); none present per the summary also
	// settles it.
	keys := a.Root.AccessKeys
	switch {
	case keys.Known():
		sources = append(sources, keys.Source.API)
		for _, k := range keys.Value {
			switch lu := k.LastUsed; {
			case lu != nil && lu.Date != nil:
				uses = append(uses, use{keyName(k), *lu.Date, keys.Source.API})
			case lu != nil && lu.Error != nil:
				gaps = append(gaps, fmt.Sprintf("%s last used: iam:GetAccessKeyLastUsed failed: %s", keyName(k), lu.Error))
				failed = append(failed, "iam:GetAccessKeyLastUsed")
			}
		}
	case a.Root.Summary.Known() && a.Root.Summary.Value.AccountAccessKeysPresent == 0:
		sources = append(sources, a.Root.Summary.Source.API)
	default:
		m := missing(a, keys)
		gaps = append(gaps, "access keys last used: "+m.reason)
		failed = append(failed, m.failed...)
	}
	// Keys rootguard deleted: IAM forgot their last use, its audit log did
	// not.
	switch dk := a.Root.DeletedKeys; {
	case dk.Known():
		for _, k := range dk.Value {
			uses = append(uses, use{"access key deleted " + k.DeletedAt.UTC().Format("2006-01-02"), k.LastUsed, dk.Source.API})
			sources = append(sources, dk.Source.API)
		}
	case dk.Collected():
		gaps = append(gaps, "deleted access keys last used: "+dk.Reason())
		failed = append(failed, dk.Source.API)
	}
	return uses, dedupe(sources), gaps, dedupe(failed)
}

func keyName(k inventory.AccessKey) string {
	switch {
	case k.ID != "":
		return "access key " + k.ID
	case k.Slot > 0:
		return fmt.Sprintf("access key %d", k.Slot)
	default:
		return "access key"
	}
}

// reportDate parses a credential report date (ISO 8601).
func reportDate(v string) (time.Time, error) {
	var err error
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05"} {
		var t time.Time
		if t, err = time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// newest returns the most recent use.
func newest(uses []use) (use, bool) {
	if len(uses) == 0 {
		return use{}, false
	}
	n := uses[0]
	for _, u := range uses[1:] {
		if u.date.After(n.date) {
			n = u
		}
	}
	return n, true
}

// stamp formats a time for evidence.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// days formats a duration as whole days.
func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

func dedupe(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// failedOf names f's API if its call failed (facts outside a root session).
func failedOf[T any](f inventory.Fact[T]) []string {
	if f.Source.Error != nil {
		return []string{f.Source.API}
	}
	return nil
}

// sourceList names several source APIs in one evidence value.
func sourceList(s ...string) string { return strings.Join(dedupe(s), ", ") }

// rootEmail reads the account's root email address. On failure the
// Result is UNKNOWN.
func rootEmail(a *inventory.Account) (email string, src string, r Result, ok bool) {
	f := a.RootEmail
	if !f.Known() {
		return "", "", unknownFrom("root email: "+f.Reason(), failedOf(f), nil), false
	}
	if strings.TrimSpace(f.Value) == "" {
		return "", "", unknown("root email: "+f.Source.API+" returned no address", map[string]any{"source_api": f.Source.API}), false
	}
	return strings.TrimSpace(f.Value), f.Source.API, Result{}, true
}

// rootEmailDomain is the root email, its domain and source API, or the
// UNKNOWN result when either cannot be read.
func rootEmailDomain(a *inventory.Account) (email, domain, src string, r Result, ok bool) {
	if email, src, r, ok = rootEmail(a); !ok {
		return "", "", "", r, false
	}
	if _, domain, ok = splitEmail(email); !ok {
		return "", "", "", unknown(fmt.Sprintf("root email %q has no domain", email), map[string]any{"source_api": src}), false
	}
	return email, domain, src, Result{}, true
}

// The address helpers of package inventory, under the names the checks use.
var (
	splitEmail  = inventory.SplitEmail
	mailbox     = inventory.Mailbox
	sesReceives = inventory.SESReceives
	inDomain    = inventory.InDomain
)

// assessAlternate checks that an alternate contact of the given type is set
// with a name, an email address and a phone number.
func assessAlternate(a *inventory.Account, kind string) Result {
	f, ok := a.Contacts.Alternates[kind]
	if !ok {
		return unknown(kind+" alternate contact: not collected", nil)
	}
	if !f.Known() {
		return unknownFrom(kind+" alternate contact: "+f.Reason(), failedOf(f), nil)
	}
	ev := map[string]any{"source_api": f.Source.API, "contact_type": kind}
	c := f.Value
	if c == nil {
		return Result{Status: Fail, Detail: "no " + kind + " alternate contact is set", Evidence: ev}
	}
	ev["name"] = c.Name
	ev["email_address"] = c.EmailAddress
	var missing []string
	if strings.TrimSpace(c.Name) == "" {
		missing = append(missing, "name")
	}
	if _, _, ok := splitEmail(c.EmailAddress); !ok {
		missing = append(missing, "email address")
	}
	if strings.TrimSpace(c.PhoneNumber) == "" {
		missing = append(missing, "phone number")
	}
	if len(missing) > 0 {
		ev["missing"] = missing
		return Result{Status: Fail, Detail: fmt.Sprintf("the %s alternate contact has no valid %s", kind, strings.Join(missing, ", ")), Evidence: ev}
	}
	return Result{Status: Pass, Detail: fmt.Sprintf("the %s alternate contact is %s <%s>", kind, c.Name, c.EmailAddress), Evidence: ev}
}
