package detect

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// unmarshal is json.Unmarshal(data, v) made cheap, when fast is set, for the usual record: one
// pass over data that validates every byte, skips what v does not hold without allocating, and
// hands each value it does hold to the same UnmarshalJSON encoding/json would call. Whenever
// the input strays from the plain case, where encoding/json's rules are subtle (a key that is
// escaped, not ASCII, or matches a field only case-insensitively; a field given twice; a value
// of the wrong kind; invalid JSON; deep nesting), it starts over with json.Unmarshal, so the
// result and any error are always encoding/json's (FuzzDecodeRecordStd compares them). f must be
// fieldsOf(T).
func unmarshal[T any](data []byte, v *T, f wireFields, fast bool) error {
	if fast && scanStruct(data, reflect.ValueOf(v).Elem(), f) {
		return nil
	}
	*v = *new(T)
	return json.Unmarshal(data, v)
}

// wireFields maps a struct's JSON names to field indexes, and holds the names in lower case
// (which a key folds to when encoding/json would match it case-insensitively).
type wireFields struct {
	index  map[string]int
	folded map[string]bool
}

func fieldsOf(t reflect.Type) wireFields {
	f := wireFields{index: map[string]int{}, folded: map[string]bool{}}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		f.index[name] = i
		f.folded[strings.ToLower(name)] = true
	}
	return f
}

var (
	recordFields     = fieldsOf(reflect.TypeFor[wireRecord]())
	identityFields   = fieldsOf(reflect.TypeFor[wireIdentity]())
	issuerFields     = fieldsOf(reflect.TypeFor[wireIssuer]())
	attributesFields = fieldsOf(reflect.TypeFor[wireAttributes]())
)

// maxScanDepth bounds the nesting the scanner follows; deeper input goes to encoding/json.
const maxScanDepth = 64

// scanStruct fills the struct v, whose fields are f, from the object that is all of data (but
// white space), and reports true; or reports false where encoding/json must decode data (v is
// then partly filled).
func scanStruct(data []byte, v reflect.Value, f wireFields) bool {
	i := skipSpace(data, 0)
	i, ok := scanFields(data, i, v, f)
	return ok && skipSpace(data, i) == len(data)
}

// scanMembers sets vals[k] to the value of keys[k] in the object that is all of data (the last
// of duplicate keys, as a map decoded by encoding/json holds), or reports false where an
// escaped or non-ASCII key could spell one of keys.
func scanMembers(data []byte, keys []string, vals [][]byte) bool {
	i, ok := scanObject(data, skipSpace(data, 0), func(key []byte, start, end int) bool {
		if k := slices.Index(keys, string(key)); k >= 0 {
			vals[k] = data[start:end]
		}
		return true
	})
	return ok && skipSpace(data, i) == len(data)
}

// scanFields reads the object at data[i] into the struct v, whose fields are f, and returns the
// index after it.
func scanFields(data []byte, i int, v reflect.Value, f wireFields) (int, bool) {
	var seen uint64
	var lower [32]byte
	return scanObject(data, i, func(key []byte, start, end int) bool {
		field, known := f.index[string(key)]
		if !known {
			if len(key) > len(lower) {
				return true
			}
			for j, c := range key {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				lower[j] = c
			}
			// encoding/json would match it case-insensitively
			return !f.folded[string(lower[:len(key)])]
		}
		if seen&(1<<field) != 0 {
			return false // the last of duplicate keys wins, merging objects
		}
		seen |= 1 << field
		return setField(data, start, end, v.Field(field))
	})
}

// scanObject checks the object at data[i], calls member with each plain key (no escape, only
// ASCII) and the bounds of its value, and returns the index after the object. It stops at an
// other key, or when member returns false.
func scanObject(data []byte, i int, member func(key []byte, start, end int) bool) (int, bool) {
	if i >= len(data) || data[i] != '{' {
		return 0, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, false
		}
		end, plain, ok := scanString(data, i)
		if !ok || !plain {
			return 0, false
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		start := skipSpace(data, i+1)
		if i, ok = skipValue(data, start, 1); !ok || !member(key, start, i) {
			return 0, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// setField stores the value data[start:end] in the field v as encoding/json would.
func setField(data []byte, start, end int, v reflect.Value) bool {
	tok := data[start:end]
	switch p := v.Addr().Interface().(type) {
	case *flexString:
		switch {
		case tok[0] == '{' || tok[0] == '[':
			return false // an error of encoding/json's
		case tok[0] == '"' && isPlain(tok[1:len(tok)-1]):
			*p = flexString(tok[1 : len(tok)-1])
			return true
		}
		return p.UnmarshalJSON(tok) == nil
	case *flexBool:
		return p.UnmarshalJSON(tok) == nil
	case *json.RawMessage:
		return p.UnmarshalJSON(tok) == nil
	case **wireIdentity:
		switch tok[0] {
		case 'n':
			*p = nil
			return true
		case '{':
			*p = new(wireIdentity)
			_, ok := scanFields(data, start, reflect.ValueOf(*p).Elem(), identityFields)
			return ok
		}
	}
	return false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// isPlain reports whether s needs no unquoting: printable ASCII without a backslash.
func isPlain(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}

// scanString checks the JSON string at data[i] and returns the index after its closing quote,
// and whether it is plain (no escape, only ASCII).
func scanString(data []byte, i int) (end int, plain, ok bool) {
	plain = true
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1, plain, true
		case c == '\\':
			plain = false
			if i++; i >= len(data) {
				return 0, false, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) {
					return 0, false, false
				}
				for _, h := range data[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return 0, false, false
					}
				}
				i += 4
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		case c >= 0x80:
			plain = false
		}
	}
	return 0, false, false
}

// skipValue checks the JSON value at data[i] and returns the index after it.
func skipValue(data []byte, i, depth int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch c := data[i]; {
	case c == '"':
		end, _, ok := scanString(data, i)
		return end, ok
	case c == '{' || c == '[':
		if depth > maxScanDepth {
			return 0, false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == closing {
			return i + 1, true
		}
		for {
			var ok bool
			if c == '{' {
				if i >= len(data) || data[i] != '"' {
					return 0, false
				}
				if i, _, ok = scanString(data, i); !ok {
					return 0, false
				}
				if i = skipSpace(data, i); i >= len(data) || data[i] != ':' {
					return 0, false
				}
				i = skipSpace(data, i+1)
			}
			if i, ok = skipValue(data, i, depth+1); !ok {
				return 0, false
			}
			if i = skipSpace(data, i); i >= len(data) {
				return 0, false
			}
			switch data[i] {
			case ',':
				i = skipSpace(data, i+1)
			case closing:
				return i + 1, true
			default:
				return 0, false
			}
		}
	case c == 't':
		return skipLiteral(data, i, "true")
	case c == 'f':
		return skipLiteral(data, i, "false")
	case c == 'n':
		return skipLiteral(data, i, "null")
	default:
		return skipNumber(data, i)
	}
}

func skipLiteral(data []byte, i int, lit string) (int, bool) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// skipNumber checks the JSON number at data[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(data []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		j := i
		for j < len(data) && '0' <= data[j] && data[j] <= '9' {
			j++
		}
		return j, j > i
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i, _ = digits(i)
	default:
		return 0, false
	}
	var ok bool
	if i < len(data) && data[i] == '.' {
		if i, ok = digits(i + 1); !ok {
			return 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i, ok = digits(i); !ok {
			return 0, false
		}
	}
	return i, true
}
