package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Principal is an IAM user, group or role of an account with its identity
// policies, served by iam:GetAccountAuthorizationDetails. An account's
// scenario users (Account.Users) are listed too, without policies.
type Principal struct {
	// Kind is user, group or role.
	Kind string `yaml:"kind" json:"kind"`
	Name string `yaml:"name" json:"name"`
	// Groups are a user's groups, by name.
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	// Policies are inline policies: name to JSON document.
	Policies map[string]string `yaml:"policies,omitempty" json:"policies,omitempty"`
	// Managed are attached managed policies: ARN to the JSON document of
	// the default version.
	Managed map[string]string `yaml:"managed,omitempty" json:"managed,omitempty"`
	// Trust is a role's trust policy (JSON).
	Trust string `yaml:"trust,omitempty" json:"trust,omitempty"`
}

// principalKinds are the kinds a Principal may have.
var principalKinds = set("user", "group", "role")

// validate checks the kind, the name and that every document is JSON.
func (p Principal) validate() error {
	if !principalKinds[p.Kind] {
		return fmt.Errorf("kind %q: want user, group or role", p.Kind)
	}
	if p.Name == "" {
		return errors.New("needs a name")
	}
	docs := map[string]string{}
	maps.Copy(docs, p.Policies)
	maps.Copy(docs, p.Managed)
	if p.Trust != "" {
		docs["trust"] = p.Trust
	}
	for _, n := range slices.Sorted(maps.Keys(docs)) {
		if !json.Valid([]byte(docs[n])) {
			return fmt.Errorf("policy %s of %s: not JSON", n, p.Name)
		}
	}
	return nil
}

type policyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type userDetail struct {
	Path                    string           `xml:"Path"`
	UserName                string           `xml:"UserName"`
	UserID                  string           `xml:"UserId"`
	Arn                     string           `xml:"Arn"`
	CreateDate              time.Time        `xml:"CreateDate"`
	UserPolicyList          []policyDetail   `xml:"UserPolicyList>member"`
	GroupList               []string         `xml:"GroupList>member"`
	AttachedManagedPolicies []attachedPolicy `xml:"AttachedManagedPolicies>member"`
}

