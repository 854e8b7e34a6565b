package sim

import (
	"net/http"
	"regexp"
	"unicode/utf8"
)

// Account Management writes: PutAlternateContact and DeleteAlternateContact,
// for the caller's own account (no AccountId; the only way for the
// management account) or, from the management account or a delegated
// administrator with trusted access, for a member (AccountId).

var (
	contactEmail = regexp.MustCompile(`^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$`)
	contactPhone = regexp.MustCompile(`^[\s0-9()+-]+$`)
)

// acctValidation is the Account API's ValidationException; values of
// sensitive members are not echoed.
func acctValidation(format string, a ...any) *apiError {
	return errf("ValidationException", http.StatusBadRequest, "1 validation error detected: "+format, a...)
}

func checkContactField(member, v string, max int, pattern *regexp.Regexp) error {
	n := utf8.RuneCountInString(v)
	switch {
	case v == "":
		return acctValidation("Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	case n > max:
		return acctValidation("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
	case pattern != nil && !pattern.MatchString(v):
		return acctValidation("Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", member, pattern.String())
	}
	return nil
}

func checkContactType(t string) error {
	if !altTypes[t] {
		return acctValidation("Value '%s' at 'alternateContactType' failed to satisfy constraint: Member must satisfy enum value set: [SECURITY, BILLING, OPERATIONS]", t)
	}
	return nil
}

func acctPutAlternateContact(r *request) (any, error) {
	var in struct {
		AccountID            string `json:"AccountId,omitempty"`
		AlternateContactType string `json:"AlternateContactType"`
		EmailAddress         string `json:"EmailAddress"`
		Name                 string `json:"Name"`
		PhoneNumber          string `json:"PhoneNumber"`
		Title                string `json:"Title"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkContactType(in.AlternateContactType); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		member, value string
		max           int
		pattern       *regexp.Regexp
	}{
		{"emailAddress", in.EmailAddress, 254, contactEmail},
		{"name", in.Name, 64, nil},
		{"phoneNumber", in.PhoneNumber, 25, contactPhone},
		{"title", in.Title, 50, nil},
	} {
		if err := checkContactField(f.member, f.value, f.max, f.pattern); err != nil {
			return nil, err
		}
	}
	a, err := acctTarget(r, in.AccountID)
	if err != nil {
		return nil, err
	}
	if a.AlternateContacts == nil {
		a.AlternateContacts = map[string]AlternateContact{}
	}
	a.AlternateContacts[in.AlternateContactType] = AlternateContact{
		Name: in.Name, Title: in.Title, Email: in.EmailAddress, Phone: in.PhoneNumber,
	}
	return nil, nil
}

func acctDeleteAlternateContact(r *request) (any, error) {
	var in struct {
		AccountID            string `json:"AccountId,omitempty"`
		AlternateContactType string `json:"AlternateContactType"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkContactType(in.AlternateContactType); err != nil {
		return nil, err
	}
	a, err := acctTarget(r, in.AccountID)
	if err != nil {
		return nil, err
	}
	if _, ok := a.AlternateContacts[in.AlternateContactType]; !ok {
		return nil, errf("ResourceNotFoundException", http.StatusNotFound, "No contact of the inputted alternate contact type found.")
	}
	delete(a.AlternateContacts, in.AlternateContactType)
	return nil, nil
}
