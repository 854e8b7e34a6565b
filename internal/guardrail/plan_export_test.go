package guardrail

// Project is project, for the external tests: the snapshot as a plan will
// leave it.
var Project = project
