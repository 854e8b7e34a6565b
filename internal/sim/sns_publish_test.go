package sim_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/sim"
)

func TestSNSPublish(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:111111111111:root-activity-alerts"
	str := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	for _, tc := range []struct {
		name     string
		in       sns.PublishInput
		want     []sim.Published
		wantCode string
	}{
		{
			name: "a message with a subject and attributes",
			in: sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("Root sign-in"), Message: aws.String("root signed in\nfrom 203.0.113.9"),
				MessageAttributes: map[string]snstypes.MessageAttributeValue{"idempotency_key": str("rg-1"), "possible_repeat": str("false")}},
			want: []sim.Published{{Account: "111111111111", TopicArn: topic, Subject: "Root sign-in", Message: "root signed in\nfrom 203.0.113.9",
				Attributes: map[string]string{"idempotency_key": "rg-1", "possible_repeat": "false"}}},
		},
		{name: "an unknown topic", in: sns.PublishInput{TopicArn: aws.String(topic + "-nope"), Message: aws.String("x")}, wantCode: "NotFound"},
		{name: "an empty message", in: sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("")}, wantCode: "InvalidParameter"},
		{name: "a subject with a newline", in: sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("a\nb"), Message: aws.String("x")}, wantCode: "InvalidParameter"},
		{name: "a message too long", in: sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(strings.Repeat("x", 256<<10+1))}, wantCode: "InvalidParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := demoEnv(t)
			out, err := snsc(e).Publish(t.Context(), &tc.in)
			if tc.wantCode != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode {
					t.Fatalf("error %v, want %s", err, tc.wantCode)
				}
				if got := e.srv.Published(); len(got) != 0 {
					t.Errorf("recorded %v after a refused call", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := e.srv.Published()
			if len(got) != 1 || got[0].MessageID != aws.ToString(out.MessageId) || got[0].MessageID == "" {
				t.Fatalf("message ID %q, recorded %+v", aws.ToString(out.MessageId), got)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(sim.Published{}, "MessageID")); d != "" {
				t.Errorf("published (-want +got):\n%s", d)
			}
		})
	}
}
