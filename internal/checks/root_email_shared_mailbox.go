package checks

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// RootEmailSharedMailbox fails when the root email looks like one person's
// mailbox rather than a distribution list or shared mailbox.
var RootEmailSharedMailbox = &Check{
	ID:       "root-email-shared-mailbox",
	Title:    "The root email address is a shared mailbox or list, not a person",
	Severity: Medium,
	Doc: `Checks that the root user's email address is a distribution list or shared
mailbox rather than one person's mailbox.

Password resets and AWS's security notices go to the root email. In one
person's inbox they are missed during holidays, lost when the person leaves,
and give that person alone the power to take over the account. SEC01-BP02
asks for a corporate distribution list that several responsible people
receive.

Whether an address is a list cannot be read from AWS, so the check uses
explainable rules on the local part (before the @), in this order, and the
evidence names the rule that decided:
  configured-pattern  PASS  the address matches a --shared-mailbox-pattern
                            (glob patterns such as "aws-*@example.com")
  role-word           PASS  a word of the local part is a role word or made of
                            role words (aws, root, cloud, admin, ops, security,
                            accounts, billing, platform, team, list, group, …):
                            aws-prod, cloudops, awsroot, platform.team
  person-name         FAIL  first.last-shaped: two or three words of letters
                            joined by ".", "_" or "-" (jane.doe, j.doe, jane_m_doe)
  plus-tag            PASS  a "+tag" routes mail into a shared inbox
                            (x7+prod@, the per-account unique address pattern)
  single-word         FAIL  one word of letters, the shape of a personal login
                            (jsmith, flast, janedoe)
  unrecognized        FAIL  none of the above decided

The last rule is deliberate: the facts were read, so UNKNOWN would be wrong,
and a root email that cannot be recognized as shared has not shown that it
is. If a FAIL is wrong, add the address (or its pattern) with
scan's --shared-mailbox-pattern: the command line then records the decision.

Facts: the account's email from organizations:ListAccounts (or
account:GetPrimaryEmail).

PASS: a configured-pattern, role-word or plus-tag rule decided.
FAIL: a person-name, single-word or unrecognized rule decided.
UNKNOWN: the root email could not be read, or a configured pattern is invalid.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Create a distribution list or shared mailbox in the organization's domain that
at least two responsible people receive (e.g. aws-root+ACCOUNT@example.com),
then change the root email to it.
Member account, from the management account:
  aws account start-primary-email-update --account-id ACCOUNT_ID --primary-email NEW
  aws account accept-primary-email-update --account-id ACCOUNT_ID --primary-email NEW --otp CODE
Management or standalone account: sign in as root, account menu > Account >
Account details > Edit. If the address already is a list, add a pattern for it
with scan's --shared-mailbox-pattern.`,
	References: References{SEC01BP02: stepContacts},
	Run:        activeOnly(runRootEmailSharedMailbox),
}

// roleWords mark a mailbox as a role or team rather than a person.
var roleWords = []string{
	"aws", "amazon", "root", "cloud", "admin", "admins", "administrator", "ops", "devops", "secops",
	"sysops", "finops", "security", "sec", "infosec", "accounts", "account", "acct", "billing",
	"finance", "platform", "team", "list", "group", "infra", "infrastructure", "it", "noc", "soc",
	"sre", "prod", "production", "dev", "staging", "sandbox", "mgmt", "management", "master",
	"payer", "org", "audit", "logs", "logging", "alerts", "notifications", "shared", "services",
	"network", "backup", "breakglass", "owners", "engineering", "support", "info", "contact",
	"registrations", "tech",
}

// mailboxVerdict is the outcome of the shared-mailbox rules.
type mailboxVerdict struct {
	rule    string
	shared  bool
	matched string // the pattern or role word that decided, if any
	err     error  // an invalid configured pattern
}

