package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

type sessKind int

const (
	sessCaller sessKind = iota // the scenario's caller, fixed credentials
	sessRoot                   // sts:AssumeRoot: a member's root user under a task policy
	sessRole                   // sts:AssumeRole into a member account
)

// session is a set of credentials the server knows.
type session struct {
	kind       sessKind
	name       string // a named caller's Identity.Name
	akid       string
	secret     string
	token      string // empty for long-term credentials
	account    string
	arn        string
	userID     string
	taskPolicy string    // sessRoot only
	expires    time.Time // zero for long-term credentials
	issued     time.Time // when temporary credentials were issued
}

// Task policies of sts:AssumeRoot and the actions each allows.
const taskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/"

var taskPolicies = map[string][]string{
	"IAMAuditRootUserCredentials": {
		"iam:GetAccountSummary", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed",
		"iam:ListSigningCertificates", "iam:ListMFADevices", "iam:GetUser",
	},
	"IAMCreateRootUserPassword": {"iam:CreateLoginProfile", "iam:GetLoginProfile"},
	"IAMDeleteRootUserCredentials": {
		"iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteLoginProfile", "iam:DeactivateMFADevice",
		"iam:GetAccountSummary", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed",
		"iam:ListSigningCertificates", "iam:ListMFADevices", "iam:GetUser",
	},
	"S3UnlockBucketPolicy": {"s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:ListAllMyBuckets"},
	"SQSUnlockQueuePolicy": {"sqs:SetQueueAttributes", "sqs:GetQueueAttributes", "sqs:ListQueues"},
}

// needsRootSessions are the task policies gated by the RootSessions feature.
var needsRootSessions = set("S3UnlockBucketPolicy", "SQSUnlockQueuePolicy")

func (s *Server) authenticate(r *request, akid string) error {
	invalid := func() error {
		if r.svc.proto == protoQuery {
			return errf("InvalidClientTokenId", http.StatusForbidden, "The security token included in the request is invalid.")
		}
		return errf("UnrecognizedClientException", http.StatusForbidden, "The security token included in the request is invalid.")
	}
	s.mu.Lock()
	sess := s.sessions[akid]
	s.mu.Unlock()
	if sess == nil {
		return invalid()
	}
	if sess.token != "" && r.hr.Header.Get("X-Amz-Security-Token") != sess.token {
		return invalid()
	}
	if !sess.expires.IsZero() && !r.now.Before(sess.expires) {
		code := "ExpiredToken"
		if r.svc.proto != protoQuery {
			code = "ExpiredTokenException"
		}
		return errf(code, http.StatusBadRequest, "The security token included in the request is expired")
	}
	r.sess = sess
	return nil
}

// authorize enforces what a session may do beyond the operation's own
// checks: a root session may call only its task policy's actions.
func (s *Server) authorize(r *request) error {
	if r.sess.kind != sessRoot {
		return nil
	}
	action := r.action()
	if action == "sts:GetCallerIdentity" {
		return nil // needs no permission
	}
	if slices.Contains(taskPolicies[r.sess.taskPolicy], action) {
		return nil
	}
	return accessDenied(r, action, "")
}

// action is the IAM action of the call.
func (r *request) action() string {
	if r.spec != nil && r.spec.action != "" {
		return r.spec.action
	}
	return r.svc.name + ":" + r.op
}

// accessDenied is AWS's AccessDenied for an action, in the protocol's
// spelling.
func accessDenied(r *request, action, resource string) *apiError {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s", r.sess.arn, action)
	if resource != "" {
		msg += " on resource: " + resource
	}
	if r.sess.kind == sessRoot {
		msg += " because no session policy allows the " + action + " action"
	}
	if r.svc.proto == protoQuery || r.svc.name == "s3" {
		return errf("AccessDenied", http.StatusForbidden, "%s", msg)
	}
	return errf("AccessDeniedException", http.StatusForbidden, "%s", msg)
}

// issue creates temporary credentials.
func (s *Server) issue(sess *session) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.sessions)
	sess.akid = fmt.Sprintf("ASIASIM%013d", n)
	sess.secret = fmt.Sprintf("sim-secret-%029d", n)
	sess.token = fmt.Sprintf("sim-session-token-%d-%s", n, strings.Repeat("x", 32))
	s.sessions[sess.akid] = sess
	return sess
}

// callerUserID is the UserId sts:GetCallerIdentity reports for an ARN.
func callerUserID(arn string) string {
	acct := arnAccount(arn)
	res := arn[strings.LastIndex(arn, ":")+1:]
	switch {
	case res == "root":
		return acct
	case strings.HasPrefix(res, "assumed-role/"):
		parts := strings.Split(res, "/")
		return "AROASIM" + strings.ToUpper(fmt.Sprintf("%013x", hash32(acct+parts[1]))) + ":" + parts[len(parts)-1]
	case strings.HasPrefix(res, "user/"):
		return userID(acct, res[strings.LastIndex(res, "/")+1:])
	default:
		return "AROASIM" + strings.ToUpper(fmt.Sprintf("%013x", hash32(arn)))
	}
}
