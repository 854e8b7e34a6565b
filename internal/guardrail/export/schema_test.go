package export_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/guardrail/export"
)

// tfSchema lists, for each hashicorp/aws resource type the export may
// write, its required arguments and the optional ones it uses, from the
// provider's documentation (and `terraform providers schema -json` of
// hashicorp/aws 5.100.0). oneOf lists arguments of which at least one is
// required.
var tfSchema = map[string]struct {
	required, optional, oneOf []string
}{
	"aws_organizations_policy":            {required: []string{"content", "name"}, optional: []string{"description", "type", "skip_destroy", "tags"}},
	"aws_organizations_policy_attachment": {required: []string{"policy_id", "target_id"}, optional: []string{"skip_destroy"}},
	"aws_iam_organizations_features":      {required: []string{"enabled_features"}},
	"aws_cloudwatch_event_rule":           {optional: []string{"name", "description", "state", "event_bus_name"}, oneOf: []string{"event_pattern", "schedule_expression"}},
	"aws_cloudwatch_event_target":         {required: []string{"rule", "arn"}, optional: []string{"target_id", "event_bus_name", "role_arn"}},
	"aws_iam_role":                        {required: []string{"assume_role_policy"}, optional: []string{"name", "description"}},
	"aws_iam_role_policy":                 {required: []string{"role", "policy"}, optional: []string{"name"}},
	"aws_sns_topic":                       {optional: []string{"name"}},
	"aws_sns_topic_policy":                {required: []string{"arn", "policy"}},
	"aws_sns_topic_subscription":          {required: []string{"topic_arn", "protocol", "endpoint"}},
	// condition is a nested block (key, type, value), not an argument.
	"aws_cloudwatch_event_permission": {required: []string{"principal", "statement_id"}, optional: []string{"action", "event_bus_name"}},
}

// metaArguments are accepted in every resource block.
var metaArguments = []string{"provider", "depends_on", "count", "for_each", "lifecycle"}

type tfBlock struct {
	kind   string // resource, provider, terraform
	labels []string
	attrs  map[string]bool
	alias  string // a provider's alias
	file   string
	line   int
}

var (
	blockRe   = regexp.MustCompile(`^(resource|provider|terraform|data|variable|output|module|locals)((?:\s+"[^"]*")*)\s*\{\}?$`)
	labelRe   = regexp.MustCompile(`"([^"]*)"`)
	attrRe    = regexp.MustCompile(`^([a-z_][a-z0-9_]*)\s*=`)
	heredocRe = regexp.MustCompile(`<<-?([A-Z]+)$`)
	aliasRe   = regexp.MustCompile(`^alias\s*=\s*"([a-z0-9_]+)"$`)
	refRe     = regexp.MustCompile(`\b(aws_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)\.[a-z_]+`)
	provRe    = regexp.MustCompile(`^provider\s*=\s*aws\.([a-z_][a-z0-9_]*)$`)
)

