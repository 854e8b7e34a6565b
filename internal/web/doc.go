// Package web is rootguard's dashboard: server-rendered pages over the
// store (the organization's posture by SEC01-BP02 step, each account's
// findings, history, custody and recovery graph, the root activity
// timeline with its live view, the break-glass queue, drills due) and the
// sign-in that decides who may see and approve what.
//
// Everything it shows is read from the store, so any number of replicas
// serve the same dashboard. Sign-in is OpenID Connect (the authorization
// code flow with state, nonce and PKCE) or, for a first run, a local
// administrator whose bcrypt hash the operator provides. A signed-in
// identity is mapped to a break-glass person (oidc:ISSUER#SUBJECT,
// local:NAME), so a person who requests on the CLI and approves in the
// browser is still one person and the two-person rule refuses them.
// Approvals go through breakglass.Service over the store, as on the CLI.
//
// The pages are html/template with embedded assets and no external
// fetches, under a strict Content-Security-Policy (no inline script or
// style); every form carries a per-session CSRF token and every POST is
// also checked by net/http's cross-origin protection.
package web
