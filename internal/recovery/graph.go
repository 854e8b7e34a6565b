package recovery

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// Kind is what a node stands for.
type Kind string

// Node kinds.
const (
	KindRoot         Kind = "root"         // an account's root user
	KindAccount      Kind = "account"      // an AWS account that hosts something a root depends on
	KindMailbox      Kind = "mailbox"      // the mailbox a root email delivers to
	KindDomain       Kind = "domain"       // the root email's mail domain
	KindZone         Kind = "dns-zone"     // a Route 53 public hosted zone serving the domain
	KindRegistration Kind = "registration" // a Route 53 Domains registration of the domain
	KindMailHost     Kind = "mail-host"    // an SES receipt rule or WorkMail domain receiving the mail
	KindPassword     Kind = "password"     // the root password
	KindMFA          Kind = "mfa-device"   // one root MFA device
	KindPhone        Kind = "phone"        // the primary contact's phone line
	KindPerson       Kind = "person"       // who holds a secret (custody registry)
	KindExternal     Kind = "external"     // a provider outside AWS: registrar, DNS or mail
)

// Node is one thing a root's recovery may depend on.
type Node struct {
	ID    string `json:"id"`
	Kind  Kind   `json:"kind"`
	Label string `json:"label"`
	// Account is the AWS account the node lives in, "" outside AWS.
	Account string `json:"account,omitempty"`
	// Cycle is set on nodes of a recovery cycle, SinglePoint on single
	// points of failure.
	Cycle       bool `json:"cycle,omitempty"`
	SinglePoint bool `json:"single_point,omitempty"`
}

// Edge reads "to recover From you must control To".
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// Source is the API the dependency was read from.
	Source string `json:"source_api,omitempty"`
	// Cycle is set when the edge is part of a recovery cycle.
	Cycle bool `json:"cycle,omitempty"`
}

// SinglePoint is a node whose loss blocks the recovery of the roots named.
type SinglePoint struct {
	Node string `json:"node"`
	// Accounts are the accounts whose root recovery needs the node.
	Accounts []string `json:"accounts"`
	Why      string   `json:"why"`
}

// Unread is a fact the graph needed and could not read: what it could hide
// is not drawn.
type Unread struct {
	Account string `json:"account"`
	What    string `json:"what"`
	Reason  string `json:"reason"`
	// Source is the API whose call failed, "" when none was made.
	Source string `json:"source_api,omitempty"`
}

// Graph is the recovery-path graph. Nodes are sorted by ID and edges by
// their ends, so every rendering is stable.
type Graph struct {
	Nodes        []Node        `json:"nodes"`
	Edges        []Edge        `json:"edges"`
	Cycles       [][]string    `json:"cycles"`
	SinglePoints []SinglePoint `json:"single_points"`
	Unread       []Unread      `json:"unread"`
	// Management is the organization's management account, "" if none.
	Management string `json:"management_account,omitempty"`

	index map[string]int
	out   map[string][]int // edge indexes by From
	comp  map[string]int   // strongly connected component by node ID
}

// Secret is what the custody registry records about one root secret: who
// holds it and, for a password, where it is stored.
type Secret struct {
	Account string
	// Kind is KindPassword or KindMFA.
	Kind Kind
	// Name is the MFA device's serial or name; empty for the password.
	Name   string
	Holder string
	// StoredIn is the AWS account whose store (a secrets vault) keeps the
	// secret, "" when it is kept outside AWS; StoredAt names the store.
	StoredIn string
	StoredAt string
}

// Options tune Build.
type Options struct {
	// Secrets are the custody registry's records; none leaves the graph
	// without holders and stores.
	Secrets []Secret
	// Threshold is how many roots a person, mailbox or account must block
	// to be a single point (default 2).
	Threshold int
}

// appendUnread adds f, the account's what, to us when it is not known.
func appendUnread[T any](us []Unread, acct, what string, f inventory.Fact[T]) []Unread {
	if f.Known() {
		return us
	}
	u := Unread{Account: acct, What: what, Reason: f.Reason()}
	if f.Source.Error != nil {
		u.Source = f.Source.API
	}
	return append(us, u)
}

// Node IDs.
func rootID(acct string) string    { return "root:" + acct }
func accountID(acct string) string { return "account:" + acct }

// RootNode is the ID of an account's root user node.
func RootNode(acct string) string { return rootID(acct) }

// Node returns the node with the given ID.
func (g *Graph) Node(id string) (Node, bool) {
	i, ok := g.index[id]
	if !ok {
		return Node{}, false
	}
	return g.Nodes[i], true
}

// builder accumulates nodes and edges, each once.
type builder struct {
	g    *Graph
	snap *inventory.Snapshot
	// unreadMail counts the accounts with a mail fact not read.
	unreadMail int
	nodes      map[string]Node
	edges      map[[2]string]Edge
}

func (b *builder) node(n Node) string {
	if _, ok := b.nodes[n.ID]; !ok {
		b.nodes[n.ID] = n
	}
	return n.ID
}

