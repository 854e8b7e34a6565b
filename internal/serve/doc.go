// Package serve is rootguard's long-running service: scheduled scans
// recorded in the store, live intake of CloudTrail events (an SQS queue
// that EventBridge delivers to, and an HTTPS webhook for EventBridge API
// destinations), health and readiness probes, and Prometheus metrics.
//
// Every alert takes one path: the detection driver (package detect), then
// store.RecordAlert (idempotent by CloudTrail event ID), then the
// Notifier's Enqueue (idempotent too), and only then is the SQS message
// deleted or the webhook answered 2xx. A crash anywhere on that path
// leaves the event to come back (the message after its visibility
// timeout, the webhook call through EventBridge's retries), and the
// second pass stores nothing new and enqueues nothing new; it does call
// Enqueue again, which is what makes a crash between the two steps
// harmless.
//
// Several replicas may share one store (PostgreSQL) and one queue: SQS
// gives each message to one consumer at a time, and the scheduled scan
// runs under a lease in the store, once per interval across replicas.
//
// serve is an adapter: it reads the store and AWS (through the scan
// function and the SQS client it is given) and never writes to AWS.
package serve
