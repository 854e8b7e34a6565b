package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/rootguard/rootguard/internal/sim"
)

const rootPattern = `{"detail-type":["AWS API Call via CloudTrail","AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`

func ebc(e *env, region string) *eventbridge.Client {
	c := e.caller()
	c.Region = region
	return eventbridge.NewFromConfig(c)
}

// ruleView is what ListRules and ListTargetsByRule say about one rule.
func ruleView(t *testing.T, c *eventbridge.Client, name string) (any, error) {
	rules, err := c.ListRules(t.Context(), &eventbridge.ListRulesInput{NamePrefix: aws.String(name)})
	if err != nil {
		return nil, err
	}
	var got []string
	for _, r := range rules.Rules {
		got = append(got, aws.ToString(r.Name), aws.ToString(r.Arn), string(r.State), aws.ToString(r.EventPattern), aws.ToString(r.Description))
	}
	tg, err := c.ListTargetsByRule(t.Context(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	if err != nil {
		return nil, err
	}
	for _, x := range tg.Targets {
		v := aws.ToString(x.Id) + "=" + aws.ToString(x.Arn)
		if x.RoleArn != nil {
			v += " role=" + aws.ToString(x.RoleArn)
		}
		got = append(got, v)
	}
	return got, nil
}

func putTargets(t *testing.T, c *eventbridge.Client, rule string, targets ...ebtypes.Target) (int32, []string, error) {
	out, err := c.PutTargets(t.Context(), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: targets})
	if err != nil {
		return 0, nil, err
	}
	var failed []string
	for _, f := range out.FailedEntries {
		failed = append(failed, aws.ToString(f.TargetId)+" "+aws.ToString(f.ErrorCode))
	}
	return out.FailedEntryCount, failed, nil
}

func TestEventBridgeWrites(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:111111111111:rootguard-root-activity"
	runWrites(t, sim.Demo, []opCase{
		{
			name: "PutRule and PutTargets, then the reads show them",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				out, err := c.PutRule(t.Context(), &eventbridge.PutRuleInput{
					Name: aws.String("rootguard-root-activity"), EventPattern: aws.String(rootPattern),
					Description: aws.String("Root user activity (rootguard)"), State: ebtypes.RuleStateEnabled,
				})
				if err != nil {
					return nil, err
				}
				n, failed, err := putTargets(t, c, "rootguard-root-activity", ebtypes.Target{Id: aws.String("sns"), Arn: aws.String(topic)})
				if err != nil {
					return nil, err
				}
				view, err := ruleView(t, c, "rootguard-root-activity")
				return []any{aws.ToString(out.RuleArn), n, failed, view}, err
			},
			want: []any{"arn:aws:events:us-east-1:111111111111:rule/rootguard-root-activity", int32(0), []string(nil), []string{
				"rootguard-root-activity", "arn:aws:events:us-east-1:111111111111:rule/rootguard-root-activity", "ENABLED", rootPattern,
				"Root user activity (rootguard)", "sns=" + topic,
			}},
		},
		{
			name: "PutRule updates a rule and keeps its targets",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				if _, err := c.PutRule(t.Context(), &eventbridge.PutRuleInput{
					Name: aws.String("root-activity"), EventPattern: aws.String(`{"source":["aws.signin"]}`), State: ebtypes.RuleStateDisabled,
				}); err != nil {
					return nil, err
				}
				return ruleView(t, c, "root-activity")
			},
			want: []string{"root-activity", "arn:aws:events:us-east-1:111111111111:rule/root-activity", "DISABLED", `{"source":["aws.signin"]}`,
				"Root user API calls and console sign-ins", "Target1=arn:aws:sns:us-east-1:111111111111:root-activity-alerts"},
		},
		{
			name: "PutTargets replaces a target by ID and adds another",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				if _, _, err := putTargets(t, c, "root-activity",
					ebtypes.Target{Id: aws.String("Target1"), Arn: aws.String(topic)},
					ebtypes.Target{Id: aws.String("Target2"), Arn: aws.String("arn:aws:lambda:us-east-1:111111111111:function:notify"), Input: aws.String(`{"a":1}`)},
				); err != nil {
					return nil, err
				}
				view, err := ruleView(t, c, "root-activity")
				if err != nil {
					return nil, err
				}
				return view.([]string)[5:], nil
			},
			want: []string{"Target1=" + topic, "Target2=arn:aws:lambda:us-east-1:111111111111:function:notify"},
		},
		{
			name: "PutTargets with a role, then the same target again without one: the role is gone",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				const bus = "arn:aws:events:us-east-1:333333333333:event-bus/default"
				if _, _, err := putTargets(t, c, "root-activity",
					ebtypes.Target{Id: aws.String("bus"), Arn: aws.String(bus), RoleArn: aws.String("arn:aws:iam::111111111111:role/forward")},
				); err != nil {
					return nil, err
				}
				with, err := ruleView(t, c, "root-activity")
				if err != nil {
					return nil, err
				}
				if _, _, err := putTargets(t, c, "root-activity", ebtypes.Target{Id: aws.String("bus"), Arn: aws.String(bus)}); err != nil {
					return nil, err
				}
				without, err := ruleView(t, c, "root-activity")
				if err != nil {
					return nil, err
				}
				return [][]string{with.([]string)[6:], without.([]string)[6:]}, nil
			},
			want: [][]string{
				{"bus=arn:aws:events:us-east-1:333333333333:event-bus/default role=arn:aws:iam::111111111111:role/forward"},
				{"bus=arn:aws:events:us-east-1:333333333333:event-bus/default"},
			},
		},
		{
			name: "PutTargets reports a role that is not an IAM role ARN",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				n, failed, err := putTargets(t, c, "root-activity",
					ebtypes.Target{Id: aws.String("bus"), Arn: aws.String(topic), RoleArn: aws.String("arn:aws:iam::111111111111:user/forward")})
				if err != nil {
					return nil, err
				}
				view, err := ruleView(t, c, "root-activity")
				if err != nil {
					return nil, err
				}
				return []any{n, failed, view.([]string)[5:]}, nil
			},
			want: []any{int32(1), []string{"bus ValidationException"}, []string{"Target1=arn:aws:sns:us-east-1:111111111111:root-activity-alerts"}},
		},
		{
			name: "PutTargets reports a target whose ARN is not one",
			run: func(t *testing.T, e *env) (any, error) {
				n, failed, err := putTargets(t, ebc(e, "us-east-1"), "root-activity",
					ebtypes.Target{Id: aws.String("bad"), Arn: aws.String("not-an-arn")},
					ebtypes.Target{Id: aws.String("good"), Arn: aws.String(topic)})
				return []any{n, failed}, err
			},
			want: []any{int32(1), []string{"bad ValidationException"}},
		},
		{
			name: "PutTargets beyond five targets",
			run: func(t *testing.T, e *env) (any, error) {
				var ts []ebtypes.Target
				for _, id := range []string{"a", "b", "c", "d", "e"} {
					ts = append(ts, ebtypes.Target{Id: aws.String(id), Arn: aws.String(topic)})
				}
				_, _, err := putTargets(t, ebc(e, "us-east-1"), "root-activity", ts...)
				return nil, err
			},
			wantCode: "LimitExceededException",
		},
		{
			name: "PutTargets on a rule that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, _, err := putTargets(t, ebc(e, "us-east-1"), "nope", ebtypes.Target{Id: aws.String("sns"), Arn: aws.String(topic)})
				return nil, err
			},
			wantCode: "ResourceNotFoundException",
		},
		{
			name: "PutRule with an event pattern that is not JSON",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := ebc(e, "us-east-1").PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source": [`)})
				return nil, err
			},
			wantCode: "InvalidEventPatternException",
		},
		{
			name: "PutRule without a pattern or a schedule",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := ebc(e, "us-east-1").PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String("r")})
				return nil, err
			},
			wantCode: "ValidationException",
		},
		{
			name: "PutRule on a bus that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := ebc(e, "us-east-1").PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(rootPattern), EventBusName: aws.String("nope")})
				return nil, err
			},
			wantCode: "ResourceNotFoundException",
		},
		{
			name: "a rule put in eu-west-1 stays there",
			run: func(t *testing.T, e *env) (any, error) {
				if _, err := ebc(e, "eu-west-1").PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String("eu-root"), EventPattern: aws.String(rootPattern)}); err != nil {
					return nil, err
				}
				eu, err := ebc(e, "eu-west-1").ListRules(t.Context(), &eventbridge.ListRulesInput{})
				if err != nil {
					return nil, err
				}
				us, err := ebc(e, "us-east-1").ListRules(t.Context(), &eventbridge.ListRulesInput{NamePrefix: aws.String("eu-")})
				return []int{len(eu.Rules), len(us.Rules)}, err
			},
			want: []int{1, 0},
		},
		{
			name: "a member's rule targets the management account's default bus",
			run: func(t *testing.T, e *env) (any, error) {
				cfg, err := e.assumeNamed(t, "777777777777", "OrganizationAccountAccessRole", "us-east-1")
				if err != nil {
					return nil, err
				}
				c := eventbridge.NewFromConfig(cfg)
				if _, err := c.PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String("forward"), EventPattern: aws.String(rootPattern)}); err != nil {
					return nil, err
				}
				n, failed, err := putTargets(t, c, "forward", ebtypes.Target{Id: aws.String("central"), Arn: aws.String(centralBus)})
				if err != nil {
					return nil, err
				}
				view, err := ruleView(t, c, "forward")
				if err != nil {
					return nil, err
				}
				return []any{n, failed, view.([]string)[5:]}, nil
			},
			want: []any{int32(0), []string(nil), []string{"central=" + centralBus}},
		},
	})
}

