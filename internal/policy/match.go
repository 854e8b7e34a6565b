package policy

import (
	"strings"
	"unicode/utf8"
)

// globKind picks a fast path for a wildcard pattern.
type globKind uint8

const (
	globAny     globKind = iota // "*"
	globExact                   // no wildcard
	globPrefix                  // "abc*"
	globGeneral                 // anything else
)

// glob is a pre-split wildcard pattern: '*' matches any run of characters,
// '?' exactly one.
type glob struct {
	kind globKind
	lit  string // the literal for globExact and globPrefix
	pat  string // the whole pattern for globGeneral
}

func compileGlob(p string) glob {
	i := strings.IndexAny(p, "*?")
	switch {
	case p == "*":
		return glob{kind: globAny}
	case i < 0:
		return glob{kind: globExact, lit: p}
	case i == len(p)-1 && p[i] == '*':
		return glob{kind: globPrefix, lit: p[:i]}
	}
	return glob{kind: globGeneral, pat: p}
}

func (g glob) match(s string) bool {
	switch g.kind {
	case globAny:
		return true
	case globExact:
		return s == g.lit
	case globPrefix:
		return strings.HasPrefix(s, g.lit)
	}
	return wildMatch(g.pat, s, false)
}

// wildMatch reports whether s matches pattern p, where '*' matches any run of
// characters and '?' one character. With esc, a backslash makes the next byte
// literal (used for patterns built by expanding policy variables, so that a
// '*' coming from the request is never a wildcard). It runs in O(len(p)*len(s))
// in the worst case, without recursion.
func wildMatch(p, s string, esc bool) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) {
		if px < len(p) {
			switch c := p[px]; {
			case c == '*':
				starP, starS = px, sx
				px++
				continue
			case c == '?':
				_, n := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += n
				continue
			case esc && c == '\\' && px+1 < len(p):
				if p[px+1] == s[sx] {
					px += 2
					sx++
					continue
				}
			case c == s[sx]:
				px++
				sx++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// arnSegments splits an ARN into its six colon-separated components; the
// last one keeps any further colons. ok is false when there are fewer than six.
func arnSegments(s string) (seg [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return seg, false
		}
		seg[i], s = s[:j], s[j+1:]
	}
	seg[5] = s
	return seg, true
}

// compileARN pre-splits an ArnLike/ArnEquals pattern into per-component
// globs, or returns nil when the pattern is not a six-component ARN (it then
// matches nothing).
func compileARN(p string) []glob {
	seg, ok := arnSegments(p)
	if !ok {
		return nil
	}
	g := make([]glob, 6)
	for i, s := range seg {
		g[i] = compileGlob(s)
	}
	return g
}

// matchARN checks each of the six components separately, as AWS documents for
// ArnEquals and ArnLike.
func matchARN(pat []glob, value string) bool {
	if pat == nil {
		return false
	}
	seg, ok := arnSegments(value)
	if !ok {
		return false
	}
	for i := range pat {
		if !pat[i].match(seg[i]) {
			return false
		}
	}
	return true
}

// resourcePattern is a Resource/NotResource pattern, pre-compiled unless it
// holds policy variables.
type resourcePattern struct {
	glob
	vars string // raw pattern with ${...} variables, expanded per request
}

func (r resourcePattern) match(resource string, ctx map[string][]string) bool {
	if r.vars == "" {
		return r.glob.match(resource)
	}
	p, ok := expand(r.vars, ctx, true)
	return ok && wildMatch(p, resource, true)
}

// hasVariables reports whether s holds a ${...} policy variable.
func hasVariables(s string) bool {
	i := strings.Index(s, "${")
	return i >= 0 && strings.IndexByte(s[i:], '}') > 0
}

// expand substitutes policy variables (${aws:username}, ${aws:PrincipalTag/x,
// 'default'}, ${*}, ${?}, ${$}) with request values. For glob patterns
// (forGlob), substituted text and literal backslashes are escaped so that only
// the policy's own '*' and '?' stay wildcards. ok is false when a variable has
// no value and no default, or several values: AWS then treats the element as
// not matching.
func expand(s string, ctx map[string][]string, forGlob bool) (out string, ok bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			writeLiteral(&b, s, forGlob, false)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			writeLiteral(&b, s, forGlob, false)
			return b.String(), true
		}
		writeLiteral(&b, s[:i], forGlob, false)
		name := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch name {
		case "*", "?", "$":
			writeLiteral(&b, name, forGlob, true)
			continue
		}
		def, hasDef := "", false
		if k := strings.IndexByte(name, ','); k >= 0 {
			d := strings.TrimSpace(name[k+1:])
			name = strings.TrimSpace(name[:k])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
		}
		vals := ctx[strings.ToLower(name)]
		switch {
		case len(vals) == 1:
			writeLiteral(&b, vals[0], forGlob, true)
		case len(vals) == 0 && hasDef:
			writeLiteral(&b, def, forGlob, true)
		default:
			return "", false
		}
	}
}

// writeLiteral appends t; for glob patterns it escapes backslashes always and
// wildcards when t came from a variable.
func writeLiteral(b *strings.Builder, t string, forGlob, fromVariable bool) {
	if !forGlob {
		b.WriteString(t)
		return
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '\\' || fromVariable && (c == '*' || c == '?') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}
