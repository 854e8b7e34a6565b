package sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Calls recorded as CloudTrail records (Options.TrailDir): each call served
// becomes one record in the account of the calling session, with the
// userIdentity CloudTrail writes for it (AssumedRole, IAMUser, or Root with
// sessionContext.assumedRoot for an sts:AssumeRoot session), its request
// parameters, the credentials AssumeRoot and AssumeRole hand out, and
// errorCode/errorMessage on a failure. Records are written as CloudTrail
// log files: gzip {"Records":[…]} under
// AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz.

// trailBatch is how many records are kept before they are written.
const trailBatch = 100

// trailRecorder buffers records and writes them as log files.
type trailRecorder struct {
	mu    sync.Mutex
	recs  []trailRecord
	files int
	err   error // the first write error, reported by FlushTrail
}

type trailRecord struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       trailIdentity  `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode,omitempty"`
	ErrorMessage       string         `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	EventCategory      string         `json:"eventCategory"`

	at time.Time
}

type trailIdentity struct {
	Type           string               `json:"type"`
	PrincipalID    string               `json:"principalId"`
	ARN            string               `json:"arn"`
	AccountID      string               `json:"accountId"`
	AccessKeyID    string               `json:"accessKeyId"`
	UserName       string               `json:"userName,omitempty"`
	SessionContext *trailSessionContext `json:"sessionContext,omitempty"`
}

type trailSessionContext struct {
	SessionIssuer *trailIssuer    `json:"sessionIssuer,omitempty"`
	Attributes    trailAttributes `json:"attributes"`
	AssumedRoot   string          `json:"assumedRoot,omitempty"`
}

type trailIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type trailAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// dataEvents are the operations CloudTrail logs as data events.
var dataEvents = set("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")

// recordTrail adds the call's record; a call no session made (its
// credentials unknown) is not recorded, as CloudTrail cannot name a caller.
func (s *Server) recordTrail(r *request, ae *apiError) {
	if r.sess == nil || r.svc == nil {
		return
	}
	rec := trailRecord{
		EventVersion:       "1.11",
		UserIdentity:       trailUserIdentity(r.sess),
		EventTime:          r.now.Format(time.RFC3339),
		EventSource:        r.svc.name + ".amazonaws.com",
		EventName:          r.op,
		AWSRegion:          r.region,
		SourceIPAddress:    sourceIP(r),
		UserAgent:          r.hr.UserAgent(),
		RequestParameters:  requestParameters(r),
		ResponseElements:   responseElements(r, ae),
		RequestID:          r.reqID,
		EventID:            uuidOf(r.reqID),
		ReadOnly:           r.spec == nil || !r.spec.write,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: r.sess.account,
		EventCategory:      "Management",
		at:                 r.now,
	}
	if dataEvents[r.svc.name+":"+r.op] {
		rec.ManagementEvent, rec.EventCategory = false, "Data"
	}
	if ae != nil {
		rec.ErrorCode, rec.ErrorMessage = ae.Code, ae.Message
	}
	t := &s.trail
	t.mu.Lock()
	t.recs = append(t.recs, rec)
	full := len(t.recs) >= trailBatch
	t.mu.Unlock()
	if full {
		s.FlushTrail() //nolint:errcheck // kept in t.err and reported by the next FlushTrail
	}
}

// FlushTrail writes the records kept so far (Options.TrailDir) and reports
// the first error any write met.
func (s *Server) FlushTrail() error {
	if s.opts.TrailDir == "" {
		return nil
	}
	t := &s.trail
	t.mu.Lock()
	defer t.mu.Unlock()
	recs := t.recs
	t.recs = nil
	type key struct{ acct, region, day string }
	groups := map[key][]trailRecord{}
	var keys []key
	for _, rec := range recs {
		k := key{rec.RecipientAccountID, rec.AWSRegion, rec.at.UTC().Format("2006/01/02")}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], rec)
	}
	for _, k := range keys {
		if err := s.writeTrailFile(k.acct, k.region, k.day, groups[k]); err != nil && t.err == nil {
			t.err = err
		}
	}
	return t.err
}

// writeTrailFile writes one log file; t.mu is held.
func (s *Server) writeTrailFile(acct, region, day string, recs []trailRecord) error {
	if region == "" {
		region = s.w.region
	}
	s.trail.files++
	first := recs[0].at.UTC()
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", acct, region, first.Format("20060102T1504Z"),
		// The first record's time (to the nanosecond) keeps another process's file of the same
		// minute (one rootguard command after another) from overwriting this one.
		strings.ToUpper(hexID(fmt.Sprintf("trail-file/%d/%d", first.UnixNano(), s.trail.files), 16)))
	dir := filepath.Join(s.opts.TrailDir, "AWSLogs", acct, "CloudTrail", region, filepath.FromSlash(day))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("record trail: %w", err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := json.NewEncoder(zw).Encode(struct {
		Records []trailRecord `json:"Records"`
	}{recs}); err != nil {
		return fmt.Errorf("record trail: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("record trail: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("record trail: %w", err)
	}
	return nil
}

// trailUserIdentity is the userIdentity block of a session's records.
func trailUserIdentity(sess *session) trailIdentity {
	id := trailIdentity{PrincipalID: sess.userID, ARN: sess.arn, AccountID: sess.account, AccessKeyID: sess.akid}
	created := sess.issued
	attrs := trailAttributes{MFAAuthenticated: "false"}
	if !created.IsZero() {
		attrs.CreationDate = created.UTC().Format(time.RFC3339)
	}
	res := sess.arn[strings.LastIndex(sess.arn, ":")+1:]
	switch {
	case sess.kind == sessRoot:
		id.Type = "Root"
		id.SessionContext = &trailSessionContext{Attributes: attrs, AssumedRoot: "true"}
	case res == "root":
		id.Type = "Root"
	case strings.HasPrefix(res, "assumed-role/"):
		parts := strings.Split(res, "/")
		role := parts[1]
		principal, _, _ := strings.Cut(sess.userID, ":")
		id.Type = "AssumedRole"
		id.SessionContext = &trailSessionContext{
			SessionIssuer: &trailIssuer{Type: "Role", PrincipalID: principal, ARN: "arn:aws:iam::" + sess.account + ":role/" + role,
				AccountID: sess.account, UserName: role},
			Attributes: attrs,
		}
	case strings.HasPrefix(res, "user/"):
		id.Type = "IAMUser"
		id.UserName = res[strings.LastIndex(res, "/")+1:]
	default:
		id.Type = "Unknown"
	}
	return id
}

func sourceIP(r *request) string {
	host, _, err := net.SplitHostPort(r.hr.RemoteAddr)
	if err != nil {
		return r.hr.RemoteAddr
	}
	return host
}

// uuidOf is a stable UUID-shaped ID.
func uuidOf(seed string) string {
	h := hexID("event/"+seed, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// requestParameters are the call's input as CloudTrail shows it: member
// names in lower camel case; secrets hidden.
func requestParameters(r *request) map[string]any {
	out := map[string]any{}
	switch {
	case r.form != nil:
		for k, v := range r.form {
			if k == "Action" || k == "Version" {
				continue
			}
			// Nested query members (TaskPolicyArn.arn) become objects.
			m := out
			parts := strings.Split(k, ".")
			for _, p := range parts[:len(parts)-1] {
				sub, ok := m[lowerFirst(p)].(map[string]any)
				if !ok {
					sub = map[string]any{}
					m[lowerFirst(p)] = sub
				}
				m = sub
			}
			m[lowerFirst(parts[len(parts)-1])] = v[0]
		}
	case r.svc.name == "s3":
		if b := r.labels["Bucket"]; b != "" {
			out["bucketName"] = b
			out["policy"] = ""
		}
		out["Host"] = r.hr.Host
	case len(r.body) > 0 && r.body[0] == '{':
		var v map[string]any
		if json.Unmarshal(r.body, &v) == nil {
			out = lowerKeys(v).(map[string]any)
		}
	}
	if len(out) == 0 {
		return nil
	}
	hideSecrets(out)
	return out
}

func lowerFirst(s string) string {
	rs := []rune(s)
	if len(rs) > 0 {
		rs[0] = unicode.ToLower(rs[0])
	}
	return string(rs)
}

func lowerKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[lowerFirst(k)] = lowerKeys(x)
		}
		return out
	case []any:
		for i := range v {
			v[i] = lowerKeys(v[i])
		}
	}
	return v
}

// hideSecrets replaces passwords and message bodies as CloudTrail does.
func hideSecrets(m map[string]any) {
	for k, v := range m {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "password") || strings.Contains(lk, "secret") || lk == "messagebody" {
			m[k] = "HIDDEN_DUE_TO_SECURITY_REASONS"
		} else if sub, ok := v.(map[string]any); ok {
			hideSecrets(sub)
		}
	}
}

// responseElements are the credentials STS handed out (the key a
// detector joins a session's later records on); null otherwise.
func responseElements(r *request, ae *apiError) map[string]any {
	if ae != nil {
		return nil
	}
	var c stsCredentials
	out := map[string]any{}
	switch v := r.out.(type) {
	case assumeRootResult:
		c = v.Credentials
	case assumeRoleResult:
		c = v.Credentials
		out["assumedRoleUser"] = map[string]string{"assumedRoleId": v.AssumedRoleUser.AssumedRoleID, "arn": v.AssumedRoleUser.Arn}
	default:
		return nil
	}
	out["credentials"] = map[string]string{
		"accessKeyId":  c.AccessKeyID,
		"sessionToken": c.SessionToken,
		"expiration":   c.Expiration.UTC().Format("Jan 2, 2006, 3:04:05 PM"),
	}
	return out
}
