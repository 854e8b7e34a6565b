package runbook

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/inventory"
	"github.com/rootguard/rootguard/internal/recovery"
)

// Runbook is one account's runbook, ready to render.
type Runbook struct {
	AccountID   string
	AccountName string
	Role        string
	RootEmail   string
	CollectedAt time.Time
	// Posture is every finding of the account, as the scan reports it.
	Posture  []Row
	Sections []Section
}

// Row is one finding in the posture table.
type Row struct{ Check, Status, Detail string }

// Section is a titled part of the runbook: an introduction, then items
// (numbered when Steps is set).
type Section struct {
	Title string
	Intro string
	Items []string
	Steps bool
}

// Input is what a runbook is written from.
type Input struct {
	Snapshot *inventory.Snapshot
	Account  string
	// Findings are the scan's findings (any accounts; the account's are
	// used).
	Findings []checks.Finding
	Graph    *recovery.Graph
	// Secrets are the custody registry's records.
	Secrets []recovery.Secret
}

// Build writes the account's runbook. It fails when the account is not in
// the snapshot.
func Build(in Input) (*Runbook, error) {
	a := in.Snapshot.Account(in.Account)
	if a == nil {
		return nil, fmt.Errorf("account %s is not in the snapshot", in.Account)
	}
	rb := &Runbook{AccountID: a.ID, AccountName: a.Name, Role: a.Role, CollectedAt: in.Snapshot.CollectedAt}
	if a.RootEmail.Known() {
		rb.RootEmail = a.RootEmail.Value
	}
	status := map[string]checks.Finding{}
	for _, f := range in.Findings {
		if f.AccountID == a.ID {
			rb.Posture = append(rb.Posture, Row{Check: f.CheckID, Status: string(f.Status), Detail: firstLine(f.Detail)})
			status[f.CheckID] = f
		}
	}
	var mine []recovery.Secret
	for _, s := range in.Secrets {
		if s.Account == a.ID {
			mine = append(mine, s)
		}
	}
	rb.Sections = []Section{
		reach(in.Snapshot, a, in.Graph, mine),
		dependencies(a, in.Graph, status),
		response(in.Snapshot, a, mine),
	}
	return rb, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(line, ":")
}

