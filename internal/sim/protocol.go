package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// service is one AWS service in the operation table.
type service struct {
	name  string // SigV4 signing name, also the Call.Service value
	proto protocol
	// xmlns is the query protocol's response namespace.
	xmlns string
	// target is the JSON protocol's X-Amz-Target prefix; altTargets are
	// other spellings the service accepts (a namespaced form).
	target     string
	altTargets []string
	// routes bind methods and paths to operations (REST protocols with
	// HTTP bindings).
	routes []route
	ops    map[string]*operation
}

// operation is one API operation.
type operation struct {
	// write marks operations that change state; they are refused unless
	// Options.Writable.
	write bool
	// unlocked operations take their own hold on the world (a long poll
	// must not keep writes waiting).
	unlocked bool
	// action is the IAM action when it is not service:Operation (S3's
	// ListBuckets is s3:ListAllMyBuckets).
	action string
	// target returns the account the call acts on when that is not the
	// session's account (empty keeps the session's account).
	target func(r *request) string
	handle func(r *request) (any, error)
}

// services is the operation table: one entry per SigV4 signing name. Each
// service lives in its own file and contributes its table here.
var services = map[string]*service{
	"iam":            iamService(),
	"sts":            stsService(),
	"organizations":  organizationsService(),
	"account":        accountService(),
	"cloudtrail":     cloudtrailService(),
	"logs":           logsService(),
	"events":         eventsService(),
	"route53domains": route53DomainsService(),
	"workmail":       workmailService(),
	"sns":            snsService(),
	"ses":            sesService(),
	"athena":         athenaService(),
	"guardduty":      guardDutyService(),
	"route53":        route53Service(),
	"monitoring":     cloudwatchService(),
	"securityhub":    securityHubService(),
	"s3":             s3Service(),
	"sqs":            sqsService(),
	"kms":            kmsService(),
}

func (svc *service) parse(r *request) error { return svc.proto.parse(svc, r) }

