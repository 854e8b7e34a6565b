package breakglass_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/detect"
)

// alertsOf runs the records of a CloudTrail file through a detection driver.
func alertsOf(t *testing.T, path string) []detect.Alert {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Records []json.RawMessage }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	d, err := detect.NewDriver(detect.DefaultConfig(), detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var out []detect.Alert
	for i, raw := range file.Records {
		r, err := detect.DecodeRecord(raw)
		if err != nil {
			t.Fatal(err)
		}
		as, _ := d.Feed(r, detect.Source{File: path, Index: i})
		out = append(out, as...)
	}
	return append(out, d.Close()...)
}

// TestReport: the window report of a member account's S3 unlock holds the AssumeRoot call that
// targeted it, the session's DeleteBucketPolicy (a task that requires root) and a root CreateUser
// in the window (should have used a role); not the root event after the window ends, nor
// another account's.
func TestReport(t *testing.T) {
	start := time.Date(2024, 10, 25, 20, 50, 0, 0, time.UTC)
	r, err := breakglass.NewRequest(breakglass.DefaultPolicy(), "bg-abc123", "111122223333", "locked bucket", time.Hour,
		breakglass.TaskUnlockBucketPolicy, "locked-bucket", alice, "arn:aws:iam::444455556666:role/JohnDoe", start.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if r, err = r.Approve(bob, "arn:aws:iam::444455556666:user/bob", start); err != nil {
		t.Fatal(err)
	}
	rep := breakglass.NewReport(r, alertsOf(t, "testdata/window.json"))
	want := []breakglass.Event{
		{Time: "2024-10-25T20:52:11Z", EventID: "3f2b0055-7d1e-4b0a-9c3f-000000def055", Source: "sts.amazonaws.com", Name: "AssumeRoot",
			Principal: "arn:aws:sts::444455556666:assumed-role/JohnDoe/JohnRole1", Rules: []string{"assume-root-called"},
			Class: breakglass.SessionOpened, Task: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
		{Time: "2024-10-25T20:53:40Z", EventID: "3f2b0058-7d1e-4b0a-9c3f-000000def058", Source: "s3.amazonaws.com", Name: "DeleteBucketPolicy",
			Principal: "arn:aws:iam::111122223333:root", Rules: []string{"assume-root-session"},
			Class: breakglass.RootRequired, Task: "edit or delete an S3 bucket policy that denies all principals"},
		{Time: "2024-10-25T20:55:00Z", EventID: "a0000000-0000-4000-8000-000000000001", Source: "iam.amazonaws.com", Name: "CreateUser",
			Principal: "arn:aws:iam::111122223333:root", Rules: []string{"root-api-activity"}, Class: breakglass.ShouldUseRole},
	}
	if diff := cmp.Diff(want, rep.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if !rep.Start.Equal(start) || !rep.End.Equal(start.Add(time.Hour)) {
		t.Errorf("window %s to %s", rep.Start, rep.End)
	}
	pending, _ := breakglass.NewRequest(breakglass.DefaultPolicy(), "bg-abc124", "111122223333", "x", time.Hour, "", "", alice, "a", start)
	if got := breakglass.NewReport(pending, alertsOf(t, "testdata/window.json")).Events; len(got) != 0 {
		t.Errorf("a request never approved has no window, got events %+v", got)
	}
}