// holders names who holds a secret and where it is kept.
func holders(ss []recovery.Secret, kind recovery.Kind, name string) string {
	var out []string
	for _, s := range ss {
		if s.Kind != kind || s.Name != name || s.Holder == "" {
			continue
		}
		h := "held by " + s.Holder
		switch {
		case s.StoredAt != "" && s.StoredIn != "":
			h += ", stored in " + s.StoredAt + " (account " + s.StoredIn + ")"
		case s.StoredAt != "":
			h += ", stored in " + s.StoredAt
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return "no custodian recorded (rootguard custody set)"
	}
	return strings.Join(out, "; ")
}

// reach says how to get to the root user and who holds what.
func reach(s *inventory.Snapshot, a *inventory.Account, g *recovery.Graph, ss []recovery.Secret) Section {
	sec := Section{Title: "Reaching root"}
	switch a.Role {
	case inventory.RoleMember:
		mgmt := "the management account"
		for _, o := range s.Accounts {
			if o.Role == inventory.RoleManagement {
				mgmt += " (" + o.ID + ")"
			}
		}
		sec.Intro = "A member account: nobody should sign in as its root user. Root tasks run from " + mgmt +
			" through centralized root access (sts:AssumeRoot with a task policy, 900 s at most), so no root credential needs to exist."
	default:
		sec.Intro = "Sign in as the root user at https://signin.aws.amazon.com/ with the root email, the password and one MFA device; " +
			"only inside an approved break-glass window."
	}
	email := "not known (organizations:ListAccounts not read)"
	if a.RootEmail.Known() {
		email = a.RootEmail.Value + " (mailbox " + inventory.Mailbox(a.RootEmail.Value) + ")"
	}
	sec.Items = append(sec.Items, "Root email: "+email)
	pw := "not known: " + a.Root.LoginProfile.Reason()
	if _, ok := g.Node("password:" + a.ID); ok {
		pw = "set; " + holders(ss, recovery.KindPassword, "")
	} else if a.Root.LoginProfile.Known() || a.Root.Summary.Known() {
		pw = "none"
	}
	sec.Items = append(sec.Items, "Password: "+pw)
	var devices []recovery.Node
	for _, n := range g.Nodes {
		if n.Kind == recovery.KindMFA && n.Account == a.ID {
			devices = append(devices, n)
		}
	}
	if len(devices) == 0 {
		sec.Items = append(sec.Items, "MFA devices: none listed")
	}
	for _, d := range devices {
		name := strings.TrimPrefix(d.ID, "mfa:"+a.ID+":")
		sec.Items = append(sec.Items, fmt.Sprintf("MFA device %s (%s): %s", name, inventory.MFAType(name), holders(ss, recovery.KindMFA, name)))
	}
	if p := a.Contacts.Primary; p.Known() && p.Value != nil && p.Value.PhoneNumber != "" {
		sec.Items = append(sec.Items, "Contact phone (AWS calls it to verify identity when an MFA device is lost): "+p.Value.PhoneNumber)
	}
	return sec
}

// kindOrder lists dependencies from the mailbox outwards.
var kindOrder = []recovery.Kind{recovery.KindMailbox, recovery.KindDomain, recovery.KindZone, recovery.KindRegistration,
	recovery.KindMailHost, recovery.KindAccount, recovery.KindRoot, recovery.KindPassword, recovery.KindMFA,
	recovery.KindPerson, recovery.KindPhone, recovery.KindExternal}

// dependencies lists what recovering the root needs, with the cycles and
// single points the scan reported.
func dependencies(a *inventory.Account, g *recovery.Graph, status map[string]checks.Finding) Section {
	sec := Section{Title: "How recovery works and what it depends on",
		Intro: "AWS resets a lost root password by mail to the root email, and verifies identity through the root email and the " +
			"contact phone when the MFA devices are lost. Recovering this root therefore needs control of:"}
	var deps []recovery.Node
	for _, id := range g.Requires(a.ID) {
		if n, ok := g.Node(id); ok {
			deps = append(deps, n)
		}
	}
	slices.SortStableFunc(deps, func(x, y recovery.Node) int {
		return cmp.Compare(slices.Index(kindOrder, x.Kind), slices.Index(kindOrder, y.Kind))
	})
	for _, n := range deps {
		item := n.Label
		if n.Account != "" && n.Kind != recovery.KindAccount && n.Kind != recovery.KindRoot {
			item += " (in account " + n.Account + ")"
		}
		if n.SinglePoint {
			item += " — a single point of failure"
		}
		sec.Items = append(sec.Items, item)
	}
	for _, id := range []string{"recovery-path-cycle", "recovery-single-point", "root-email-circular-dependency", "root-email-domain-registration"} {
		if f, ok := status[id]; ok && f.Status != checks.Pass && f.Status != checks.NotApplicable {
			sec.Items = append(sec.Items, fmt.Sprintf("%s %s: %s", id, f.Status, firstLine(f.Detail)))
		}
	}
	return sec
}

// response is the incident response for unexpected root activity.
func response(s *inventory.Snapshot, a *inventory.Account, ss []recovery.Secret) Section {
	var people []string
	for _, x := range ss {
		if x.Holder != "" && !slices.Contains(people, x.Holder) {
			people = append(people, x.Holder)
		}
	}
	who := "the custodians (none recorded: find who holds the password and MFA devices)"
	if len(people) > 0 {
		who = "the custodians (" + strings.Join(people, ", ") + ")"
	}
	var buckets []string
	for _, o := range s.Accounts {
		if o.ID != a.ID && !(o.Role == inventory.RoleManagement) {
			continue
		}
		for _, t := range o.Detective.Trails.Value {
			if t.S3BucketName != "" && (o.ID == a.ID || t.IsOrganizationTrail) && !slices.Contains(buckets, t.S3BucketName) {
				buckets = append(buckets, t.S3BucketName)
			}
		}
	}
	trail := "rootguard trail scan s3://TRAIL-BUCKET/AWSLogs/ --since START --until END (no trail bucket of this account was read)"
	if len(buckets) > 0 {
		var cmds []string
		for _, b := range buckets {
			cmds = append(cmds, "rootguard trail scan s3://"+b+"/AWSLogs/ --since START --until END")
		}
		trail = strings.Join(cmds, "; ")
	}
	var keys []string
	for _, k := range a.Root.AccessKeys.Value {
		name := k.ID
		if name == "" {
			name = fmt.Sprintf("key %d", k.Slot)
		}
		keys = append(keys, name+" ("+k.Status+")")
	}
	keyStep := "Remove every root access key: none was listed at the last scan; list them again (iam:ListAccessKeys in a root session) and delete any new one."
	if len(keys) > 0 {
		keyStep = "Remove every root access key (listed at the last scan: " + strings.Join(keys, ", ") + "); a key created since is the first suspect."
	}
	rotate := "Rotate the root password: sign in as root (account recovery if it was changed) and set a new generated password; record it with rootguard custody set."
	if a.Role == inventory.RoleMember {
		rotate = "Delete the root password and any credential that appeared: from the management account, sts:AssumeRoot with " +
			"IAMDeleteRootUserCredentials, then iam:DeleteLoginProfile (rootguard plan / apply removes member root credentials)."
	}
	return Section{Title: "Incident response: unexpected root activity", Steps: true, Items: []string{
		"Confirm with " + who + " whether the activity was theirs and inside an approved break-glass window. If not, treat it as an incident.",
		"Read CloudTrail for the window (events with userIdentity.type Root in account " + a.ID + ", ConsoleLogin among them, from every Region): " + trail + ".",
		rotate,
		keyStep,
		"Re-check the MFA devices: every device listed must be one a custodian holds; deactivate and replace any other, and any device a departed custodian held.",
		"Check what the session changed: new IAM users, roles, access keys, policies, SCP or contact changes, billing and support cases in the window.",
		"Contact AWS Support (Account and billing) if root access was lost or the root email or contacts were changed; AWS verifies ownership through the root email and the contact phone.",
		"Run rootguard scan --account " + a.ID + " again and keep this runbook's facts current.",
	}}
}
