package logfilter_test

import (
	"testing"

	"github.com/rootguard/rootguard/internal/pattern/logfilter"
)

const benchRecord = `{"eventVersion":"1.09","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE"},"eventTime":"2024-11-20T10:02:41Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.15.0","requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}`

func BenchmarkParseCIS(b *testing.B) {
	p := cisVariants["quoted (Security Hub)"]
	for b.Loop() {
		if _, err := logfilter.Parse(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchCIS(b *testing.B) {
	f := logfilter.MustParse(cisVariants["quoted (Security Hub)"])
	ev := []byte(benchRecord)
	b.SetBytes(int64(len(ev)))
	for b.Loop() {
		if !f.Match(ev) {
			b.Fatal("no match")
		}
	}
}
