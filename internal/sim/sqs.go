package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// SQS (awsJson1_0, X-Amz-Target AmazonSQS.*): ListQueues, GetQueueUrl and
// the queue attributes of the caller's queues in the call's Region. A
// queue URL is the endpoint's own address, then /ACCOUNT/NAME. Errors carry
// the x-amzn-query-error header the SDK reads the error code from, as SQS
// writes it for clients of its former query protocol.

func sqsService() *service {
	return &service{
		name:   "sqs",
		proto:  sqsProtocol{},
		target: "AmazonSQS",
		ops: map[string]*operation{
			"ListQueues":         {handle: sqsListQueues},
			"GetQueueUrl":        {handle: sqsGetQueueURL, target: func(r *request) string { return jsonField(r, "QueueOwnerAWSAccountId") }},
			"GetQueueAttributes": {handle: sqsGetQueueAttributes, target: queueTarget},
			"SetQueueAttributes": {write: true, handle: sqsSetQueueAttributes, target: queueTarget},

			// Messages (sqs_messages.go): the endpoint's runtime state,
			// served without a hold on the world.
			"SendMessage":             {handle: sqsSendMessage, target: queueTarget, unlocked: true},
			"ReceiveMessage":          {handle: sqsReceiveMessage, target: queueTarget, unlocked: true},
			"DeleteMessage":           {handle: sqsDeleteMessage, target: queueTarget, unlocked: true},
			"ChangeMessageVisibility": {handle: sqsChangeMessageVisibility, target: queueTarget, unlocked: true},
		},
	}
}

// maxVisibility is the longest visibility timeout SQS allows (12 hours).
const maxVisibility = 43200

// sqsProtocol is awsJson1_0 with SQS's query-compatible errors.
type sqsProtocol struct{}

func (sqsProtocol) parse(svc *service, r *request) error { return jsonProtocol{}.parse(svc, r) }

func (sqsProtocol) writeResult(w http.ResponseWriter, r *request, out any) {
	writeJSON(w, "application/x-amz-json-1.0", http.StatusOK, out)
}

// sqsQueryCodes are the query protocol codes of SQS errors whose code
// there differs from the JSON one.
var sqsQueryCodes = map[string]string{
	"QueueDoesNotExist":     "AWS.SimpleQueueService.NonExistentQueue",
	"AccessDeniedException": "AccessDenied",
	"MessageNotInflight":    "AWS.SimpleQueueService.MessageNotInflight",
}

func (sqsProtocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	query := e.Code
	if q, ok := sqsQueryCodes[e.Code]; ok {
		query = q
	}
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("X-Amzn-Query-Error", query+";"+fault)
	writeJSON(w, "application/x-amz-json-1.0", e.Status, map[string]string{"__type": "com.amazonaws.sqs#" + e.Code, "message": e.Message})
}

// jsonField reads one string member of a JSON request body ("" when absent
// or not a string).
func jsonField(r *request, name string) string {
	var m map[string]json.RawMessage
	var s string
	if json.Unmarshal(r.body, &m) == nil {
		json.Unmarshal(m[name], &s)
	}
	return s
}

// queueRef is the account and name of a queue URL.
func queueRef(raw string) (acct, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	acct, name, ok = strings.Cut(strings.Trim(u.Path, "/"), "/")
	return acct, name, ok && accountID.MatchString(acct) && queueName.MatchString(name)
}

func queueTarget(r *request) string {
	acct, _, _ := queueRef(jsonField(r, "QueueUrl"))
	return acct
}

func queueARN(region, acct, name string) string {
	return "arn:aws:sqs:" + region + ":" + acct + ":" + name
}

func (r *request) queueURL(acct, name string) string {
	return "http://" + r.hr.Host + "/" + acct + "/" + name
}

func queueMissing() error {
	return errf("QueueDoesNotExist", http.StatusBadRequest, "The specified queue does not exist.")
}

// findQueue finds a queue by account and name in region.
func (w *world) findQueue(region, acct, name string) *Queue {
	a := w.accounts[acct]
	if a == nil {
		return nil
	}
	for i := range a.Queues {
		if q := &a.Queues[i]; q.Name == name && w.regionOr(q.Region) == region {
			return q
		}
	}
	return nil
}

// queue finds the call's queue (its QueueUrl) and decides access to it.
func queue(r *request) (*Queue, string, error) {
	acct, name, ok := queueRef(jsonField(r, "QueueUrl"))
	if !ok {
		return nil, "", queueMissing()
	}
	q := r.srv.w.findQueue(r.region, acct, name)
	if q == nil {
		return nil, "", queueMissing()
	}
	arn := queueARN(r.region, acct, name)
	return q, arn, resourceAccess(r, acct, q.Policy, r.action(), arn)
}