func (b *builder) edge(from, to, label, source string) {
	k := [2]string{from, to}
	if _, ok := b.edges[k]; !ok {
		b.edges[k] = Edge{From: from, To: to, Label: label, Source: source}
	}
}

// host is a place in another (or the same) account that serves a domain
// or mailbox.
func (b *builder) host(from string, n Node, label, source string) {
	b.edge(from, b.node(n), label, source)
	b.edge(n.ID, b.accountNode(n.Account), "in account", source)
}

func (b *builder) accountNode(acct string) string {
	label := "account " + acct
	if a := b.acct(acct); a != nil && a.Name != "" {
		label += " (" + a.Name + ")"
	}
	id := b.node(Node{ID: accountID(acct), Kind: KindAccount, Label: label, Account: acct})
	b.node(Node{ID: rootID(acct), Kind: KindRoot, Label: "root of " + acct, Account: acct})
	b.edge(id, rootID(acct), "recovered through its root", "")
	return id
}

func (b *builder) acct(id string) *inventory.Account {
	return snapAccount(b.snap, id)
}

func snapAccount(s *inventory.Snapshot, id string) *inventory.Account {
	for i := range s.Accounts {
		if s.Accounts[i].ID == id {
			return &s.Accounts[i]
		}
	}
	return nil
}

// Build draws the recovery-path graph of every account in the snapshot.
func Build(s *inventory.Snapshot, opt Options) *Graph {
	if opt.Threshold < 1 {
		opt.Threshold = 2
	}
	g := &Graph{Cycles: [][]string{}, SinglePoints: []SinglePoint{}, Unread: []Unread{}}
	b := &builder{g: g, snap: s, nodes: map[string]Node{}, edges: map[[2]string]Edge{}}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if a.Role == inventory.RoleManagement {
			g.Management = a.ID
		}
		label := "root of " + a.ID
		if a.Name != "" {
			label += " (" + a.Name + ")"
		}
		b.node(Node{ID: rootID(a.ID), Kind: KindRoot, Label: label, Account: a.ID})
		m, before := &a.Mail, len(g.Unread)
		if a.Skipped == "" {
			g.Unread = appendUnread(g.Unread, a.ID, "hosted zones", m.HostedZones)
			g.Unread = appendUnread(g.Unread, a.ID, "registered domains", m.Domains)
			g.Unread = appendUnread(g.Unread, a.ID, "SES receipt rules", m.SESRecipients)
			g.Unread = appendUnread(g.Unread, a.ID, "WorkMail domains", m.WorkMailDomains)
		}
		if len(g.Unread) > before {
			b.unreadMail++
		}
		g.Unread = appendUnread(g.Unread, a.ID, "root email", a.RootEmail)
	}
	for i := range s.Accounts {
		b.account(&s.Accounts[i])
	}
	b.secrets(opt.Secrets)
	for _, n := range b.nodes {
		g.Nodes = append(g.Nodes, n)
	}
	for _, e := range b.edges {
		g.Edges = append(g.Edges, e)
	}
	slices.SortFunc(g.Nodes, func(x, y Node) int { return strings.Compare(x.ID, y.ID) })
	slices.SortFunc(g.Edges, func(x, y Edge) int {
		return cmp.Or(strings.Compare(x.From, y.From), strings.Compare(x.To, y.To))
	})
	g.reindex()
	g.findCycles()
	g.findSinglePoints(s, opt)
	return g
}

func (g *Graph) reindex() {
	g.index = make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		g.index[n.ID] = i
	}
	g.out = map[string][]int{}
	for i, e := range g.Edges {
		g.out[e.From] = append(g.out[e.From], i)
	}
}

// account adds what one account's root depends on: its mailbox (with the
// mail domain, DNS, registration and mail host behind it), its password
// and MFA devices, and its contact phone.
func (b *builder) account(a *inventory.Account) {
	if a.Skipped != "" {
		return
	}
	root := rootID(a.ID)
	if a.RootEmail.Known() {
		if _, domain, ok := inventory.SplitEmail(a.RootEmail.Value); ok {
			box := inventory.Mailbox(a.RootEmail.Value)
			mb := b.node(Node{ID: "mailbox:" + box, Kind: KindMailbox, Label: "mailbox " + box})
			b.edge(root, mb, "root email "+strings.ToLower(strings.TrimSpace(a.RootEmail.Value)), a.RootEmail.Source.API)
			b.mail(mb, a.RootEmail.Value, domain)
		}
	}
	if present, src := passwordPresent(a); present {
		b.edge(root, b.node(Node{ID: "password:" + a.ID, Kind: KindPassword, Label: "root password of " + a.ID, Account: a.ID}), "signs in with", src)
	}
	for _, d := range mfaDevices(a) {
		b.edge(root, b.mfaNode(a.ID, d.Serial), "second factor", d.src)
	}
	if p := a.Contacts.Primary; p.Known() && p.Value != nil && strings.TrimSpace(p.Value.PhoneNumber) != "" {
		ph := strings.TrimSpace(p.Value.PhoneNumber)
		b.edge(root, b.node(Node{ID: "phone:" + ph, Kind: KindPhone, Label: "phone " + ph}), "contact phone (identity verification)", p.Source.API)
	}
}