const centralBus = "arn:aws:events:us-east-1:111111111111:event-bus/default"

func putPermission(t *testing.T, c *eventbridge.Client, in *eventbridge.PutPermissionInput) (any, error) {
	if _, err := c.PutPermission(t.Context(), in); err != nil {
		return nil, err
	}
	out, err := c.DescribeEventBus(t.Context(), &eventbridge.DescribeEventBusInput{})
	if err != nil {
		return nil, err
	}
	return []string{aws.ToString(out.Name), aws.ToString(out.Arn), aws.ToString(out.Policy)}, nil
}

func TestEventBusPermissions(t *testing.T) {
	orgGrant := func(sid string) *eventbridge.PutPermissionInput {
		return &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String("*"), StatementId: aws.String(sid),
			Condition: &ebtypes.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:PrincipalOrgID"), Value: aws.String("o-acme0demo1")}}
	}
	accountGrant := func(sid, acct string) *eventbridge.PutPermissionInput {
		return &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String(acct), StatementId: aws.String(sid)}
	}
	const (
		orgStatement     = `{"Sid":"org","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + centralBus + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-acme0demo1"}}}`
		accountStatement = `{"Sid":"web","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:root"},"Action":"events:PutEvents","Resource":"` + centralBus + `"}`
	)
	runWrites(t, sim.Demo, []opCase{
		{
			name: "DescribeEventBus of a bus with no policy",
			run: func(t *testing.T, e *env) (any, error) {
				out, err := ebc(e, "us-east-1").DescribeEventBus(t.Context(), &eventbridge.DescribeEventBusInput{})
				if err != nil {
					return nil, err
				}
				return []any{aws.ToString(out.Name), aws.ToString(out.Arn), out.Policy}, nil
			},
			want: []any{"default", centralBus, (*string)(nil)},
		},
		{
			name: "an organization grant",
			run: func(t *testing.T, e *env) (any, error) {
				return putPermission(t, ebc(e, "us-east-1"), orgGrant("org"))
			},
			want: []string{"default", centralBus, `{"Version":"2012-10-17","Statement":[` + orgStatement + `]}`},
		},
		{
			name: "an account grant after an organization grant; the same statement ID again replaces it",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				for _, in := range []*eventbridge.PutPermissionInput{orgGrant("org"), accountGrant("web", "888888888888"), accountGrant("web", "777777777777")} {
					if _, err := c.PutPermission(t.Context(), in); err != nil {
						return nil, err
					}
				}
				return putPermission(t, c, orgGrant("org"))
			},
			want: []string{"default", centralBus, `{"Version":"2012-10-17","Statement":[` + orgStatement + `,` + accountStatement + `]}`},
		},
		{
			name: "a whole policy replaces the document",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				if _, err := c.PutPermission(t.Context(), orgGrant("org")); err != nil {
					return nil, err
				}
				return putPermission(t, c, &eventbridge.PutPermissionInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + accountStatement + `]}`)})
			},
			want: []string{"default", centralBus, `{"Version":"2012-10-17","Statement":[` + accountStatement + `]}`},
		},
		{
			name: "a grant in eu-west-1 leaves us-east-1 alone",
			run: func(t *testing.T, e *env) (any, error) {
				if _, err := ebc(e, "eu-west-1").PutPermission(t.Context(), orgGrant("org")); err != nil {
					return nil, err
				}
				out, err := ebc(e, "us-east-1").DescribeEventBus(t.Context(), &eventbridge.DescribeEventBusInput{Name: aws.String(centralBus)})
				if err != nil {
					return nil, err
				}
				return out.Policy, nil
			},
			want: (*string)(nil),
		},
		{
			name: "another action",
			run: func(t *testing.T, e *env) (any, error) {
				in := accountGrant("web", "777777777777")
				in.Action = aws.String("events:PutRule")
				return putPermission(t, ebc(e, "us-east-1"), in)
			},
			wantCode: "ValidationException",
		},
		{
			name: "a principal that is not an account",
			run: func(t *testing.T, e *env) (any, error) {
				return putPermission(t, ebc(e, "us-east-1"), accountGrant("web", "arn:aws:iam::777777777777:root"))
			},
			wantCode: "ValidationException",
		},
		{
			name: "a condition on another key",
			run: func(t *testing.T, e *env) (any, error) {
				in := orgGrant("org")
				in.Condition.Key = aws.String("aws:SourceAccount")
				return putPermission(t, ebc(e, "us-east-1"), in)
			},
			wantCode: "ValidationException",
		},
		{
			name: "a policy with a statement ID",
			run: func(t *testing.T, e *env) (any, error) {
				return putPermission(t, ebc(e, "us-east-1"), &eventbridge.PutPermissionInput{StatementId: aws.String("x"), Policy: aws.String(`{"Statement":[]}`)})
			},
			wantCode: "ValidationException",
		},
		{
			name: "a bus that does not exist",
			run: func(t *testing.T, e *env) (any, error) {
				in := orgGrant("org")
				in.EventBusName = aws.String("nope")
				return putPermission(t, ebc(e, "us-east-1"), in)
			},
			wantCode: "ResourceNotFoundException",
		},
		{
			name: "beyond 10 KB of policy",
			run: func(t *testing.T, e *env) (any, error) {
				c := ebc(e, "us-east-1")
				for i := range 100 {
					if _, err := c.PutPermission(t.Context(), accountGrant(fmt.Sprintf("a%d", i), fmt.Sprintf("%012d", i))); err != nil {
						return nil, err
					}
				}
				return nil, nil
			},
			wantCode: "PolicyLengthExceededException",
		},
	})
}

