package sim

import (
	"net/http"
	"slices"
	"time"
)

func organizationsService() *service {
	return &service{
		name:   "organizations",
		proto:  protoJSON,
		target: "AWSOrganizationsV20161128",
		ops: map[string]*operation{
			"DescribeOrganization":                {handle: orgDescribeOrganization},
			"ListRoots":                           {handle: orgListRoots},
			"ListOrganizationalUnitsForParent":    {handle: orgListOUsForParent},
			"ListAccountsForParent":               {handle: orgListAccountsForParent},
			"ListAccounts":                        {handle: orgListAccounts},
			"ListParents":                         {handle: orgListParents},
			"DescribeAccount":                     {handle: orgDescribeAccount},
			"ListAWSServiceAccessForOrganization": {handle: orgListServiceAccess},
			"ListPolicies":                        {handle: orgListPolicies},
			"DescribePolicy":                      {handle: orgDescribePolicy},
			"ListTargetsForPolicy":                {handle: orgListTargetsForPolicy},
			"ListPoliciesForTarget":               {handle: orgListPoliciesForTarget},
			"ListDelegatedAdministrators":         {handle: orgListDelegatedAdministrators},

			// Writes (org_write.go).
			"CreatePolicy":           {write: true, handle: orgCreatePolicy},
			"UpdatePolicy":           {write: true, handle: orgUpdatePolicy},
			"AttachPolicy":           {write: true, handle: orgAttachPolicy},
			"DetachPolicy":           {write: true, handle: orgDetachPolicy},
			"EnablePolicyType":       {write: true, handle: orgEnablePolicyType},
			"EnableAWSServiceAccess": {write: true, handle: orgEnableAWSServiceAccess},
		},
	}
}

func (w *world) orgARN(kind, id string) string {
	return "arn:aws:organizations::" + w.mgmt + ":" + kind + "/" + w.org.ID + "/" + id
}

// orgCheck refuses callers outside an organization and, when admin is set,
// callers that are neither the management account nor a delegated
// administrator.
func orgCheck(r *request, admin bool) error {
	w := r.srv.w
	if w.org == nil {
		return errf("AWSOrganizationsNotInUseException", http.StatusBadRequest, "Your account is not a member of an organization.")
	}
	if r.sess.kind == sessRoot {
		return accessDenied(r, "organizations:"+r.op, "")
	}
	if admin && r.sess.account != w.mgmt && !w.isDelegatedAny(r.sess.account) {
		return errf("AccessDeniedException", http.StatusBadRequest, "You don't have permissions to access this resource.")
	}
	return nil
}

// orgInput refuses the caller as orgCheck does, or decodes its request.
func orgInput[T any](r *request, admin bool) (T, error) {
	var in T
	if err := orgCheck(r, admin); err != nil {
		return in, err
	}
	return in, r.decode(&in)
}

// pageInput is the paging part of a list request; list inputs embed it.
type pageInput struct {
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults int    `json:"MaxResults,omitempty"`
}

// orgList answers a list operation: the page of items that in asks for,
// each converted by conv, under key, with the next token.
func orgList[T, U any](r *request, in pageInput, key string, items []T, conv func(T) U) (any, error) {
	pg, next, err := orgPage(r, in, items)
	if err != nil {
		return nil, err
	}
	out := make([]U, 0, len(pg))
	for _, it := range pg {
		out = append(out, conv(it))
	}
	return map[string]any{key: out, "NextToken": optional(next)}, nil
}

func orgPage[T any](r *request, in pageInput, items []T) ([]T, string, error) {
	if in.MaxResults < 0 || in.MaxResults > 20 {
		return nil, "", errf("InvalidInputException", http.StatusBadRequest, "You provided a value that does not match the required pattern: MaxResults must be between 1 and 20.")
	}
	out, next, err := page(items, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, "", errf("InvalidInputException", http.StatusBadRequest, "The provided NextToken is invalid.")
	}
	if out == nil {
		out = []T{}
	}
	return out, next, nil
}

type orgOrganization struct {
	ID                   string       `json:"Id"`
	Arn                  string       `json:"Arn"`
	FeatureSet           string       `json:"FeatureSet"`
	MasterAccountArn     string       `json:"MasterAccountArn"`
	MasterAccountID      string       `json:"MasterAccountId"`
	MasterAccountEmail   string       `json:"MasterAccountEmail"`
	AvailablePolicyTypes []policyType `json:"AvailablePolicyTypes"`
}

type policyType struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