// apiError is an AWS error answer.
type apiError struct {
	Code    string
	Message string
	Status  int
	// Fields are extra members of a JSON error body, such as the Reason of
	// an Organizations ConstraintViolationException.
	Fields map[string]string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// errf builds an apiError; status 0 picks the code's usual status.
func errf(code string, status int, format string, a ...any) *apiError {
	if status == 0 {
		status = defaultStatus(code)
	}
	return &apiError{Code: code, Message: fmt.Sprintf(format, a...), Status: status}
}

// defaultStatus is the HTTP status AWS uses for a code (from the service
// models where they say; 400 otherwise).
func defaultStatus(code string) int {
	switch code {
	case "AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "UnrecognizedClientException",
		"MissingAuthenticationToken", "SignatureDoesNotMatch", "RegionDisabledException":
		return http.StatusForbidden
	case "NoSuchEntity", "ReportInProgress", "ResourceNotFoundException":
		return http.StatusNotFound
	case "ReportNotPresent", "ReportExpired":
		return http.StatusGone
	case "LimitExceeded", "ConflictException":
		return http.StatusConflict
	case "TooManyRequestsException":
		return http.StatusTooManyRequests
	case "ServiceFailure", "InternalFailure", "InternalServerException", "ServiceException":
		return http.StatusInternalServerError
	case "ServiceUnavailable", "ServiceUnavailableException":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// protocol reads a request's operation and parameters and writes answers.
type protocol interface {
	parse(svc *service, r *request) error
	writeResult(w http.ResponseWriter, r *request, out any)
	writeError(w http.ResponseWriter, r *request, e *apiError)
}

var (
	protoQuery protocol = queryProtocol{}
	protoJSON  protocol = jsonProtocol{}
	protoREST  protocol = restJSONProtocol{}
)

// queryProtocol is awsQuery: a form body with Action and Version, answered
// with <ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>.
type queryProtocol struct{}

func (queryProtocol) parse(_ *service, r *request) error {
	form, err := url.ParseQuery(string(r.body))
	if err != nil {
		return errf("MalformedQueryString", http.StatusBadRequest, "request body is not a form: %v", err)
	}
	r.form = form
	r.op = form.Get("Action")
	if r.op == "" {
		return errf("MissingAction", http.StatusBadRequest, "Missing Action")
	}
	return nil
}

func (queryProtocol) writeResult(w http.ResponseWriter, r *request, out any) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<%sResponse xmlns=%q>", r.op, r.svc.xmlns)
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{Name: xml.Name{Local: r.op + "Result"}}
	if out == nil {
		out = struct{}{}
	}
	if err := enc.EncodeElement(out, start); err != nil {
		queryProtocol{}.writeError(w, r, errf("InternalFailure", 0, "encode %s result: %v", r.op, err))
		return
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", r.reqID, r.op)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

func (queryProtocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	ns := ""
	if r.svc != nil {
		ns = r.svc.xmlns
	}
	fmt.Fprintf(&b, "<ErrorResponse xmlns=%q><Error><Type>%s</Type><Code>", ns, typ)
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", r.reqID)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.Status)
	w.Write(b.Bytes())
}

// jsonProtocol is awsJson1_1: the operation in X-Amz-Target, a JSON body.
type jsonProtocol struct{}

func (jsonProtocol) parse(svc *service, r *request) error {
	t := r.hr.Header.Get("X-Amz-Target")
	// The prefix may itself hold dots (CloudTrail's does): the operation
	// is what follows the last one.
	i := strings.LastIndexByte(t, '.')
	if i < 0 || (t[:i] != svc.target && !slices.Contains(svc.altTargets, t[:i])) {
		return errf("UnknownOperationException", http.StatusBadRequest, "X-Amz-Target %q is not an operation of %s", t, svc.name)
	}
	r.op = t[i+1:]
	if len(bytes.TrimSpace(r.body)) == 0 {
		r.body = []byte("{}")
	}
	return nil
}

func (jsonProtocol) writeResult(w http.ResponseWriter, r *request, out any) {
	writeJSON(w, "application/x-amz-json-1.1", http.StatusOK, out)
}

func (jsonProtocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	body := map[string]string{"__type": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	writeJSON(w, "application/x-amz-json-1.1", e.Status, body)
}

// restJSONProtocol is restJson1 as the Account Management API uses it:
// POST /operationName with a JSON body; errors named by X-Amzn-ErrorType.
type restJSONProtocol struct{}

func (restJSONProtocol) parse(_ *service, r *request) error {
	p := strings.TrimPrefix(r.hr.URL.Path, "/")
	if r.hr.Method != http.MethodPost || p == "" || strings.Contains(p, "/") {
		return errf("UnknownOperationException", http.StatusNotFound, "no operation at %s %s", r.hr.Method, r.hr.URL.Path)
	}
	rs := []rune(p)
	rs[0] = unicode.ToUpper(rs[0])
	r.op = string(rs)
	if len(bytes.TrimSpace(r.body)) == 0 {
		r.body = []byte("{}")
	}
	return nil
}

func (restJSONProtocol) writeResult(w http.ResponseWriter, r *request, out any) {
	writeJSON(w, "application/json", http.StatusOK, out)
}

func (restJSONProtocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	writeJSON(w, "application/json", e.Status, map[string]string{"message": e.Message})
}

func writeJSON(w http.ResponseWriter, contentType string, status int, v any) {
	if v == nil {
		v = struct{}{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"__type": "InternalFailure", "message": err.Error()})
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// decode reads a JSON request body strictly into v.
func (r *request) decode(v any) error {
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		code := "ValidationException"
		if r.svc.name == "organizations" {
			code = "InvalidInputException"
		}
		return errf(code, http.StatusBadRequest, "request body for %s: %v", r.op, err)
	}
	return nil
}

// epoch is a timestamp in the JSON protocols' epoch-seconds format.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
}

func epochPtr(t time.Time, ok bool) *epoch {
	if !ok {
		return nil
	}
	e := epoch(t)
	return &e
}

// page is a slice window from an opaque marker; it answers the next marker.
func page[T any](items []T, marker string, max, limit int) (out []T, next string, err error) {
	start := 0
	if marker != "" {
		n, perr := strconv.Atoi(strings.TrimPrefix(marker, "sim-page-"))
		if perr != nil || !strings.HasPrefix(marker, "sim-page-") || n < 0 || n > len(items) {
			return nil, "", fmt.Errorf("invalid pagination token %q", marker)
		}
		start = n
	}
	if max <= 0 || max > limit {
		max = limit
	}
	end := min(start+max, len(items))
	if end < len(items) {
		next = "sim-page-" + strconv.Itoa(end)
	}
	return items[start:end], next, nil
}
