package sim

import (
	"encoding/json"
	"net/http"
	"slices"
)

func accountService() *service {
	return &service{
		name:  "account",
		proto: protoREST,
		ops: map[string]*operation{
			"GetContactInformation": {handle: acctGetContactInformation, target: accountIDTarget},
			"GetAlternateContact":   {handle: acctGetAlternateContact, target: accountIDTarget},
			"GetPrimaryEmail":       {handle: acctGetPrimaryEmail, target: accountIDTarget},
			"ListRegions":           {handle: acctListRegions, target: accountIDTarget},

			// Writes (account_write.go).
			"PutAlternateContact":    {write: true, handle: acctPutAlternateContact, target: accountIDTarget},
			"DeleteAlternateContact": {write: true, handle: acctDeleteAlternateContact, target: accountIDTarget},
		},
	}
}

// accountIDTarget is the AccountId member of the JSON body, when present.
func accountIDTarget(r *request) string {
	var in struct {
		AccountID string `json:"AccountId"`
	}
	json.Unmarshal(r.body, &in) //nolint:errcheck // the handler reports a malformed body.
	return in.AccountID
}

// acctTarget applies the Account Management API's AccountId rules and
// returns the account the call acts on.
func acctTarget(r *request, id string) (*account, error) {
	w := r.srv.w
	if r.sess.kind == sessRoot {
		return nil, accessDenied(r, "account:"+r.op, "")
	}
	if id == "" {
		return w.accounts[r.sess.account], nil
	}
	if !accountID.MatchString(id) {
		return nil, errf("ValidationException", http.StatusBadRequest, "1 validation error detected: Value '%s' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$", id)
	}
	if w.org == nil || !w.isAdmin(r.sess.account, "account.amazonaws.com") || !w.trusted("account.amazonaws.com") {
		return nil, accessDenied(r, "account:"+r.op, "arn:aws:account::"+id+":account")
	}
	if id == w.mgmt {
		return nil, errf("AccessDeniedException", http.StatusForbidden, "The management account can only be managed using the standalone context from the management account.")
	}
	a := w.accounts[id]
	if a == nil {
		return nil, accessDenied(r, "account:"+r.op, "arn:aws:account::"+w.mgmt+":account/"+w.org.ID+"/"+id)
	}
	return a, nil
}

// contactInformation is Contact with the wire's member names: the same
// fields in the same order, so one converts to the other.
type contactInformation struct {
	FullName         string `json:"FullName,omitempty"`
	CompanyName      string `json:"CompanyName,omitempty"`
	AddressLine1     string `json:"AddressLine1,omitempty"`
	AddressLine2     string `json:"AddressLine2,omitempty"`
	AddressLine3     string `json:"AddressLine3,omitempty"`
	City             string `json:"City,omitempty"`
	StateOrRegion    string `json:"StateOrRegion,omitempty"`
	DistrictOrCounty string `json:"DistrictOrCounty,omitempty"`
	PostalCode       string `json:"PostalCode,omitempty"`
	CountryCode      string `json:"CountryCode,omitempty"`
	PhoneNumber      string `json:"PhoneNumber,omitempty"`
	WebsiteURL       string `json:"WebsiteUrl,omitempty"`
}

func acctGetContactInformation(r *request) (any, error) {
	var in struct {
		AccountID string `json:"AccountId,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	a, err := acctTarget(r, in.AccountID)
	if err != nil {
		return nil, err
	}
	c := a.Contact
	if c == nil {
		return nil, errf("ResourceNotFoundException", http.StatusNotFound, "No contact information found for this account.")
	}
	return map[string]any{"ContactInformation": contactInformation(*c)}, nil
}

type alternateContact struct {
	AlternateContactType string `json:"AlternateContactType"`
	Name                 string `json:"Name,omitempty"`
	Title                string `json:"Title,omitempty"`
	EmailAddress         string `json:"EmailAddress,omitempty"`
	PhoneNumber          string `json:"PhoneNumber,omitempty"`
}

func acctGetAlternateContact(r *request) (any, error) {
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
	c, ok := a.AlternateContacts[in.AlternateContactType]
	if !ok {
		return nil, errf("ResourceNotFoundException", http.StatusNotFound, "No contact of the inputted alternate contact type found.")
	}
	return map[string]any{"AlternateContact": alternateContact{
		AlternateContactType: in.AlternateContactType, Name: c.Name, Title: c.Title,
		EmailAddress: c.Email, PhoneNumber: c.Phone,
	}}, nil
}

func acctGetPrimaryEmail(r *request) (any, error) {
	var in struct {
		AccountID string `json:"AccountId"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if in.AccountID == "" {
		return nil, errf("ValidationException", http.StatusBadRequest, "1 validation error detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null")
	}
	a, err := acctTarget(r, in.AccountID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PrimaryEmail": a.Email}, nil
}

// optInRegions are the Regions an account must enable (opt in to) before
// use; ListRegions reports them ENABLED, every other one ENABLED_BY_DEFAULT.
var optInRegions = []string{"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
	"ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1"}

// acctListRegions answers the account's enabled Regions (Account.Regions)
// in one page; every status filter other than ENABLED and
// ENABLED_BY_DEFAULT matches nothing, since the simulator has no Region
// being enabled or disabled.
func acctListRegions(r *request) (any, error) {
	var in struct {
		AccountID string   `json:"AccountId,omitempty"`
		Status    []string `json:"RegionOptStatusContains,omitempty"`
		NextToken string   `json:"NextToken,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	a, err := acctTarget(r, in.AccountID)
	if err != nil {
		return nil, err
	}
	type region struct {
		RegionName      string `json:"RegionName"`
		RegionOptStatus string `json:"RegionOptStatus"`
	}
	out := []region{}
	for _, name := range r.srv.w.enabledRegions(a) {
		status := "ENABLED_BY_DEFAULT"
		if slices.Contains(optInRegions, name) {
			status = "ENABLED"
		}
		if len(in.Status) == 0 || slices.Contains(in.Status, status) {
			out = append(out, region{RegionName: name, RegionOptStatus: status})
		}
	}
	return map[string]any{"Regions": out}, nil
}

// enabledRegions are the Regions enabled in a, sorted: Account.Regions, or
// us-east-1 and the scenario's Region when it lists none.
func (w *world) enabledRegions(a *account) []string {
	rs := a.Regions
	if len(rs) == 0 {
		rs = []string{"us-east-1", w.region}
	}
	out := slices.Clone(rs)
	slices.Sort(out)
	return slices.Compact(out)
}
