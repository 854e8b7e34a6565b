package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func iamService() *service {
	return &service{
		name:  "iam",
		proto: protoQuery,
		xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
		ops: map[string]*operation{
			"GetAccountSummary":              {handle: iamGetAccountSummary},
			"GenerateCredentialReport":       {handle: iamGenerateCredentialReport},
			"GetCredentialReport":            {handle: iamGetCredentialReport},
			"ListVirtualMFADevices":          {handle: iamListVirtualMFADevices},
			"ListMFADevices":                 {handle: iamListMFADevices},
			"GetLoginProfile":                {handle: iamGetLoginProfile},
			"ListAccessKeys":                 {handle: iamListAccessKeys},
			"GetAccessKeyLastUsed":           {handle: iamGetAccessKeyLastUsed},
			"ListSigningCertificates":        {handle: iamListSigningCertificates},
			"GetUser":                        {handle: iamGetUser},
			"ListOrganizationsFeatures":      {handle: iamListOrganizationsFeatures},
			"GetAccountAuthorizationDetails": {handle: iamGetAccountAuthorizationDetails},
			"GetRole":                        {handle: iamGetRole},
			"GetRolePolicy":                  {handle: iamGetRolePolicy},

			// Writes (iam_write.go).
			"EnableOrganizationsRootCredentialsManagement": {write: true, handle: enableRootFeature("RootCredentialsManagement")},
			"EnableOrganizationsRootSessions":              {write: true, handle: enableRootFeature("RootSessions")},
			"DeleteLoginProfile":                           {write: true, handle: iamDeleteLoginProfile},
			"DeleteAccessKey":                              {write: true, handle: iamDeleteAccessKey},
			"DeleteSigningCertificate":                     {write: true, handle: iamDeleteSigningCertificate},
			"DeactivateMFADevice":                          {write: true, handle: iamDeactivateMFADevice},
			"CreateRole":                                   {write: true, handle: iamCreateRole},
			"PutRolePolicy":                                {write: true, handle: iamPutRolePolicy},
		},
	}
}

// account is the account the call acts on: the session's, or the target
// an operation's target function names (Account Management, AssumeRoot,
// AssumeRole).
func (r *request) account() *account { return r.srv.w.accounts[r.target] }

// principal is the IAM identity a user-scoped operation acts on: the root
// user (user == nil) or an IAM user.
type principal struct {
	root bool
	user *User
}

func (p principal) name() string {
	if p.root {
		return ""
	}
	return p.user.Name
}

// subject resolves the optional UserName parameter the way IAM does.
func subject(r *request) (principal, error) {
	a := r.account()
	name := r.param("UserName")
	if name == "" {
		switch {
		case r.sess.kind == sessRoot || strings.HasSuffix(r.sess.arn, ":root"):
			return principal{root: true}, nil
		case strings.Contains(r.sess.arn, ":user/"):
			name = r.sess.arn[strings.LastIndex(r.sess.arn, "/")+1:]
		default:
			return principal{}, validation("Must specify userName when calling with non-User credentials")
		}
	} else if r.sess.kind == sessRoot {
		return principal{}, accessDenied(r, "iam:"+r.op, userARN(a.ID, name))
	}
	for i := range a.Users {
		if a.Users[i].Name == name {
			return principal{user: &a.Users[i]}, nil
		}
	}
	return principal{}, noSuchEntity("The user with name %s cannot be found.", name)
}

func (p principal) keys(a *account) []AccessKey {
	if p.root {
		return a.Root.AccessKeys
	}
	return p.user.AccessKeys
}

func (p principal) mfa(a *account) []MFADevice {
	if p.root {
		return a.Root.MFADevices
	}
	return p.user.MFADevices
}

func (p principal) password(a *account) *Password {
	if p.root {
		return a.Root.Password
	}
	return p.user.Password
}

func (p principal) owner() string {
	if p.root {
		return "root"
	}
	return p.user.Name
}

// iamPage reads Marker and MaxItems (1 to 1000, default 100).
func iamPage[T any](r *request, items []T) ([]T, string, error) {
	max := 100
	if v := r.param("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, "", validation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		max = n
	}
	out, next, err := page(items, r.param("Marker"), max, 1000)
	if err != nil {
		return nil, "", validation("Invalid Marker")
	}
	return out, next, nil
}

type entry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type accountSummaryResult struct {
	SummaryMap []entry `xml:"SummaryMap>entry"`
}

