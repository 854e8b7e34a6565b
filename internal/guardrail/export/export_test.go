package export_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/guardrail/export"
	"github.com/rootguard/rootguard/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// cases are desired states built from the guardrail package's test inputs.
var cases = []struct {
	name   string
	config string // ../testdata/config/<config>.yaml; empty means defaults
	mutate func(*inventory.Snapshot)
}{
	{name: "demo-defaults"},
	{name: "demo-configured", config: "full"},
	{name: "standalone", config: "full", mutate: func(s *inventory.Snapshot) {
		s.Mode, s.Organization = inventory.ModeStandalone, nil
		a := *s.Account("111111111111")
		a.Role, a.ParentID = inventory.RoleStandalone, ""
		s.Accounts = []inventory.Account{a}
	}},
	// A second Region enabled in the management account, where the stack
	// lives: a forwarding rule there and its role; two more in a
	// forwarding account: the regional template as a StackSet there too.
	{name: "regions", mutate: func(s *inventory.Snapshot) {
		enable(s, "111111111111", "eu-west-1")
		enable(s, "444444444444", "eu-west-1", "ap-southeast-2")
	}},
	// Other Regions in forwarding accounts only: no role in the alerting
	// template, the regional template as a StackSet only.
	{name: "spoke-regions", mutate: func(s *inventory.Snapshot) {
		enable(s, "444444444444", "eu-west-1")
		enable(s, "555555555555", "ap-southeast-2")
	}},
}

// enable makes regions (with us-east-1) the Regions read as enabled in
// account id.
func enable(s *inventory.Snapshot, id string, regions ...string) {
	s.Account(id).Regions = inventory.Fact[[]string]{Value: append([]string{"us-east-1"}, regions...), Source: inventory.Source{API: "account:ListRegions"}}
}