func orgDescribeOrganization(r *request) (any, error) {
	if err := orgCheck(r, false); err != nil {
		return nil, err
	}
	w := r.srv.w
	fs := w.org.FeatureSet
	if fs == "" {
		fs = "ALL"
	}
	return map[string]any{"Organization": orgOrganization{
		ID:                   w.org.ID,
		Arn:                  "arn:aws:organizations::" + w.mgmt + ":organization/" + w.org.ID,
		FeatureSet:           fs,
		MasterAccountArn:     w.orgARN("account", w.mgmt),
		MasterAccountID:      w.mgmt,
		MasterAccountEmail:   w.accounts[w.mgmt].Email,
		AvailablePolicyTypes: []policyType{{Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED"}},
	}}, nil
}

type orgRoot struct {
	ID          string       `json:"Id"`
	Arn         string       `json:"Arn"`
	Name        string       `json:"Name"`
	PolicyTypes []policyType `json:"PolicyTypes"`
}

func orgListRoots(r *request) (any, error) {
	in, err := orgInput[pageInput](r, true)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	return orgList(r, in, "Roots", []string{w.tree.rootID}, func(id string) orgRoot {
		return orgRoot{ID: id, Arn: w.orgARN("root", id), Name: "Root", PolicyTypes: w.rootPolicyTypes()}
	})
}

// optional omits an empty token from the JSON answer.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type parentInput struct {
	ParentID string `json:"ParentId"`
	pageInput
}

type orgOU struct {
	ID   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
}

func parentNotFound() error {
	return errf("ParentNotFoundException", http.StatusBadRequest, "We can't find a root or OU with the ParentId that you specified.")
}

// parentRequest decodes a request that names a root or OU, and checks that
// it exists.
func parentRequest(r *request) (parentInput, error) {
	in, err := orgInput[parentInput](r, true)
	if err == nil && r.srv.w.tree.byID[in.ParentID] == nil {
		err = parentNotFound()
	}
	return in, err
}

func orgListOUsForParent(r *request) (any, error) {
	in, err := parentRequest(r)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	return orgList(r, in.pageInput, "OrganizationalUnits", w.tree.children(in.ParentID), func(u *unit) orgOU {
		return orgOU{ID: u.id, Arn: w.orgARN("ou", u.id), Name: u.name}
	})
}

type orgAccount struct {
	ID              string `json:"Id"`
	Arn             string `json:"Arn"`
	Email           string `json:"Email"`
	Name            string `json:"Name"`
	Status          string `json:"Status"`
	State           string `json:"State"`
	JoinedMethod    string `json:"JoinedMethod"`
	JoinedTimestamp *epoch `json:"JoinedTimestamp,omitempty"`
}

// legacyStatus maps State to the retired Status field.
func legacyStatus(state string) string {
	switch state {
	case "SUSPENDED", "CLOSED":
		return "SUSPENDED"
	case "PENDING_CLOSURE":
		return "PENDING_CLOSURE"
	}
	return "ACTIVE"
}

func (w *world) orgAccount(a *account, now time.Time) orgAccount {
	joined := a.Joined
	if joined == "" {
		joined = "CREATED"
	}
	st := w.state(a)
	t := dateOr(a.JoinedAt, now, 3*365*24*time.Hour)
	return orgAccount{
		ID: a.ID, Arn: w.orgARN("account", a.ID), Email: a.Email, Name: a.Name,
		Status: legacyStatus(st), State: st, JoinedMethod: joined, JoinedTimestamp: epochPtr(t, true),
	}
}

// accountOf describes accounts in Organizations' shape at the request's time.
func accountOf(r *request) func(*account) orgAccount {
	return func(a *account) orgAccount { return r.srv.w.orgAccount(a, r.now) }
}

func orgListAccountsForParent(r *request) (any, error) {
	in, err := parentRequest(r)
	if err != nil {
		return nil, err
	}
	var children []*account
	for _, a := range r.srv.w.order {
		if a.parent == in.ParentID {
			children = append(children, a)
		}
	}
	return orgList(r, in.pageInput, "Accounts", children, accountOf(r))
}

func orgListAccounts(r *request) (any, error) {
	in, err := orgInput[pageInput](r, true)
	if err != nil {
		return nil, err
	}
	return orgList(r, in, "Accounts", r.srv.w.order, accountOf(r))
}

type orgParent struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

func orgListParents(r *request) (any, error) {
	in, err := orgInput[struct {
		ChildID string `json:"ChildId"`
		pageInput
	}](r, true)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	parent := ""
	if a := w.accounts[in.ChildID]; a != nil {
		parent = a.parent
	} else if u := w.tree.byID[in.ChildID]; u != nil && u.id != w.tree.rootID {
		parent = u.parent
	}
	if parent == "" {
		return nil, errf("ChildNotFoundException", http.StatusBadRequest, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parent == w.tree.rootID {
		typ = "ROOT"
	}
	return orgList(r, in.pageInput, "Parents", []orgParent{{ID: parent, Type: typ}}, identity)
}

func identity[T any](v T) T { return v }

func orgDescribeAccount(r *request) (any, error) {
	in, err := orgInput[struct {
		AccountID string `json:"AccountId"`
	}](r, true)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	a := w.accounts[in.AccountID]
	if a == nil {
		return nil, errf("AccountNotFoundException", http.StatusBadRequest, "You specified an account that doesn't exist.")
	}
	return map[string]any{"Account": w.orgAccount(a, r.now)}, nil
}

type servicePrincipal struct {
	ServicePrincipal string `json:"ServicePrincipal"`
	DateEnabled      *epoch `json:"DateEnabled,omitempty"`
}

func orgListServiceAccess(r *request) (any, error) {
	in, err := orgInput[pageInput](r, true)
	if err != nil {
		return nil, err
	}
	enabled := dateOr(Date{}, r.now, 400*24*time.Hour)
	return orgList(r, in, "EnabledServicePrincipals", slices.Clone(r.srv.w.org.TrustedServices), func(n string) servicePrincipal {
		return servicePrincipal{ServicePrincipal: n, DateEnabled: epochPtr(enabled, true)}
	})
}
