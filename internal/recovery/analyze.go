package recovery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/inventory"
)

// findCycles marks the strongly connected components with more than one
// node (or a node depending on itself) as cycles: Tarjan's algorithm,
// iterative so that a long chain of accounts cannot exhaust the stack, in
// time linear in nodes and edges.
func (g *Graph) findCycles() {
	n := len(g.Nodes)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next := 0
	type frame struct{ v, e int }
	comp := make([]int, n)
	var comps [][]int
	for s := range n {
		if index[s] >= 0 {
			continue
		}
		call := []frame{{s, 0}}
		index[s], low[s] = next, next
		next++
		stack = append(stack, s)
		onStack[s] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			out := g.out[g.Nodes[f.v].ID]
			if f.e < len(out) {
				w := g.index[g.Edges[out[f.e]].To]
				f.e++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				var c []int
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = len(comps)
					c = append(c, w)
					if w == v {
						break
					}
				}
				comps = append(comps, c)
			}
		}
	}
	g.comp = make(map[string]int, n)
	for v, c := range comp {
		g.comp[g.Nodes[v].ID] = c
	}
	cyclic := make([]bool, len(comps))
	for i := range g.Edges {
		e := &g.Edges[i]
		f, t := g.index[e.From], g.index[e.To]
		if comp[f] == comp[t] && (f == t || len(comps[comp[f]]) > 1) {
			e.Cycle = true
			cyclic[comp[f]] = true
		}
	}
	for ci, c := range comps {
		if !cyclic[ci] {
			continue
		}
		var ids []string
		for _, v := range c {
			g.Nodes[v].Cycle = true
			ids = append(ids, g.Nodes[v].ID)
		}
		slices.Sort(ids)
		g.Cycles = append(g.Cycles, ids)
	}
	slices.SortFunc(g.Cycles, func(x, y []string) int { return strings.Compare(x[0], y[0]) })
}

// CycleThrough returns the shortest cycle through the node with the given
// ID as the node IDs along it (the first repeated at the end), or nil.
func (g *Graph) CycleThrough(id string) []string {
	if n, ok := g.Node(id); !ok || !n.Cycle {
		return nil
	}
	prev := map[string]string{}
	queue := []string{id}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ei := range g.out[v] {
			e := g.Edges[ei]
			if !e.Cycle {
				continue
			}
			if e.To == id {
				var path []string
				for u := v; u != id; u = prev[u] {
					path = append(path, u)
				}
				path = append(path, id)
				slices.Reverse(path)
				return append(path, id)
			}
			if _, seen := prev[e.To]; !seen {
				prev[e.To] = v
				queue = append(queue, e.To)
			}
		}
	}
	return nil
}

