package policy

// Internals exposed to the external test package.
var (
	WildMatch  = wildMatch
	MatchARN   = func(pattern, value string) bool { return matchARN(compileARN(pattern), value) }
	GlobMatch  = func(pattern, value string) bool { return compileGlob(pattern).match(value) }
	ExpandVars = expand
)

// BaseOperators lists the condition operators the engine knows, without
// IfExists or a set prefix.
func BaseOperators() []string {
	out := make([]string, 0, len(baseOperators))
	for name := range baseOperators {
		out = append(out, name)
	}
	return out
}