// TestEventBusPolicyRoundTrip: a policy PutPermission wrote is in the
// scenario the server hands back, and a server started from that scenario
// describes the same bus.
func TestEventBusPolicyRoundTrip(t *testing.T) {
	e := writableEnv(t, sim.Demo())
	c := ebc(e, "us-east-1")
	if _, err := c.PutPermission(t.Context(), &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"),
		Principal: aws.String("777777777777"), StatementId: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	want, err := c.DescribeEventBus(t.Context(), &eventbridge.DescribeEventBusInput{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := e.srv.Scenario().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	scn, err := sim.ParseScenario("state.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	again := newEnv(t, scn)
	got, err := ebc(again, "us-east-1").DescribeEventBus(t.Context(), &eventbridge.DescribeEventBusInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(aws.ToString(want.Policy), aws.ToString(got.Policy)); diff != "" {
		t.Errorf("policy after a round trip (-want +got):\n%s", diff)
	}
}

// TestRuleTargetRoles: a scenario's rule target may name its IAM role
// ({id, arn, role_arn}); ListTargetsByRule returns it as RoleArn, the
// scenario the server hands back keeps it, and a role_arn that is not a
// role's ARN is refused.
func TestRuleTargetRoles(t *testing.T) {
	const doc = `caller: {arn: "arn:aws:iam::111111111111:root"}
accounts:
  - id: "111111111111"
    event_rules:
      - name: forward
        pattern: {source: [aws.signin]}
        targets:
          - {arn: "arn:aws:events:us-east-1:222222222222:event-bus/default", role_arn: "arn:aws:iam::111111111111:role/forward"}
          - {id: plain, arn: "arn:aws:sqs:us-east-1:111111111111:q"}
`
	scn, err := sim.ParseScenario("roles.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Target1=arn:aws:events:us-east-1:222222222222:event-bus/default role=arn:aws:iam::111111111111:role/forward",
		"plain=arn:aws:sqs:us-east-1:111111111111:q",
	}
	e := newEnv(t, scn)
	got, err := ruleView(t, ebc(e, "us-east-1"), "forward")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.([]string)[5:]); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	data, err := e.srv.Scenario().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := sim.ParseScenario("state.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	got, err = ruleView(t, ebc(newEnv(t, again), "us-east-1"), "forward")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.([]string)[5:]); diff != "" {
		t.Errorf("targets after a round trip (-want +got):\n%s", diff)
	}

	bad := strings.Replace(doc, "role/forward", "user/forward", 1)
	_, err = sim.ParseScenario("bad.yaml", []byte(bad))
	if wantErr := `accounts[0].event_rules[0].targets[0].role_arn "arn:aws:iam::111111111111:user/forward": not an IAM role ARN`; err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("ParseScenario = %v, want an error containing %q", err, wantErr)
	}
}
