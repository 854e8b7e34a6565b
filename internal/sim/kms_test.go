package sim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/rootguard/rootguard/internal/sim"
)

const kmsScenario = `
name: kms
caller: {arn: "arn:aws:sts::111111111111:assumed-role/Admin/ci"}
organization: {id: o-kmstest0001, management_account: "111111111111"}
accounts:
  - id: "111111111111"
  - id: "222222222222"
    keys:
      - id: 1234abcd-12ab-34cd-56ef-1234567890ab
        description: root alerts
        aliases: [alias/root-alerts]
        policy:
          Statement:
            - {Sid: Admin, Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: "kms:*", Resource: "*"}
            - {Sid: Management, Effect: Allow, Principal: {AWS: "111111111111"}, Action: kms:DescribeKey, Resource: "*"}
            - {Sid: EventBridge, Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*"}
      - {id: 0000aaaa-0000-4000-8000-000000000001, manager: AWS, aliases: [alias/aws/sns]}
      - id: 0000bbbb-0000-4000-8000-000000000002
        region: eu-west-1
      - id: 0000cccc-0000-4000-8000-000000000003
        policy:
          Statement:
            - {Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: "kms:*", Resource: "*"}
  - id: "333333333333"
    keys:
      - {id: 0000dddd-0000-4000-8000-000000000004}
faults:
  - {operation: "kms:GetKeyPolicy", account: "333333333333", code: AccessDeniedException}
`

// TestKMSKeys: the real KMS client describes keys by ID, ARN, alias name
// and alias ARN, reads their default key policy, and is refused where the
// key policy or a fault says so.
func TestKMSKeys(t *testing.T) {
	scn, err := sim.ParseScenario("kms.yaml", []byte(kmsScenario))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, scn)
	ctx := t.Context()
	member := kms.NewFromConfig(e.role(t, "222222222222"))
	const id = "1234abcd-12ab-34cd-56ef-1234567890ab"
	const arn = "arn:aws:kms:us-east-1:222222222222:key/" + id

	for _, ref := range []string{id, arn, "alias/root-alerts", "arn:aws:kms:us-east-1:222222222222:alias/root-alerts"} {
		out, err := member.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil {
			t.Fatalf("DescribeKey %s: %v", ref, err)
		}
		m := out.KeyMetadata
		if aws.ToString(m.Arn) != arn || aws.ToString(m.KeyId) != id || m.KeyManager != kmstypes.KeyManagerTypeCustomer ||
			aws.ToString(m.AWSAccountId) != "222222222222" || m.KeyState != kmstypes.KeyStateEnabled || !m.Enabled || aws.ToString(m.Description) != "root alerts" {
			t.Errorf("DescribeKey %s = %+v", ref, m)
		}
	}
	out, err := member.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sns")})
	if err != nil || out.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Errorf("DescribeKey alias/aws/sns = %v, %v; want KeyManager AWS", out, err)
	}

	pol, err := member.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Sid":"EventBridge"`) || aws.ToString(pol.PolicyName) != "default" {
		t.Errorf("GetKeyPolicy = %v, %v", pol, err)
	}
	dflt, err := kms.NewFromConfig(e.role(t, "333333333333")).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("0000dddd-0000-4000-8000-000000000004")})
	if err != nil || aws.ToString(dflt.KeyMetadata.Arn) != "arn:aws:kms:us-east-1:333333333333:key/0000dddd-0000-4000-8000-000000000004" {
		t.Errorf("DescribeKey under the default key policy = %v, %v", dflt, err)
	}
	nameless, err := member.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("0000aaaa-0000-4000-8000-000000000001")})
	if err != nil || !strings.Contains(aws.ToString(nameless.Policy), `"AWS":"arn:aws:iam::222222222222:root"`) {
		t.Errorf("GetKeyPolicy without a policy name, default key policy = %v, %v", nameless, err)
	}

	caller := kms.NewFromConfig(e.caller())
	if _, err := caller.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)}); err != nil {
		t.Errorf("DescribeKey from the account the key policy names: %v", err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"no such key", func() error {
			_, err := member.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("0000eeee-0000-4000-8000-000000000009")})
			return err
		}, "NotFoundException"},
		{"no such alias", func() error {
			_, err := member.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/nope")})
			return err
		}, "NotFoundException"},
		{"key of another Region", func() error {
			_, err := member.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("0000bbbb-0000-4000-8000-000000000002")})
			return err
		}, "NotFoundException"},
		{"GetKeyPolicy takes no alias", func() error {
			_, err := member.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("alias/root-alerts")})
			return err
		}, "NotFoundException"},
		{"key policy leaves the account out", func() error {
			_, err := member.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("0000cccc-0000-4000-8000-000000000003")})
			return err
		}, "AccessDeniedException"},
		{"GetKeyPolicy across accounts", func() error {
			_, err := caller.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn)})
			return err
		}, "AccessDeniedException"},
		{"DescribeKey from an account the key policy does not name", func() error {
			_, err := kms.NewFromConfig(e.role(t, "333333333333")).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
			return err
		}, "AccessDeniedException"},
		{"fault", func() error {
			_, err := kms.NewFromConfig(e.role(t, "333333333333")).GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("0000dddd-0000-4000-8000-000000000004")})
			return err
		}, "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); code(err) != tc.code {
				t.Errorf("%v, want %s", err, tc.code)
			}
		})
	}
}

// TestKMSScenarioValidation: keys are checked when a scenario is read.
func TestKMSScenarioValidation(t *testing.T) {
	const head = "caller: {arn: 'arn:aws:sts::111111111111:assumed-role/Admin/a'}\naccounts:\n  - id: '111111111111'\n    keys:\n"
	for _, tc := range []struct{ name, keys, want string }{
		{"bad id", "      - {id: nope}\n", `keys[0].id "nope": want a key ID`},
		{"AWS alias on a customer key", "      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab, aliases: [alias/aws/sns]}\n", "alias/aws/ names AWS managed keys only"},
		{"alias without prefix", "      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab, aliases: [root]}\n", `aliases "root": want alias/`},
		{"bad manager", "      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab, manager: ME}\n", "want CUSTOMER or AWS"},
		{"duplicate", "      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab}\n      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab}\n", "duplicate key"},
		{"unknown field", "      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab, rotation: true}\n", "rotation"},
		{"bad policy", "      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab, policy: {Statement: [{Effect: Maybe}]}}\n", "keys[0].policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sim.ParseScenario("in.yaml", []byte(head+tc.keys))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseScenario = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
