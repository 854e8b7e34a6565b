package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/report"
)

// TestJSONSchema validates the json output of every case against the
// embedded schema, and decodes it strictly back into a Report.
func TestJSONSchema(t *testing.T) {
	schema := loadSchema(t)
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, "json", report.New(c.meta, c.findings, generatedAt), c.opts)
			var doc any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if errs := schema.validate(doc); len(errs) > 0 {
				t.Errorf("json output does not match schema/findings-v1.json:\n%s", strings.Join(errs, "\n"))
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.DisallowUnknownFields()
			var back report.Report
			if err := dec.Decode(&back); err != nil {
				t.Errorf("strict decode into report.Report: %v", err)
			}
			if back.Schema != report.SchemaID || len(back.Findings) != len(c.findings) {
				t.Errorf("decoded schema %q with %d findings, want %q with %d", back.Schema, len(back.Findings), report.SchemaID, len(c.findings))
			}
		})
	}
}

// TestJSONSchemaRejects makes sure the validator and the schema can fail:
// each case breaks a valid document in one way.
func TestJSONSchemaRejects(t *testing.T) {
	schema := loadSchema(t)
	valid := func() map[string]any {
		out := render(t, "json", report.New(orgMeta, loadFindings(t), generatedAt), report.Options{})
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	finding0 := func(doc map[string]any) map[string]any { return doc["findings"].([]any)[0].(map[string]any) }
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
		want   string
	}{
		{"findings null", func(d map[string]any) { d["findings"] = nil }, "$.findings: want array"},
		{"unknown top-level field", func(d map[string]any) { d["extra"] = 1 }, "$.extra: not allowed"},
		{"summary missing", func(d map[string]any) { delete(d, "summary") }, "$: missing summary"},
		{"wrong schema id", func(d map[string]any) { d["schema"] = "rootguard.findings/v2" }, "$.schema: want"},
		{"bad time", func(d map[string]any) { d["generated_at"] = "yesterday" }, "$.generated_at: not a date-time"},
		{"bad status", func(d map[string]any) { finding0(d)["status"] = "OK" }, "$.findings[0].status: \"OK\" not in"},
		{"bad severity", func(d map[string]any) { finding0(d)["severity"] = "urgent" }, "$.findings[0].severity"},
		{"evidence not object", func(d map[string]any) { finding0(d)["evidence"] = []any{} }, "$.findings[0].evidence: want object"},
		{"cis not array", func(d map[string]any) { finding0(d)["references"].(map[string]any)["cis"] = "1.4" }, "$.findings[0].references.cis: want array"},
		{"negative count", func(d map[string]any) { d["summary"].(map[string]any)["findings"] = -1.0 }, "$.summary.findings: below minimum"},
		{"fractional count", func(d map[string]any) { d["summary"].(map[string]any)["findings"] = 1.5 }, "$.summary.findings: want integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := valid()
			tt.mutate(doc)
			errs := schema.validate(any(doc))
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, tt.want) }) {
				t.Errorf("validate = %q, want an error starting %q", errs, tt.want)
			}
		})
	}
}

func loadSchema(t *testing.T) *jsonSchema {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(report.JSONSchema(), &root); err != nil {
		t.Fatalf("schema/findings-v1.json: %v", err)
	}
	return &jsonSchema{root: root}
}

// jsonSchema validates the subset of JSON Schema 2020-12 that
// schema/findings-v1.json uses. A keyword it does not know is an error,
// so the schema cannot quietly grow past what is tested.
type jsonSchema struct{ root map[string]any }

var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "title": true, "description": true, "$defs": true,
	"type": true, "const": true, "enum": true, "properties": true, "required": true,
	"additionalProperties": true, "items": true, "$ref": true, "minimum": true,
	"minLength": true, "format": true,
}

func (s *jsonSchema) validate(doc any) []string {
	var errs []string
	s.check("$", s.root, doc, &errs)
	return errs
}

func (s *jsonSchema) check(path string, sch map[string]any, v any, errs *[]string) {
	fail := func(format string, args ...any) { *errs = append(*errs, path+": "+fmt.Sprintf(format, args...)) }
	for k := range sch {
		if !knownKeywords[k] {
			fail("schema keyword %q is not supported by the test validator", k)
		}
	}
	if ref, ok := sch["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		def, found := s.root["$defs"].(map[string]any)[name].(map[string]any)
		if !ok || !found {
			fail("unresolvable $ref %q", ref)
			return
		}
		s.check(path, def, v, errs)
	}
	if c, ok := sch["const"]; ok && v != c {
		fail("want %v, got %v", c, v)
	}
	if enum, ok := sch["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%q not in %v", v, enum)
	}
	if typ, ok := sch["type"].(string); ok && !hasType(v, typ) {
		fail("want %s, got %T", typ, v)
		return
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := sch["properties"].(map[string]any)
		required, _ := sch["required"].([]any)
		for _, r := range required {
			if _, ok := v[r.(string)]; !ok {
				fail("missing %s", r)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if p, ok := props[k].(map[string]any); ok {
				s.check(path+"."+k, p, v[k], errs)
			} else if sch["additionalProperties"] == false {
				*errs = append(*errs, path+"."+k+": not allowed")
			}
		}
	case []any:
		if items, ok := sch["items"].(map[string]any); ok {
			for i, e := range v {
				s.check(fmt.Sprintf("%s[%d]", path, i), items, e, errs)
			}
		}
	case float64:
		if m, ok := sch["minimum"].(float64); ok && v < m {
			fail("below minimum %v", m)
		}
	case string:
		if m, ok := sch["minLength"].(float64); ok && float64(len(v)) < m {
			fail("shorter than %v", m)
		}
		if sch["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				fail("not a date-time: %q", v)
			}
		}
	}
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "boolean":
		_, ok := v.(bool)
		return ok
	}
	return false
}

// TestFixtureSeverities guards the fixture: every status, and a FAIL at
// every severity, so each renderer shows them all.
func TestFixtureSeverities(t *testing.T) {
	statuses := map[checks.Status]bool{}
	failSev := map[checks.Severity]bool{}
	for _, f := range loadFindings(t) {
		statuses[f.Status] = true
		if f.Status == checks.Fail {
			failSev[f.Severity] = true
		}
	}
	if len(statuses) != 4 || len(failSev) != 5 {
		t.Errorf("testdata/findings.json covers statuses %v and FAIL severities %v; want all 4 and all 5", statuses, failSev)
	}
}
