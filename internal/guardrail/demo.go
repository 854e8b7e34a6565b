package guardrail

import (
	_ "embed"
	"fmt"
)

//go:embed demo.yaml
var demoYAML []byte

// DemoConfigName names the built-in demo config in messages.
const DemoConfigName = "built-in demo config"

// DemoConfig returns the guardrails config of the built-in demo
// organization: DefaultConfig with the alternate contacts and the alert
// subscription (an SQS queue in the security account) the defaults leave
// unset. plan --demo uses it when no --config is given.
func DemoConfig() Config {
	cfg, err := ParseConfig(DemoConfigName, demoYAML)
	if err != nil {
		panic(fmt.Sprintf("guardrail: %v", err)) // embedded; TestDemoConfig keeps it valid
	}
	return cfg
}
