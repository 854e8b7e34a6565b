package recovery

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Layout constants of the SVG, in pixels.
const (
	nodeW, nodeH   = 260, 38
	layerGap       = 330
	rowGap         = 54
	margin         = 40
	labelMax       = 42
	legendHeight   = 30
	headerFontSize = 13
)

// layers places each node in a column: its distance from the nearest root
// user (breadth first), so dependencies read left to right.
func (g *Graph) layers() [][]int {
	depth := make([]int, len(g.Nodes))
	for i := range depth {
		depth[i] = -1
	}
	var queue []int
	for i, n := range g.Nodes {
		if n.Kind == KindRoot {
			depth[i] = 0
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ei := range g.out[g.Nodes[v].ID] {
			w := g.index[g.Edges[ei].To]
			if depth[w] < 0 {
				depth[w] = depth[v] + 1
				queue = append(queue, w)
			}
		}
	}
	var cols [][]int
	for i, d := range depth {
		d = max(d, 0)
		for len(cols) <= d {
			cols = append(cols, nil)
		}
		cols[d] = append(cols[d], i)
	}
	// Order each column by the mean row of the node's predecessors in
	// earlier columns (the barycentre heuristic), so arrows cross less;
	// the root column by account.
	row := make([]float64, len(g.Nodes))
	preds := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		preds[g.index[e.To]] = append(preds[g.index[e.To]], g.index[e.From])
	}
	for c, col := range cols {
		if c > 0 {
			bary := map[int]float64{}
			for _, i := range col {
				sum, k := 0.0, 0
				for _, f := range preds[i] {
					if depth[f] >= 0 && depth[f] < c {
						sum += row[f]
						k++
					}
				}
				if k > 0 {
					bary[i] = sum / float64(k)
				}
			}
			slices.SortStableFunc(col, func(x, y int) int { return cmp.Compare(bary[x], bary[y]) })
		}
		for r, i := range col {
			row[i] = float64(r)
		}
	}
	return cols
}

// attr escapes s for an XML attribute value.
func attr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}

func short(s string) string {
	r := []rune(s)
	if len(r) <= labelMax {
		return s
	}
	return string(r[:labelMax-1]) + "…"
}

// WriteSVG draws the graph as a self-contained SVG: root users and accounts
// as boxes, people as ellipses, outside providers dashed, cycles and single
// points in red. Each node and edge is a <g> with data-id, or data-from and
// data-to, so the drawing can be checked against the JSON form.
func WriteSVG(w io.Writer, g *Graph) error {
	cols := g.layers()
	pos := make([][2]int, len(g.Nodes))
	rows := 0
	for c, col := range cols {
		for r, i := range col {
			pos[i] = [2]int{margin + c*layerGap, margin + legendHeight + r*rowGap}
		}
		rows = max(rows, len(col))
	}
	width := 2*margin + max(len(cols)-1, 0)*layerGap + nodeW
	height := 2*margin + legendHeight + max(rows, 1)*rowGap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="11">`+"\n", width, height, width, height)
	b.WriteString(`<title>rootguard recovery paths: an arrow reads "to recover A you must control B"</title>` + "\n")
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>` +
		`<marker id="arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d00"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d">Recovery paths: an arrow reads "to recover A you must control B". Red: a cycle or a single point of failure. Dashed: outside AWS.</text>`+"\n", margin, margin, headerFontSize)
	for _, e := range g.Edges {
		f, t := pos[g.index[e.From]], pos[g.index[e.To]]
		x1, y1 := f[0]+nodeW, f[1]+nodeH/2
		x2, y2 := t[0], t[1]+nodeH/2
		var d string
		if t[0] > f[0] {
			d = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1+60, y1, x2-60, y2, x2, y2)
		} else {
			// A dependency back to an earlier column curves below both.
			x2 = t[0] + nodeW/2
			y2 = t[1] + nodeH
			x1 = f[0] + nodeW/2
			y1 = f[1] + nodeH
			low := max(y1, y2) + rowGap
			d = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1, low, x2, low, x2, y2)
		}
		stroke, marker, cyc := "#555", "arrow", ""
		if e.Cycle {
			stroke, marker, cyc = "#d00", "arrow-red", ` data-cycle="true"`
		}
		fmt.Fprintf(&b, `<g class="edge" data-from="%s" data-to="%s"%s><title>%s</title><path d="%s" fill="none" stroke="%s" stroke-width="%s" marker-end="url(#%s)"/></g>`+"\n",
			attr(e.From), attr(e.To), cyc, attr(e.Label), d, stroke, map[bool]string{true: "2", false: "1"}[e.Cycle], marker)
	}
	for i, n := range g.Nodes {
		x, y := pos[i][0], pos[i][1]
		stroke, sw, flags := "#333", 1, ""
		if n.Cycle {
			flags += ` data-cycle="true"`
		}
		if n.SinglePoint {
			flags += ` data-single-point="true"`
		}
		if n.Cycle || n.SinglePoint {
			stroke, sw = "#d00", 3
		}
		fill := map[Kind]string{KindRoot: "#fff4d6", KindAccount: "#e6eefc", KindPerson: "#e9f7e9", KindExternal: "#f4f4f4"}[n.Kind]
		if fill == "" {
			fill = "#ffffff"
		}
		fmt.Fprintf(&b, `<g class="node" data-id="%s" data-kind="%s"%s><title>%s</title>`, attr(n.ID), n.Kind, flags, attr(n.Label))
		switch shapes[n.Kind].svg {
		case "ellipse":
			fmt.Fprintf(&b, `<ellipse cx="%d" cy="%d" rx="%d" ry="%d" fill="%s" stroke="%s" stroke-width="%d"/>`, x+nodeW/2, y+nodeH/2, nodeW/2, nodeH/2, fill, stroke, sw)
		case "dashed":
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="%s" stroke-width="%d" stroke-dasharray="5,3"/>`, x, y, nodeW, nodeH, fill, stroke, sw)
		case "round":
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="10" fill="%s" stroke="%s" stroke-width="%d"/>`, x, y, nodeW, nodeH, fill, stroke, sw)
		default:
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="%s" stroke-width="%d"/>`, x, y, nodeW, nodeH, fill, stroke, max(sw, 2))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text></g>`+"\n", x+nodeW/2, y+nodeH/2+4, attr(short(n.Label)))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