func iamGetAccountSummary(r *request) (any, error) {
	a := r.account()
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	inUse := len(a.Root.MFADevices)
	for _, u := range a.Users {
		inUse += len(u.MFADevices)
	}
	roles := len(a.Roles)
	if a.Roles == nil && a.ID != r.srv.w.mgmt && r.srv.w.org != nil {
		roles = 1
	}
	m := []entry{
		{"AccessKeysPerUserQuota", 2},
		{"AccountAccessKeysPresent", b2i(len(a.Root.AccessKeys) > 0)},
		{"AccountMFAEnabled", b2i(len(a.Root.MFADevices) > 0)},
		{"AccountPasswordPresent", b2i(a.Root.Password != nil)},
		{"AccountSigningCertificatesPresent", b2i(len(a.Root.SigningCertificates) > 0)},
		{"AssumeRolePolicySizeQuota", 2048},
		{"AttachedPoliciesPerGroupQuota", 10},
		{"AttachedPoliciesPerRoleQuota", 10},
		{"AttachedPoliciesPerUserQuota", 10},
		{"GlobalEndpointTokenVersion", 1},
		{"GroupPolicySizeQuota", 5120},
		{"Groups", 0},
		{"GroupsPerUserQuota", 10},
		{"GroupsQuota", 300},
		{"InstanceProfiles", 0},
		{"InstanceProfilesQuota", 1000},
		{"MFADevices", inUse + len(a.UnassignedVirtualMFA)},
		{"MFADevicesInUse", inUse},
		{"Policies", 0},
		{"PoliciesQuota", 1500},
		{"PolicySizeQuota", 6144},
		{"PolicyVersionsInUse", 0},
		{"PolicyVersionsInUseQuota", 10000},
		{"Providers", 0},
		{"RolePolicySizeQuota", 10240},
		{"Roles", roles},
		{"RolesQuota", 1000},
		{"ServerCertificates", 0},
		{"ServerCertificatesQuota", 20},
		{"SigningCertificatesPerUserQuota", 2},
		{"UserPolicySizeQuota", 2048},
		{"Users", len(a.Users)},
		{"UsersQuota", 5000},
		{"VersionsPerPolicyQuota", 5},
	}
	return accountSummaryResult{SummaryMap: m}, nil
}

// report is the credential report state of one account.
type report struct {
	requested time.Time
	complete  bool
}

type generateReportResult struct {
	State       string `xml:"State"`
	Description string `xml:"Description"`
}

func iamGenerateCredentialReport(r *request) (any, error) {
	s := r.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := s.reports[r.target]
	switch {
	case rep == nil:
		s.reports[r.target] = &report{requested: r.now}
		return generateReportResult{State: "STARTED", Description: "No report exists. Starting a new report generation task"}, nil
	default:
		rep.complete = true
		return generateReportResult{State: "COMPLETE"}, nil
	}
}

type credentialReportResult struct {
	Content       string    `xml:"Content"`
	ReportFormat  string    `xml:"ReportFormat"`
	GeneratedTime time.Time `xml:"GeneratedTime"`
}

func iamGetCredentialReport(r *request) (any, error) {
	s := r.srv
	s.mu.Lock()
	rep := s.reports[r.target]
	var done bool
	var at time.Time
	if rep != nil {
		done, at = rep.complete, rep.requested
		rep.complete = true // a report in progress is ready on the next call
	}
	s.mu.Unlock()
	switch {
	case rep == nil:
		return nil, errf("ReportNotPresent", http.StatusGone, "Credential report not present. Generate a report with GenerateCredentialReport.")
	case !done:
		return nil, errf("ReportInProgress", http.StatusNotFound, "Credential report is being generated.")
	}
	content := credentialReport(r.account(), r.now)
	return credentialReportResult{
		Content:       base64.StdEncoding.EncodeToString(content),
		ReportFormat:  "text/csv",
		GeneratedTime: at,
	}, nil
}

// ReportColumns are the credential report's columns, in AWS's order.
var ReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
	"access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
	"cert_2_active", "cert_2_last_rotated",
}

