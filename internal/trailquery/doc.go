// Package trailquery runs rootguard's CloudTrail rules beyond one machine: as SQL for an Athena
// table over the CloudTrail bucket or for a CloudTrail Lake event data store.
//
// The alerts are the same as those of a local archive scan because the SQL does not decide them.
// Each rule has a coarse, conservative predicate ([RulePredicate]) over a handful of columns
// (userIdentity.type, eventSource, eventName, sessionIssuer.type and, when the table has it,
// sessionContext.assumedRoot): every record on which the rule could fire, or that its aggregate
// or join needs, satisfies it. The predicate is rendered from the rule's detect.Rule.Scope, the
// same clauses the engine checks before running the rule, so event names are listed once. [Build] renders the predicates of the chosen rules, OR-ed, plus the
// time range (and Athena date-partition pruning), and selects the columns needed to rebuild each
// record. [Rebuild] turns the rows back into CloudTrail records, decoded by detect.DecodeRecord,
// and [Detect] feeds them to a detect.Driver, the one `trail scan` feeds, so the time window,
// de-duplication, sign-in bursts, the AssumeRoot join and root_required behave exactly as there. The same predicate value renders the SQL and
// evaluates in Go ([Pred.Eval]), which is how the tests prove the filter conservative.
//
// Two dialects differ only in the column shapes: the Athena table of the AWS documentation
// ("Querying AWS CloudTrail logs") holds requestParameters, responseElements and
// additionalEventData as JSON text and eventTime as text; CloudTrail Lake holds them as
// map<string,string> (read back with json_format(CAST(... AS JSON)), nested values arriving as
// JSON text) and eventTime as a timestamp.
//
// Neither documented schema has userIdentity.sessionContext.assumedRoot. Without it
// (Options.AssumedRootColumn false) a Root record is taken as an sts:AssumeRoot session when its
// access key ID was issued by a successful AssumeRoot call among the rows, and every query also
// selects the AssumeRoot calls for that purpose; a session whose call is outside the result set
// reads as root use (root-api-activity). A table declared with assumedroot in sessioncontext
// gives the exact answer with AssumedRootColumn.
//
// [AthenaRunner] and [LakeRunner] run a query through aws-sdk-go-v2 (Athena StartQueryExecution,
// GetQueryExecution, GetQueryResults; CloudTrail StartQuery, DescribeQuery, GetQueryResults),
// polling with a backoff that watches the context.
package trailquery
