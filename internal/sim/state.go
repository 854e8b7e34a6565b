package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/goccy/go-yaml"
)

// Persistent state: a writable server changes its world in place (writes
// hold Server.state exclusively); Scenario turns the world back into a
// scenario, so that a demo organization changed by apply can be saved and
// served again by the next command.

// clone is a deep copy of the scenario, through its JSON form (every field
// has one, and Date and Duration keep their written form).
func (s *Scenario) clone() (*Scenario, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("copy the scenario: %w", err)
	}
	var c Scenario
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("copy the scenario: %w", err)
	}
	return &c, nil
}

// Scenario returns the server's current world as a scenario of this
// version (ScenarioSchema): the scenario it was started with, every write
// applied, and the dates the server derives
// from its clock fixed. Relative dates (-3d) are resolved to absolute ones,
// and so are the defaults of unset creation dates (an access key without
// created, a password without last_changed…), so the saved world answers
// the same tomorrow. Derived access key and certificate IDs are written
// out; service control policies are listed with their targets as IDs.
// Injected faults are kept, less the calls already failed for faults that
// name one account (Times counts down); sessions and credential report
// state are not part of a scenario. The result round-trips through
// Marshal and ParseScenario.
//
// One default is left unset on purpose: an MFA device without enabled,
// which ListVirtualMFADevices answers without an EnableDate.
func (s *Server) Scenario() *Scenario {
	s.state.RLock()
	c, err := s.w.scn.clone()
	var policies []Policy
	if s.w.org != nil {
		policies = s.w.scenarioPolicies()
	}
	s.state.RUnlock()
	if err != nil {
		panic(fmt.Sprintf("sim: %v", err)) // every scenario field has a JSON form; a test keeps it so
	}
	now := s.opts.Now().UTC()
	c.Schema = ScenarioSchema
	if c.Organization != nil {
		c.Organization.Policies = policies
	}
	for i := range c.Accounts {
		resolveAccount(&c.Accounts[i], c.Organization, now)
	}
	c.Faults = s.remainingFaults(c.Faults)
	c.TrailEvents.File = ""
	return c
}

// abs resolves d against now, or sets it to def before now (truncated to
// the day, as the server's defaults are) when unset.
func abs(d Date, now time.Time, def time.Duration) Date {
	return At(dateOr(d, now, def))
}

// absIfSet resolves d against now and leaves an unset date unset.
func absIfSet(d Date, now time.Time) Date {
	if t, ok := d.At(now); ok {
		return At(t)
	}
	return d
}

// resolveAccount fixes an account's dates and derived IDs the way the
// server computes them (see iam.go and organizations.go for the defaults).
func resolveAccount(a *Account, org *Organization, now time.Time) {
	wa := &account{Account: a}
	a.Root.Created = At(rootCreated(wa, now))
	a.Root.PasswordLastUsed = absIfSet(a.Root.PasswordLastUsed, now)
	if org != nil {
		a.JoinedAt = abs(a.JoinedAt, now, 3*365*24*time.Hour)
	}
	if p := a.Root.Password; p != nil {
		p.Created = abs(p.Created, now, 400*24*time.Hour)
		p.LastUsed = absIfSet(p.LastUsed, now)
		p.LastChanged = absIfSet(p.LastChanged, now)
	}
	resolveKeys(a.Root.AccessKeys, a.ID, "root", now)
	for i := range a.Root.SigningCertificates {
		c := &a.Root.SigningCertificates[i]
		c.ID = certID(*c, a.ID, i)
		c.Uploaded = abs(c.Uploaded, now, 400*24*time.Hour)
	}
	resolveMFA(a.Root.MFADevices, now)
	for d, st := range a.DomainSettings {
		st.Expires = absIfSet(st.Expires, now)
		a.DomainSettings[d] = st
	}
	for i := range a.Users {
		u := &a.Users[i]
		u.Created = abs(u.Created, now, 500*24*time.Hour)
		if p := u.Password; p != nil {
			// The credential report falls back on the creation date, or
			// 200 days, for password_last_changed; GetLoginProfile on 400
			// days for CreateDate.
			if p.LastChanged.IsZero() {
				p.LastChanged = At(dateOr(p.Created, now, 200*24*time.Hour))
			} else {
				p.LastChanged = absIfSet(p.LastChanged, now)
			}
			p.Created = abs(p.Created, now, 400*24*time.Hour)
			p.LastUsed = absIfSet(p.LastUsed, now)
		}
		resolveKeys(u.AccessKeys, a.ID, u.Name, now)
		resolveMFA(u.MFADevices, now)
	}
}

func resolveKeys(keys []AccessKey, acct, owner string, now time.Time) {
	for i := range keys {
		k := &keys[i]
		k.ID = keyID(*k, acct, owner, i)
		k.Created = abs(k.Created, now, 400*24*time.Hour)
		if k.LastUsed != nil {
			k.LastUsed.Date = absIfSet(k.LastUsed.Date, now)
		}
	}
}

func resolveMFA(devs []MFADevice, now time.Time) {
	for i := range devs {
		devs[i].Enabled = absIfSet(devs[i].Enabled, now)
	}
}

// scenarioPolicies lists the world's SCPs as scenario policies. The AWS
// managed FullAWSAccess is left out while it is where a scenario that does
// not list it puts it: first, attached to the root, every OU and every
// account (or nowhere, while SCPs are disabled).
func (w *world) scenarioPolicies() []Policy {
	var everywhere []string
	for _, u := range w.tree.units {
		everywhere = append(everywhere, u.id)
	}
	for _, a := range w.order {
		everywhere = append(everywhere, a.ID)
	}
	var out []Policy
	for i, p := range w.policies {
		if i == 0 && p.id == fullAccessID && p.name == fullAccessName && p.desc == fullAccessDesc &&
			p.content == fullAccessBody && (w.org.SCPsDisabled || slices.Equal(p.targets, everywhere)) {
			continue
		}
		out = append(out, Policy{
			ID: p.id, Name: p.name, Description: p.desc,
			Content: PolicyDocument(p.content), Targets: slices.Clone(p.targets),
		})
	}
	return out
}

// remainingFaults are the faults still to fire: a fault limited to Times
// calls of one account counts down by the calls it already failed, and is
// dropped once spent. A fault of every account keeps its count, since the
// count is per account.
func (s *Server) remainingFaults(faults []Fault) []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fault
	for i, f := range faults {
		if f.Times > 0 && f.Account != "" && f.Account != "*" {
			f.Times -= s.hits[faultKey{i, f.Account}]
			if f.Times <= 0 {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// Marshal writes the scenario as YAML that ParseScenario reads back,
// marked with its schema version (ScenarioSchema).
func (s *Scenario) Marshal() ([]byte, error) {
	c := *s
	c.Schema = ScenarioSchema
	b, err := yaml.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: encode: %w", s.Name, err)
	}
	return b, nil
}

// SaveScenario writes the scenario to path as YAML, replacing the file in
// one step (a temporary file in the same directory, then a rename), so a
// reader never sees half a state.
func SaveScenario(path string, s *Scenario) error {
	b, err := s.Marshal()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save scenario %s: %w", path, err)
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("save scenario %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save scenario %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save scenario %s: %w", path, err)
	}
	return nil
}
