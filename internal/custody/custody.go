// Package custody is the custody registry: for each AWS account, who holds
// the root password and each root MFA device, where the password is kept
// and how it was generated, and who owns the contact phone line and the
// root email's distribution list. People are named by a person ID, the
// same IDs the break-glass workflow maps AWS identities to.
//
// The registry is what people record, not what AWS shows: the checks
// (custody-two-person, custody-complete, custody-storage-independent,
// custody-org-owned) hold it against the snapshot. It is read and written
// as YAML (schema rootguard.custody/v1) for review in Git; Marshal writes
// it deterministically, so an unchanged registry exports byte for byte the
// same. The package is pure: no files, no store, no AWS.
package custody

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

	"github.com/rootguard/rootguard/internal/suggest"
	"github.com/rootguard/rootguard/internal/yamlx"
)

// Schema names the version of the registry file.
const Schema = "rootguard.custody/v1"

// MaxSize is the largest registry file read, in bytes: thousands of
// accounts fit in far less.
const MaxSize = 4 << 20

// maxAliasNodes bounds what YAML aliases may add to a registry.
const maxAliasNodes = 10_000

// maxText bounds one free-text value (a name, an attestation).
const maxText = 512

// Storage kinds: where the root password is kept.
const (
	StorageVault           = "vault"
	StoragePasswordManager = "password-manager"
	StoragePhysicalSafe    = "physical-safe"
	StorageOther           = "other"
)

// StorageKinds are the accepted storage kinds.
var StorageKinds = []string{StorageVault, StoragePasswordManager, StoragePhysicalSafe, StorageOther}

// Owner kinds: who owns a phone line or an email list.
const (
	OwnerOrganization = "organization"
	OwnerPerson       = "person"
)

// OwnerKinds are the accepted owner kinds.
var OwnerKinds = []string{OwnerOrganization, OwnerPerson}

// Registry is the custody of every recorded account.
type Registry struct {
	Schema string `yaml:"schema" json:"schema"`
	// People optionally lists the person IDs the accounts may name, with a
	// display name. When it is not empty, every holder must be listed.
	People   []Person  `yaml:"people,omitempty" json:"people,omitempty"`
	Accounts []Account `yaml:"accounts" json:"accounts"`
}

// Person is someone who may hold a root secret.
type Person struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

// Account is the custody of one account's root user.
type Account struct {
	// Account is the 12-digit account ID.
	Account  string    `yaml:"account" json:"account"`
	Password *Password `yaml:"password,omitempty" json:"password,omitempty"`
	// MFA are the root MFA devices, by the serial AWS shows (a vendor
	// serial, or the device's ARN for virtual and FIDO devices).
	MFA       []Device `yaml:"mfa,omitempty" json:"mfa,omitempty"`
	PhoneLine *Owner   `yaml:"phone_line,omitempty" json:"phone_line,omitempty"`
	EmailList *Owner   `yaml:"email_list,omitempty" json:"email_list,omitempty"`
}

// Password is who holds the root password, where it is kept and how it was
// made.
type Password struct {
	// Holder is the person ID of who holds it.
	Holder  string   `yaml:"holder,omitempty" json:"holder,omitempty"`
	Storage *Storage `yaml:"storage,omitempty" json:"storage,omitempty"`
	// Generation attests how it was generated: AWS cannot show a
	// password's strength, so a person vouches for it.
	Generation *Attestation `yaml:"generation,omitempty" json:"generation,omitempty"`
}

// Storage is where the password is kept.
type Storage struct {
	// Kind is one of StorageKinds.
	Kind string `yaml:"kind" json:"kind"`
	// Name names the vault, password manager or safe.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// AWSAccount is the 12-digit ID of the AWS account that hosts the
	// storage, empty when it is outside AWS.
	AWSAccount string `yaml:"aws_account,omitempty" json:"aws_account,omitempty"`
}

// Attestation is a person's statement of how the password was generated.
type Attestation struct {
	Method     string `yaml:"method" json:"method"`
	AttestedBy string `yaml:"attested_by,omitempty" json:"attested_by,omitempty"`
}

// Device is one MFA device and who holds it.
type Device struct {
	Serial string `yaml:"serial" json:"serial"`
	Holder string `yaml:"holder" json:"holder"`
}

// Owner is who owns a phone line or an email list.
type Owner struct {
	// Kind is one of OwnerKinds.
	Kind string `yaml:"kind" json:"kind"`
	// Name names the team, service or person.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	personRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)
)

