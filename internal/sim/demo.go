package sim

import (
	_ "embed"
	"fmt"
)

//go:embed demo.yaml
var demoYAML []byte

// DemoYAML returns the demo scenario's source.
func DemoYAML() []byte { return append([]byte(nil), demoYAML...) }

// Demo returns a fresh copy of the embedded demo organization.
func Demo() *Scenario {
	s, err := ParseScenario("demo.yaml", demoYAML)
	if err != nil {
		panic(fmt.Sprintf("embedded demo scenario: %v", err)) // a test keeps this from happening
	}
	return s
}
