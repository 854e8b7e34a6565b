package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// IAM writes: enabling centralized root access for the organization, and
// removing a principal's credentials. In an AssumeRoot session with the
// IAMDeleteRootUserCredentials task policy, and no UserName, the deletes
// act on the member's root user; the session's account summary and audit
// reads then show what is left. A deactivated virtual MFA device stays in
// the account, unassigned (the task policy has no DeleteVirtualMFADevice);
// hardware and FIDO devices leave the account's view. Roles are created
// with their trust policy and given inline policies, as rootguard's
// forwarding of another Region's root activity needs; they are served by
// GetAccountAuthorizationDetails.

// enableRootFeature turns on one centralized root access feature.
func enableRootFeature(feature string) func(*request) (any, error) {
	return func(r *request) (any, error) {
		w := r.srv.w
		switch {
		case w.org == nil:
			return nil, errf("OrganizationNotFoundException", http.StatusBadRequest, "The request failed because your account is not a member of an organization.")
		case w.org.FeatureSet == "CONSOLIDATED_BILLING":
			return nil, errf("OrganizationNotInAllFeaturesModeException", http.StatusBadRequest, "The request failed because your organization does not have all features enabled.")
		case r.sess.account != w.mgmt:
			return nil, errf("CallerIsNotManagementAccountException", http.StatusBadRequest, "The request was rejected because the account making the request is not the management account for the organization.")
		case !w.trusted("iam.amazonaws.com"):
			return nil, errf("ServiceAccessNotEnabledException", http.StatusBadRequest, "The request was rejected because trusted access is not enabled for IAM in AWS Organizations.")
		}
		if !slices.Contains(w.org.Features, feature) {
			w.org.Features = append(w.org.Features, feature)
		}
		return listOrganizationsFeaturesResult{OrganizationID: w.org.ID, EnabledFeatures: slices.Clone(w.org.Features)}, nil
	}
}

func noSuchEntity(format string, a ...any) *apiError {
	return errf("NoSuchEntity", http.StatusNotFound, format, a...)
}

func iamDeleteLoginProfile(r *request) (any, error) {
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	pw := p.password(a)
	if pw == nil {
		return nil, noSuchEntity("Login Profile for User %s cannot be found.", p.owner())
	}
	if p.root {
		// GetUser still says when the deleted password was last used.
		if t, ok := pw.LastUsed.At(r.now); ok {
			a.Root.PasswordLastUsed = At(t)
		}
		a.Root.Password = nil
	} else {
		p.user.Password = nil
	}
	return nil, nil
}

// keyList is the principal's access keys, for removal.
func (p principal) keyList(a *account) *[]AccessKey {
	if p.root {
		return &a.Root.AccessKeys
	}
	return &p.user.AccessKeys
}