// registryKeys are the keys a registry file may hold, for "did you mean".
var registryKeys = yamlx.Keys(reflect.TypeFor[Registry]())

// Parse decodes and validates a registry. name is used in error messages
// (a file path); every error is one line that begins "custody NAME: ".
func Parse(name string, data []byte) (*Registry, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("custody %s: larger than the %d MiB a registry may be", name, MaxSize>>20)
	}
	doc, err := yamlx.ParseBounded(data, maxAliasNodes)
	if err != nil {
		return nil, fmt.Errorf("custody %s: %s", name, oneLine(yaml.FormatError(err, false, false)))
	}
	var r Registry
	if !yamlx.Empty(doc) {
		if err := yamlx.Decode(doc, &r, yaml.Strict()); err != nil {
			return nil, fmt.Errorf("custody %s: %s%s", name, oneLine(yaml.FormatError(err, false, false)), yamlx.DidYouMean(err, registryKeys))
		}
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("custody %s: schema %q: want %q", name, r.Schema, Schema)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("custody %s: %w", name, err)
	}
	return &r, nil
}

// Validate checks the whole registry: unique accounts and people, valid
// IDs and kinds, bounded text, and holders among People when it is given.
func (r *Registry) Validate() error {
	var people []string
	for i, p := range r.People {
		if !personRE.MatchString(p.ID) {
			return fmt.Errorf("people[%d]: id %q: %s", i, p.ID, personRule)
		}
		if slices.Contains(people, p.ID) {
			return fmt.Errorf("people[%d]: person %q listed twice", i, p.ID)
		}
		if err := text("name", p.Name); err != nil {
			return fmt.Errorf("people[%d]: %w", i, err)
		}
		people = append(people, p.ID)
	}
	seen := map[string]bool{}
	for i := range r.Accounts {
		a := &r.Accounts[i]
		if err := a.validate(people); err != nil {
			return fmt.Errorf("accounts[%d]: %w", i, err)
		}
		if seen[a.Account] {
			return fmt.Errorf("accounts[%d]: account %s recorded twice", i, a.Account)
		}
		seen[a.Account] = true
	}
	return nil
}

const personRule = "want a person ID: 1-64 lower-case letters, digits or ._@-, starting with a letter or digit"

// validate checks one account; people, when not empty, are the person IDs
// a holder may name.
func (a *Account) validate(people []string) error {
	if !accountRE.MatchString(a.Account) {
		return fmt.Errorf("account %q: want a 12-digit account ID", a.Account)
	}
	person := func(field, id string) error {
		if !personRE.MatchString(id) {
			return fmt.Errorf("%s %q: %s", field, id, personRule)
		}
		if len(people) > 0 && !slices.Contains(people, id) {
			return fmt.Errorf("%s %q is not in people%s", field, id, suggest.DidYouMean(id, people))
		}
		return nil
	}
	if p := a.Password; p != nil {
		if p.Holder != "" {
			if err := person("password.holder", p.Holder); err != nil {
				return err
			}
		}
		if s := p.Storage; s != nil {
			if !slices.Contains(StorageKinds, s.Kind) {
				return fmt.Errorf("password.storage.kind %q: want one of %s%s", s.Kind, strings.Join(StorageKinds, ", "), suggest.DidYouMean(s.Kind, StorageKinds))
			}
			if s.AWSAccount != "" && !accountRE.MatchString(s.AWSAccount) {
				return fmt.Errorf("password.storage.aws_account %q: want a 12-digit account ID, or none when the storage is outside AWS", s.AWSAccount)
			}
			if err := text("password.storage.name", s.Name); err != nil {
				return err
			}
		}
		if g := p.Generation; g != nil {
			if strings.TrimSpace(g.Method) == "" {
				return errors.New("password.generation.method: say how the password was generated")
			}
			if err := text("password.generation.method", g.Method); err != nil {
				return err
			}
			if g.AttestedBy != "" {
				if err := person("password.generation.attested_by", g.AttestedBy); err != nil {
					return err
				}
			}
		}
	}
	var serials []string
	for i, d := range a.MFA {
		if d.Serial == "" || len(d.Serial) > 256 || strings.ContainsAny(d.Serial, " \t") || !utf8.ValidString(d.Serial) {
			return fmt.Errorf("mfa[%d]: serial %q: want the device's serial or ARN as AWS shows it (1-256 characters, no spaces)", i, d.Serial)
		}
		if slices.Contains(serials, d.Serial) {
			return fmt.Errorf("mfa[%d]: device %q recorded twice", i, d.Serial)
		}
		serials = append(serials, d.Serial)
		if err := person(fmt.Sprintf("mfa[%d].holder", i), d.Holder); err != nil {
			return err
		}
	}
	for _, o := range []struct {
		field string
		owner *Owner
	}{{"phone_line", a.PhoneLine}, {"email_list", a.EmailList}} {
		if o.owner == nil {
			continue
		}
		if !slices.Contains(OwnerKinds, o.owner.Kind) {
			return fmt.Errorf("%s.kind %q: want %s%s", o.field, o.owner.Kind, strings.Join(OwnerKinds, " or "), suggest.DidYouMean(o.owner.Kind, OwnerKinds))
		}
		if err := text(o.field+".name", o.owner.Name); err != nil {
			return err
		}
	}
	return nil
}