func state(t *testing.T, config string, mutate func(*inventory.Snapshot)) *guardrail.State {
	t.Helper()
	s, err := inventory.Load(filepath.Join("..", "testdata", "snapshots", "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(s)
	}
	cfg := guardrail.DefaultConfig()
	if config != "" {
		if cfg, err = guardrail.LoadConfig(filepath.Join("..", "testdata", "config", config+".yaml")); err != nil {
			t.Fatal(err)
		}
	}
	st, err := guardrail.Desired(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var formats = []struct {
	name string
	gen  func(*guardrail.State) ([]export.File, error)
}{
	{"terraform", export.Terraform},
	{"cloudformation", export.CloudFormation},
}

func generate(t *testing.T, format string, st *guardrail.State) []export.File {
	t.Helper()
	for _, f := range formats {
		if f.name == format {
			files, err := f.gen(st)
			if err != nil {
				t.Fatal(err)
			}
			return files
		}
	}
	t.Fatalf("no format %s", format)
	return nil
}

func TestGolden(t *testing.T) {
	for _, f := range formats {
		for _, c := range cases {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				files := generate(t, f.name, state(t, c.config, c.mutate))
				dir := filepath.Join("testdata", f.name, c.name)
				if *update {
					if err := os.RemoveAll(dir); err != nil {
						t.Fatal(err)
					}
					if err := os.MkdirAll(dir, 0o755); err != nil {
						t.Fatal(err)
					}
					for _, file := range files {
						if err := os.WriteFile(filepath.Join(dir, file.Name), file.Content, 0o644); err != nil {
							t.Fatal(err)
						}
					}
				}
				entries, err := os.ReadDir(dir)
				if err != nil {
					t.Fatalf("%v (run with -update to create the golden files)", err)
				}
				var want, got []string
				for _, e := range entries {
					want = append(want, e.Name())
				}
				for _, file := range files {
					got = append(got, file.Name)
					golden, err := os.ReadFile(filepath.Join(dir, file.Name))
					if err != nil {
						continue // reported by the name comparison
					}
					if diff := cmp.Diff(string(golden), string(file.Content)); diff != "" {
						t.Errorf("%s (-want +got):\n%s", file.Name, diff)
					}
				}
				slices.Sort(got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("files (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			a := generate(t, f.name, state(t, "full", nil))
			b := generate(t, f.name, state(t, "full", nil))
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("two runs differ (-first +second):\n%s", diff)
			}
		})
	}
}

func TestNilState(t *testing.T) {
	for _, f := range formats {
		if _, err := f.gen(nil); err == nil {
			t.Errorf("%s(nil): no error", f.name)
		}
	}
}

func TestCloudFormationFiles(t *testing.T) {
	tests := []struct {
		name, config string
		mutate       func(*inventory.Snapshot)
		want         []string
	}{
		{"alerting in the management account: one template, and the members' StackSet", "", nil, []string{export.CFNGuardrails, export.CFNForwarding}},
		{"alerting in another account: two templates, and the members' StackSet", "full", nil, []string{export.CFNOrganization, export.CFNAlerting, export.CFNForwarding}},
		{"standalone: alerting only", "full", cases[2].mutate, []string{export.CFNAlerting}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range generate(t, "cloudformation", state(t, tt.config, tt.mutate)) {
				got = append(got, f.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTerraformEscapesTemplates(t *testing.T) {
	st := state(t, "", nil)
	st.Alerting.Subscription = &guardrail.Subscription{Protocol: "https", Endpoint: "https://hooks.example.com/${var.secret}/%{if x}"}
	for i := range st.SCPs {
		if st.SCPs[i].Key == guardrail.KeyProtectContacts {
			st.SCPs[i].Content = guardrail.ProtectContactsDocument([]string{"arn:aws:iam::*:role/${aws:username}"})
		}
	}
	var all bytes.Buffer
	for _, f := range generate(t, "terraform", st) {
		all.Write(f.Content)
	}
	for _, want := range []string{`"https://hooks.example.com/$${var.secret}/%%{if x}"`, `"arn:aws:iam::*:role/$${aws:username}"`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("output lacks the escaped %s", want)
		}
	}
}

// The JSON in heredocs and in CloudFormation is the desired state's, byte
// for byte once minified: the export adds no statement and loses none.
func TestExportKeepsPolicyContent(t *testing.T) {
	st := state(t, "full", nil)
	cfn := decodeTemplates(t, generate(t, "cloudformation", st))
	for _, p := range st.SCPs {
		id := ""
		for _, part := range strings.Split(p.Key, "-") {
			id += strings.ToUpper(part[:1]) + part[1:]
		}
		r, ok := cfn[id+"Policy"]
		if !ok {
			t.Errorf("no resource %sPolicy", id)
			continue
		}
		got, _ := json.Marshal(r.Properties["Content"])
		var want bytes.Buffer
		_ = json.Compact(&want, []byte(p.Content))
		if !jsonEqual(t, want.Bytes(), got) {
			t.Errorf("%s content %s, want %s", p.Name, got, want.String())
		}
		var ids []string
		for _, tg := range p.Targets {
			ids = append(ids, tg.ID)
		}
		gotIDs, _ := r.Properties["TargetIds"].([]any)
		if len(gotIDs) != len(ids) {
			t.Errorf("%s: %d TargetIds, want %d", p.Name, len(gotIDs), len(ids))
		}
	}
	var tf bytes.Buffer
	for _, f := range generate(t, "terraform", st) {
		tf.Write(f.Content)
	}
	heredocs := regexp.MustCompile(`(?s)content\s*= <<-EOT\n(.*?)\n\s*EOT`).FindAllStringSubmatch(tf.String(), -1)
	if len(heredocs) != len(st.SCPs) {
		t.Fatalf("%d policy heredocs, want %d", len(heredocs), len(st.SCPs))
	}
	for i, h := range heredocs {
		if !jsonEqual(t, []byte(st.SCPs[i].Content), []byte(h[1])) {
			t.Errorf("heredoc %d differs from %s", i, st.SCPs[i].Name)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return cmp.Equal(x, y)
}

// TestForwardingTargetsHaveARole: the central bus grants the whole
// organization (aws:PrincipalOrgID), and EventBridge forwards under an
// organization grant only with an IAM role on the sender's target. So the
// members' StackSet template gives each forwarding target a role that
// EventBridge may assume and that may put events on that bus.
func TestForwardingTargetsHaveARole(t *testing.T) {
	type resource struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	}
	for _, c := range cases[:2] {
		t.Run(c.name, func(t *testing.T) {
			var orgGrant bool
			var forwarding map[string]resource
			for _, f := range generate(t, "cloudformation", state(t, c.config, c.mutate)) {
				var tpl struct {
					Resources map[string]resource `json:"Resources"`
				}
				if err := json.Unmarshal(f.Content, &tpl); err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				for _, r := range tpl.Resources {
					if cond, ok := r.Properties["Condition"].(map[string]any); ok && r.Type == "AWS::Events::EventBusPolicy" && cond["Key"] == "aws:PrincipalOrgID" {
						orgGrant = true
					}
				}
				if f.Name == export.CFNForwarding {
					forwarding = tpl.Resources
				}
			}
			if !orgGrant || forwarding == nil {
				t.Fatalf("organization bus grant %v, forwarding template %v: want both", orgGrant, forwarding != nil)
			}
			var got []string
			for name, r := range forwarding {
				if r.Type != "AWS::Events::Rule" {
					continue
				}
				targets, _ := r.Properties["Targets"].([]any)
				for _, x := range targets {
					tg, _ := x.(map[string]any)
					arn, _ := tg["Arn"].(string)
					roleArn, _ := tg["RoleArn"].(map[string]any)
					ref, _ := roleArn["Fn::GetAtt"].([]any)
					if len(ref) != 2 || ref[1] != "Arn" {
						t.Errorf("rule %s: target %s has RoleArn %v, want Fn::GetAtt of a role's Arn", name, arn, tg["RoleArn"])
						continue
					}
					role, ok := forwarding[ref[0].(string)]
					if !ok || role.Type != "AWS::IAM::Role" {
						t.Errorf("rule %s: target %s's RoleArn names %v, not a role of the template", name, arn, ref[0])
						continue
					}
					trust, _ := json.Marshal(role.Properties["AssumeRolePolicyDocument"])
					perms, _ := json.Marshal(role.Properties["Policies"])
					if !strings.Contains(string(trust), `"Service":"events.amazonaws.com"`) || !strings.Contains(string(trust), `"sts:AssumeRole"`) {
						t.Errorf("role %s: trust policy %s does not let EventBridge assume it", ref[0], trust)
					}
					if !strings.Contains(string(perms), `"Action":"events:PutEvents"`) || !strings.Contains(string(perms), `"Resource":"`+arn+`"`) {
						t.Errorf("role %s: policies %s do not allow events:PutEvents on %s", ref[0], perms, arn)
					}
					got = append(got, name+" → "+arn)
				}
			}
			if len(got) == 0 {
				t.Error("the forwarding template has no rule target")
			}
		})
	}
}

// TestReproducible: neither export carries the collection time, so
// re-exporting unchanged guardrails from a newer snapshot gives the same
// bytes (and --out needs no --force).
func TestReproducible(t *testing.T) {
	for _, format := range []string{"terraform", "cloudformation"} {
		t.Run(format, func(t *testing.T) {
			first := generate(t, format, state(t, "full", nil))
			later := generate(t, format, state(t, "full", func(s *inventory.Snapshot) { s.CollectedAt = s.CollectedAt.Add(36 * time.Hour) }))
			if diff := cmp.Diff(first, later); diff != "" {
				t.Errorf("export from a later snapshot of the same organization (-first +later):\n%s", diff)
			}
		})
	}
}

// planDemo loads the plan tests' snapshot and configuration.
func planDemo(t *testing.T) (*inventory.Snapshot, guardrail.Config) {
	t.Helper()
	s, err := inventory.Load(filepath.Join("..", "testdata", "plan", "demo-snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := guardrail.LoadConfig(filepath.Join("..", "testdata", "plan", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s, cfg
}

// generated is every file format writes for st, one after another.
func generated(t *testing.T, format string, st *guardrail.State) string {
	t.Helper()
	var all strings.Builder
	for _, file := range generate(t, format, st) {
		all.Write(file.Content)
	}
	return all.String()
}

// TestTopicGrantIsAGap: the plan tests' snapshot has an account
// (222222222222) whose own root rule targets its own topic, whose policy
// lets EventBridge not publish. plan adds one statement to that policy; an
// export cannot (a topic policy resource replaces the whole policy), so
// every format names the topic as a gap and writes no policy for it.
func TestTopicGrantIsAGap(t *testing.T) {
	s, cfg := planDemo(t)
	st, err := guardrail.Desired(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	const topic = "arn:aws:sns:us-east-1:222222222222:soc-root-alerts"
	if st.Alerting == nil || len(st.Alerting.TopicGrants) != 1 || st.Alerting.TopicGrants[0].TopicARN != topic {
		t.Fatalf("topic grants %+v, want one for %s", st.Alerting, topic)
	}
	for _, f := range formats {
		out := generated(t, f.name, st)
		if !strings.Contains(out, "topic "+topic+" does not let EventBridge rule(s) root-activity-to-soc publish") || !strings.Contains(out, guardrail.TopicGrantSid) {
			t.Errorf("%s: no gap names %s", f.name, topic)
		}
		if strings.Count(out, "soc-root-alerts") != 1 {
			t.Errorf("%s: names soc-root-alerts %d times, want once (the gap)", f.name, strings.Count(out, "soc-root-alerts"))
		}
	}
}

// TestCrossAccountQueueIsAGap: a template deploys in the topic's account,
// so it subscribes an SQS queue of another account from there, which SNS
// keeps pending until confirmed in the queue's account. Every format
// names that as a gap rather than emit, silently, a subscription that
// never confirms.
func TestCrossAccountQueueIsAGap(t *testing.T) {
	const queue = "arn:aws:sqs:us-east-1:444444444444:root-alerts"
	s, cfg := planDemo(t)
	cfg.Alerting.Subscription = &guardrail.Subscription{Protocol: "sqs", Endpoint: queue}
	st, err := guardrail.Desired(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	want := "the subscription of SQS queue " + queue + ", in account 444444444444, is made by this export from 333333333333, so it stays pending until confirmed in 444444444444"
	for _, f := range formats {
		if !strings.Contains(generated(t, f.name, st), want) {
			t.Errorf("%s: no gap says %q", f.name, want)
		}
	}
}
