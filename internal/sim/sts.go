package sim

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func stsService() *service {
	return &service{
		name:  "sts",
		proto: protoQuery,
		xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
		ops: map[string]*operation{
			"GetCallerIdentity": {handle: stsGetCallerIdentity},
			"AssumeRoot":        {handle: stsAssumeRoot, target: assumeRootTarget},
			"AssumeRole":        {handle: stsAssumeRole, target: func(r *request) string { return arnAccount(r.param("RoleArn")) }},
		},
	}
}

type callerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

func stsGetCallerIdentity(r *request) (any, error) {
	return callerIdentity{UserID: r.sess.userID, Account: r.sess.account, Arn: r.sess.arn}, nil
}

type stsCredentials struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	SessionToken    string    `xml:"SessionToken"`
	Expiration      time.Time `xml:"Expiration"`
}

type assumeRootResult struct {
	Credentials    stsCredentials `xml:"Credentials"`
	SourceIdentity string         `xml:"SourceIdentity,omitempty"`
}

func assumeRootTarget(r *request) string {
	t := r.param("TargetPrincipal")
	if a := arnAccount(t); a != "" {
		return a
	}
	return t
}

func validation(format string, a ...any) *apiError {
	return errf("ValidationError", http.StatusBadRequest, format, a...)
}

// duration reads DurationSeconds within [lo, hi], def when absent.
func duration(r *request, lo, hi, def int) (time.Duration, error) {
	v := r.param("DurationSeconds")
	if v == "" {
		return time.Duration(def) * time.Second, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validation("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be a number", v)
	}
	if n > hi {
		return 0, validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, hi)
	}
	if n < lo {
		return 0, validation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, lo)
	}
	return time.Duration(n) * time.Second, nil
}

func stsAssumeRoot(r *request) (any, error) {
	w := r.srv.w
	if r.region == "" || r.region == "aws-global" {
		return nil, errf("InvalidAction", http.StatusBadRequest, "AssumeRoot is not supported on the global STS endpoint; use a Regional endpoint")
	}
	tp := r.param("TargetPrincipal")
	if len(tp) < 12 || len(tp) > 2048 {
		return nil, validation("1 validation error detected: Value '%s' at 'targetPrincipal' failed to satisfy constraint: Member must have length between 12 and 2048", tp)
	}
	policyARN := r.param("TaskPolicyArn.arn")
	if policyARN == "" {
		return nil, validation("1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null")
	}
	dur, err := duration(r, 0, 900, 900)
	if err != nil {
		return nil, err
	}
	if dur == 0 {
		dur = 900 * time.Second
	}
	policy, ok := strings.CutPrefix(policyARN, taskPolicyPrefix)
	if _, known := taskPolicies[policy]; !ok || !known {
		return nil, validation("The task policy %s is not a supported root task policy", policyARN)
	}
	target := r.target
	resource := "arn:aws:iam::" + target + ":root"
	if r.sess.kind == sessRoot {
		return nil, accessDenied(r, "sts:AssumeRoot", resource)
	}
	if !w.isAdmin(r.sess.account, "iam.amazonaws.com") {
		return nil, accessDenied(r, "sts:AssumeRoot", resource)
	}
	a := w.accounts[target]
	if a == nil || !accountID.MatchString(target) {
		return nil, accessDenied(r, "sts:AssumeRoot", resource)
	}
	if target == w.mgmt {
		return nil, errf("AccessDenied", http.StatusForbidden, "User: %s is not authorized to perform: sts:AssumeRoot on resource: %s because the target is the management account", r.sess.arn, resource)
	}
	if !w.trusted("iam.amazonaws.com") || !w.hasFeature("RootCredentialsManagement") ||
		(needsRootSessions[policy] && !w.hasFeature("RootSessions")) {
		return nil, errf("AccessDenied", http.StatusForbidden, "User: %s is not authorized to perform: sts:AssumeRoot on resource: %s because centralized root access is not enabled for the organization", r.sess.arn, resource)
	}
	if st := w.state(a); st != "ACTIVE" {
		return nil, errf("AccessDenied", http.StatusForbidden, "User: %s is not authorized to perform: sts:AssumeRoot on resource: %s because the account is %s", r.sess.arn, resource, st)
	}
	sess := r.srv.issue(&session{
		kind:       sessRoot,
		account:    target,
		arn:        resource,
		userID:     target,
		taskPolicy: policy,
		expires:    r.now.Add(dur),
		issued:     r.now,
	})
	return assumeRootResult{Credentials: creds(sess)}, nil
}

func creds(s *session) stsCredentials {
	return stsCredentials{AccessKeyID: s.akid, SecretAccessKey: s.secret, SessionToken: s.token, Expiration: s.expires}
}

var roleARN = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
var sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials     stsCredentials  `xml:"Credentials"`
	AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
}

func stsAssumeRole(r *request) (any, error) {
	w := r.srv.w
	ra := r.param("RoleArn")
	m := roleARN.FindStringSubmatch(ra)
	if m == nil {
		return nil, validation("%s is invalid", ra)
	}
	name := r.param("RoleSessionName")
	if !sessionName.MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	dur, err := duration(r, 900, 43200, 3600)
	if err != nil {
		return nil, err
	}
	if dur > time.Hour {
		return nil, validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if r.sess.kind == sessRoot {
		return nil, accessDenied(r, "sts:AssumeRole", ra)
	}
	a := w.accounts[m[1]]
	if a == nil || a.AccessRoleDenied || !roleExists(w, a, m[2]) || (r.sess.account != w.mgmt && r.sess.account != a.ID) || w.state(a) != "ACTIVE" {
		return nil, accessDenied(r, "sts:AssumeRole", ra)
	}
	arn := "arn:aws:sts::" + a.ID + ":assumed-role/" + m[2] + "/" + name
	sess := r.srv.issue(&session{
		kind:    sessRole,
		account: a.ID,
		arn:     arn,
		userID:  callerUserID(arn),
		expires: r.now.Add(dur),
		issued:  r.now,
	})
	return assumeRoleResult{
		Credentials:     creds(sess),
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: sess.userID, Arn: arn},
	}, nil
}

func roleExists(w *world, a *account, name string) bool {
	roles := a.Roles
	if roles == nil && a.ID != w.mgmt && w.org != nil {
		roles = []string{w.accessRole()}
	}
	for _, r := range roles {
		if r == name {
			return true
		}
	}
	return false
}

// accessRole is the role the management account assumes in members.
func (w *world) accessRole() string {
	if w.org != nil && w.org.AccessRole != "" {
		return w.org.AccessRole
	}
	return "OrganizationAccountAccessRole"
}
