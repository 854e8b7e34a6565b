package breakglass

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/rootguard/rootguard/internal/termsafe"
)

// Person is someone who may request or approve break-glass windows.
type Person struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
}

// ErrUnknownIdentity is returned (wrapped) by Resolve for an identity that no
// mapping names.
var ErrUnknownIdentity = errors.New("identity is not mapped to a person")

var (
	personIDRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)
	assumedRoleRE = regexp.MustCompile(`^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([\w+=,.@-]{1,64})/[\w+=,.@-]{2,64}$`)
	roleRE        = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	principalRE   = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]{1,512}$`)
	// oidcRE is a dashboard sign-in through an OpenID Connect provider:
	// the issuer's URL and the subject it gives the person.
	oidcRE = regexp.MustCompile(`^oidc:https?://[\x21-\x22\x24-\x7e]{1,255}#[\x21-\x7e]{1,255}$`)
)

// OIDCIdentity is the identity of the person an OpenID Connect provider
// knows by subject: oidc:ISSUER#SUBJECT.
func OIDCIdentity(issuer, subject string) string { return "oidc:" + issuer + "#" + subject }

// ValidPersonID reports whether id is a person ID: 1-64 lower-case letters,
// digits or ._@-, starting with a letter or digit.
func ValidPersonID(id string) bool { return personIDRE.MatchString(id) }

// NormalizeIdentity returns the principal an AWS caller ARN stands for: an
// assumed-role session (arn:aws:sts::A:assumed-role/R/S) and a role with a
// path both become the role arn:aws:iam::A:role/R; users, the root user and
// other principals are kept as they are, and so is a dashboard sign-in
// through an OpenID Connect provider (oidc:ISSUER#SUBJECT). It refuses
// anything else.
func NormalizeIdentity(arn string) (string, error) {
	if oidcRE.MatchString(arn) {
		return arn, nil
	}
	if m := assumedRoleRE.FindStringSubmatch(arn); m != nil {
		return "arn:" + m[1] + ":iam::" + m[2] + ":role/" + m[3], nil
	}
	if m := roleRE.FindStringSubmatch(arn); m != nil {
		return "arn:" + m[1] + ":iam::" + m[2] + ":role/" + m[3], nil
	}
	if principalRE.MatchString(arn) {
		return arn, nil
	}
	return "", fmt.Errorf("identity %s: not an IAM or STS principal ARN or oidc:ISSUER#SUBJECT", quote(arn))
}

// Mapping says which person an identity is. Identity is a principal ARN as
// NormalizeIdentity returns it (a role stands for all its sessions), or an
// assumed-role session ARN, which then names that session only.
type Mapping struct {
	Identity string `json:"identity" yaml:"identity"`
	Person   string `json:"person" yaml:"person"`
}

// Validate checks the mapping's two fields.
func (m Mapping) Validate() error {
	if !ValidPersonID(m.Person) {
		return fmt.Errorf("person %s: want 1-64 lower-case letters, digits or ._@-", quote(m.Person))
	}
	if assumedRoleRE.MatchString(m.Identity) {
		return nil
	}
	n, err := NormalizeIdentity(m.Identity)
	if err != nil {
		return err
	}
	if n != m.Identity {
		return fmt.Errorf("identity %s: write it as %s", quote(m.Identity), n)
	}
	return nil
}

// Registry maps identities to persons.
type Registry struct {
	Persons  map[string]Person // by ID
	Mappings []Mapping
}

// Resolve returns the person behind a caller ARN: a mapping naming the exact
// ARN (an assumed-role session) wins over one naming the principal it
// normalises to. An identity no mapping names, or one naming a person the
// registry does not hold, is ErrUnknownIdentity.
func (r Registry) Resolve(callerARN string) (Person, error) {
	norm, err := NormalizeIdentity(callerARN)
	if err != nil {
		return Person{}, err
	}
	var byPrincipal string
	for _, m := range r.Mappings {
		switch m.Identity {
		case callerARN:
			return r.person(callerARN, m.Person)
		case norm:
			byPrincipal = m.Person
		}
	}
	if byPrincipal == "" {
		return Person{}, fmt.Errorf("%s: %w", quote(callerARN), ErrUnknownIdentity)
	}
	return r.person(callerARN, byPrincipal)
}

func (r Registry) person(arn, id string) (Person, error) {
	p, ok := r.Persons[id]
	if !ok {
		return Person{}, fmt.Errorf("%s maps to person %s, who is not registered: %w", quote(arn), quote(id), ErrUnknownIdentity)
	}
	return p, nil
}

// quote quotes s for a one-line error message, shortened.
func quote(s string) string { return strconv.Quote(termsafe.Shorten(s, 200)) }