func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// credentialReport renders the CSV as AWS writes it.
func credentialReport(a *account, now time.Time) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(ReportColumns)

	iso := func(d Date, none string) string {
		if t, ok := d.At(now); ok {
			return isoDate(t)
		}
		return none
	}
	keyCols := func(keys []AccessKey) []string {
		var out []string
		for i := range 2 {
			if i >= len(keys) {
				out = append(out, "false", "N/A", "N/A", "N/A", "N/A")
				continue
			}
			k := keys[i]
			used, region, svc := "N/A", "N/A", "N/A"
			if k.LastUsed != nil {
				used = iso(k.LastUsed.Date, "N/A")
				region, svc = orNA(k.LastUsed.Region), orNA(k.LastUsed.Service)
			}
			out = append(out, strconv.FormatBool(status(k.Status) == "Active"), isoDate(dateOr(k.Created, now, 400*24*time.Hour)), used, region, svc)
		}
		return out
	}
	certCols := func(certs []Certificate) []string {
		var out []string
		for i := range 2 {
			if i >= len(certs) {
				out = append(out, "false", "N/A")
				continue
			}
			out = append(out, strconv.FormatBool(status(certs[i].Status) == "Active"), isoDate(dateOr(certs[i].Uploaded, now, 400*24*time.Hour)))
		}
		return out
	}

	// The root row's password_enabled and password_last_changed are
	// "not_supported" in older reports; a scenario that sets the root
	// password's last_changed gets the newer form: true and the date.
	pwEnabled, pwUsed, pwChanged := "not_supported", "N/A", "not_supported"
	if p := a.Root.Password; p != nil {
		pwUsed = iso(p.LastUsed, "no_information")
		if t, ok := p.LastChanged.At(now); ok {
			pwEnabled, pwChanged = "true", isoDate(t)
		}
	}
	row := []string{"<root_account>", rootARN(a.ID), isoDate(rootCreated(a, now)),
		pwEnabled, pwUsed, pwChanged, "not_supported",
		strconv.FormatBool(len(a.Root.MFADevices) > 0)}
	row = append(row, keyCols(a.Root.AccessKeys)...)
	row = append(row, certCols(a.Root.SigningCertificates)...)
	w.Write(row)

	for _, u := range a.Users {
		enabled, used, changed := "false", "N/A", "N/A"
		if p := u.Password; p != nil {
			enabled = "true"
			used = iso(p.LastUsed, "no_information")
			changed = iso(p.LastChanged, isoDate(dateOr(p.Created, now, 200*24*time.Hour)))
		}
		row := []string{u.Name, userARN(a.ID, u.Name), isoDate(dateOr(u.Created, now, 500*24*time.Hour)),
			enabled, used, changed, "N/A", strconv.FormatBool(len(u.MFADevices) > 0)}
		row = append(row, keyCols(u.AccessKeys)...)
		row = append(row, certCols(nil)...)
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

func orNA(s string) string {
	if s == "" {
		return "N/A"
	}
	return s
}

type iamUser struct {
	Path             string     `xml:"Path,omitempty"`
	UserName         string     `xml:"UserName,omitempty"`
	UserID           string     `xml:"UserId"`
	Arn              string     `xml:"Arn"`
	CreateDate       time.Time  `xml:"CreateDate"`
	PasswordLastUsed *time.Time `xml:"PasswordLastUsed,omitempty"`
}

func rootUser(a *account, now time.Time) iamUser {
	u := iamUser{UserID: a.ID, Arn: rootARN(a.ID), CreateDate: rootCreated(a, now)}
	if p := a.Root.Password; p != nil {
		u.PasswordLastUsed = timePtr(p.LastUsed.At(now))
	} else {
		// "If the user does not currently have a password but had one
		// in the past, then this field contains the date and time the
		// most recent password was used."
		u.PasswordLastUsed = timePtr(a.Root.PasswordLastUsed.At(now))
	}
	return u
}

func userOf(a *account, u *User, now time.Time) iamUser {
	out := iamUser{
		Path: "/", UserName: u.Name, UserID: userID(a.ID, u.Name), Arn: userARN(a.ID, u.Name),
		CreateDate: dateOr(u.Created, now, 500*24*time.Hour),
	}
	if p := u.Password; p != nil {
		out.PasswordLastUsed = timePtr(p.LastUsed.At(now))
	}
	return out
}

type virtualMFADevice struct {
	SerialNumber string     `xml:"SerialNumber"`
	User         *iamUser   `xml:"User,omitempty"`
	EnableDate   *time.Time `xml:"EnableDate,omitempty"`
}

type listVirtualMFADevicesResult struct {
	VirtualMFADevices []virtualMFADevice `xml:"VirtualMFADevices>member"`
	IsTruncated       bool               `xml:"IsTruncated"`
	Marker            string             `xml:"Marker,omitempty"`
}

func iamListVirtualMFADevices(r *request) (any, error) {
	a := r.account()
	status := r.param("AssignmentStatus")
	switch status {
	case "", "Any", "Assigned", "Unassigned":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]", status)
	}
	var all []virtualMFADevice
	if status != "Unassigned" {
		ru := rootUser(a, r.now)
		for _, d := range a.Root.MFADevices {
			if d.Type == "virtual" {
				all = append(all, virtualMFADevice{SerialNumber: serial(d, a.ID, "root"), User: &ru, EnableDate: timePtr(d.Enabled.At(r.now))})
			}
		}
		for i := range a.Users {
			u := userOf(a, &a.Users[i], r.now)
			for _, d := range a.Users[i].MFADevices {
				if d.Type == "virtual" {
					all = append(all, virtualMFADevice{SerialNumber: serial(d, a.ID, u.UserName), User: &u, EnableDate: timePtr(d.Enabled.At(r.now))})
				}
			}
		}
	}
	if status == "Unassigned" || status == "Any" || status == "" {
		for _, n := range a.UnassignedVirtualMFA {
			all = append(all, virtualMFADevice{SerialNumber: "arn:aws:iam::" + a.ID + ":mfa/" + n})
		}
	}
	out, next, err := iamPage(r, all)
	if err != nil {
		return nil, err
	}
	return listVirtualMFADevicesResult{VirtualMFADevices: out, IsTruncated: next != "", Marker: next}, nil
}

