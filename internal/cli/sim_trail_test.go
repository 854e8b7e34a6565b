package cli_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// TestTrailScanOfRecordedUnlock unlocks a bucket whose policy denies
// everyone through sts:AssumeRoot against the endpoint recording its calls,
// then trail scan of the recorded folder reports the AssumeRoot call and the
// root session's DeleteBucketPolicy joined to it.
func TestTrailScanOfRecordedUnlock(t *testing.T) {
	scn, err := sim.LoadScenario("../sim/testdata/resources.yaml")
	if err != nil {
		t.Skipf("the sim's resource scenario is not readable here: %v", err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	srv, cfg := simtest.Start(t, scn, sim.Options{Writable: true, TrailDir: dir, Now: func() time.Time { return now }})
	ctx := t.Context()

	out, err := sts.NewFromConfig(cfg).AssumeRoot(ctx, &sts.AssumeRootInput{
		TargetPrincipal: aws.String("222222222222"),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy")},
	})
	if err != nil {
		t.Fatal(err)
	}
	root := cfg.Copy()
	c := out.Credentials
	root.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	if _, err := s3.NewFromConfig(root).DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-bucket")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.FlushTrail(); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := run(t, "", "trail", "scan", "--format", "jsonl", dir)
	if code != 1 {
		t.Fatalf("trail scan: exit %d, want 1 (alerts); stderr %s", code, stderr)
	}
	// The user agent names the SDK's version, the OS and the architecture.
	stdout = regexp.MustCompile(`"user_agent":"[^"]*"`).ReplaceAllString(stdout, `"user_agent":"SDK"`)
	checkGolden(t, "trail-scan-recorded-unlock.jsonl", strings.ReplaceAll(stdout, dir, "DIR"))
}