func sqsListQueues(r *request) (any, error) {
	var in struct {
		QueueNamePrefix string
		MaxResults      int
		NextToken       string
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	var urls []string
	for _, q := range r.account().Queues {
		if r.srv.w.regionOr(q.Region) == r.region && strings.HasPrefix(q.Name, in.QueueNamePrefix) {
			urls = append(urls, r.queueURL(r.target, q.Name))
		}
	}
	slices.Sort(urls)
	out, next, err := page(urls, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, errf("InvalidParameterValue", http.StatusBadRequest, "%v", err)
	}
	return map[string]any{"QueueUrls": out, "NextToken": next}, nil
}

func sqsGetQueueURL(r *request) (any, error) {
	var in struct{ QueueName, QueueOwnerAWSAccountId string }
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	q := r.srv.w.findQueue(r.region, r.target, in.QueueName)
	if q == nil {
		return nil, queueMissing()
	}
	if err := resourceAccess(r, r.target, q.Policy, r.action(), queueARN(r.region, r.target, q.Name)); err != nil {
		return nil, err
	}
	return map[string]string{"QueueUrl": r.queueURL(r.target, q.Name)}, nil
}

// visibility is the queue's visibility timeout in seconds.
func (q *Queue) visibility() int {
	if q.VisibilityTimeout == nil {
		return 30
	}
	return *q.VisibilityTimeout
}

// deadLetterARN is the ARN of the queue's dead-letter queue.
func (q *Queue) deadLetterARN(region, acct string) string {
	if q.DeadLetterQueue == "" || strings.HasPrefix(q.DeadLetterQueue, "arn:") {
		return q.DeadLetterQueue
	}
	return queueARN(region, acct, q.DeadLetterQueue)
}

// queueAttributes are the attributes GetQueueAttributes reports.
func queueAttributes(r *request, q *Queue, arn string) map[string]string {
	acct := r.target
	attrs := map[string]string{
		"QueueArn":                      arn,
		"VisibilityTimeout":             strconv.Itoa(q.visibility()),
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            "262144",
		"MessageRetentionPeriod":        "345600",
		"ReceiveMessageWaitTimeSeconds": "0",
	}
	if q.Policy != "" {
		attrs["Policy"] = string(q.Policy)
	}
	if dlq := q.deadLetterARN(r.region, acct); dlq != "" {
		b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlq, "maxReceiveCount": q.MaxReceiveCount})
		attrs["RedrivePolicy"] = string(b)
	}
	r.srv.queueCounts(arn, attrs)
	return attrs
}

func sqsGetQueueAttributes(r *request) (any, error) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	q, arn, err := queue(r)
	if err != nil {
		return nil, err
	}
	all := queueAttributes(r, q, arn)
	out := map[string]string{}
	for _, n := range in.AttributeNames {
		if n == "All" {
			out = all
			break
		}
		if _, known := all[n]; !known && !slices.Contains([]string{"Policy", "RedrivePolicy"}, n) {
			return nil, errf("InvalidAttributeName", http.StatusBadRequest, "Unknown Attribute %s.", n)
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	if len(out) == 0 {
		return struct{}{}, nil
	}
	return map[string]any{"Attributes": out}, nil
}

func sqsSetQueueAttributes(r *request) (any, error) {
	var in struct {
		QueueUrl   string
		Attributes map[string]string
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	q, _, err := queue(r)
	if err != nil {
		return nil, err
	}
	next := *q
	for name, v := range in.Attributes {
		if err := setQueueAttribute(&next, name, v); err != nil {
			return nil, err
		}
	}
	*q = next
	return struct{}{}, nil
}

func invalidAttributeValue(name, v string) error {
	return errf("InvalidAttributeValue", http.StatusBadRequest, "Invalid value for the parameter %s: %q", name, v)
}

// setQueueAttribute sets one attribute SetQueueAttributes may change.
func setQueueAttribute(q *Queue, name, v string) error {
	switch name {
	case "Policy":
		if v != "" {
			if err := checkResourcePolicy([]byte(v)); err != nil {
				return errf("InvalidAttributeValue", http.StatusBadRequest, "Invalid value for the parameter Policy. Reason: %v", err)
			}
		}
		q.Policy = PolicyDocument(v)
	case "VisibilityTimeout":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxVisibility {
			return invalidAttributeValue(name, v)
		}
		q.VisibilityTimeout = &n
	case "RedrivePolicy":
		if v == "" {
			q.DeadLetterQueue, q.MaxReceiveCount = "", 0
			return nil
		}
		var rp struct {
			DeadLetterTargetArn string
			MaxReceiveCount     json.Number
		}
		n := 0
		err := json.Unmarshal([]byte(v), &rp)
		if err == nil {
			n, err = strconv.Atoi(rp.MaxReceiveCount.String())
		}
		if err != nil || !strings.HasPrefix(rp.DeadLetterTargetArn, "arn:aws:sqs:") || n < 1 || n > 1000 {
			return invalidAttributeValue(name, v)
		}
		q.DeadLetterQueue, q.MaxReceiveCount = rp.DeadLetterTargetArn, n
	default:
		return errf("InvalidAttributeName", http.StatusBadRequest, "Unknown Attribute %s.", name)
	}
	return nil
}
