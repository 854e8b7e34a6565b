// Package detect finds activity of the AWS account root user in CloudTrail records.
//
// A CloudTrail record (or an EventBridge envelope that carries one under "detail") is decoded
// with [DecodeRecord] into a [Record], which holds only the fields the rules read. An [Engine]
// runs every rule of the registry ([Rules]) over each record and returns [Alert] values:
//
//   - per-event alerts (a root sign-in, a root access key created, a contact change, ...)
//     come back from [Engine.Observe] as soon as the record is seen;
//   - aggregate alerts (a burst of failed root sign-ins) and joined alerts (activity of a
//     centralized-root session named after the sts:AssumeRoot call that opened it) come back
//     from [Engine.Flush], called once after the last record. Their result does not depend on
//     the order in which records were observed, so files can be read in parallel.
//
// A [Driver] is what the sources of records feed (an archive scan, a query's rebuilt rows, a live
// queue): it keeps the records inside a time [Window], runs an engine on them, leaves out alerts
// already reported (an event delivered twice, a copied archive) and, on Close, adds the
// aggregate and joined alerts. It takes records one at a time ([Driver.Feed]) or from parallel
// workers ([Driver.Observe], then [Driver.Admit] in reporting order), so every source gives the
// same alerts for the same records.
//
// [Interesting] is a byte-level prefilter for the hot path of an archive scan: when it returns
// false for a raw record, no rule fires on it and no aggregate or join needs it, so the record
// need not be decoded. It is a handful of literal substring searches ([Needles]): the union of
// the needles each rule declares ([Rule.Needles]).
//
// The registry is validated whenever an engine is built: [NewEngine] returns an error naming
// every broken rule (duplicate IDs, missing fields, unknown severities, no samples or needles).
//
// Every alert about root activity says whether the action is one of the tasks that AWS documents
// as requiring root user credentials (root_required, root_task); anything else means the work
// should have been done with a role.
package detect
