package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Parse reads an IAM policy document (identity policy, SCP or RCP) and
// compiles it for evaluation. name identifies the policy in errors and
// reasons. It rejects what AWS rejects (unknown elements, a bad Effect,
// Action with NotAction, unknown condition operators, ill-typed condition
// values…) with a *Error, and accepts what AWS accepts: single values or
// lists, a missing Version, a missing Resource (treated as "*", as SCPs
// commonly omit it).
func Parse(name string, doc []byte) (*Policy, error) {
	p := &parser{name: name}
	pol, err := p.parse(doc)
	if err != nil {
		return nil, err
	}
	return pol, nil
}

// MustParse is Parse for policies known at compile time; it panics on error.
func MustParse(name string, doc string) *Policy {
	p, err := Parse(name, []byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

type parser struct {
	name string
}

func (p *parser) errorf(code ErrorCode, loc, format string, args ...any) *Error {
	return &Error{Code: code, Policy: p.name, Location: loc, Message: fmt.Sprintf(format, args...)}
}

func (p *parser) parse(doc []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, p.jsonError(err, dec)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, p.errorf(CodeInvalidJSON, fmt.Sprintf("offset %d", dec.InputOffset()), "unexpected data after the policy document")
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, p.errorf(CodeNotObject, "$", "policy document is %s, want an object", jsonType(root))
	}
	for _, k := range sortedKeys(obj) {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, p.errorf(CodeUnknownField, pathKey("", k), "unknown policy element %q", k)
		}
	}
	pol := &Policy{Name: p.name}
	if v, ok := obj["Version"]; ok {
		s, ok := v.(string)
		if !ok || (s != Version2012 && s != Version2008) {
			return nil, p.errorf(CodeBadVersion, "Version", "version %s is not %s or %s", jsonText(v), Version2012, Version2008)
		}
		pol.Version = s
	}
	if v, ok := obj["Id"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, p.errorf(CodeBadID, "Id", "Id is %s, want a string", jsonType(v))
		}
		pol.ID = s
	}
	raw, ok := obj["Statement"]
	if !ok {
		return nil, p.errorf(CodeNoStatement, "Statement", "policy has no Statement")
	}
	var items []any
	list := true
	switch v := raw.(type) {
	case []any:
		items = v
	case map[string]any:
		items, list = []any{v}, false
	default:
		return nil, p.errorf(CodeBadStatement, "Statement", "Statement is %s, want an object or a list of objects", jsonType(raw))
	}
	if len(items) == 0 {
		return nil, p.errorf(CodeNoStatement, "Statement", "Statement list is empty")
	}
	sids := map[string]int{}
	for i, it := range items {
		loc := "Statement"
		if list {
			loc = fmt.Sprintf("Statement[%d]", i)
		}
		so, ok := it.(map[string]any)
		if !ok {
			return nil, p.errorf(CodeBadStatement, loc, "statement is %s, want an object", jsonType(it))
		}
		st, err := p.statement(loc, so, pol.Version == Version2012)
		if err != nil {
			return nil, err
		}
		st.Index = i
		if st.Sid != "" {
			if j, dup := sids[st.Sid]; dup {
				return nil, p.errorf(CodeBadSid, loc+".Sid", "Sid %q repeats Statement[%d]", st.Sid, j)
			}
			sids[st.Sid] = i
		}
		pol.Statements = append(pol.Statements, st)
	}
	return pol, nil
}

func (p *parser) jsonError(err error, dec *json.Decoder) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return p.errorf(CodeInvalidJSON, fmt.Sprintf("offset %d", se.Offset), "%v", err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return p.errorf(CodeInvalidJSON, fmt.Sprintf("offset %d", dec.InputOffset()), "document is empty or truncated")
	}
	return p.errorf(CodeInvalidJSON, fmt.Sprintf("offset %d", dec.InputOffset()), "%v", err)
}

var statementFields = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
}

