package sim

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// The YAML decoder hands a TextUnmarshaler its value by formatting the
// whole document around the node, which makes a scenario with many dates
// quadratic to read (twenty seconds for the saved state of 1,000
// accounts). Date and Duration read their scalar from the node instead.

// scalarText is the text of a scalar node, as UnmarshalText would get it.
func scalarText(n ast.Node) (string, error) {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "", nil
	case *ast.StringNode:
		return v.Value, nil
	case *ast.AliasNode:
		return "", fmt.Errorf("%s an alias is not allowed here, write the value", at(v))
	case ast.ScalarNode:
		return v.GetToken().Value, nil
	}
	return "", fmt.Errorf("%s want a single value, not a %s", at(n), strings.ToLower(n.Type().String()))
}

// at is a node's position in the decoder's own format, [line:column].
func at(n ast.Node) string {
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return fmt.Sprintf("[%d:%d]", tk.Position.Line, tk.Position.Column)
	}
	return "[?]"
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (d *Date) UnmarshalYAML(n ast.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}
