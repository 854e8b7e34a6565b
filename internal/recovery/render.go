package recovery

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats are the renderings of a graph, the default first.
var Formats = []string{"svg", "dot", "json", "mermaid"}

var writers = map[string]func(io.Writer, *Graph) error{
	"svg":     WriteSVG,
	"dot":     WriteDOT,
	"json":    WriteJSON,
	"mermaid": WriteMermaid,
}

// Write renders g in format, one of Formats.
func Write(w io.Writer, format string, g *Graph) error {
	fn, ok := writers[format]
	if !ok {
		return fmt.Errorf("graph format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
	return fn(w, g)
}

// Schema names the JSON form.
const Schema = "rootguard.recovery-graph/v1"

// WriteJSON writes the graph as one rootguard.recovery-graph/v1 document.
func WriteJSON(w io.Writer, g *Graph) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Schema string `json:"schema"`
		*Graph
	}{Schema, g})
}

// quoted escapes s for a double-quoted DOT string.
func quoted(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "", "<", `\<`, ">", `\>`, "{", `\{`, "}", `\}`, "|", `\|`)
	return `"` + r.Replace(s) + `"`
}

// groups returns the node indexes by account ("" outside AWS), accounts in
// order of first appearance (nodes are sorted by ID).
func (g *Graph) groups() (order []string, by map[string][]int) {
	by = map[string][]int{}
	for i, n := range g.Nodes {
		if _, ok := by[n.Account]; !ok {
			order = append(order, n.Account)
		}
		by[n.Account] = append(by[n.Account], i)
	}
	return order, by
}

// WriteDOT writes the graph in Graphviz DOT: one cluster per account,
// people and outside providers in their own shapes, cycles and single
// points in red.
func WriteDOT(w io.Writer, g *Graph) error {
	var b strings.Builder
	b.WriteString("digraph recovery {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	order, by := g.groups()
	for ci, acct := range order {
		indent := "  "
		if acct != "" {
			fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n    style=rounded;\n", ci, quoted("account "+acct))
			indent = "    "
		}
		for _, i := range by[acct] {
			n := g.Nodes[i]
			attrs := []string{"label=" + quoted(n.Label), "shape=" + shapes[n.Kind].dot}
			if s := shapes[n.Kind].dotStyle; s != "" {
				attrs = append(attrs, "style="+quoted(s))
			}
			if n.Cycle || n.SinglePoint {
				attrs = append(attrs, "color=red", "penwidth=2")
			}
			fmt.Fprintf(&b, "%s%s [%s];\n", indent, quoted(n.ID), strings.Join(attrs, ", "))
		}
		if acct != "" {
			b.WriteString("  }\n")
		}
	}
	for _, e := range g.Edges {
		attrs := "label=" + quoted(e.Label)
		if e.Cycle {
			attrs += ", color=red, penwidth=2"
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", quoted(e.From), quoted(e.To), attrs)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText escapes s for a quoted Mermaid label.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ", "|", "#124;", "`", "#96;")
	return r.Replace(s)
}

// WriteMermaid writes the graph as a Mermaid flowchart: one subgraph per
// account, cycles and single points in red.
func WriteMermaid(w io.Writer, g *Graph) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	order, by := g.groups()
	for ci, acct := range order {
		indent := "  "
		if acct != "" {
			fmt.Fprintf(&b, "  subgraph a%d[\"account %s\"]\n", ci, mermaidText(acct))
			indent = "    "
		}
		for _, i := range by[acct] {
			n := g.Nodes[i]
			sh := shapes[n.Kind].mermaid
			fmt.Fprintf(&b, "%sn%d%s\"%s\"%s\n", indent, i, sh[0], mermaidText(n.Label), sh[1])
		}
		if acct != "" {
			b.WriteString("  end\n")
		}
	}
	for i, e := range g.Edges {
		fmt.Fprintf(&b, "  n%d -->|\"%s\"| n%d\n", g.index[e.From], mermaidText(e.Label), g.index[e.To])
		if e.Cycle {
			fmt.Fprintf(&b, "  linkStyle %d stroke:red,stroke-width:2px\n", i)
		}
	}
	b.WriteString("  classDef red stroke:red,stroke-width:2px\n")
	for i, n := range g.Nodes {
		if n.Cycle || n.SinglePoint {
			fmt.Fprintf(&b, "  class n%d red\n", i)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shape is how each kind of node is drawn in each format.
type shape struct {
	dot, dotStyle string
	mermaid       [2]string
	svg           string // rect, round, ellipse or dashed
}

var shapes = map[Kind]shape{
	KindRoot:         {"box", "bold", [2]string{"[[", "]]"}, "rect"},
	KindAccount:      {"box3d", "", [2]string{"[", "]"}, "rect"},
	KindMailbox:      {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindDomain:       {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindZone:         {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindRegistration: {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindMailHost:     {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindPassword:     {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindMFA:          {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindPhone:        {"box", "rounded", [2]string{"(", ")"}, "round"},
	KindPerson:       {"ellipse", "", [2]string{"([", "])"}, "ellipse"},
	KindExternal:     {"note", "dashed", [2]string{"[/", "/]"}, "dashed"},
}