// parseTerraform is a small sanity parser: it checks that braces balance
// outside strings and heredocs, and returns the top-level blocks with their
// top-level attribute names. It is no HCL parser; terraform validate is the
// real check where the binary exists.
func parseTerraform(t *testing.T, name, src string) (blocks []tfBlock, refs [][2]string, providers []string) {
	t.Helper()
	depth := 0
	var cur *tfBlock
	heredoc := ""
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(raw)
		if heredoc != "" {
			if line == heredoc {
				heredoc = ""
			}
			for _, m := range refRe.FindAllStringSubmatch(line, -1) {
				refs = append(refs, [2]string{m[1], m[2]})
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := heredocRe.FindStringSubmatch(line); m != nil {
			heredoc = m[1]
		}
		if depth == 0 {
			m := blockRe.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s:%d: not a block opening at top level: %s", name, i+1, line)
				continue
			}
			b := tfBlock{kind: m[1], attrs: map[string]bool{}, file: name, line: i + 1}
			for _, l := range labelRe.FindAllStringSubmatch(m[2], -1) {
				b.labels = append(b.labels, l[1])
			}
			blocks = append(blocks, b)
			cur = &blocks[len(blocks)-1]
		} else if depth == 1 {
			if m := attrRe.FindStringSubmatch(line); m != nil {
				if cur.attrs[m[1]] {
					t.Errorf("%s:%d: argument %s set twice", name, i+1, m[1])
				}
				cur.attrs[m[1]] = true
			}
			if m := aliasRe.FindStringSubmatch(line); m != nil {
				cur.alias = m[1]
			}
			if m := provRe.FindStringSubmatch(line); m != nil {
				providers = append(providers, m[1])
			}
		}
		for _, m := range refRe.FindAllStringSubmatch(line, -1) {
			refs = append(refs, [2]string{m[1], m[2]})
		}
		depth += strings.Count(stripStrings(line), "{") - strings.Count(stripStrings(line), "}")
		if depth < 0 {
			t.Fatalf("%s:%d: unbalanced }", name, i+1)
		}
	}
	if depth != 0 || heredoc != "" {
		t.Errorf("%s: %d unclosed block(s), open heredoc %q", name, depth, heredoc)
	}
	return blocks, refs, providers
}

// stripStrings drops quoted strings (with escapes) from a line.
func stripStrings(line string) string {
	return regexp.MustCompile(`"(?:[^"\\]|\\.)*"`).ReplaceAllString(line, `""`)
}

func TestTerraformSchema(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var blocks []tfBlock
			var refs [][2]string
			var providers []string
			for _, f := range generate(t, "terraform", state(t, c.config, c.mutate)) {
				b, r, p := parseTerraform(t, f.Name, string(f.Content))
				blocks, refs, providers = append(blocks, b...), append(refs, r...), append(providers, p...)
			}
			declared := map[string]bool{}
			aliases := map[string]bool{}
			for _, b := range blocks {
				switch b.kind {
				case "resource":
					if len(b.labels) != 2 {
						t.Errorf("%s:%d: resource with labels %q", b.file, b.line, b.labels)
						continue
					}
					typ, name := b.labels[0], b.labels[1]
					key := typ + "." + name
					if declared[key] {
						t.Errorf("%s:%d: %s declared twice", b.file, b.line, key)
					}
					declared[key] = true
					s, ok := tfSchema[typ]
					if !ok {
						t.Errorf("%s:%d: resource type %s is not in the checked hashicorp/aws list", b.file, b.line, typ)
						continue
					}
					for _, a := range s.required {
						if !b.attrs[a] {
							t.Errorf("%s:%d: %s lacks required argument %s", b.file, b.line, key, a)
						}
					}
					if len(s.oneOf) > 0 && !slices.ContainsFunc(s.oneOf, func(a string) bool { return b.attrs[a] }) {
						t.Errorf("%s:%d: %s needs one of %v", b.file, b.line, key, s.oneOf)
					}
					for a := range b.attrs {
						if !slices.Contains(s.required, a) && !slices.Contains(s.optional, a) && !slices.Contains(s.oneOf, a) && !slices.Contains(metaArguments, a) {
							t.Errorf("%s:%d: %s has argument %s, not in its documented schema", b.file, b.line, key, a)
						}
					}
				case "provider":
					if len(b.labels) != 1 || b.labels[0] != "aws" {
						t.Errorf("%s:%d: provider %q", b.file, b.line, b.labels)
					}
					if b.alias != "" {
						aliases[b.alias] = true
					}
				case "terraform":
				default:
					t.Errorf("%s:%d: unexpected %s block", b.file, b.line, b.kind)
				}
			}
			for _, r := range refs {
				if !declared[r[0]+"."+r[1]] {
					t.Errorf("reference to %s.%s, which is not declared", r[0], r[1])
				}
			}
			for _, p := range providers {
				if !aliases[p] {
					t.Errorf("provider aws.%s is not declared", p)
				}
			}
			if !slices.ContainsFunc(blocks, func(b tfBlock) bool { return b.kind == "terraform" }) {
				t.Error("no terraform block with required_providers")
			}
		})
	}
}

