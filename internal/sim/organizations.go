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

type pageInput struct {
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults int    `json:"MaxResults,omitempty"`
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
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in pageInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	roots := []orgRoot{{
		ID: w.tree.rootID, Arn: w.orgARN("root", w.tree.rootID), Name: "Root",
		PolicyTypes: w.rootPolicyTypes(),
	}}
	out, next, err := orgPage(r, in, roots)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Roots": out, "NextToken": optional(next)}, nil
}

// optional omits an empty token from the JSON answer.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type parentInput struct {
	ParentID   string `json:"ParentId"`
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults int    `json:"MaxResults,omitempty"`
}

type orgOU struct {
	ID   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
}

func parentNotFound() error {
	return errf("ParentNotFoundException", http.StatusBadRequest, "We can't find a root or OU with the ParentId that you specified.")
}

func orgListOUsForParent(r *request) (any, error) {
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in parentInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	if w.tree.byID[in.ParentID] == nil {
		return nil, parentNotFound()
	}
	var all []orgOU
	for _, u := range w.tree.children(in.ParentID) {
		all = append(all, orgOU{ID: u.id, Arn: w.orgARN("ou", u.id), Name: u.name})
	}
	out, next, err := orgPage(r, pageInput{in.NextToken, in.MaxResults}, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"OrganizationalUnits": out, "NextToken": optional(next)}, nil
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

func orgListAccountsForParent(r *request) (any, error) {
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in parentInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	if w.tree.byID[in.ParentID] == nil {
		return nil, parentNotFound()
	}
	var all []orgAccount
	for _, a := range w.order {
		if a.parent == in.ParentID {
			all = append(all, w.orgAccount(a, r.now))
		}
	}
	out, next, err := orgPage(r, pageInput{in.NextToken, in.MaxResults}, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Accounts": out, "NextToken": optional(next)}, nil
}

func orgListAccounts(r *request) (any, error) {
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in pageInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	pg, next, err := orgPage(r, in, w.order)
	if err != nil {
		return nil, err
	}
	out := make([]orgAccount, 0, len(pg))
	for _, a := range pg {
		out = append(out, w.orgAccount(a, r.now))
	}
	return map[string]any{"Accounts": out, "NextToken": optional(next)}, nil
}

type orgParent struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

func orgListParents(r *request) (any, error) {
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in struct {
		ChildID    string `json:"ChildId"`
		NextToken  string `json:"NextToken,omitempty"`
		MaxResults int    `json:"MaxResults,omitempty"`
	}
	if err := r.decode(&in); err != nil {
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
	out, next, err := orgPage(r, pageInput{in.NextToken, in.MaxResults}, []orgParent{{ID: parent, Type: typ}})
	if err != nil {
		return nil, err
	}
	return map[string]any{"Parents": out, "NextToken": optional(next)}, nil
}

func orgDescribeAccount(r *request) (any, error) {
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in struct {
		AccountID string `json:"AccountId"`
	}
	if err := r.decode(&in); err != nil {
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
	if err := orgCheck(r, true); err != nil {
		return nil, err
	}
	var in pageInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	names := slices.Clone(w.org.TrustedServices)
	var all []servicePrincipal
	enabled := dateOr(Date{}, r.now, 400*24*time.Hour)
	for _, n := range names {
		all = append(all, servicePrincipal{ServicePrincipal: n, DateEnabled: epochPtr(enabled, true)})
	}
	out, next, err := orgPage(r, in, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"EnabledServicePrincipals": out, "NextToken": optional(next)}, nil
}
