package checks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/recovery"
)

// This file holds what the recovery-path checks share: the run's graph and
// what one account's root reaches in it.

// graph is the run's recovery-path graph, built once.
func (in Input) graph() *recovery.Graph {
	return in.cache().graph.get(func() *recovery.Graph {
		return recovery.Build(in.Snapshot, recovery.Options{Secrets: Secrets(in.Config.Custody)})
	})
}

// Secrets are the custody registry's records as the recovery graph draws
// them: who holds each password and MFA device (by display name) and the
// AWS account a password is stored in. A nil registry has none.
func Secrets(r *custody.Registry) []recovery.Secret {
	if r == nil {
		return nil
	}
	var out []recovery.Secret
	for _, a := range r.Accounts {
		if p := a.Password; p != nil {
			s := recovery.Secret{Account: a.Account, Kind: recovery.KindPassword, Holder: holderName(r, p.Holder)}
			if st := p.Storage; st != nil {
				s.StoredIn, s.StoredAt = st.AWSAccount, cmp.Or(st.Name, st.Kind)
			}
			out = append(out, s)
		}
		for _, d := range a.MFA {
			out = append(out, recovery.Secret{Account: a.Account, Kind: recovery.KindMFA, Name: d.Serial, Holder: holderName(r, d.Holder)})
		}
	}
	return out
}

func holderName(r *custody.Registry, id string) string {
	if id == "" {
		return ""
	}
	return r.Person(id)
}

// recoveryReach is what an account's root reaches in the graph: the facts read on
// the way, what lies outside AWS, and the account's own unread mail facts.
type recoveryReach struct {
	edges    int // the dependencies followed
	sources  []string
	external []string
	unread   []string
	failed   []string // the APIs whose failure left unread what it is
	// othersUnread are other accounts on the way whose facts were not read.
	othersUnread []string
}

func reachOf(in Input) recoveryReach {
	g := in.graph()
	reached := g.Reach(in.Account.ID)
	r := recoveryReach{edges: len(reached)}
	for _, e := range reached {
		if e.Source != "" {
			r.sources = append(r.sources, e.Source)
		}
	}
	for _, id := range g.Requires(in.Account.ID) {
		if n, _ := g.Node(id); n.Kind == recovery.KindExternal {
			r.external = append(r.external, n.Label)
		}
	}
	var whats [][]string // the unread facts, grouped by their reason
	for _, u := range g.Unread {
		switch {
		case u.Account == in.Account.ID:
			if i := slices.Index(r.unread, u.Reason); i >= 0 {
				whats[i] = append(whats[i], u.What)
			} else {
				r.unread = append(r.unread, u.Reason)
				whats = append(whats, []string{u.What})
			}
			if u.Source != "" {
				r.failed = append(r.failed, u.Source)
			}
		case len(r.othersUnread) < maxListed && !slices.Contains(r.othersUnread, u.Account):
			r.othersUnread = append(r.othersUnread, u.Account)
		}
	}
	for i, why := range r.unread {
		r.unread[i] = strings.Join(whats[i], ", ") + ": " + why
	}
	return r
}

// evidence is the common evidence of a recovery-path finding.
func (r recoveryReach) evidence() map[string]any {
	ev := map[string]any{"source_api": sourceList(r.sources...)}
	if len(r.external) > 0 {
		ev["outside_aws"] = r.external
	}
	if len(r.othersUnread) > 0 {
		ev["other_accounts_partly_unread"] = r.othersUnread
	}
	return ev
}

// labels turns node IDs into their labels.
func labels(g *recovery.Graph, ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n, _ := g.Node(id)
		out = append(out, n.Label)
	}
	return out
}

// RecoveryPathCycle fails when an account's root recovery depends, through
// any chain of accounts, on the root itself.
var RecoveryPathCycle = &Check{
	ID:       "recovery-path-cycle",
	Title:    "The root's recovery does not depend on itself through other accounts",
	Severity: High,
	Doc: `Checks the recovery-path graph from the account's root user: its root email's
mailbox, the mail domain, the domain's DNS zone and registration and the
mailbox's mail host, in whichever account hosts them (a Route 53 hosted
zone or registered domain, an SES receipt rule, a WorkMail domain), on to
that account's own root, and so on; and, from the custody registry, the
accounts where a root password is stored. It fails when the path comes back
to the root it started from, through any number of accounts.

root-email-circular-dependency sees one hop: the domain hosted in the same
account, or in one whose own root email is on it. This check sees any
length: account A's root email domain hosted in B while B's is hosted in A,
or a ring through five accounts. Losing any account on the ring (a
suspension, a lost root, a deleted hosted zone) can then make every root on
it unrecoverable, because each recovery needs another one first. Providers
outside AWS (a registrar, DNS or mail host elsewhere) end a path; they are
listed as evidence, not failures. rootguard graph draws the same graph.

Facts: organizations:ListAccounts (root emails), route53:ListHostedZones,
route53domains:ListDomains, ses:DescribeActiveReceiptRuleSet,
workmail:ListMailDomains in every account; the custody registry.

PASS: no readable path from the root leads back to it.
FAIL: a path leads back; the detail gives it hop by hop.
UNKNOWN: the root email, or one of the account's own mail facts, could not
be read and no cycle was found.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Break the ring at one hop: move one account's root email to a domain whose DNS,
registration and mailbox live outside the ring (a corporate domain managed
outside AWS, or a dedicated account whose own root email is elsewhere), or
move the hosted zone, registration or inbound mail to such an account:
  aws account start-primary-email-update --account-id ACCOUNT_ID --primary-email NEW
  aws account accept-primary-email-update --account-id ACCOUNT_ID --primary-email NEW --otp CODE
Then run rootguard graph --account ACCOUNT_ID to see the path gone.`,
	References: References{SEC01BP02: stepCircular},
	Run:        activeOnly(runRecoveryPathCycle),
}