// cfnSchema lists, for each CloudFormation resource type the export may
// write, its required and its allowed properties, from the CloudFormation
// resource reference.
var cfnSchema = map[string]struct{ required, allowed []string }{
	"AWS::Organizations::Policy":  {required: []string{"Content", "Name", "Type"}, allowed: []string{"Description", "Tags", "TargetIds"}},
	"AWS::Events::Rule":           {allowed: []string{"Description", "EventBusName", "EventPattern", "Name", "RoleArn", "ScheduleExpression", "State", "Targets"}},
	"AWS::SNS::Topic":             {allowed: []string{"DisplayName", "KmsMasterKeyId", "Tags", "TopicName"}},
	"AWS::SNS::TopicPolicy":       {required: []string{"PolicyDocument", "Topics"}},
	"AWS::SNS::Subscription":      {required: []string{"Protocol", "TopicArn"}, allowed: []string{"Endpoint", "FilterPolicy", "RawMessageDelivery", "Region"}},
	"AWS::Events::EventBusPolicy": {required: []string{"StatementId"}, allowed: []string{"Action", "Condition", "EventBusName", "Principal", "Statement"}},
	"AWS::IAM::Role":              {required: []string{"AssumeRolePolicyDocument"}, allowed: []string{"Description", "ManagedPolicyArns", "MaxSessionDuration", "Path", "PermissionsBoundary", "Policies", "RoleName", "Tags"}},
}

type cfnResource struct {
	Type       string
	Properties map[string]any
}

func decodeTemplates(t *testing.T, files []export.File) map[string]cfnResource {
	t.Helper()
	all := map[string]cfnResource{}
	for _, f := range files {
		var tpl struct {
			AWSTemplateFormatVersion string
			Description              string
			Resources                map[string]cfnResource
		}
		dec := json.NewDecoder(strings.NewReader(string(f.Content)))
		dec.DisallowUnknownFields()
		var top map[string]json.RawMessage
		if err := json.Unmarshal(f.Content, &top); err != nil {
			t.Fatalf("%s: not JSON: %v", f.Name, err)
		}
		for k := range top {
			if !slices.Contains([]string{"AWSTemplateFormatVersion", "Description", "Metadata", "Resources"}, k) {
				t.Errorf("%s: unexpected top-level section %s", f.Name, k)
			}
		}
		if err := json.Unmarshal(f.Content, &tpl); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if tpl.AWSTemplateFormatVersion != "2010-09-09" {
			t.Errorf("%s: AWSTemplateFormatVersion %q", f.Name, tpl.AWSTemplateFormatVersion)
		}
		if n := len(tpl.Description); n == 0 || n > 1024 {
			t.Errorf("%s: Description of %d characters (1-1024 allowed)", f.Name, n)
		}
		if len(tpl.Resources) == 0 {
			t.Errorf("%s: no resources", f.Name)
		}
		for id, r := range tpl.Resources {
			if !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(id) {
				t.Errorf("%s: logical ID %q is not alphanumeric", f.Name, id)
			}
			checkRefs(t, f.Name, id, r.Properties, tpl.Resources)
			all[id] = r
		}
	}
	return all
}

// checkRefs makes sure every Ref and Fn::GetAtt names a resource of the
// same template.
func checkRefs(t *testing.T, file, id string, v any, resources map[string]cfnResource) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok {
			if _, ok := resources[ref]; !ok {
				t.Errorf("%s: %s refers to %s, not in the template", file, id, ref)
			}
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok {
			if len(ga) != 2 {
				t.Errorf("%s: %s: Fn::GetAtt %v", file, id, ga)
			} else if _, ok := resources[ga[0].(string)]; !ok {
				t.Errorf("%s: %s: Fn::GetAtt on %v, not in the template", file, id, ga[0])
			}
		}
		for _, e := range x {
			checkRefs(t, file, id, e, resources)
		}
	case []any:
		for _, e := range x {
			checkRefs(t, file, id, e, resources)
		}
	}
}

