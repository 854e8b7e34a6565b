package policy

// Internals exposed to the external test package.
var (
	WildMatch  = wildMatch
	MatchARN   = func(pattern, value string) bool { return matchARN(compileARN(pattern), value) }
	GlobMatch  = func(pattern, value string) bool { return compileGlob(pattern).match(value) }
	ExpandVars = expand
)
