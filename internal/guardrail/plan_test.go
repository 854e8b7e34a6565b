package guardrail_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/filelimit"
	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

// planSnapshot is the demo organization collected through the endpoint.
func planSnapshot(t testing.TB) *inventory.Snapshot {
	t.Helper()
	s, err := inventory.Load(filepath.Join("testdata", "plan", "demo-snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// addAlertQueue gives account the SQS queue queueARN, whose policy lets
// SNS send from topicARN: the queue an sqs alert subscription delivers to.
func addAlertQueue(s *inventory.Snapshot, account, queueARN, topicARN string) {
	q := inventory.Queue{ARN: queueARN, Policy: `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` +
		queueARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}}]}`}
	f := &s.Account(account).Detective.Queues
	f.Value = append(f.Value, q)
	f.Source.API = "sqs:ListQueues"
}

func planConfig(t testing.TB) guardrail.Config {
	t.Helper()
	cfg, err := guardrail.LoadConfig(filepath.Join("testdata", "plan", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func demoPlan(t testing.TB) *guardrail.Plan {
	t.Helper()
	p, err := guardrail.NewPlan(planConfig(t), planSnapshot(t), guardrail.PlanOptions{Tool: "rootguard test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestPlanGolden renders the demo plan as text and as the plan file.
func TestPlanGolden(t *testing.T) {
	p := demoPlan(t)
	var text bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "plan", "demo.golden"), text.Bytes())
	doc, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "plan", "demo.plan.json"), doc)
}

func TestPlanShape(t *testing.T) {
	p := demoPlan(t)
	kinds := map[string]int{}
	for _, c := range p.Changes {
		kinds[c.Kind]++
		if len(c.Fixes) == 0 && c.Kind != guardrail.KindCreatePolicy && !strings.Contains(c.ID, "protect-account-contacts") &&
			c.Kind != guardrail.KindCreateTopic && c.Kind != guardrail.KindSubscribe && c.Kind != guardrail.KindPutRule &&
			c.Kind != guardrail.KindPutPermission {
			t.Errorf("%s fixes no check", c.ID)
		}
		for _, call := range c.Calls {
			for k, v := range call.Params {
				if strings.Contains(strings.ToLower(k), "secret") || strings.Contains(v, "SecretAccessKey") {
					t.Errorf("%s: call %s carries a secret-looking parameter %s", c.ID, call.Operation, k)
				}
			}
		}
	}
	want := map[string]int{
		guardrail.KindEnableFeature: 1, guardrail.KindCreatePolicy: 3, guardrail.KindAttachPolicy: 3,
		guardrail.KindPutAlternateContact: 3, guardrail.KindDeleteLoginProfile: 3, guardrail.KindDeleteAccessKey: 2,
		guardrail.KindDeleteSigningCert: 1, guardrail.KindDeactivateMFADevice: 4,
		guardrail.KindCreateTopic: 1, guardrail.KindSubscribe: 1, guardrail.KindPutRule: 1, guardrail.KindPutTargets: 1,
		// Hub and spoke: every account where root-activity-alerting fails
		// forwards to the stack in 333333333333 (not 999999999999, whose
		// role is refused, nor the suspended 151515151515), except
		// 222222222222: its own rule targets its own topic, whose policy
		// gets the statement that lets EventBridge publish instead.
		guardrail.KindPutPermission: 9, guardrail.KindForwardRootActivity: 9, guardrail.KindGrantTopicPublish: 1,
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("change kinds (-want +got):\n%s", diff)
	}
	// Credential removal comes last, the recently used key needs the flag,
	// and accounts whose root sessions are denied get no removal.
	last := p.Changes[len(p.Changes)-1]
	if last.Kind != guardrail.KindDeactivateMFADevice {
		t.Errorf("last change is %s, want a credential removal", last.ID)
	}
	flagged := 0
	for _, c := range p.Changes {
		if c.RequiresFlag != "" {
			flagged++
			if !strings.Contains(c.Risk, "last used 2 days ago") && !strings.Contains(c.Risk, "last used 3 days ago") {
				t.Errorf("%s needs the flag, risk %q", c.ID, c.Risk)
			}
		}
		if c.AccountID == "121212121212" && c.Calls[0].Session == guardrail.SessionAssumeRoot {
			t.Errorf("%s planned in 121212121212, where centralized root sessions are denied", c.ID)
		}
	}
	if flagged != 1 {
		t.Errorf("%d changes need the flag, want 1", flagged)
	}
	if p.Analysis == nil || len(p.Analysis.RootSessionsBlocked) != 2 {
		t.Fatalf("analysis %+v: want 2 accounts with blocked root sessions", p.Analysis)
	}
	for _, pc := range p.Analysis.Policies {
		if pc.Key == guardrail.KeyDenyRootActions && len(pc.NewlyCovered) != 6 {
			t.Errorf("deny-root-actions newly covers %v, want 6 accounts", pc.NewlyCovered)
		}
	}
}

// TestPlanSafeOrder: the changes come in phaseOf's order. Alternate
// contacts come before any SCP attachment, so that an apply from a
// delegated administrator outside the admin roles is not denied its own
// contact changes by protect-account-contacts.
func TestPlanSafeOrder(t *testing.T) {
	p := demoPlan(t)
	var kinds []string
	removal := false
	for _, c := range p.Changes {
		switch c.Kind {
		case guardrail.KindDeleteLoginProfile, guardrail.KindDeleteAccessKey, guardrail.KindDeleteSigningCert, guardrail.KindDeactivateMFADevice:
			removal = true
			continue
		}
		if removal {
			t.Errorf("%s comes after a credential removal", c.ID)
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != c.Kind {
			kinds = append(kinds, c.Kind)
		}
	}
	want := []string{
		guardrail.KindEnableFeature, guardrail.KindCreatePolicy, guardrail.KindPutAlternateContact, guardrail.KindAttachPolicy,
		guardrail.KindCreateTopic, guardrail.KindSubscribe, guardrail.KindPutRule, guardrail.KindPutTargets,
		guardrail.KindPutPermission, guardrail.KindForwardRootActivity, guardrail.KindGrantTopicPublish,
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kinds in apply order (-want +got):\n%s", diff)
	}
	firstAttach := slices.IndexFunc(p.Changes, func(c guardrail.Change) bool { return c.Kind == guardrail.KindAttachPolicy })
	if firstAttach < 0 {
		t.Fatal("no attachment planned")
	}
	for i, c := range p.Changes {
		if c.Kind == guardrail.KindPutAlternateContact && i > firstAttach {
			t.Errorf("%s comes after %s", c.ID, p.Changes[firstAttach].ID)
		}
	}
}

// TestPlanNotesPendingSubscription: with a subscription that waits for
// confirmation (email, https), root-activity-alerting stays FAIL once the
// plan is applied, so the changes that fix it say so, in the plan file and
// the text, and the summary counts them; a subscription that needs no
// confirmation (sqs), or a confirmed one already there, leaves no note.
func TestPlanNotesPendingSubscription(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:333333333333:rootguard-root-activity"
	withTopic := func(sub inventory.Subscription) func(*inventory.Snapshot) {
		return func(s *inventory.Snapshot) {
			a := s.Account("333333333333")
			// As an earlier apply created it: with the policy that lets
			// EventBridge publish.
			policy := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `"}]}`
			at := &inventory.Fact[inventory.TopicAttributes]{Value: inventory.TopicAttributes{Policy: policy}, Source: inventory.Source{API: "sns:GetTopicAttributes"}}
			a.Detective.Topics.Value = append(a.Detective.Topics.Value, inventory.Topic{ARN: topic, Subscriptions: []inventory.Subscription{sub}, Attributes: at})
		}
	}
	tests := []struct {
		name     string
		protocol string
		endpoint string
		mutate   func(*inventory.Snapshot)
		want     string // the note, or none
	}{
		{"email", "email", "security-alerts@acme.example", nil,
			"root-activity-alerting stays FAIL until the email subscription of security-alerts@acme.example is confirmed"},
		{"https", "https", "https://alerts.acme.example/root", nil,
			"root-activity-alerting stays FAIL until the https subscription of https://alerts.acme.example/root is confirmed"},
		{"email already pending", "email", "security-alerts@acme.example",
			withTopic(inventory.Subscription{Protocol: "email", Endpoint: "security-alerts@acme.example"}),
			"root-activity-alerting stays FAIL until the email subscription of security-alerts@acme.example is confirmed"},
		{"email already confirmed", "email", "security-alerts@acme.example",
			withTopic(inventory.Subscription{ARN: topic + ":1", Protocol: "email", Endpoint: "security-alerts@acme.example", Confirmed: true}), ""},
		{"sqs", "sqs", "arn:aws:sqs:us-east-1:333333333333:root-alerts",
			func(s *inventory.Snapshot) {
				addAlertQueue(s, "333333333333", "arn:aws:sqs:us-east-1:333333333333:root-alerts", topic)
			}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := planConfig(t)
			cfg.Alerting.Subscription = &guardrail.Subscription{Protocol: tt.protocol, Endpoint: tt.endpoint}
			s := planSnapshot(t)
			if tt.mutate != nil {
				tt.mutate(s)
			}
			p, err := guardrail.NewPlan(cfg, s, guardrail.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want, got := map[string]string{}, map[string]string{}
			for _, c := range p.Changes {
				// 222222222222's own topic grant does not wait for the
				// central subscription.
				if tt.want != "" && slices.Contains(c.Fixes, "root-activity-alerting") && c.Kind != guardrail.KindGrantTopicPublish {
					want[c.ID] = tt.want
				}
				if c.Note != "" {
					got[c.ID] = c.Note
				}
			}
			if tt.want != "" && len(want) != 10 {
				t.Errorf("%d changes wait for the subscription to fix root-activity-alerting, want 10 (the central target and 9 forwarding rules)", len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("notes by change (-want +got):\n%s", diff)
			}
			doc, err := p.Encode()
			if err != nil {
				t.Fatal(err)
			}
			var text bytes.Buffer
			if err := p.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			summary := p.SummaryLine()
			if tt.want == "" {
				for what, out := range map[string]string{"plan file": string(doc), "text": text.String()} {
					if strings.Contains(out, "note") {
						t.Errorf("the %s has a note", what)
					}
				}
				return
			}
			if n := strings.Count(string(doc), `"note": "`+tt.want+`"`); n != len(want) {
				t.Errorf("the plan file has the note %d times, want %d", n, len(want))
			}
			if n := strings.Count(text.String(), "      note:  "+tt.want+"\n"); n != len(want) {
				t.Errorf("the text has the note %d times, want %d", n, len(want))
			}
			if wantSum := fmt.Sprintf("; %d change(s) noted: %s;", len(want), tt.want); !strings.Contains(summary, wantSum) {
				t.Errorf("summary %q does not contain %q", summary, wantSum)
			}
			if !strings.HasSuffix(text.String(), summary+"\n") {
				t.Errorf("the text does not end with the summary %q", summary)
			}
		})
	}
}

