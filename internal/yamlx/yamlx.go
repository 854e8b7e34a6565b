// Package yamlx reads YAML that rootguard does not trust (scenarios,
// configurations) within bounds: a size limit, one document only, alias
// expansion counted before anything is decoded (a "billion laughs" file
// fails at once instead of growing to gigabytes), a leading byte-order
// mark accepted, and a decoder panic (a tag without a value) turned into
// an error.
package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/rootguard/rootguard/internal/suggest"
)

// MaxSize is the largest YAML input read, in bytes.
const MaxSize = 32 << 20

// MaxAliasNodes bounds the nodes aliases add to a document once each is
// replaced by what its anchor holds: far more than any scenario or
// configuration shares through anchors, far less than the gigabytes a
// "billion laughs" document of a few hundred bytes expands to.
const MaxAliasNodes = 1_000_000

var bom = []byte("\xEF\xBB\xBF")

// ReadFile reads a file of at most MaxSize bytes.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if err := checkSize(data); err != nil {
		return nil, err
	}
	return data, nil
}

func checkSize(data []byte) error {
	if len(data) > MaxSize {
		return fmt.Errorf("larger than the %d MiB a YAML input may be", MaxSize>>20)
	}
	return nil
}

// Parse parses data (less a leading byte-order mark) as one YAML document
// and returns it, nil for an empty input. It refuses an input larger than
// MaxSize, more than one document, and aliases that would add more than
// MaxAliasNodes nodes to the document.
func Parse(data []byte) (*ast.DocumentNode, error) {
	return ParseBounded(data, MaxAliasNodes)
}

// ParseBounded is Parse with its own bound on the nodes aliases may add,
// for inputs that share far less through anchors than MaxAliasNodes
// allows (a configuration).
func ParseBounded(data []byte, maxAliasNodes int64) (*ast.DocumentNode, error) {
	if err := checkSize(data); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, bom)
	if err := checkPrintable(data); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, err
	}
	var doc *ast.DocumentNode
	docs := 0
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if docs++; doc == nil {
			doc = d
		}
	}
	if docs > 1 {
		return nil, fmt.Errorf(`holds %d YAML documents, more than one YAML document ("---" separates them): give one`, docs)
	}
	if doc == nil {
		return nil, nil
	}
	a := aliases{sizes: map[string]int64{}, max: maxAliasNodes}
	a.count(doc.Body)
	if a.added > maxAliasNodes {
		return nil, fmt.Errorf("its aliases expand to more than %d nodes (a \"billion laughs\" document?)", maxAliasNodes)
	}
	if err := checkStrings(doc.Body); err != nil {
		return nil, err
	}
	return doc, nil
}

// Empty reports whether doc holds no value: no document, or null alone.
func Empty(doc *ast.DocumentNode) bool {
	if doc == nil {
		return true
	}
	_, null := doc.Body.(*ast.NullNode)
	return null
}

// Decode decodes doc's body into v with the decoder's options. The decoder
// panics on some malformed input (a tag with no value where a list is
// expected, in go-yaml v1.19.2); that becomes an error, since untrusted
// input must never crash the CLI.
func Decode(doc *ast.DocumentNode, v any, opts ...yaml.DecodeOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot decode the YAML (%v)", r)
		}
	}()
	return yaml.NodeToValue(doc.Body, v, opts...)
}

// aliases counts the nodes aliases add to a document. sizes are the
// expanded sizes of the anchors seen so far, in document order (the order
// the decoder resolves them in), so each node is visited once.
type aliases struct {
	sizes map[string]int64
	added int64
	max   int64 // the bound: counting stops once added passes it
}

// count returns the nodes of n with every alias expanded, and adds what
// its aliases contribute to a.added; it stops early once that passes
// a.max.
func (a *aliases) count(n ast.Node) int64 {
	if n == nil {
		return 0
	}
	var total int64
	ast.Walk(visitor(func(c ast.Node) bool {
		if a.added > a.max {
			return false
		}
		switch v := c.(type) {
		case *ast.AliasNode:
			size := a.sizes[name(v.Value)]
			a.added += size
			total += size
			return false
		case *ast.AnchorNode:
			size := 1 + a.count(v.Value)
			a.sizes[name(v.Name)] = size
			total += size
			return false
		}
		total++
		return true
	}), n)
	return total
}

func name(n ast.Node) string {
	if n == nil || n.GetToken() == nil {
		return ""
	}
	return n.GetToken().Value
}

type visitor func(ast.Node) bool

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if n != nil && v(n) {
		return v
	}
	return nil
}

// checkPrintable refuses what YAML 1.2 does not allow in a stream
// (c-printable): control characters other than tab, line feed and carriage
// return, DEL, C1 controls other than NEL, surrogates, U+FFFE, U+FFFF, and
// bytes that are not UTF-8. The parser accepts some of them, and the
// encoder then writes strings it cannot read back.
func checkPrintable(data []byte) error {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			return fmt.Errorf("line %d: not UTF-8 (byte 0x%02x)", line, data[i])
		case r == '\n':
			line++
		case !printable(r):
			return fmt.Errorf("line %d: character %U is not allowed in YAML (only printable characters)", line, r)
		}
		i += n
	}
	return nil
}

// printable reports whether YAML 1.2 allows r in a stream (c-printable).
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r < 0x20 || r >= 0x7f && r < 0xa0 || r >= 0xd800 && r < 0xe000 || r == 0xfffe || r == 0xffff:
		return false
	}
	return true
}

// checkStrings refuses a string value that an escape sequence made
// non-printable ("\x7f" in double quotes): the encoder would write it
// back raw, as a stream YAML does not allow.
func checkStrings(n ast.Node) error {
	var bad error
	ast.Walk(visitor(func(c ast.Node) bool {
		if v, ok := c.(*ast.StringNode); ok && bad == nil {
			if i := strings.IndexFunc(v.Value, func(r rune) bool { return !printable(r) }); i >= 0 {
				r, _ := utf8.DecodeRuneInString(v.Value[i:])
				bad = fmt.Errorf("line %d: a string holds character %U, which YAML does not allow (only printable characters)", v.GetToken().Position.Line, r)
			}
		}
		return bad == nil
	}), n)
	return bad
}

// Keys returns the YAML keys of t's fields (t a struct or a pointer to
// one) and of the structs they hold, nested ones and inline ones too, in
// field order without repeats: the keys a strict decoder accepts.
func Keys(t reflect.Type) []string { return keys(t, nil) }

func keys(t reflect.Type, out []string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
		if name != "" || opts == "inline" {
			out = keys(f.Type, out)
		}
	}
	return out
}

// DidYouMean returns " (did you mean KEY?)" when err is a strict decoder's
// unknown key near one of keys, or "".
func DidYouMean(err error, keys []string) string {
	if unknown, ok := errors.AsType[*yaml.UnknownFieldError](err); ok && unknown.Token != nil {
		return suggest.DidYouMean(unknown.Token.Value, keys)
	}
	return ""
}