type groupDetail struct {
	Path                    string           `xml:"Path"`
	GroupName               string           `xml:"GroupName"`
	GroupID                 string           `xml:"GroupId"`
	Arn                     string           `xml:"Arn"`
	CreateDate              time.Time        `xml:"CreateDate"`
	GroupPolicyList         []policyDetail   `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []attachedPolicy `xml:"AttachedManagedPolicies>member"`
}

type roleDetail struct {
	Path                     string           `xml:"Path"`
	RoleName                 string           `xml:"RoleName"`
	RoleID                   string           `xml:"RoleId"`
	Arn                      string           `xml:"Arn"`
	CreateDate               time.Time        `xml:"CreateDate"`
	AssumeRolePolicyDocument string           `xml:"AssumeRolePolicyDocument,omitempty"`
	RolePolicyList           []policyDetail   `xml:"RolePolicyList>member"`
	AttachedManagedPolicies  []attachedPolicy `xml:"AttachedManagedPolicies>member"`
}

type policyVersion struct {
	Document         string    `xml:"Document"`
	VersionID        string    `xml:"VersionId"`
	IsDefaultVersion bool      `xml:"IsDefaultVersion"`
	CreateDate       time.Time `xml:"CreateDate"`
}

type managedPolicyDetail struct {
	PolicyName        string          `xml:"PolicyName"`
	PolicyID          string          `xml:"PolicyId"`
	Arn               string          `xml:"Arn"`
	Path              string          `xml:"Path"`
	DefaultVersionID  string          `xml:"DefaultVersionId"`
	AttachmentCount   int             `xml:"AttachmentCount"`
	IsAttachable      bool            `xml:"IsAttachable"`
	PolicyVersionList []policyVersion `xml:"PolicyVersionList>member"`
}

type accountAuthorizationDetailsResult struct {
	UserDetailList  []userDetail          `xml:"UserDetailList>member"`
	GroupDetailList []groupDetail         `xml:"GroupDetailList>member"`
	RoleDetailList  []roleDetail          `xml:"RoleDetailList>member"`
	Policies        []managedPolicyDetail `xml:"Policies>member"`
	IsTruncated     bool                  `xml:"IsTruncated"`
}

// iamGetAccountAuthorizationDetails answers every principal of the account
// in one page, policy documents URL-encoded as IAM sends them.
func iamGetAccountAuthorizationDetails(r *request) (any, error) {
	if r.sess.kind == sessRoot {
		return nil, accessDenied(r, "iam:"+r.op, "*")
	}
	a := r.account()
	created := dateOr(Date{}, r.now, 400*24*time.Hour)
	out := accountAuthorizationDetailsResult{
		UserDetailList: []userDetail{}, GroupDetailList: []groupDetail{}, RoleDetailList: []roleDetail{}, Policies: []managedPolicyDetail{},
	}
	inline := func(m map[string]string) []policyDetail {
		var ps []policyDetail
		for _, n := range slices.Sorted(maps.Keys(m)) {
			ps = append(ps, policyDetail{PolicyName: n, PolicyDocument: url.QueryEscape(m[n])})
		}
		return ps
	}
	managed := map[string]string{}
	attached := func(m map[string]string) []attachedPolicy {
		var ps []attachedPolicy
		for _, arn := range slices.Sorted(maps.Keys(m)) {
			managed[arn] = m[arn]
			ps = append(ps, attachedPolicy{PolicyName: arn[lastSlash(arn)+1:], PolicyArn: arn})
		}
		return ps
	}
	listed := map[string]bool{}
	for _, p := range a.Principals {
		arn := "arn:aws:iam::" + a.ID + ":" + p.Kind + "/" + p.Name
		id := token(a.ID+"/"+p.Kind+"/"+p.Name, 17)
		switch p.Kind {
		case "user":
			listed[p.Name] = true
			out.UserDetailList = append(out.UserDetailList, userDetail{Path: "/", UserName: p.Name, UserID: "AIDA" + id, Arn: arn, CreateDate: created,
				UserPolicyList: inline(p.Policies), GroupList: p.Groups, AttachedManagedPolicies: attached(p.Managed)})
		case "group":
			out.GroupDetailList = append(out.GroupDetailList, groupDetail{Path: "/", GroupName: p.Name, GroupID: "AGPA" + id, Arn: arn, CreateDate: created,
				GroupPolicyList: inline(p.Policies), AttachedManagedPolicies: attached(p.Managed)})
		case "role":
			out.RoleDetailList = append(out.RoleDetailList, roleDetail{Path: "/", RoleName: p.Name, RoleID: "AROA" + id, Arn: arn, CreateDate: created,
				AssumeRolePolicyDocument: url.QueryEscape(p.Trust), RolePolicyList: inline(p.Policies), AttachedManagedPolicies: attached(p.Managed)})
		}
	}
	for i := range a.Users {
		if u := a.Users[i]; !listed[u.Name] {
			iu := userOf(a, &u, r.now)
			out.UserDetailList = append(out.UserDetailList, userDetail{Path: "/", UserName: u.Name, UserID: iu.UserID, Arn: iu.Arn, CreateDate: iu.CreateDate})
		}
	}
	for _, arn := range slices.Sorted(maps.Keys(managed)) {
		out.Policies = append(out.Policies, managedPolicyDetail{PolicyName: arn[lastSlash(arn)+1:], PolicyID: "ANPA" + token(arn, 17), Arn: arn, Path: "/",
			DefaultVersionID: "v1", AttachmentCount: 1, IsAttachable: true,
			PolicyVersionList: []policyVersion{{Document: url.QueryEscape(managed[arn]), VersionID: "v1", IsDefaultVersion: true, CreateDate: created}}})
	}
	return out, nil
}

// role is the role of the account named by the RoleName parameter, or
// IAM's NoSuchEntity.
func role(r *request) (Principal, error) {
	name := r.param("RoleName")
	if !roleNameArg.MatchString(name) {
		return Principal{}, validation("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	i := slices.IndexFunc(r.account().Principals, func(p Principal) bool { return p.Kind == "role" && p.Name == name })
	if i < 0 {
		return Principal{}, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r.account().Principals[i], nil
}

// iamGetRole answers a role by its name.
func iamGetRole(r *request) (any, error) {
	p, err := role(r)
	if err != nil {
		return nil, err
	}
	return roleOf(r.account(), p.Name, p.Trust, dateOr(Date{}, r.now, 400*24*time.Hour)), nil
}

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// iamGetRolePolicy answers one inline policy of a role, URL-encoded.
func iamGetRolePolicy(r *request) (any, error) {
	p, err := role(r)
	if err != nil {
		return nil, err
	}
	name := r.param("PolicyName")
	doc, ok := p.Policies[name]
	if !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	return getRolePolicyResult{RoleName: p.Name, PolicyName: name, PolicyDocument: url.QueryEscape(doc)}, nil
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// orgListDelegatedAdministrators answers the delegated administrators of
// the organization, of one service when ServicePrincipal is given.
func orgListDelegatedAdministrators(r *request) (any, error) {
	in, err := orgInput[struct {
		pageInput
		ServicePrincipal string `json:"ServicePrincipal,omitempty"`
	}](r, true)
	if err != nil {
		return nil, err
	}
	if r.sess.account != r.srv.w.mgmt {
		return nil, errf("AccessDeniedException", http.StatusBadRequest, "You don't have permissions to access this resource.")
	}
	var ids []string
	for svc, accts := range r.srv.w.org.DelegatedAdministrators {
		if in.ServicePrincipal == "" || in.ServicePrincipal == svc {
			ids = append(ids, accts...)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	w := r.srv.w
	delegated := dateOr(Date{}, r.now, 300*24*time.Hour)
	return orgList(r, in.pageInput, "DelegatedAdministrators", ids, func(id string) any {
		acct := w.orgAccount(w.accounts[id], r.now)
		return struct {
			orgAccount
			DelegationEnabledDate *epoch `json:"DelegationEnabledDate,omitempty"`
		}{acct, epochPtr(delegated, true)}
	})
}
