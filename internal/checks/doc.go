// Package checks holds rootguard's posture checks. A check is a plain value
// (ID, title, severity, documentation, remediation, references and a Run
// function) registered in a Registry. Checks are pure: they read only an
// inventory.Snapshot and the Config, and never talk to AWS. A fact that could
// not be collected makes the finding UNKNOWN with the reason, never PASS.
package checks
