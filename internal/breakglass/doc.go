// Package breakglass is the two-person break-glass workflow for the AWS
// account root user, as pure domain logic: no store, no AWS SDK.
//
// People, not principals: a [Registry] maps the identities people sign in
// with (AWS principals from sts:GetCallerIdentity) to persons. An
// assumed-role session ARN normalises to its role, so the same role under
// another session name is the same person unless an explicit mapping names
// that session ([NormalizeIdentity], [Registry.Resolve]). An unknown
// identity can neither request nor approve.
//
// A [Request] asks for a time-boxed window on one account, optionally for
// one of the sts:AssumeRoot [Task] values of the registry [Tasks]. Its
// states are pending → approved | denied | expired, and approved → closed
// ([State]). The transitions ([Request.Approve], [Request.Deny],
// [Request.Close]) enforce the two-person rule (the approver is a different
// person from the requester), refuse expired and closed requests, and
// compute the window: it opens at approval and ends after the requested
// duration or at close, whichever is first. Time always comes from the
// caller, so tests never sleep.
//
// The store persists requests with conditional updates (the state a
// transition starts from is part of the WHERE clause), so two approvers
// racing, or an approval racing a close, leave exactly one winner.
package breakglass