// runRecovery is a recovery-path check: find reports what it finds in the
// graph as a FAIL result; without a finding, the account's own unread mail
// facts make it UNKNOWN, else it passes with pass (given how many
// dependencies were followed).
func runRecovery(what, pass string, find func(in Input, g *recovery.Graph, ev map[string]any) (Result, bool)) func(Input) Result {
	return func(in Input) Result {
		if _, _, r, ok := rootEmail(in.Account); !ok {
			return r
		}
		r := reachOf(in)
		ev := r.evidence()
		if res, ok := find(in, in.graph(), ev); ok {
			return res
		}
		if len(r.unread) > 0 {
			return unknownFrom("no "+what+" found, but this account's mail facts were not all readable: "+strings.Join(r.unread, "; "), r.failed, ev)
		}
		return Result{Status: Pass, Detail: fmt.Sprintf(pass, r.edges), Evidence: ev}
	}
}

var runRecoveryPathCycle = runRecovery("cycle", "no recovery path from the root leads back to it (%d dependencies followed)",
	func(in Input, g *recovery.Graph, ev map[string]any) (Result, bool) {
		path := g.CycleThrough(recovery.RootNode(in.Account.ID))
		if path == nil {
			return Result{}, false
		}
		var accts []string
		for _, id := range path {
			if n, _ := g.Node(id); n.Kind == recovery.KindRoot && !slices.Contains(accts, n.Account) {
				accts = append(accts, n.Account)
			}
		}
		ev["cycle"] = labels(g, path)
		ev["accounts"] = accts
		return Result{Status: Fail, Detail: fmt.Sprintf("the root's recovery depends on itself through %d account(s) (%s): %s",
			len(accts), strings.Join(accts, ", "), strings.Join(labels(g, path), " → ")), Evidence: ev}, true
	})

// RecoverySinglePoint fails when the account's root recovery needs a
// person, mailbox or account whose loss also blocks other roots.
var RecoverySinglePoint = &Check{
	ID:       "recovery-single-point",
	Title:    "The root's recovery needs no single point shared with other roots",
	Severity: Medium,
	Doc: `Checks the recovery-path graph from the account's root user (see
recovery-path-cycle) and fails when it needs a single point of failure: a
mailbox, a person or an AWS account whose loss blocks the recovery of two or
more roots, or a member account the management account's root recovery
depends on. Typical single points: every root email on one list (one
mailbox, plus-addressed variants included), the management account's mail
domain hosted in a member account, one person holding every MFA device of
several roots (from the custody registry). A person is needed when they
hold every MFA device of a root, or its password; an account counts the
roots of other accounts only, and the members of one cycle do not count
each other (that is recovery-path-cycle's finding).

Providers outside AWS end a path; they are listed as evidence, not
failures.

Facts: as recovery-path-cycle.

PASS: nothing the root's recovery needs blocks another root.
FAIL: the detail names each single point and the accounts it blocks.
UNKNOWN: the root email, or one of the account's own mail facts, could not
be read and no single point was found.
NOT_APPLICABLE: the account is suspended or closing.`,
	Remediation: `Spread the dependency: give each account its own root mailbox (a distinct
distribution list per account on the corporate domain, not plus-addresses of
one), keep the management account's mail domain outside its members, and
give each root's MFA devices to at least two people (rootguard custody set).
rootguard graph --account ACCOUNT_ID draws the single points in red.`,
	References: References{SEC01BP02: stepCircular},
	Run:        activeOnly(runRecoverySinglePoint),
}

var runRecoverySinglePoint = runRecovery("single point", "nothing the root's recovery needs (%d dependencies followed) blocks another root",
	func(in Input, g *recovery.Graph, ev map[string]any) (Result, bool) {
		var lines []string
		var points []map[string]any
		for _, id := range g.Requires(in.Account.ID) {
			i := slices.IndexFunc(g.SinglePoints, func(p recovery.SinglePoint) bool { return p.Node == id })
			if i < 0 {
				continue
			}
			p := g.SinglePoints[i]
			n, _ := g.Node(id)
			lines = append(lines, p.Why+": "+strings.Join(p.Accounts, ", "))
			points = append(points, map[string]any{"node": n.Label, "kind": string(n.Kind), "accounts": p.Accounts})
		}
		if len(points) == 0 {
			return Result{}, false
		}
		ev["single_points"] = points
		return Result{Status: Fail, Detail: "the root's recovery needs a single point of failure:" + bullets(lines), Evidence: ev}, true
	})