func TestPlanDeterministic(t *testing.T) {
	a, b := demoPlan(t), demoPlan(t)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two plans of one snapshot differ (-first +second):\n%s", diff)
	}
}

func TestPlanRoundTrip(t *testing.T) {
	p := demoPlan(t)
	doc, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := guardrail.DecodePlan("plan.json", doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("decoded plan differs (-want +got):\n%s", diff)
	}
}

// TestPlanOfProjectedStateIsEmpty: once every change is in place, plan has
// nothing left to do, and review sees every change as done.
func TestPlanOfProjectedStateIsEmpty(t *testing.T) {
	p := demoPlan(t)
	after, err := guardrail.Project(planSnapshot(t), p.Changes)
	if err != nil {
		t.Fatal(err)
	}
	again, err := guardrail.NewPlan(planConfig(t), after, guardrail.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again.Changes {
		t.Errorf("second plan still has %s", c.ID)
	}
	rv := p.Review(after)
	if n := rv.Count(guardrail.StateDone); n != len(p.Changes) {
		t.Errorf("review of the projected state: %d done of %d", n, len(p.Changes))
	}
	if n := p.Review(planSnapshot(t)).Count(guardrail.StatePending); n != len(p.Changes) {
		t.Errorf("review of the planned state: %d pending of %d", n, len(p.Changes))
	}
}

func TestReviewStale(t *testing.T) {
	p := demoPlan(t)
	tests := []struct {
		name   string
		mutate func(*inventory.Snapshot)
		change string
		why    string
	}{
		{"key used since the plan", func(s *inventory.Snapshot) {
			k := &s.Account("666666666666").Root.AccessKeys.Value[0]
			d := k.LastUsed.Date.Add(48 * time.Hour)
			k.LastUsed.Date = &d
		}, "delete-access-key/666666666666/", "now \"present, Active, last used 2026-11-27"},
		{"contact set by someone else", func(s *inventory.Snapshot) {
			a := s.Account("101010101010")
			f := a.Contacts.Alternates["SECURITY"]
			f.Value = &inventory.AlternateContact{Name: "Someone", EmailAddress: "someone@example.com"}
			a.Contacts.Alternates["SECURITY"] = f
			// Set, but not to what the plan would set: postcondition holds
			// (a contact is set), so the change is done, not stale.
		}, "", ""},
		{"passwords unreadable", func(s *inventory.Snapshot) {
			a := s.Account("444444444444")
			a.Root.LoginProfile.Source.Error = &inventory.CallError{Code: "AccessDenied"}
		}, "delete-login-profile/444444444444", "cannot check that the root password exists: root password: iam:GetLoginProfile failed: AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := planSnapshot(t)
			tt.mutate(s)
			err := p.Review(s).Refusal(true)
			if tt.change == "" {
				if err != nil {
					t.Fatalf("Refusal = %v, want nil", err)
				}
				return
			}
			var se *guardrail.StaleError
			if !errors.As(err, &se) || !errors.Is(err, guardrail.ErrStale) {
				t.Fatalf("Refusal = %v, want a *StaleError", err)
			}
			if len(se.Stale) != 1 || !strings.HasPrefix(se.Stale[0].Change.ID, tt.change) {
				t.Fatalf("stale changes %v, want one %s", se, tt.change)
			}
			if !strings.Contains(err.Error(), tt.why) || !strings.Contains(err.Error(), "make a new plan") {
				t.Errorf("error %q does not say %q", err, tt.why)
			}
		})
	}
}

