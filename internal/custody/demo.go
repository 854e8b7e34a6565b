package custody

import (
	_ "embed"
	"fmt"
)

//go:embed demo.yaml
var demoYAML []byte

// Demo returns the demo organization's custody registry, a fresh copy.
func Demo() *Registry {
	r, err := Parse("demo.yaml", demoYAML)
	if err != nil {
		panic(fmt.Sprintf("embedded demo custody registry: %v", err)) // TestDemo keeps this from happening
	}
	return r
}