// Requires returns the IDs of the nodes an account's root recovery needs:
// everything reachable from the root, except that an MFA device is one of
// several alternatives, so a device and its holder are needed only when
// every device of the root leads to them.
func (g *Graph) Requires(acct string) []string {
	root := rootID(acct)
	seen := map[string]bool{root: true}
	queue := []string{root}
	var devices []string
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ei := range g.out[v] {
			e := g.Edges[ei]
			if n, _ := g.Node(e.To); n.Kind == KindMFA && v == root {
				devices = append(devices, e.To)
				continue
			}
			if !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	// What every device needs (its holder, say) is needed too.
	var common map[string]int
	for _, d := range devices {
		for _, ei := range g.out[d] {
			if common == nil {
				common = map[string]int{}
			}
			common[g.Edges[ei].To]++
		}
	}
	for id, k := range common {
		if k == len(devices) && !seen[id] {
			seen[id] = true
		}
	}
	delete(seen, root)
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// findSinglePoints marks the persons, mailboxes and accounts whose loss
// blocks the recovery of opt.Threshold roots or more, and any member
// account the management account's root recovery needs. An account does
// not count its own root, nor a node the roots of its own cycle: those are
// the cycle's finding.
func (g *Graph) findSinglePoints(s *inventory.Snapshot, opt Options) {
	needed := map[string][]string{}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if a.Skipped != "" {
			continue
		}
		for _, id := range g.Requires(a.ID) {
			n, _ := g.Node(id)
			switch n.Kind {
			case KindPerson, KindMailbox:
			case KindAccount:
				if n.Account == a.ID {
					continue
				}
			default:
				continue
			}
			needed[id] = append(needed[id], a.ID)
		}
	}
	for id, accts := range needed {
		slices.Sort(accts)
		n := g.Nodes[g.index[id]]
		if n.Cycle && !slices.ContainsFunc(accts, func(a string) bool { return g.comp[rootID(a)] != g.comp[id] }) {
			continue // only the cycle's own roots need it: the cycle's finding
		}
		var why string
		switch {
		case len(accts) >= opt.Threshold:
			why = fmt.Sprintf("losing %s blocks the root recovery of %d accounts", n.Label, len(accts))
		case n.Kind == KindAccount && g.Management != "" && slices.Contains(accts, g.Management):
			why = fmt.Sprintf("the management account's root recovery depends on %s", n.Label)
		default:
			continue
		}
		g.Nodes[g.index[id]].SinglePoint = true
		g.SinglePoints = append(g.SinglePoints, SinglePoint{Node: id, Accounts: accts, Why: why})
	}
	slices.SortFunc(g.SinglePoints, func(x, y SinglePoint) int { return strings.Compare(x.Node, y.Node) })
}

// Path returns the shortest chain of dependencies from node from to node
// to, as the node IDs along it (from first, to last), or nil when to is
// not reachable from from.
func (g *Graph) Path(from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == to {
			var path []string
			for u := to; u != from; u = prev[u] {
				path = append(path, u)
			}
			path = append(path, from)
			slices.Reverse(path)
			return path
		}
		for _, ei := range g.out[v] {
			e := g.Edges[ei]
			if _, seen := prev[e.To]; !seen {
				prev[e.To] = v
				queue = append(queue, e.To)
			}
		}
	}
	return nil
}

// Reach returns the edges an account's root reaches, breadth first, in
// time linear in what it reaches.
func (g *Graph) Reach(acct string) []Edge {
	seen := map[string]bool{rootID(acct): true}
	queue := []string{rootID(acct)}
	var out []Edge
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ei := range g.out[v] {
			e := g.Edges[ei]
			out = append(out, e)
			if !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	return out
}

// Subgraph returns the part of the graph an account's root reaches: its
// nodes and the edges between them, with the cycles and single points
// among them.
func (g *Graph) Subgraph(acct string) *Graph {
	keep := map[string]bool{rootID(acct): true}
	queue := []string{rootID(acct)}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ei := range g.out[v] {
			if to := g.Edges[ei].To; !keep[to] {
				keep[to] = true
				queue = append(queue, to)
			}
		}
	}
	sub := &Graph{Cycles: [][]string{}, SinglePoints: []SinglePoint{}, Unread: []Unread{}, Management: g.Management}
	for _, n := range g.Nodes {
		if keep[n.ID] {
			sub.Nodes = append(sub.Nodes, n)
		}
	}
	for _, e := range g.Edges {
		if keep[e.From] && keep[e.To] {
			sub.Edges = append(sub.Edges, e)
		}
	}
	for _, c := range g.Cycles {
		if keep[c[0]] {
			sub.Cycles = append(sub.Cycles, c)
		}
	}
	for _, p := range g.SinglePoints {
		if keep[p.Node] {
			sub.SinglePoints = append(sub.SinglePoints, p)
		}
	}
	for _, u := range g.Unread {
		if u.Account == acct || keep[accountID(u.Account)] {
			sub.Unread = append(sub.Unread, u)
		}
	}
	sub.reindex()
	return sub
}