func iamDeleteAccessKey(r *request) (any, error) {
	id := r.param("AccessKeyId")
	if len(id) < 16 || len(id) > 128 {
		return nil, validation("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", id)
	}
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	keys := p.keyList(a)
	// Derived IDs depend on a key's position: fix them before one goes.
	for i := range *keys {
		(*keys)[i].ID = keyID((*keys)[i], a.ID, p.owner(), i)
	}
	i := slices.IndexFunc(*keys, func(k AccessKey) bool { return k.ID == id })
	if i < 0 {
		return nil, noSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	*keys = slices.Delete(*keys, i, i+1)
	return nil, nil
}

func iamDeleteSigningCertificate(r *request) (any, error) {
	id := r.param("CertificateId")
	if len(id) < 24 || len(id) > 128 {
		return nil, validation("1 validation error detected: Value '%s' at 'certificateId' failed to satisfy constraint: Member must have length greater than or equal to 24", id)
	}
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	if !p.root {
		return nil, noSuchEntity("The Certificate with id %s cannot be found.", id)
	}
	certs := &a.Root.SigningCertificates
	for i := range *certs {
		(*certs)[i].ID = certID((*certs)[i], a.ID, i)
	}
	i := slices.IndexFunc(*certs, func(c Certificate) bool { return c.ID == id })
	if i < 0 {
		return nil, noSuchEntity("The Certificate with id %s cannot be found.", id)
	}
	*certs = slices.Delete(*certs, i, i+1)
	return nil, nil
}

func iamDeactivateMFADevice(r *request) (any, error) {
	sn := r.param("SerialNumber")
	if len(sn) < 9 || len(sn) > 256 {
		return nil, validation("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9", sn)
	}
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	devs := &a.Root.MFADevices
	if !p.root {
		devs = &p.user.MFADevices
	}
	i := slices.IndexFunc(*devs, func(d MFADevice) bool { return serial(d, a.ID, p.owner()) == sn })
	if i < 0 {
		return nil, noSuchEntity("MFA Device with serial number %s does not exist.", sn)
	}
	d := (*devs)[i]
	*devs = slices.Delete(*devs, i, i+1)
	if d.Type == "virtual" {
		name := d.Name
		if _, n, ok := strings.Cut(sn, ":mfa/"); ok {
			name = n
		}
		a.UnassignedVirtualMFA = append(a.UnassignedVirtualMFA, name)
	}
	return nil, nil
}

// roleNameArg is IAM's pattern for a role name.
var roleNameArg = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// roleResult is the answer of CreateRole and GetRole.
type roleResult struct {
	Role struct {
		Path                     string    `xml:"Path"`
		RoleName                 string    `xml:"RoleName"`
		RoleID                   string    `xml:"RoleId"`
		Arn                      string    `xml:"Arn"`
		CreateDate               time.Time `xml:"CreateDate"`
		AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument"`
		Description              string    `xml:"Description,omitempty"`
	} `xml:"Role"`
}

// iamCreateRole creates a role with its trust policy; one of that name
// already there is EntityAlreadyExists, as IAM answers.
func iamCreateRole(r *request) (any, error) {
	name, trust := r.param("RoleName"), r.param("AssumeRolePolicyDocument")
	if !roleNameArg.MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	if !json.Valid([]byte(trust)) {
		return nil, errf("MalformedPolicyDocument", http.StatusBadRequest, "This policy contains invalid Json")
	}
	a := r.account()
	if slices.ContainsFunc(a.Principals, func(p Principal) bool { return p.Kind == "role" && p.Name == name }) {
		return nil, errf("EntityAlreadyExists", http.StatusConflict, "Role with name %s already exists.", name)
	}
	a.Principals = append(a.Principals, Principal{Kind: "role", Name: name, Trust: trust})
	out := roleOf(a, name, trust, r.now)
	out.Role.Description = r.param("Description")
	return out, nil
}

// roleOf is the answer describing role name of account a, its trust
// policy URL-encoded as IAM sends it.
func roleOf(a *account, name, trust string, created time.Time) roleResult {
	var out roleResult
	out.Role.Path, out.Role.RoleName, out.Role.RoleID = "/", name, "AROA"+token(a.ID+"/role/"+name, 17)
	out.Role.Arn, out.Role.CreateDate = "arn:aws:iam::"+a.ID+":role/"+name, created
	out.Role.AssumeRolePolicyDocument = url.QueryEscape(trust)
	return out
}

// iamPutRolePolicy sets (or replaces) an inline policy of a role.
func iamPutRolePolicy(r *request) (any, error) {
	name, pol, doc := r.param("RoleName"), r.param("PolicyName"), r.param("PolicyDocument")
	if !roleNameArg.MatchString(name) || !roleNameArg.MatchString(pol) {
		return nil, validation("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", pol)
	}
	if !json.Valid([]byte(doc)) {
		return nil, errf("MalformedPolicyDocument", http.StatusBadRequest, "This policy contains invalid Json")
	}
	a := r.account()
	i := slices.IndexFunc(a.Principals, func(p Principal) bool { return p.Kind == "role" && p.Name == name })
	if i < 0 {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	if a.Principals[i].Policies == nil {
		a.Principals[i].Policies = map[string]string{}
	}
	a.Principals[i].Policies[pol] = doc
	return nil, nil
}