// text checks a free-text value: at most maxText bytes of printable UTF-8.
func text(field, s string) error {
	if len(s) > maxText {
		return fmt.Errorf("%s: longer than %d bytes", field, maxText)
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%s %q: control characters are not allowed", field, s)
	}
	return nil
}

// Lookup returns the account's custody, or nil when it is not recorded.
func (r *Registry) Lookup(accountID string) *Account {
	if r == nil {
		return nil
	}
	for i := range r.Accounts {
		if r.Accounts[i].Account == accountID {
			return &r.Accounts[i]
		}
	}
	return nil
}

// Person returns the display name of a person ID, or the ID itself.
func (r *Registry) Person(id string) string {
	if r != nil {
		for _, p := range r.People {
			if p.ID == id && p.Name != "" {
				return p.Name
			}
		}
	}
	return id
}

// Device returns the recorded device with serial, or nil.
func (a *Account) Device(serial string) *Device {
	for i := range a.MFA {
		if a.MFA[i].Serial == serial {
			return &a.MFA[i]
		}
	}
	return nil
}

// Normalize sorts the registry the way Marshal writes it: people by ID,
// accounts by ID, each account's devices by serial.
func (r *Registry) Normalize() {
	r.Schema = Schema
	slices.SortFunc(r.People, func(a, b Person) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(r.Accounts, func(a, b Account) int { return cmp.Compare(a.Account, b.Account) })
	for i := range r.Accounts {
		slices.SortFunc(r.Accounts[i].MFA, func(a, b Device) int { return cmp.Compare(a.Serial, b.Serial) })
	}
}

// Marshal writes a normalized copy of the registry as YAML: the same
// registry always gives the same bytes, which Parse reads back.
func (r *Registry) Marshal() ([]byte, error) {
	c := r.Clone()
	c.Normalize()
	b, err := yaml.MarshalWithOptions(c, yaml.Indent(2), yaml.IndentSequence(true))
	if err != nil {
		return nil, fmt.Errorf("encode custody registry: %w", err)
	}
	return append([]byte("# rootguard custody registry: who holds each root secret (docs/custody.md)\n"), b...), nil
}

// Clone returns a deep copy.
func (r *Registry) Clone() *Registry {
	c := &Registry{Schema: r.Schema, People: slices.Clone(r.People), Accounts: make([]Account, len(r.Accounts))}
	for i, a := range r.Accounts {
		c.Accounts[i] = a.Clone()
	}
	return c
}

// Clone returns a deep copy.
func (a Account) Clone() Account {
	c := a
	c.MFA = slices.Clone(a.MFA)
	if a.Password != nil {
		p := *a.Password
		if p.Storage != nil {
			s := *p.Storage
			p.Storage = &s
		}
		if p.Generation != nil {
			g := *p.Generation
			p.Generation = &g
		}
		c.Password = &p
	}
	if a.PhoneLine != nil {
		o := *a.PhoneLine
		c.PhoneLine = &o
	}
	if a.EmailList != nil {
		o := *a.EmailList
		c.EmailList = &o
	}
	return c
}

// Set records a (replacing the account's earlier record) and validates the
// result; on error the registry is unchanged.
func (r *Registry) Set(a Account) error {
	next := r.Clone()
	if i := slices.IndexFunc(next.Accounts, func(x Account) bool { return x.Account == a.Account }); i >= 0 {
		next.Accounts[i] = a.Clone()
	} else {
		next.Accounts = append(next.Accounts, a.Clone())
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*r = *next
	return nil
}

// oneLine joins a multi-line decoder message.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
