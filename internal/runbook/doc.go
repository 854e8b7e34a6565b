// Package runbook writes an account's root runbook from the same facts a
// scan reads: how to reach the root user (who holds the password and each
// MFA device, where the password is kept), how recovery works and what it
// depends on (the recovery-path graph), and the incident response steps for
// unexpected root activity. It renders Markdown and HTML (html/template,
// escaped). Pure over a snapshot, its findings and the custody records.
package runbook