// classifyMailbox applies the shared-mailbox rules to an address.
func classifyMailbox(addr string, patterns []string) mailboxVerdict {
	addr = strings.ToLower(strings.TrimSpace(addr))
	for _, p := range patterns {
		ok, err := path.Match(strings.ToLower(p), addr)
		if err != nil {
			return mailboxVerdict{rule: "configured-pattern", err: fmt.Errorf("--shared-mailbox-pattern %q: %w", p, err)}
		}
		if ok {
			return mailboxVerdict{rule: "configured-pattern", shared: true, matched: p}
		}
	}
	local, _, ok := splitEmail(addr)
	if !ok {
		return mailboxVerdict{rule: "unrecognized"}
	}
	base, tag, hasTag := strings.Cut(local, "+")
	words := letterWords(base)
	for _, w := range words {
		if roleCompound(w) {
			return mailboxVerdict{rule: "role-word", shared: true, matched: w}
		}
	}
	if personName(base) {
		return mailboxVerdict{rule: "person-name"}
	}
	if hasTag && tag != "" && base != "" {
		return mailboxVerdict{rule: "plus-tag", shared: true, matched: "+" + tag}
	}
	if len(words) == 1 && words[0] == base && len(base) >= 3 && len(base) <= 12 {
		return mailboxVerdict{rule: "single-word"}
	}
	return mailboxVerdict{rule: "unrecognized"}
}

// letterWords splits s into its maximal runs of letters.
func letterWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

// roleCompound reports whether w is a role word or a concatenation of role
// words ("awsroot", "cloudops").
func roleCompound(w string) bool {
	// ok[i]: w[:i] splits into role words.
	ok := make([]bool, len(w)+1)
	ok[0] = true
	for i := 1; i <= len(w); i++ {
		for _, r := range roleWords {
			if len(r) <= i && ok[i-len(r)] && w[i-len(r):i] == r {
				ok[i] = true
				break
			}
		}
	}
	return len(w) > 0 && ok[len(w)]
}

// personName reports whether local is first.last-shaped: two or three words
// of letters, the last at least two letters long, joined by one kind of
// separator.
func personName(local string) bool {
	for _, sep := range []string{".", "_", "-"} {
		parts := strings.Split(local, sep)
		if len(parts) < 2 || len(parts) > 3 {
			continue
		}
		good := len(parts[len(parts)-1]) >= 2
		for _, p := range parts {
			if p == "" || strings.IndexFunc(p, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
				good = false
			}
		}
		if good {
			return true
		}
	}
	return false
}

func runRootEmailSharedMailbox(in Input) Result {
	email, src, r, ok := rootEmail(in.Account)
	if !ok {
		return r
	}
	v := classifyMailbox(email, in.Config.SharedMailboxPatterns)
	ev := map[string]any{"source_api": src, "email": email, "rule": v.rule}
	if v.matched != "" {
		ev["matched"] = v.matched
	}
	if v.err != nil {
		return unknown(v.err.Error(), ev)
	}
	var detail string
	switch v.rule {
	case "configured-pattern":
		detail = fmt.Sprintf("%s matches the configured shared mailbox pattern %q", email, v.matched)
	case "role-word":
		detail = fmt.Sprintf("%s names a role, not a person (role word %q)", email, v.matched)
	case "person-name":
		detail = fmt.Sprintf("%s looks like one person's address (first.last shape)", email)
	case "plus-tag":
		detail = fmt.Sprintf("%s uses a %s tag, routed into a shared inbox", email, v.matched)
	case "single-word":
		detail = fmt.Sprintf("%s looks like one person's login (flast/jsmith shape) and names no role", email)
	default:
		detail = fmt.Sprintf("%s is not recognizably a shared mailbox (no role word, +tag or configured pattern)", email)
	}
	if !v.shared {
		detail += "; if it is a list, add it with --shared-mailbox-pattern"
		return Result{Status: Fail, Detail: detail, Evidence: ev}
	}
	return Result{Status: Pass, Detail: detail, Evidence: ev}
}
