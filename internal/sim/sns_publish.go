package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SNS Publish to a topic of the calling account: SNS's limits on the
// message, subject and attributes are checked, a FIFO topic requires a
// message group, and each accepted message is recorded (Published) so a
// test can read what reached the topic. Subscribers receive nothing.

// snsMaxMessage is Publish's limit on a message, in bytes.
const snsMaxMessage = 256 << 10

// Published is one message Publish accepted.
type Published struct {
	Account, TopicArn, MessageID string
	Subject, Message             string
	// Attributes are the message attributes' string values by name.
	Attributes               map[string]string
	GroupID, DeduplicationID string
}

// Published returns the messages Publish accepted, in order.
func (s *Server) Published() []Published {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.published)
}

type publishResult struct {
	MessageID string `xml:"MessageId"`
}

func snsPublish(r *request) (any, error) {
	arn := r.param("TopicArn")
	if arn == "" {
		arn = r.param("TargetArn")
	}
	if arn == "" {
		return nil, invalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
	}
	t, err := findTopic(r, arn)
	if err != nil {
		return nil, err
	}
	msg := r.param("Message")
	switch {
	case msg == "":
		return nil, invalidParameter("Empty message")
	case len(msg) > snsMaxMessage:
		return nil, invalidParameter("Message too long")
	}
	subject := r.param("Subject")
	if utf8.RuneCountInString(subject) > 100 || strings.ContainsFunc(subject, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
		return nil, invalidParameter("Subject")
	}
	attrs := map[string]string{}
	for i := 1; ; i++ {
		p := "MessageAttributes.entry." + strconv.Itoa(i)
		name := r.param(p + ".Name")
		if name == "" {
			break
		}
		if typ := r.param(p + ".Value.DataType"); typ != "String" && typ != "Number" {
			return nil, invalidParameter("The message attribute '%s' has an invalid message attribute type %q", name, typ)
		}
		attrs[name] = r.param(p + ".Value.StringValue")
	}
	p := Published{Account: r.account().ID, TopicArn: arn, Subject: subject, Message: msg, Attributes: attrs,
		GroupID: r.param("MessageGroupId"), DeduplicationID: r.param("MessageDeduplicationId")}
	if strings.HasSuffix(t.Name, ".fifo") && p.GroupID == "" {
		return nil, invalidParameter("The MessageGroupId parameter is required for FIFO topics")
	}
	r.srv.mu.Lock()
	p.MessageID = uuidOf(fmt.Sprintf("publish/%d", len(r.srv.published)))
	r.srv.published = append(r.srv.published, p)
	r.srv.mu.Unlock()
	return publishResult{MessageID: p.MessageID}, nil
}
