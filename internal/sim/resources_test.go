package sim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

func resourcesScenario(t *testing.T) *sim.Scenario {
	t.Helper()
	scn, err := sim.LoadScenario("testdata/resources.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return scn
}

// unlock opens an AssumeRoot session on 222222222222 with taskPolicy.
func unlock(t *testing.T, cfg aws.Config, taskPolicy string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).AssumeRoot(t.Context(), &sts.AssumeRootInput{
		TargetPrincipal: aws.String("222222222222"),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/" + taskPolicy)},
	})
	if err != nil {
		t.Fatalf("AssumeRoot %s: %v", taskPolicy, err)
	}
	c := cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	return c
}

// TestS3BucketPolicy: the workload account's operator reads and replaces
// policies, is locked out by a policy that denies everyone, and only a root
// session with S3UnlockBucketPolicy removes that policy.
func TestS3BucketPolicy(t *testing.T) {
	srv, cfg := simtest.Start(t, resourcesScenario(t), sim.Options{Writable: true})
	ctx := t.Context()
	op := s3.NewFromConfig(simtest.As(t, srv, cfg, "operator"))

	list, err := op.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name)+"@"+aws.ToString(b.BucketRegion))
	}
	if got := strings.Join(names, " "); got != "locked-bucket@us-east-1 open-bucket@us-east-1" {
		t.Errorf("ListBuckets = %s", got)
	}

	for _, tc := range []struct {
		name   string
		client *s3.Client
		bucket string
		call   string
		code   string
	}{
		{"no policy yet", op, "open-bucket", "get", "NoSuchBucketPolicy"},
		{"no such bucket", op, "no-such-bucket", "get", "NoSuchBucket"},
		{"denied to the owner's role", op, "locked-bucket", "delete", "AccessDenied"},
		{"denied reading", op, "locked-bucket", "get", "AccessDenied"},
		{"another account", s3.NewFromConfig(cfg), "open-bucket", "get", "AccessDenied"},
		{"malformed", op, "open-bucket", "put-bad", "MalformedPolicy"},
		{"put", op, "open-bucket", "put", ""},
		{"delete", op, "open-bucket", "delete", ""},
		{"gone again", op, "open-bucket", "get", "NoSuchBucketPolicy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			b := aws.String(tc.bucket)
			switch tc.call {
			case "get":
				_, err = tc.client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
			case "put":
				_, err = tc.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::open-bucket/*"}]}`)})
			case "put-bad":
				_, err = tc.client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`not json`)})
			case "delete":
				_, err = tc.client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b})
			}
			if code(err) != tc.code {
				t.Errorf("%s %s: %v, want %q", tc.call, tc.bucket, err, tc.code)
			}
			if tc.call == "put" && err == nil {
				got, err := tc.client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
				if err != nil || !strings.Contains(aws.ToString(got.Policy), `"s3:GetObject"`) {
					t.Errorf("GetBucketPolicy after put = %v, %v", got, err)
				}
			}
		})
	}

	// A root session opened for another task may not touch the policy.
	audit := s3.NewFromConfig(unlock(t, cfg, "IAMAuditRootUserCredentials"))
	if _, err := audit.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-bucket")}); code(err) != "AccessDenied" {
		t.Errorf("audit root session DeleteBucketPolicy = %v, want AccessDenied", err)
	}
	root := s3.NewFromConfig(unlock(t, cfg, "S3UnlockBucketPolicy"))
	if _, err := root.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("locked-bucket")}); err != nil {
		t.Errorf("root GetBucketPolicy of the locked bucket: %v", err)
	}
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-bucket")}); err != nil {
		t.Fatalf("root DeleteBucketPolicy: %v", err)
	}
	if _, err := op.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("locked-bucket")}); code(err) != "NoSuchBucketPolicy" {
		t.Errorf("after the unlock the operator gets %v, want NoSuchBucketPolicy", err)
	}
	if got := srv.Scenario().Accounts[1].Buckets[0].Policy; got != "" {
		t.Errorf("state keeps the policy %q", got)
	}
}

// TestSQSQueuePolicy covers ListQueues, GetQueueUrl, Get/SetQueueAttributes
// and the unlock of a queue policy that denies everyone.
func TestSQSQueuePolicy(t *testing.T) {
	srv, cfg := simtest.Start(t, resourcesScenario(t), sim.Options{Writable: true})
	ctx := t.Context()
	op := sqs.NewFromConfig(simtest.As(t, srv, cfg, "operator"))

	list, err := op.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.QueueUrls) != 2 || !strings.HasSuffix(list.QueueUrls[0], "/222222222222/alerts") || !strings.HasSuffix(list.QueueUrls[1], "/222222222222/alerts-dlq") {
		t.Errorf("ListQueues alerts* = %v", list.QueueUrls)
	}
	url, err := op.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("alerts")})
	if err != nil || aws.ToString(url.QueueUrl) != list.QueueUrls[0] {
		t.Fatalf("GetQueueUrl = %v, %v", url, err)
	}
	q := url.QueueUrl
	attrs, err := op.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["QueueArn"] != "arn:aws:sqs:us-east-1:222222222222:alerts" || a["VisibilityTimeout"] != "2" ||
		a["RedrivePolicy"] != `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:222222222222:alerts-dlq","maxReceiveCount":2}` {
		t.Errorf("GetQueueAttributes All = %v", a)
	}
	if _, err := op.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q, Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:222222222222:alerts"}]}`}}); err != nil {
		t.Fatal(err)
	}
	pol, err := op.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q, AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil || !strings.Contains(pol.Attributes["Policy"], "events.amazonaws.com") || len(pol.Attributes) != 1 {
		t.Errorf("Policy after SetQueueAttributes = %v, %v", pol, err)
	}

	base := strings.TrimSuffix(aws.ToString(q), "alerts")
	for _, tc := range []struct {
		name, queue string
		attrs       map[string]string
		code        string
	}{
		{"no such queue", base + "nope", nil, "AWS.SimpleQueueService.NonExistentQueue"},
		{"other region", base + "elsewhere", nil, "AWS.SimpleQueueService.NonExistentQueue"},
		{"locked", base + "locked-queue", nil, "AccessDenied"},
		{"locked set", base + "locked-queue", map[string]string{"Policy": ""}, "AccessDenied"},
		{"unknown attribute", base + "alerts", map[string]string{"Colour": "blue"}, "InvalidAttributeName"},
		{"bad timeout", base + "alerts", map[string]string{"VisibilityTimeout": "43201"}, "InvalidAttributeValue"},
		{"bad policy", base + "alerts", map[string]string{"Policy": "{"}, "InvalidAttributeValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.attrs == nil {
				_, err = op.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(tc.queue), AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
			} else {
				_, err = op.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(tc.queue), Attributes: tc.attrs})
			}
			if code(err) != tc.code {
				t.Errorf("%v, want %s", err, tc.code)
			}
		})
	}

	root := sqs.NewFromConfig(unlock(t, cfg, "SQSUnlockQueuePolicy"))
	locked := aws.String(base + "locked-queue")
	if _, err := root.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: locked, Attributes: map[string]string{"Policy": ""}}); err != nil {
		t.Fatalf("root session removes the queue policy: %v", err)
	}
	if _, err := op.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: locked, AttributeNames: []sqstypes.QueueAttributeName{"All"}}); err != nil {
		t.Errorf("after the unlock: %v", err)
	}
}