type mfaDevice struct {
	UserName     string    `xml:"UserName,omitempty"`
	SerialNumber string    `xml:"SerialNumber"`
	EnableDate   time.Time `xml:"EnableDate"`
}

type listMFADevicesResult struct {
	MFADevices  []mfaDevice `xml:"MFADevices>member"`
	IsTruncated bool        `xml:"IsTruncated"`
	Marker      string      `xml:"Marker,omitempty"`
}

func iamListMFADevices(r *request) (any, error) {
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	var all []mfaDevice
	for _, d := range p.mfa(a) {
		all = append(all, mfaDevice{UserName: p.name(), SerialNumber: serial(d, a.ID, p.owner()), EnableDate: dateOr(d.Enabled, r.now, 365*24*time.Hour)})
	}
	out, next, err := iamPage(r, all)
	if err != nil {
		return nil, err
	}
	return listMFADevicesResult{MFADevices: out, IsTruncated: next != "", Marker: next}, nil
}

type loginProfile struct {
	UserName              string    `xml:"UserName,omitempty"`
	CreateDate            time.Time `xml:"CreateDate"`
	PasswordResetRequired bool      `xml:"PasswordResetRequired"`
}

type getLoginProfileResult struct {
	LoginProfile loginProfile `xml:"LoginProfile"`
}

func iamGetLoginProfile(r *request) (any, error) {
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	pw := p.password(a)
	if pw == nil {
		return nil, noSuchEntity("Login Profile for User %s cannot be found.", p.owner())
	}
	return getLoginProfileResult{LoginProfile: loginProfile{UserName: p.name(), CreateDate: dateOr(pw.Created, r.now, 400*24*time.Hour)}}, nil
}

type accessKeyMetadata struct {
	UserName    string    `xml:"UserName,omitempty"`
	AccessKeyID string    `xml:"AccessKeyId"`
	Status      string    `xml:"Status"`
	CreateDate  time.Time `xml:"CreateDate"`
}

type listAccessKeysResult struct {
	AccessKeyMetadata []accessKeyMetadata `xml:"AccessKeyMetadata>member"`
	IsTruncated       bool                `xml:"IsTruncated"`
	Marker            string              `xml:"Marker,omitempty"`
}

func iamListAccessKeys(r *request) (any, error) {
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	var all []accessKeyMetadata
	for i, k := range p.keys(a) {
		all = append(all, accessKeyMetadata{
			UserName: p.name(), AccessKeyID: keyID(k, a.ID, p.owner(), i), Status: status(k.Status),
			CreateDate: dateOr(k.Created, r.now, 400*24*time.Hour),
		})
	}
	out, next, err := iamPage(r, all)
	if err != nil {
		return nil, err
	}
	return listAccessKeysResult{AccessKeyMetadata: out, IsTruncated: next != "", Marker: next}, nil
}

