package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Error reports an invalid event pattern. Path locates the problem in the
// pattern (for example detail.userIdentity.type[0]); Offset is the byte
// offset of a JSON syntax error and -1 otherwise.
type Error struct {
	Path   string
	Offset int64
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	switch {
	case e.Offset >= 0:
		return fmt.Sprintf("event pattern: offset %d: %s", e.Offset, e.Msg)
	case e.Path == "":
		return "event pattern: " + e.Msg
	}
	return fmt.Sprintf("event pattern: %s: %s", e.Path, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

func errorAt(path, format string, args ...any) *Error {
	return &Error{Path: path, Offset: -1, Msg: fmt.Sprintf(format, args...)}
}

// Pattern is a parsed event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	src  []byte
	root *object
}

// object is one level of the pattern: fields that must all match and $or
// groups of which one alternative must match.
type object struct {
	fields []field
	ors    [][]*object
}

type field struct {
	key  string
	sub  *object   // a nested object, or
	leaf []matcher // the alternatives of a leaf
}

// Parse parses an EventBridge event pattern. Errors are *Error.
func Parse(pattern []byte) (*Pattern, error) {
	v, err := decode(pattern)
	if err != nil {
		off := int64(0)
		var se *json.SyntaxError
		var td *trailingData
		switch {
		case errors.As(err, &se) && se.Offset > 0:
			off = se.Offset - 1 // the decoder counts the offending byte as read
		case errors.As(err, &td):
			off = td.at
		}
		return nil, &Error{Offset: off, Msg: "invalid JSON: " + err.Error(), Err: err}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorAt("", "the pattern must be a JSON object, not %s", kindOf(v))
	}
	root, err := parseObject(m, "", false)
	if err != nil {
		return nil, err
	}
	return &Pattern{src: bytes.Clone(pattern), root: root}, nil
}

// MustParse is Parse for patterns known to be valid, such as constants; it
// panics on an invalid pattern.
func MustParse(pattern string) *Pattern {
	p, err := Parse([]byte(pattern))
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as it was given to Parse.
func (p *Pattern) String() string { return string(p.src) }

// Match reports whether the event (a JSON object such as an EventBridge
// envelope) matches the pattern. An event that is not a JSON object never
// matches.
func (p *Pattern) Match(event []byte) bool {
	v, err := decode(event)
	if err != nil {
		return false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	return p.root.match(m)
}

// decode reads exactly one JSON value, keeping numbers as json.Number.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	end := dec.InputOffset()
	if rest := data[end:]; len(bytes.TrimSpace(rest)) != 0 {
		at := end + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		return nil, &trailingData{at: at}
	}
	return v, nil
}

// trailingData reports bytes after the one JSON value of a pattern or event.
type trailingData struct{ at int64 }

func (t *trailingData) Error() string { return "unexpected data after the JSON value" }

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// reservedInOr are operator names that may not be field names inside $or.
var reservedInOr = map[string]bool{
	"prefix": true, "suffix": true, "equals-ignore-case": true, "wildcard": true,
	"anything-but": true, "numeric": true, "cidr": true, "exists": true,
}

func parseObject(m map[string]any, path string, inOr bool) (*object, error) {
	if len(m) == 0 {
		return nil, errorAt(path, "empty objects are not allowed")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := &object{}
	for _, k := range keys {
		fp := join(path, k)
		v := m[k]
		if k == "$or" {
			alts, err := parseOr(v, fp)
			if err != nil {
				return nil, err
			}
			o.ors = append(o.ors, alts)
			continue
		}
		if inOr && reservedInOr[k] {
			return nil, errorAt(fp, "%q is an operator name and cannot be a field name inside $or", k)
		}
		switch x := v.(type) {
		case map[string]any:
			sub, err := parseObject(x, fp, inOr)
			if err != nil {
				return nil, err
			}
			o.fields = append(o.fields, field{key: k, sub: sub})
		case []any:
			leaf, err := parseLeaf(x, fp)
			if err != nil {
				return nil, err
			}
			o.fields = append(o.fields, field{key: k, leaf: leaf})
		default:
			return nil, errorAt(fp, "must be an object or an array, not %s", kindOf(v))
		}
	}
	return o, nil
}

func parseOr(v any, path string) ([]*object, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, errorAt(path, "$or must be an array of objects, not %s", kindOf(v))
	}
	if len(arr) < 2 {
		return nil, errorAt(path, "$or needs at least 2 objects, has %d", len(arr))
	}
	alts := make([]*object, 0, len(arr))
	for i, e := range arr {
		ep := fmt.Sprintf("%s[%d]", path, i)
		m, ok := e.(map[string]any)
		if !ok {
			return nil, errorAt(ep, "$or may hold only objects, not %s", kindOf(e))
		}
		alt, err := parseObject(m, ep, true)
		if err != nil {
			return nil, err
		}
		alts = append(alts, alt)
	}
	return alts, nil
}

// match evaluates the object against an event object.
func (o *object) match(ev map[string]any) bool {
	for i := range o.fields {
		if !o.fields[i].match(ev) {
			return false
		}
	}
	for _, alts := range o.ors {
		ok := false
		for _, alt := range alts {
			if alt.match(ev) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

var emptyObject = map[string]any{}

func (f *field) match(ev map[string]any) bool {
	v, present := ev[f.key]
	if f.sub != nil {
		switch x := v.(type) {
		case map[string]any:
			return f.sub.match(x)
		case []any:
			objs := objectsIn(x, nil)
			for _, e := range objs {
				if f.sub.match(e) {
					return true
				}
			}
			if len(objs) > 0 {
				return false
			}
		}
		// Missing, a leaf, or an array without objects: nothing below it
		// exists, which only {"exists": false} accepts.
		return f.sub.match(emptyObject)
	}
	var leaves []any
	if present {
		leaves = leavesOf(v, nil)
	}
	for _, m := range f.leaf {
		if e, ok := m.(existsMatcher); ok {
			if bool(e) == (len(leaves) > 0) {
				return true
			}
			continue
		}
		for _, l := range leaves {
			if m.match(l) {
				return true
			}
		}
	}
	return false
}

// objectsIn collects the objects of an event array, flattening nested arrays.
func objectsIn(arr []any, out []map[string]any) []map[string]any {
	for _, e := range arr {
		switch x := e.(type) {
		case map[string]any:
			out = append(out, x)
		case []any:
			out = objectsIn(x, out)
		}
	}
	return out
}

// leavesOf returns the leaf values of an event value: the value itself, or
// the scalars of an array (nested arrays flattened). Objects are not leaves.
func leavesOf(v any, out []any) []any {
	switch x := v.(type) {
	case map[string]any:
		return out
	case []any:
		for _, e := range x {
			out = leavesOf(e, out)
		}
		return out
	}
	return append(out, v)
}
