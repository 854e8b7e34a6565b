package sim

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SQS messages: SendMessage, ReceiveMessage (long polling, visibility
// timeout, ApproximateReceiveCount), DeleteMessage by receipt handle,
// ChangeMessageVisibility, and the redrive of a message received
// MaxReceiveCount times to the queue's dead-letter queue. Messages are the
// endpoint's runtime state, not the scenario's: they are not saved, and a
// read-only endpoint still serves a queue's producers and consumers.

// maxWait is the longest long poll SQS allows.
const maxWait = 20 * time.Second

// pollEvery is how often a long poll looks again without a wake-up (for
// visibility timeouts running out on the server's clock).
const pollEvery = 20 * time.Millisecond

type message struct {
	id       string
	body     string
	sent     time.Time
	visible  time.Time // when it may be received (again)
	receives int
	first    time.Time // first receive
	handle   string    // receipt handle of the latest receive
}

// mailbox holds every queue's messages.
type mailbox struct {
	mu     sync.Mutex
	queues map[string][]*message // by queue ARN
	seq    int
	wake   chan struct{} // closed (and replaced) when a message is sent or made visible
}

func (m *mailbox) init() {
	if m.queues == nil {
		m.queues = map[string][]*message{}
		m.wake = make(chan struct{})
	}
}

// notify wakes the long polls; m.mu is held.
func (m *mailbox) notify() {
	close(m.wake)
	m.wake = make(chan struct{})
}

// queueCounts adds the message counts of the queue at arn.
func (s *Server) queueCounts(arn string, attrs map[string]string) {
	now := s.opts.Now()
	m := &s.mail
	m.mu.Lock()
	defer m.mu.Unlock()
	visible, inFlight, delayed := 0, 0, 0
	for _, msg := range m.queues[arn] {
		switch {
		case msg.visible.After(now) && msg.receives == 0:
			delayed++
		case msg.visible.After(now):
			inFlight++
		default:
			visible++
		}
	}
	attrs["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	attrs["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inFlight)
	attrs["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
}

// messageQueue resolves the call's queue under a shared hold of the world
// (message operations run without one, so a long poll never holds it) and
// returns what the message operations need of it.
type queueInfo struct {
	arn        string
	visibility time.Duration
	dlq        string // dead-letter queue ARN, "" for none
	maxRecv    int
}

func messageQueue(r *request) (queueInfo, error) {
	r.srv.state.RLock()
	defer r.srv.state.RUnlock()
	q, arn, err := queue(r)
	if err != nil {
		return queueInfo{}, err
	}
	info := queueInfo{arn: arn, visibility: time.Duration(q.visibility()) * time.Second, maxRecv: q.MaxReceiveCount}
	if dlq := q.deadLetterARN(r.region, r.target); dlq != "" {
		// A dead-letter queue that does not exist leaves messages where
		// they are, as SQS does.
		parts := strings.Split(dlq, ":")
		if len(parts) == 6 && r.srv.w.findQueue(parts[3], parts[4], parts[5]) != nil {
			info.dlq = dlq
		}
	}
	return info, nil
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func invalidParameterValue(format string, a ...any) *apiError {
	return errf("InvalidParameterValue", http.StatusBadRequest, format, a...)
}

func sqsSendMessage(r *request) (any, error) {
	var in struct {
		QueueUrl     string
		MessageBody  string
		DelaySeconds int
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if in.MessageBody == "" {
		return nil, errf("MissingParameter", http.StatusBadRequest, "The request must contain the parameter MessageBody.")
	}
	if len(in.MessageBody) > 256*1024 {
		return nil, invalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
	}
	if in.DelaySeconds < 0 || in.DelaySeconds > 900 {
		return nil, invalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", in.DelaySeconds)
	}
	q, err := messageQueue(r)
	if err != nil {
		return nil, err
	}
	m := &r.srv.mail
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	m.seq++
	msg := &message{id: uuidOf(fmt.Sprintf("message/%d", m.seq)), body: in.MessageBody, sent: r.now,
		visible: r.now.Add(time.Duration(in.DelaySeconds) * time.Second)}
	m.queues[q.arn] = append(m.queues[q.arn], msg)
	m.notify()
	return map[string]string{"MessageId": msg.id, "MD5OfMessageBody": md5Hex(msg.body)}, nil
}

type sqsMessage struct {
	MessageID     string            `json:"MessageId"`
	ReceiptHandle string            `json:"ReceiptHandle"`
	MD5OfBody     string            `json:"MD5OfBody"`
	Body          string            `json:"Body"`
	Attributes    map[string]string `json:"Attributes,omitempty"`
}

func sqsReceiveMessage(r *request) (any, error) {
	var in struct {
		QueueUrl                    string
		MaxNumberOfMessages         int
		WaitTimeSeconds             *int
		VisibilityTimeout           *int
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		ReceiveRequestAttemptId     string
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if in.MaxNumberOfMessages == 0 {
		in.MaxNumberOfMessages = 1
	}
	if in.MaxNumberOfMessages < 1 || in.MaxNumberOfMessages > 10 {
		return nil, invalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", in.MaxNumberOfMessages)
	}
	wait := time.Duration(0)
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 || time.Duration(*in.WaitTimeSeconds)*time.Second > maxWait {
			return nil, invalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
		}
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	q, err := messageQueue(r)
	if err != nil {
		return nil, err
	}
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibility {
			return nil, invalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *in.VisibilityTimeout)
		}
		q.visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	names := slices.Concat(in.AttributeNames, in.MessageSystemAttributeNames)
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		msgs, wake := r.srv.receive(q, in.MaxNumberOfMessages, names)
		if len(msgs) > 0 || wait == 0 {
			return map[string]any{"Messages": msgs}, nil
		}
		select {
		case <-wake:
		case <-tick.C:
		case <-deadline.C:
			return map[string]any{"Messages": msgs}, nil
		case <-r.ctx.Done():
			return nil, errf("RequestTimeout", http.StatusRequestTimeout, "the client went away during the long poll: %v", context.Cause(r.ctx))
		}
	}
}

// receive takes up to max visible messages of q, moving those received
// maxRecv times to the dead-letter queue first; it returns the channel that
// the next send closes.
func (s *Server) receive(q queueInfo, max int, names []string) ([]sqsMessage, <-chan struct{}) {
	now := s.opts.Now()
	m := &s.mail
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	var out []sqsMessage
	var keep []*message
	for _, msg := range m.queues[q.arn] {
		switch {
		case len(out) == max || msg.visible.After(now):
		case q.dlq != "" && msg.receives >= q.maxRecv:
			// Redrive: the message moves with its receive count and
			// becomes visible in the dead-letter queue.
			m.queues[q.dlq] = append(m.queues[q.dlq], msg)
			msg.handle = ""
			continue
		default:
			m.seq++
			msg.receives++
			if msg.receives == 1 {
				msg.first = now
			}
			msg.visible = now.Add(q.visibility)
			msg.handle = fmt.Sprintf("sim-rh-%d-%s", m.seq, msg.id)
			out = append(out, sqsMessage{MessageID: msg.id, ReceiptHandle: msg.handle, MD5OfBody: md5Hex(msg.body), Body: msg.body,
				Attributes: messageAttributes(msg, names)})
		}
		keep = append(keep, msg)
	}
	m.queues[q.arn] = keep
	return out, m.wake
}

// messageAttributes are the system attributes asked for by name or All.
func messageAttributes(msg *message, names []string) map[string]string {
	all := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(msg.receives),
		"SentTimestamp":                    strconv.FormatInt(msg.sent.UnixMilli(), 10),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(msg.first.UnixMilli(), 10),
	}
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out
}

// findMessage finds the message a receipt handle names in the queue at arn;
// m.mu is held. current is false for the handle of an earlier receive.
func (m *mailbox) findMessage(arn, handle string) (i int, current bool, err error) {
	rest, ok := strings.CutPrefix(handle, "sim-rh-")
	_, id, ok2 := strings.Cut(rest, "-")
	if !ok || !ok2 {
		return -1, false, errf("ReceiptHandleIsInvalid", http.StatusBadRequest, "The input receipt handle %q is not a valid receipt handle.", handle)
	}
	for i, msg := range m.queues[arn] {
		if msg.id == id {
			return i, msg.handle == handle, nil
		}
	}
	return -1, false, nil
}

// onMessage runs fn, with the mailbox held, on the message a receipt
// handle names in the call's queue (i < 0 when it is no longer there).
func onMessage(r *request, handle string, fn func(msgs []*message, i int, current bool) ([]*message, error)) (any, error) {
	q, err := messageQueue(r)
	if err != nil {
		return nil, err
	}
	m := &r.srv.mail
	m.mu.Lock()
	defer m.mu.Unlock()
	i, current, err := m.findMessage(q.arn, handle)
	if err != nil {
		return nil, err
	}
	msgs, err := fn(m.queues[q.arn], i, current)
	if err != nil {
		return nil, err
	}
	m.queues[q.arn] = msgs
	return struct{}{}, nil
}

func sqsDeleteMessage(r *request) (any, error) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	return onMessage(r, in.ReceiptHandle, func(msgs []*message, i int, current bool) ([]*message, error) {
		// The handle of an earlier receive succeeds without deleting, as
		// SQS documents; a message already deleted succeeds too.
		if i >= 0 && current {
			msgs = slices.Delete(msgs, i, i+1)
		}
		return msgs, nil
	})
}

func sqsChangeMessageVisibility(r *request) (any, error) {
	var in struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       int
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout < 0 || in.VisibilityTimeout > maxVisibility {
		return nil, invalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", in.VisibilityTimeout)
	}
	now := r.srv.opts.Now()
	return onMessage(r, in.ReceiptHandle, func(msgs []*message, i int, current bool) ([]*message, error) {
		if i < 0 || !current || !msgs[i].visible.After(now) {
			return nil, errf("MessageNotInflight", http.StatusBadRequest, "Message does not exist or is not available for visibility timeout change.")
		}
		msgs[i].visible = now.Add(time.Duration(in.VisibilityTimeout) * time.Second)
		if in.VisibilityTimeout == 0 {
			r.srv.mail.notify()
		}
		return msgs, nil
	})
}
