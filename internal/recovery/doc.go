// Package recovery builds the recovery-path graph of an organization: for
// each account, what one must control to reach and recover its root user.
// An edge A → B reads "to recover A you must control B": the root user
// needs its root email's mailbox, the mailbox its mail domain and mail
// host, the domain its DNS zone and registration, and each of those the
// AWS account it lives in (when in AWS), which leads on to that account's
// own root. Password and MFA devices, with who holds them and where the
// password is stored, come from the custody registry when one is given.
//
// The graph is pure over an inventory snapshot. On it the package finds
// cycles of any length (a root whose recovery depends on itself) and single
// points (a person, mailbox or account whose loss blocks the recovery of
// several roots), and renders it as JSON, DOT, Mermaid or SVG (its own
// small layered layout; no external program).
package recovery