// TestLoadPlanTooLarge: a plan over the size limit is refused before it is
// read whole (the file is sparse).
func TestLoadPlanTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.plan.json")
	if err := errors.Join(os.WriteFile(path, nil, 0o600), os.Truncate(path, filelimit.Document+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := guardrail.LoadPlan(path); !errors.Is(err, filelimit.ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadPlan of a file over the limit: %v; want a too-large error naming %s", err, path)
	}
}

// hideTarget puts a second TargetId before the first one in doc, so the
// value shown first is not the value that encoding/json decodes.
func hideTarget(t *testing.T, doc []byte) []byte {
	t.Helper()
	i := bytes.Index(doc, []byte(`"TargetId": `))
	if i < 0 {
		t.Fatal("the demo plan attaches no policy")
	}
	return slices.Concat(doc[:i], []byte(`"TargetId": "ou-acme-other000", `), doc[i:])
}

func TestDecodePlanErrors(t *testing.T) {
	p := demoPlan(t)
	doc, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	attach := slices.IndexFunc(p.Changes, func(c guardrail.Change) bool { return c.Kind == guardrail.KindAttachPolicy })
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	change := func(m map[string]any, i int) map[string]any { return m["changes"].([]any)[i].(map[string]any) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not JSON", []byte("plan"), "plan p.json: not valid JSON"},
		{"no schema", []byte(`{"id":"x"}`), `plan p.json: no "schema" field`},
		{"other version", edit(func(m map[string]any) { m["schema"] = "rootguard.plan/v2" }), `plan p.json: schema "rootguard.plan/v2" is not supported (want "rootguard.plan/v1")`},
		{"unknown field", edit(func(m map[string]any) { m["extra"] = 1 }), `unknown field "extra"`},
		{"edited call", edit(func(m map[string]any) {
			change(m, attach)["calls"].([]any)[0].(map[string]any)["params"].(map[string]any)["TargetId"] = "ou-acme-other000"
		}), "fingerprint"},
		{"edited precondition", edit(func(m map[string]any) {
			change(m, 0)["precondition"].([]any)[0].(map[string]any)["value"] = "enabled"
		}), "fingerprint does not match the precondition"},
		{"foreign operation", edit(func(m map[string]any) {
			change(m, 0)["calls"].([]any)[0].(map[string]any)["operation"] = "organizations:LeaveOrganization"
		}), `operation "organizations:LeaveOrganization" is not one a plan may make`},
		{"foreign parameter", edit(func(m map[string]any) {
			change(m, 0)["calls"].([]any)[0].(map[string]any)["params"].(map[string]any)["UserName"] = "admin"
		}), `takes no parameter "UserName"`},
		{"trailing data", append(append([]byte{}, doc...), []byte(`{}`)...), "plan p.json: not valid JSON"},
		// The text shown and recorded is covered too: a deletion described
		// as a harmless tag, its risk, note, a warning or the ID.
		{"edited summary", edit(func(m map[string]any) {
			change(m, attach)["summary"] = "tag the account (harmless)"
		}), "plan p.json: fingerprint"},
		{"edited risk", edit(func(m map[string]any) { change(m, attach)["risk"] = "none" }), "the file was edited after plan"},
		{"edited action", edit(func(m map[string]any) { change(m, attach)["action"] = "~" }), "the file was edited after plan"},
		{"edited note", edit(func(m map[string]any) { change(m, attach)["note"] = "nothing to see" }), "the file was edited after plan"},
		{"edited warnings", edit(func(m map[string]any) { m["warnings"] = []any{} }), "the file was edited after plan"},
		{"edited expected findings", edit(func(m map[string]any) { m["expected_findings"] = []any{} }), "the file was edited after plan"},
		{"edited snapshot", edit(func(m map[string]any) { m["snapshot"].(map[string]any)["organization_id"] = "o-other0000001" }), "the file was edited after plan"},
		{"edited id", edit(func(m map[string]any) { m["id"] = "plan-20250101T000000Z-00000000" }), "does not match its fingerprint"},
		// A reader sees the first TargetId; encoding/json would apply the
		// last, which the fingerprint covers.
		{"duplicate key", hideTarget(t, doc), `plan p.json: duplicate key "TargetId"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := guardrail.DecodePlan("p.json", tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodePlan = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if tt.name == "other version" && !errors.Is(err, guardrail.ErrPlanSchema) {
				t.Errorf("error %v is not ErrPlanSchema", err)
			}
		})
	}
}

// TestReviewForwarding: a spoke's forwarding is one fact, so a rerun after
// PutRule succeeded and PutTargets failed finds the change pending (not
// stale); a rule of that name with another pattern makes it stale; the
// central bus grant counts a statement naming the account, not an
// organization-wide one.
func TestReviewForwarding(t *testing.T) {
	p := demoPlan(t)
	const (
		spoke   = "777777777777"
		forward = "forward-root-activity/777777777777/rootguard-root-activity-forward"
		grant   = "put-permission/333333333333/777777777777"
		bus     = "arn:aws:events:us-east-1:333333333333:event-bus/default"
	)
	rule := func(pattern string, targets ...string) func(*inventory.Snapshot) {
		return func(s *inventory.Snapshot) {
			a := s.Account(spoke)
			a.Detective.EventRules.Value = append(a.Detective.EventRules.Value, inventory.EventRule{
				Name: "rootguard-root-activity-forward", Region: "us-east-1", EventBusName: "default", State: "ENABLED",
				EventPattern: pattern, Targets: append([]string{}, targets...)})
		}
	}
	policy := func(doc string) func(*inventory.Snapshot) {
		return func(s *inventory.Snapshot) {
			b := &s.Account("333333333333").Detective.EventBuses.Value[0]
			b.Policy = doc
		}
	}
	tests := []struct {
		name   string
		mutate func(*inventory.Snapshot)
		change string
		want   string
	}{
		{"nothing done yet", func(*inventory.Snapshot) {}, forward, guardrail.StatePending},
		{"the rule was put, its target was not", rule(guardrail.RootActivityPattern), forward, guardrail.StatePending},
		{"the rule forwards", rule(guardrail.RootActivityPattern, bus), forward, guardrail.StateDone},
		{"a rule of that name with another pattern", rule(`{"source":["aws.signin"]}`), forward, guardrail.StateStale},
		{"the bus grants the account", policy(`{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:root"},"Action":"events:PutEvents","Resource":"` + bus + `"}]}`),
			grant, guardrail.StateDone},
		{"the bus grants the account among others", policy(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["888888888888","777777777777"]},"Action":["events:PutEvents"],"Resource":"*"}}`),
			grant, guardrail.StateDone},
		{"an organization-wide grant needs a role on the target: still pending", policy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + bus + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-acme0demo1"}}}]}`),
			grant, guardrail.StatePending},
		{"a grant to another account", policy(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"888888888888"},"Action":"events:PutEvents","Resource":"*"}]}`),
			grant, guardrail.StatePending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := planSnapshot(t)
			tt.mutate(s)
			rv := p.Review(s)
			for _, cr := range rv.Changes {
				if cr.Change.ID == tt.change {
					if cr.State != tt.want {
						t.Errorf("%s is %s, want %s (%s)", tt.change, cr.State, tt.want, cr.Why())
					}
					return
				}
			}
			t.Fatalf("the plan has no change %s", tt.change)
		})
	}
}

// TestForwardingBusPolicyLimit: account grants stop before the central bus
// policy passes EventBridge's 10 KB; the accounts beyond are gaps naming the
// organization-wide alternative, and the grants planned fit.
// TestForwardingBesideAnOrganizationGrant: the central bus already lets
// the organization in, which needs an IAM role on each sender's target.
// The plan's forwarding puts no role, so it grants each account as well;
// with those grants the projected check passes (an account statement
// decides, not the organization one).
func TestForwardingBesideAnOrganizationGrant(t *testing.T) {
	const bus = "arn:aws:events:us-east-1:333333333333:event-bus/default"
	cfg := planConfig(t)
	cfg.Alerting.Subscription = &guardrail.Subscription{Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:333333333333:root-alerts"}
	s := planSnapshot(t)
	addAlertQueue(s, "333333333333", cfg.Alerting.Subscription.Endpoint, "arn:aws:sns:us-east-1:333333333333:rootguard-root-activity")
	buses := s.Account("333333333333").Detective.EventBuses.Value
	i := slices.IndexFunc(buses, func(b inventory.EventBus) bool { return b.Region == "us-east-1" && b.Name == "default" })
	if i < 0 {
		t.Fatal("no default bus of 333333333333 in us-east-1")
	}
	buses[i].Policy = `{"Version":"2012-10-17","Statement":[{"Sid":"org","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + bus +
		`","Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + s.Organization.ID + `"}}}]}`
	p, err := guardrail.NewPlan(cfg, s, guardrail.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after, err := guardrail.Project(s, p.Changes)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]string{}
	for _, e := range p.Expected {
		if e.CheckID == "root-activity-alerting" {
			to[e.AccountID] = e.To
		}
	}
	forwards := 0
	for _, c := range p.Changes {
		if c.Kind != guardrail.KindForwardRootActivity {
			continue
		}
		forwards++
		if to[c.AccountID] != "PASS" {
			t.Errorf("%s: root-activity-alerting expected %q once applied, want PASS", c.ID, to[c.AccountID])
		}
		if c.Note != "" {
			t.Errorf("%s has note %q", c.ID, c.Note)
		}
		for _, r := range after.Account(c.AccountID).Detective.EventRules.Value {
			if r.Name == c.Calls[0].Params["Name"] {
				if diff := cmp.Diff(map[string]string{bus: ""}, r.TargetRoles); diff != "" {
					t.Errorf("%s: projected target roles (-want +got):\n%s", c.ID, diff)
				}
			}
		}
	}
	if forwards != 9 { // 222222222222 gets its own topic's grant instead
		t.Errorf("%d forwarding changes, want 9", forwards)
	}
}

func TestForwardingBusPolicyLimit(t *testing.T) {
	s := largePlanOrg(t, 200)
	p, err := guardrail.NewPlan(planConfig(t), s, guardrail.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after, err := guardrail.Project(s, p.Changes)
	if err != nil {
		t.Fatal(err)
	}
	var grants, forwards, gaps int
	for _, c := range p.Changes {
		switch c.Kind {
		case guardrail.KindPutPermission:
			grants++
		case guardrail.KindForwardRootActivity:
			forwards++
		}
	}
	for _, g := range p.Gaps {
		if strings.Contains(g.Detail, "past EventBridge's 10240 bytes") && strings.Contains(g.Detail, "StackSet template") {
			gaps++
		}
	}
	policy := after.Account("333333333333").Detective.EventBuses.Value[0].Policy
	if grants == 0 || grants != forwards || gaps == 0 || len(policy) > guardrail.MaxBusPolicySize {
		t.Errorf("%d grants, %d forwards, %d limit gaps, policy of %d bytes; want as many grants as forwards, some gaps, at most %d bytes",
			grants, forwards, gaps, len(policy), guardrail.MaxBusPolicySize)
	}
}

// TestPlanWithoutIAMTrustedAccess: an organization where IAM has no
// trusted access answers iam:ListOrganizationsFeatures with
// ServiceAccessNotEnabled, which proves the features are off. The plan
// enables trusted access, then both features (not a gap), predicts
// centralized-root-access-enabled PASS, and warns that the member root
// credentials it could not read need a plan made after this one.
func TestPlanWithoutIAMTrustedAccess(t *testing.T) {
	tests := []struct {
		name string
		// unreadMembers makes the members' AssumeRoot audit sessions fail,
		// as they do before RootCredentialsManagement is on.
		unreadMembers bool
		// wantUnread is the count the re-plan warning gives: 999999999999's
		// sessions are denied by an SCP in the demo in any case.
		wantUnread int
	}{
		{"member credentials read", false, 1},
		{"member credentials not read", true, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := planSnapshot(t)
			org := s.Organization
			var trusted []string
			for _, svc := range org.TrustedServices.Value {
				if svc != guardrail.ServiceIAM {
					trusted = append(trusted, svc)
				}
			}
			org.TrustedServices.Value = trusted
			org.Features = inventory.Fact[[]string]{Source: inventory.Source{API: "iam:ListOrganizationsFeatures", At: s.CollectedAt,
				Error: &inventory.CallError{Code: "ServiceAccessNotEnabledException", Message: "The request was rejected because trusted access is not enabled for IAM in AWS Organizations."}}}
			if tt.unreadMembers {
				for i := range s.Accounts {
					if a := &s.Accounts[i]; a.Role == inventory.RoleMember {
						a.Root.Session = inventory.Fact[bool]{Source: inventory.Source{API: "sts:AssumeRoot", At: s.CollectedAt,
							Error: &inventory.CallError{Code: "AccessDenied", Message: "centralized root access is not enabled"}}}
					}
				}
			}
			p, err := guardrail.NewPlan(planConfig(t), s, guardrail.PlanOptions{Tool: "rootguard test"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range p.Changes {
				if c.Kind == guardrail.KindEnableTrustedAccess || c.Kind == guardrail.KindEnableFeature {
					got = append(got, c.ID+" pre="+c.Pre[0].Value+" after="+strings.Join(c.DependsOn, ","))
				}
			}
			want := []string{
				"enable-trusted-access/iam.amazonaws.com pre=disabled after=",
				"enable-feature/RootCredentialsManagement pre=disabled after=enable-trusted-access/iam.amazonaws.com",
				"enable-feature/RootSessions pre=disabled after=enable-trusted-access/iam.amazonaws.com",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("trusted access and feature changes (-want +got):\n%s", diff)
			}
			for _, g := range p.Gaps {
				if g.Area == guardrail.AreaCentralizedRoot {
					t.Errorf("gap %q: the features are known to be off", g.Detail)
				}
			}
			found := false
			for _, e := range p.Expected {
				if e.CheckID == "centralized-root-access-enabled" && e.AccountID == p.Snapshot.ManagementAccountID {
					found = e.From == "FAIL" && e.To == "PASS"
				}
			}
			if !found {
				t.Errorf("expected findings lack centralized-root-access-enabled FAIL -> PASS in %s: %+v", p.Snapshot.ManagementAccountID, p.Expected)
			}
			var replan []string
			for _, w := range p.Warnings {
				if strings.Contains(w, "run plan again once this plan is applied") {
					replan = append(replan, w)
				}
			}
			wantText := fmt.Sprintf("the root credentials of %d member account(s) could not be read", tt.wantUnread)
			if len(replan) != 1 || !strings.Contains(replan[0], wantText) {
				t.Errorf("re-plan warnings %q, want one saying %q", replan, wantText)
			}
			// The review of the same snapshot finds every change pending:
			// the fingerprint of "disabled" holds.
			if n := p.Review(s).Count(guardrail.StatePending); n != len(p.Changes) {
				t.Errorf("%d of %d changes pending on the planned snapshot", n, len(p.Changes))
			}
		})
	}
}

// TestPlanSubscribesQueueFromItsAccount: an SQS queue in another account
// than the alert topic's is subscribed from the queue's account, which the
// topic policy lets in (statement QueueSubscribeSid, by that endpoint and
// protocol only): SNS confirms it at once, so no gap waits for a
// confirmation and root-activity-alerting is expected to pass. An existing
// topic whose policy does not let the queue's account in is a gap, not a
// subscription that would stay pending.
func TestPlanSubscribesQueueFromItsAccount(t *testing.T) {
	const (
		topic = "arn:aws:sns:us-east-1:333333333333:rootguard-root-activity"
		queue = "arn:aws:sqs:us-east-1:444444444444:root-alerts"
	)
	plan := func(t *testing.T, mutate func(*inventory.Snapshot)) *guardrail.Plan {
		t.Helper()
		cfg := planConfig(t)
		cfg.Alerting.Subscription = &guardrail.Subscription{Protocol: "sqs", Endpoint: queue}
		s := planSnapshot(t)
		addAlertQueue(s, "444444444444", queue, topic)
		if mutate != nil {
			mutate(s)
		}
		p, err := guardrail.NewPlan(cfg, s, guardrail.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	change := func(p *guardrail.Plan, kind string) *guardrail.Change {
		for i := range p.Changes {
			if p.Changes[i].Kind == kind && p.Changes[i].AccountID == "333333333333" {
				return &p.Changes[i]
			}
		}
		return nil
	}

	t.Run("new topic", func(t *testing.T) {
		p := plan(t, nil)
		for _, g := range p.Gaps {
			if strings.Contains(g.Detail, "pending") || strings.Contains(g.Detail, queue) {
				t.Errorf("gap about the queue: %s", g.Detail)
			}
		}
		ct := change(p, guardrail.KindCreateTopic)
		if ct == nil {
			t.Fatal("no topic created")
		}
		want := `{"Sid":"` + guardrail.QueueSubscribeSid + `","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444444444444:root"},"Action":"sns:Subscribe","Resource":"` + topic +
			`","Condition":{"StringEquals":{"sns:Endpoint":"` + queue + `","sns:Protocol":"sqs"}}}`
		if got := ct.Calls[0].Params["Attributes.Policy"]; !strings.Contains(got, want) {
			t.Errorf("topic policy %s\nlacks %s", got, want)
		}
		sub := change(p, guardrail.KindSubscribe)
		if sub == nil {
			t.Fatal("no subscription planned")
		}
		c := sub.Calls[0]
		if c.Session != guardrail.SessionAssumeRole || c.RoleARN != "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole" {
			t.Errorf("subscribe call in session %s %s, want the queue's account's role", c.Session, c.RoleARN)
		}
		if sub.Note != "" {
			t.Errorf("subscription note %q", sub.Note)
		}
		pass := false
		for _, e := range p.Expected {
			if e.CheckID == "root-activity-alerting" && e.AccountID == "333333333333" {
				pass = e.To == "PASS"
			}
		}
		if !pass {
			t.Errorf("root-activity-alerting of 333333333333 is not expected to pass: %+v", p.Expected)
		}
		// The plan file, with its call from another account than the
		// change's, loads.
		doc, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := guardrail.DecodePlan("plan.json", doc); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("existing topic without the statement", func(t *testing.T) {
		p := plan(t, func(s *inventory.Snapshot) {
			a := s.Account("333333333333")
			policy := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `"}]}`
			at := &inventory.Fact[inventory.TopicAttributes]{Value: inventory.TopicAttributes{Policy: policy}, Source: inventory.Source{API: "sns:GetTopicAttributes"}}
			a.Detective.Topics.Value = append(a.Detective.Topics.Value, inventory.Topic{ARN: topic, Subscriptions: []inventory.Subscription{}, Attributes: at})
		})
		if c := change(p, guardrail.KindSubscribe); c != nil {
			t.Errorf("subscription planned: %+v", c.Calls)
		}
		if !slices.ContainsFunc(p.Gaps, func(g guardrail.Gap) bool {
			return strings.Contains(g.Detail, "does not let account 444444444444 subscribe queue "+queue) && strings.Contains(g.Detail, guardrail.QueueSubscribeSid)
		}) {
			t.Errorf("no gap names the topic policy: %+v", p.Gaps)
		}
	})
}
