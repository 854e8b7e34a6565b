package cli

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/guardrail"
)

var (
	flagMention = regexp.MustCompile(`--[a-z][a-z0-9-]*`)
	// keyMention is a snake_case word: how a config key would be named.
	keyMention = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)
)

// TestRemediationNamesRealFlagsAndKeys reads every check's documentation
// and remediation: each --flag must be a rootguard flag or belong to an
// `aws ...` command line of the same text, and each snake_case word of the
// remediation must be a key of the guardrails config.
func TestRemediationNamesRealFlagsAndKeys(t *testing.T) {
	flags := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { flags["--"+f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { flags["--"+f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(referenceRoot())
	keys := yamlKeys(reflect.TypeFor[guardrail.Config]())

	for _, c := range checks.Default().Checks() {
		text := c.Doc + "\n" + c.Remediation
		awsFlags := map[string]bool{}
		for _, line := range awsCommandLines(text) {
			for _, f := range flagMention.FindAllString(line, -1) {
				awsFlags[f] = true
			}
		}
		for _, f := range flagMention.FindAllString(text, -1) {
			if !flags[f] && !awsFlags[f] {
				t.Errorf("%s names %s, which is neither a rootguard flag nor in an aws command of the text", c.ID, f)
			}
		}
		for _, line := range strings.Split(c.Remediation, "\n") {
			if strings.Contains(line, "aws ") || strings.Contains(line, "arn:") {
				continue // AWS's own names (policy ARNs, CLI values)
			}
			for _, k := range keyMention.FindAllString(line, -1) {
				if !keys[k] {
					t.Errorf("%s names %q, which is not a config key", c.ID, k)
				}
			}
		}
	}
}

// awsCommandLines are the lines of text from an "aws " command on, with
// their continuations (after a backslash, or lines starting with a flag).
func awsCommandLines(text string) []string {
	var out []string
	in, cont := false, false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		in = strings.Contains(line, "aws ") || (in && (cont || strings.HasPrefix(trimmed, "--")))
		if in {
			out = append(out, line)
		}
		cont = strings.HasSuffix(trimmed, `\`)
	}
	return out
}

// yamlKeys are the YAML keys of t's fields, nested structs, slices and maps
// included.
func yamlKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
				keys[name] = true
			}
			walk(f.Type)
		}
	}
	walk(t)
	return keys
}
