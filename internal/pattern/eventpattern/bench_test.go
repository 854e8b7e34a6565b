package eventpattern_test

import (
	"testing"

	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
)

const (
	benchPattern  = `{"detail-type":["AWS API Call via CloudTrail","AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`
	benchEnvelope = `{"version":"0","id":"5b1e8c07","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"111122223333","time":"2024-11-20T10:02:41Z","region":"eu-west-1","resources":[],"detail":{"eventVersion":"1.09","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE"},"eventTime":"2024-11-20T10:02:41Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.15.0","requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}}`
)

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := eventpattern.Parse([]byte(benchPattern)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	p := eventpattern.MustParse(benchPattern)
	ev := []byte(benchEnvelope)
	b.SetBytes(int64(len(ev)))
	for b.Loop() {
		if !p.Match(ev) {
			b.Fatal("no match")
		}
	}
}
