package cli_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/cli"
	"github.com/rootguard/rootguard/internal/policy"
)

// TestIAMPolicyGolden pins what iam-policy prints for every mode, as text
// and as JSON, and checks that every document it prints is a policy IAM
// accepts (it parses with the policy engine).
func TestIAMPolicyGolden(t *testing.T) {
	for _, mode := range []string{"scan", "plan", "apply", "serve"} {
		for _, format := range []string{"text", "json"} {
			t.Run(mode+"/"+format, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				args := []string{"iam-policy", mode, "--format", format, "--management-account", "111111111111"}
				if code := cli.Run(t.Context(), args, strings.NewReader(""), &stdout, &stderr); code != cli.ExitOK {
					t.Fatalf("exit %d: %s", code, stderr.String())
				}
				checkGolden(t, "iam-policy-"+mode+"."+format+".golden", stdout.String())
				if format != "json" {
					return
				}
				var doc map[string]json.RawMessage
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"management_policy", "member_policy", "member_trust_policy"} {
					if _, err := policy.Parse(k, doc[k]); err != nil {
						t.Errorf("%s: %v", k, err)
					}
				}
			})
		}
	}
}

func TestIAMPolicyUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no mode", []string{"iam-policy"}, "accepts 1 arg"},
		{"unknown mode", []string{"iam-policy", "audit"}, `mode "audit": want scan, plan, apply or serve`},
		{"bad format", []string{"iam-policy", "scan", "--format", "yaml"}, `--format "yaml": want text or json`},
		{"bad account", []string{"iam-policy", "scan", "--management-account", "1234"}, `--management-account "1234": want a 12-digit account ID`},
		{"bad role", []string{"iam-policy", "scan", "--role", "a/b"}, `--role "a/b": want an IAM role name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := cli.Run(t.Context(), tt.args, strings.NewReader(""), &stdout, &stderr); code != cli.ExitUsage {
				t.Errorf("exit %d, want %d", code, cli.ExitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.want)
			}
		})
	}
}