func (b *builder) mfaNode(acct, name string) string {
	return b.node(Node{ID: "mfa:" + acct + ":" + name, Kind: KindMFA, Label: "MFA device " + name, Account: acct})
}

// mail adds the mailbox's mail host and the domain's DNS and registration,
// in whichever accounts serve them, or outside AWS.
func (b *builder) mail(mb, email, domain string) {
	dn := b.node(Node{ID: "domain:" + domain, Kind: KindDomain, Label: "domain " + domain})
	b.edge(mb, dn, "mail routed by the domain", "")
	var hosts, zones, regs int
	for i := range b.snap.Accounts {
		h := &b.snap.Accounts[i]
		m := &h.Mail
		for _, r := range m.SESRecipients.Value {
			if inventory.SESReceives(r, email, domain) {
				hosts++
				b.host(mb, Node{ID: "ses:" + h.ID + ":" + strings.ToLower(r), Kind: KindMailHost, Label: "SES receipt rule for " + r, Account: h.ID},
					"inbound mail", m.SESRecipients.Source.API)
			}
		}
		for _, d := range m.WorkMailDomains.Value {
			if inventory.InDomain(domain, d) {
				hosts++
				b.host(mb, Node{ID: "workmail:" + h.ID + ":" + strings.ToLower(d), Kind: KindMailHost, Label: "WorkMail domain " + d, Account: h.ID},
					"inbound mail", m.WorkMailDomains.Source.API)
			}
		}
		for _, z := range m.HostedZones.Value {
			if !z.Private && inventory.InDomain(domain, z.Name) {
				zones++
				b.host(dn, Node{ID: "zone:" + h.ID + ":" + z.ID, Kind: KindZone, Label: "hosted zone " + strings.TrimSuffix(z.Name, ".") + " (" + z.ID + ")", Account: h.ID},
					"DNS", m.HostedZones.Source.API)
			}
		}
		for _, d := range m.Domains.Value {
			if inventory.InDomain(domain, d) {
				regs++
				b.host(dn, Node{ID: "registration:" + h.ID + ":" + strings.ToLower(d), Kind: KindRegistration, Label: "registered domain " + d, Account: h.ID},
					"registration", m.Domains.Source.API)
			}
		}
	}
	// Outside AWS, as far as the readable accounts show.
	where := " outside AWS"
	if b.unreadMail > 0 {
		where = " outside the readable accounts"
	}
	outside := func(from, what, edge string) {
		b.edge(from, b.node(Node{ID: "external:" + what + ":" + domain, Kind: KindExternal, Label: what + " of " + domain + where}), edge, "")
	}
	if hosts == 0 {
		outside(mb, "mail host", "inbound mail")
	}
	if zones == 0 {
		outside(dn, "DNS", "DNS")
	}
	if regs == 0 {
		outside(dn, "registrar", "registration")
	}
}

// passwordPresent reports whether the root user has a password, from the
// login profile or the account summary.
func passwordPresent(a *inventory.Account) (bool, string) {
	r := &a.Root
	if r.LoginProfile.Known() {
		return r.LoginProfile.Value.Exists, r.LoginProfile.Source.API
	}
	if r.Summary.Known() {
		return r.Summary.Value.AccountPasswordPresent == 1, r.Summary.Source.API
	}
	return false, ""
}

type device struct {
	inventory.MFADevice
	src string
}

// mfaDevices are the root's MFA devices as listed (ListMFADevices in a
// root session, else the virtual devices assigned to root).
func mfaDevices(a *inventory.Account) []device {
	var out []device
	for _, f := range []inventory.Fact[[]inventory.MFADevice]{a.Root.MFADevices, a.Root.VirtualMFADevices} {
		for _, d := range f.Value {
			out = append(out, device{d, f.Source.API})
		}
	}
	return out
}

// secrets adds the custody registry's holders and stores.
func (b *builder) secrets(ss []Secret) {
	for _, s := range ss {
		var id string
		switch s.Kind {
		case KindPassword:
			id = b.node(Node{ID: "password:" + s.Account, Kind: KindPassword, Label: "root password of " + s.Account, Account: s.Account})
			b.edge(rootID(s.Account), id, "signs in with", "custody registry")
		case KindMFA:
			id = b.mfaNode(s.Account, s.Name)
			b.edge(rootID(s.Account), id, "second factor", "custody registry")
		default:
			continue
		}
		if s.Holder != "" {
			b.edge(id, b.node(Node{ID: "person:" + s.Holder, Kind: KindPerson, Label: s.Holder}), "held by", "custody registry")
		}
		if s.StoredIn != "" {
			label := "stored in account"
			if s.StoredAt != "" {
				label = "stored in " + s.StoredAt
			}
			b.edge(id, b.accountNode(s.StoredIn), label, "custody registry")
		}
	}
}
