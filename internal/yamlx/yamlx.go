// Package yamlx reads YAML that rootguard does not trust (scenarios,
// configurations) within bounds: a size limit, one document only, alias
// expansion counted before anything is decoded (a "billion laughs" file
// fails at once instead of growing to gigabytes), and a leading
// byte-order mark accepted. It parses; decoding stays with the caller.
package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
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
	if err := checkSize(data); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(bytes.TrimPrefix(data, bom), 0)
	if err != nil {
		return nil, err
	}
	var doc *ast.DocumentNode
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if doc != nil {
			return nil, errors.New(`holds more than one YAML document ("---" separates them): give one`)
		}
		doc = d
	}
	if doc == nil {
		return nil, nil
	}
	a := aliases{sizes: map[string]int64{}}
	a.count(doc.Body)
	if a.added > MaxAliasNodes {
		return nil, fmt.Errorf("its aliases expand to more than %d YAML nodes (a \"billion laughs\" document?)", MaxAliasNodes)
	}
	return doc, nil
}

// aliases counts the nodes aliases add to a document. sizes are the
// expanded sizes of the anchors seen so far, in document order (the order
// the decoder resolves them in), so each node is visited once.
type aliases struct {
	sizes map[string]int64
	added int64
}

// count returns the nodes of n with every alias expanded, and adds what
// its aliases contribute to a.added; it stops early once that passes
// MaxAliasNodes.
func (a *aliases) count(n ast.Node) int64 {
	if n == nil {
		return 0
	}
	var total int64
	ast.Walk(visitor(func(c ast.Node) bool {
		if a.added > MaxAliasNodes {
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