func (p *parser) statement(loc string, o map[string]any, allowVars bool) (Statement, error) {
	var st Statement
	for _, k := range sortedKeys(o) {
		if !statementFields[k] {
			return st, p.errorf(CodeUnknownField, pathKey(loc, k), "unknown statement element %q", k)
		}
	}
	if v, ok := o["Sid"]; ok {
		s, ok := v.(string)
		if !ok {
			return st, p.errorf(CodeBadSid, loc+".Sid", "Sid is %s, want a string", jsonType(v))
		}
		st.Sid = s
	}
	switch v, ok := o["Effect"]; {
	case !ok:
		return st, p.errorf(CodeMissingEffect, loc, "statement has no Effect")
	case v == string(Allow) || v == string(Deny):
		st.Effect = Effect(v.(string))
	default:
		return st, p.errorf(CodeBadEffect, loc+".Effect", "Effect %s is not \"Allow\" or \"Deny\"", jsonText(v))
	}

	var err error
	if st.Principal, st.NotPrincipal, err = p.principals(loc, o); err != nil {
		return st, err
	}

	act, hasAct := o["Action"]
	nact, hasNot := o["NotAction"]
	switch {
	case hasAct && hasNot:
		return st, p.errorf(CodeActionAndNotAction, loc, "statement has both Action and NotAction")
	case !hasAct && !hasNot:
		return st, p.errorf(CodeNoAction, loc, "statement has neither Action nor NotAction")
	case hasNot:
		act, st.NotAction = nact, true
	}
	field := "Action"
	if st.NotAction {
		field = "NotAction"
	}
	actions, err := p.stringList(loc+"."+field, act, CodeBadAction)
	if err != nil {
		return st, err
	}
	if len(actions) == 0 {
		return st, p.errorf(CodeNoAction, loc+"."+field, "%s list is empty", field)
	}
	for i, a := range actions {
		if !validAction(a) {
			return st, p.errorf(CodeBadAction, fmt.Sprintf("%s.%s[%d]", loc, field, i), "action %q is not \"*\" or \"service:action\"", a)
		}
		a = strings.ToLower(a)
		st.Actions = append(st.Actions, a)
		st.actions = append(st.actions, compileGlob(a))
	}

	res, hasRes := o["Resource"]
	nres, hasNotRes := o["NotResource"]
	field = "Resource"
	switch {
	case hasRes && hasNotRes:
		return st, p.errorf(CodeResourceAndNotResource, loc, "statement has both Resource and NotResource")
	case hasNotRes:
		res, st.NotResource, field = nres, true, "NotResource"
	case !hasRes:
		res = "*" // SCPs may omit Resource; AWS reads it as every resource
	}
	resources, err := p.stringList(loc+"."+field, res, CodeBadResource)
	if err != nil {
		return st, err
	}
	if len(resources) == 0 {
		return st, p.errorf(CodeBadResource, loc+"."+field, "%s list is empty", field)
	}
	for i, r := range resources {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return st, p.errorf(CodeBadResource, fmt.Sprintf("%s.%s[%d]", loc, field, i), "resource %q is not \"*\" or an ARN", r)
		}
		st.Resources = append(st.Resources, r)
		rp := resourcePattern{glob: compileGlob(r)}
		if allowVars && hasVariables(r) {
			rp.vars = r
		}
		st.resources = append(st.resources, rp)
	}

	if v, ok := o["Condition"]; ok {
		if st.Conditions, err = p.conditions(loc+".Condition", v, allowVars); err != nil {
			return st, err
		}
	}
	return st, nil
}

// validAction accepts "*" and "vendor:pattern" with a non-empty vendor and
// pattern and no spaces, as IAM requires a vendor prefix.
func validAction(a string) bool {
	if a == "*" {
		return true
	}
	vendor, rest, ok := strings.Cut(a, ":")
	if !ok || vendor == "" || rest == "" || strings.ContainsAny(a, " \t\r\n") {
		return false
	}
	for _, c := range vendor {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '*' || c == '?') {
			return false
		}
	}
	return true
}

var principalTypes = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}

func (p *parser) principals(loc string, o map[string]any) (pr, npr *Principal, err error) {
	v, has := o["Principal"]
	nv, hasNot := o["NotPrincipal"]
	if has && hasNot {
		return nil, nil, p.errorf(CodePrincipalAndNot, loc, "statement has both Principal and NotPrincipal")
	}
	if has {
		pr, err = p.principal(loc+".Principal", v)
	}
	if hasNot {
		npr, err = p.principal(loc+".NotPrincipal", nv)
	}
	return pr, npr, err
}

