package sim_test

import (
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootguard/rootguard/internal/sim"
	"github.com/rootguard/rootguard/internal/sim/simtest"
)

// readTrail reads every record of the log files under dir, by file.
func readTrail(t *testing.T, dir string) map[string][]map[string]any {
	t.Helper()
	files := map[string][]map[string]any{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var doc struct{ Records []map[string]any }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = doc.Records
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestTrailRecords checks the records of a caller's call, a failed call and
// an AssumeRoot session's call, and where their files are.
func TestTrailRecords(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	srv, cfg := simtest.Start(t, resourcesScenario(t), sim.Options{Writable: true, TrailDir: dir, Now: func() time.Time { return now }})
	ctx := t.Context()
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	op := s3.NewFromConfig(simtest.As(t, srv, cfg, "operator"))
	if _, err := op.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-bucket")}); code(err) != "AccessDenied" {
		t.Fatalf("operator DeleteBucketPolicy = %v", err)
	}
	root := s3.NewFromConfig(unlock(t, cfg, "S3UnlockBucketPolicy"))
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked-bucket")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.FlushTrail(); err != nil {
		t.Fatal(err)
	}
	files := readTrail(t, dir)
	byName := map[string]map[string]any{}
	for name, recs := range files {
		if !strings.HasPrefix(name, "AWSLogs/") || !strings.Contains(name, "/CloudTrail/us-east-1/2026/03/04/") || !strings.HasSuffix(name, ".json.gz") {
			t.Errorf("file %s: not in CloudTrail's layout", name)
		}
		for _, r := range recs {
			acct := r["recipientAccountId"].(string)
			if !strings.HasPrefix(name, "AWSLogs/"+acct+"/CloudTrail/us-east-1/2026/03/04/"+acct+"_CloudTrail_us-east-1_20260304T1030Z_") {
				t.Errorf("record of %s in %s", acct, name)
			}
			key := r["eventName"].(string) + " " + r["userIdentity"].(map[string]any)["type"].(string)
			byName[key] = r
		}
	}
	get := func(r map[string]any, path string) any {
		var v any = r
		for _, p := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		return v
	}
	for _, tc := range []struct{ record, path, want string }{
		{"GetCallerIdentity AssumedRole", "userIdentity.sessionContext.sessionIssuer.arn", "arn:aws:iam::111111111111:role/Admin"},
		{"GetCallerIdentity AssumedRole", "eventVersion", "1.11"},
		{"GetCallerIdentity AssumedRole", "eventSource", "sts.amazonaws.com"},
		{"DeleteBucketPolicy AssumedRole", "errorCode", "AccessDenied"},
		{"DeleteBucketPolicy AssumedRole", "requestParameters.bucketName", "locked-bucket"},
		{"DeleteBucketPolicy AssumedRole", "recipientAccountId", "222222222222"},
		{"AssumeRoot AssumedRole", "requestParameters.taskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
		{"AssumeRoot AssumedRole", "requestParameters.targetPrincipal", "222222222222"},
		{"DeleteBucketPolicy Root", "userIdentity.sessionContext.assumedRoot", "true"},
		{"DeleteBucketPolicy Root", "userIdentity.arn", "arn:aws:iam::222222222222:root"},
		{"DeleteBucketPolicy Root", "userIdentity.sessionContext.attributes.creationDate", "2026-03-04T10:30:00Z"},
		{"DeleteBucketPolicy Root", "eventSource", "s3.amazonaws.com"},
	} {
		if got := get(byName[tc.record], tc.path); got != tc.want {
			t.Errorf("%s: %s = %v, want %s", tc.record, tc.path, got, tc.want)
		}
	}
	rootKey := get(byName["DeleteBucketPolicy Root"], "userIdentity.accessKeyId")
	if got := get(byName["AssumeRoot AssumedRole"], "responseElements.credentials.accessKeyId"); got == nil || got != rootKey {
		t.Errorf("AssumeRoot hands out %v, the root session signs with %v", got, rootKey)
	}
	if get(byName["DeleteBucketPolicy Root"], "errorCode") != nil || get(byName["DeleteBucketPolicy Root"], "eventID") == "" {
		t.Errorf("root DeleteBucketPolicy record: %v", byName["DeleteBucketPolicy Root"])
	}
}