type accessKeyLastUsed struct {
	LastUsedDate *time.Time `xml:"LastUsedDate,omitempty"`
	ServiceName  string     `xml:"ServiceName"`
	Region       string     `xml:"Region"`
}

type getAccessKeyLastUsedResult struct {
	UserName          string            `xml:"UserName,omitempty"`
	AccessKeyLastUsed accessKeyLastUsed `xml:"AccessKeyLastUsed"`
}

func iamGetAccessKeyLastUsed(r *request) (any, error) {
	a := r.account()
	id := r.param("AccessKeyId")
	if len(id) < 16 {
		return nil, validation("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", id)
	}
	owners := []principal{{root: true}}
	for i := range a.Users {
		owners = append(owners, principal{user: &a.Users[i]})
	}
	for _, p := range owners {
		for i, k := range p.keys(a) {
			if keyID(k, a.ID, p.owner(), i) != id {
				continue
			}
			if r.sess.kind == sessRoot && !p.root {
				return nil, accessDenied(r, "iam:GetAccessKeyLastUsed", userARN(a.ID, p.name()))
			}
			lu := accessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
			if k.LastUsed != nil {
				lu.LastUsedDate = timePtr(k.LastUsed.Date.At(r.now))
				lu.ServiceName, lu.Region = orNA(k.LastUsed.Service), orNA(k.LastUsed.Region)
			}
			return getAccessKeyLastUsedResult{UserName: p.name(), AccessKeyLastUsed: lu}, nil
		}
	}
	return nil, accessDenied(r, "iam:GetAccessKeyLastUsed", "access key "+id)
}

type signingCertificate struct {
	UserName        string    `xml:"UserName,omitempty"`
	CertificateID   string    `xml:"CertificateId"`
	CertificateBody string    `xml:"CertificateBody"`
	Status          string    `xml:"Status"`
	UploadDate      time.Time `xml:"UploadDate"`
}

type listSigningCertificatesResult struct {
	Certificates []signingCertificate `xml:"Certificates>member"`
	IsTruncated  bool                 `xml:"IsTruncated"`
	Marker       string               `xml:"Marker,omitempty"`
}

const fakeCertificate = "-----BEGIN CERTIFICATE-----\nTUlJQ1NJTVVMQVRPUi1ST09UR1VBUkQtRkFLRS1DRVJUSUZJQ0FURQ==\n-----END CERTIFICATE-----\n"

func iamListSigningCertificates(r *request) (any, error) {
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	var all []signingCertificate
	if p.root {
		for i, c := range a.Root.SigningCertificates {
			all = append(all, signingCertificate{
				CertificateID: certID(c, a.ID, i), CertificateBody: fakeCertificate, Status: status(c.Status),
				UploadDate: dateOr(c.Uploaded, r.now, 400*24*time.Hour),
			})
		}
	}
	out, next, err := iamPage(r, all)
	if err != nil {
		return nil, err
	}
	return listSigningCertificatesResult{Certificates: out, IsTruncated: next != "", Marker: next}, nil
}

type getUserResult struct {
	User iamUser `xml:"User"`
}

func iamGetUser(r *request) (any, error) {
	p, err := subject(r)
	if err != nil {
		return nil, err
	}
	a := r.account()
	if p.root {
		return getUserResult{User: rootUser(a, r.now)}, nil
	}
	return getUserResult{User: userOf(a, p.user, r.now)}, nil
}

type listOrganizationsFeaturesResult struct {
	OrganizationID  string   `xml:"OrganizationId"`
	EnabledFeatures []string `xml:"EnabledFeatures>member"`
}

func iamListOrganizationsFeatures(r *request) (any, error) {
	w := r.srv.w
	switch {
	case w.org == nil:
		return nil, errf("OrganizationNotFoundException", http.StatusBadRequest, "The request failed because your account is not a member of an organization.")
	case !w.isAdmin(r.sess.account, "iam.amazonaws.com"):
		return nil, errf("AccountNotManagementOrDelegatedAdministratorException", http.StatusBadRequest, "The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	case !w.trusted("iam.amazonaws.com"):
		return nil, errf("ServiceAccessNotEnabledException", http.StatusBadRequest, "The request was rejected because trusted access is not enabled for IAM in AWS Organizations.")
	}
	return listOrganizationsFeaturesResult{OrganizationID: w.org.ID, EnabledFeatures: append([]string{}, w.org.Features...)}, nil
}