func (p *parser) principal(loc string, v any) (*Principal, error) {
	switch t := v.(type) {
	case string:
		if t == "*" {
			return &Principal{Any: true}, nil
		}
	case map[string]any:
		if len(t) == 0 {
			break
		}
		pr := &Principal{Values: map[string][]string{}}
		for _, k := range sortedKeys(t) {
			if !principalTypes[k] {
				return nil, p.errorf(CodeBadPrincipal, pathKey(loc, k), "unknown principal type %q", k)
			}
			ids, err := p.stringList(loc+"."+k, t[k], CodeBadPrincipal)
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				return nil, p.errorf(CodeBadPrincipal, loc+"."+k, "principal list is empty")
			}
			pr.Values[k] = ids
		}
		return pr, nil
	}
	return nil, p.errorf(CodeBadPrincipal, loc, "principal %s is not \"*\" or an object of principal types", jsonText(v))
}

// stringList reads a string or a list of strings.
func (p *parser) stringList(loc string, v any, code ErrorCode) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, p.errorf(code, fmt.Sprintf("%s[%d]", loc, i), "element is %s, want a string", jsonType(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, p.errorf(code, loc, "value is %s, want a string or a list of strings", jsonType(v))
}

func (p *parser) conditions(loc string, v any, allowVars bool) ([]Condition, error) {
	block, ok := v.(map[string]any)
	if !ok {
		return nil, p.errorf(CodeBadCondition, loc, "Condition is %s, want an object", jsonType(v))
	}
	var out []Condition
	for _, opName := range sortedKeys(block) {
		opLoc := pathKey(loc, opName)
		op, ok := parseOperator(opName)
		if !ok {
			return nil, p.errorf(CodeUnknownOperator, opLoc, "unknown condition operator %q", opName)
		}
		keys, ok := block[opName].(map[string]any)
		if !ok {
			return nil, p.errorf(CodeBadCondition, opLoc, "operator block is %s, want an object of condition keys", jsonType(block[opName]))
		}
		if len(keys) == 0 {
			return nil, p.errorf(CodeBadCondition, opLoc, "operator block has no condition keys")
		}
		for _, key := range sortedKeys(keys) {
			keyLoc := pathKey(opLoc, key)
			if vendor, name, ok := strings.Cut(key, ":"); !ok || vendor == "" || name == "" {
				return nil, p.errorf(CodeBadConditionKey, keyLoc, "condition key %q is not \"service:key\"", key)
			}
			vals, err := p.conditionValues(keyLoc, keys[key])
			if err != nil {
				return nil, err
			}
			c := Condition{Operator: opName, Key: key, Values: vals, op: op}
			if i, why := c.compile(allowVars); i >= 0 {
				return nil, p.errorf(CodeBadConditionValue, fmt.Sprintf("%s[%d]", keyLoc, i), "%s", why)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionValues reads a string, boolean or number, or a non-empty list of
// them, keeping each as its JSON text.
func (p *parser) conditionValues(loc string, v any) ([]string, error) {
	scalar := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, p.errorf(CodeBadConditionValue, loc, "value is %s, want a string, boolean, number or a list of them", jsonType(v))
	}
	if len(list) == 0 {
		return nil, p.errorf(CodeBadConditionValue, loc, "value list is empty")
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := scalar(e)
		if !ok {
			return nil, p.errorf(CodeBadConditionValue, fmt.Sprintf("%s[%d]", loc, i), "element is %s, want a string, boolean or number", jsonType(e))
		}
		out = append(out, s)
	}
	return out, nil
}

// pathKey appends an object key to a JSON path: base.key, or base["key"]
// when the key is empty or holds characters that would make the path
// ambiguous.
func pathKey(base, key string) string {
	plain := key != "" && !strings.ContainsFunc(key, func(r rune) bool {
		return r < 0x21 || r == '.' || r == '[' || r == ']' || r == '"' || r == 0x7f || r > 0x7e
	})
	switch {
	case plain && base == "":
		return key
	case plain:
		return base + "." + key
	}
	return base + "[" + strconv.Quote(key) + "]"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 64 {
		return string(b[:61]) + "..."
	}
	return string(b)
}