func TestCloudFormationSchema(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resources := decodeTemplates(t, generate(t, "cloudformation", state(t, c.config, c.mutate)))
			for id, r := range resources {
				s, ok := cfnSchema[r.Type]
				if !ok {
					t.Errorf("%s: type %s is not in the checked list", id, r.Type)
					continue
				}
				for _, p := range s.required {
					if _, ok := r.Properties[p]; !ok {
						t.Errorf("%s (%s) lacks required property %s", id, r.Type, p)
					}
				}
				for p := range r.Properties {
					if !slices.Contains(s.required, p) && !slices.Contains(s.allowed, p) {
						t.Errorf("%s (%s) has property %s, not in its documented schema", id, r.Type, p)
					}
				}
				switch r.Type {
				case "AWS::Organizations::Policy":
					content, _ := json.Marshal(r.Properties["Content"])
					if len(content) > guardrail.MaxSCPSize {
						t.Errorf("%s: content of %d characters", id, len(content))
					}
					if r.Properties["Type"] != "SERVICE_CONTROL_POLICY" {
						t.Errorf("%s: Type %v", id, r.Properties["Type"])
					}
				case "AWS::Events::Rule":
					targets, _ := r.Properties["Targets"].([]any)
					for _, tg := range targets {
						m, _ := tg.(map[string]any)
						if m["Arn"] == nil || m["Id"] == nil {
							t.Errorf("%s: target %v lacks Arn or Id (both required)", id, tg)
						}
					}
					if r.Properties["EventPattern"] == nil && r.Properties["ScheduleExpression"] == nil {
						t.Errorf("%s: neither EventPattern nor ScheduleExpression", id)
					}
				}
			}
		})
	}
}

// pluginMirror is where a filesystem mirror of the hashicorp/aws provider
// lives: $ROOTGUARD_TF_PLUGIN_MIRROR, or /opt/tf-plugins where the
// development image ships one.
func pluginMirror() string {
	if d := os.Getenv("ROOTGUARD_TF_PLUGIN_MIRROR"); d != "" {
		return d
	}
	return "/opt/tf-plugins"
}

// TestTerraformValidate runs the real terraform on the export: fmt -check,
// then init (offline, from the provider mirror) and validate. It is skipped,
// saying why, when the binary or the mirror is missing; the provider
// registry is never contacted.
func TestTerraformValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: terraform validate loads the 700 MB aws provider")
	}
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform binary on PATH: the export is checked by TestTerraformSchema and the golden files only")
	}
	mirror := pluginMirror()
	if _, err := os.Stat(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws")); err != nil {
		t.Skipf("no hashicorp/aws provider mirror at %s (set ROOTGUARD_TF_PLUGIN_MIRROR): terraform validate needs the provider, and the registry is unreachable", mirror)
	}
	home := t.TempDir()
	rc := filepath.Join(home, "terraformrc")
	cfg := `provider_installation {
  filesystem_mirror {
    path    = "` + mirror + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
plugin_cache_dir = "` + filepath.Join(home, "cache") + `"
`
	if err := os.MkdirAll(filepath.Join(home, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_DATA_DIR="+filepath.Join(home, "data"))
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), filepath.Base(dir), err, out)
		}
		return string(out)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(home, c.name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range generate(t, "terraform", state(t, c.config, c.mutate)) {
				if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			run(dir, "fmt", "-check", "-diff")
			run(dir, "init", "-backend=false", "-input=false", "-no-color")
			out := run(dir, "validate", "-json", "-no-color")
			var v struct {
				Valid        bool `json:"valid"`
				WarningCount int  `json:"warning_count"`
				Diagnostics  []struct {
					Severity, Summary, Detail string
				} `json:"diagnostics"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("validate output: %v\n%s", err, out)
			}
			if !v.Valid || v.WarningCount > 0 {
				t.Errorf("terraform validate: valid=%v, %d warning(s): %+v", v.Valid, v.WarningCount, v.Diagnostics)
			}
		})
	}
}
