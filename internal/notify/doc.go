// Package notify routes root-activity alerts to the people who must see
// them and delivers them at least once.
//
// A routing file (rootguard.notify/v1, Parse and Load) names destinations
// (a Slack incoming webhook, an SNS topic, mail through SMTP, a generic
// webhook) and routes (by rule and minimum severity) to them. A
// Dispatcher's Enqueue annotates each alert (its account's name, whether
// it falls inside an approved break-glass window, whether its task
// requires root, its runbook) and records one delivery per destination in
// the store's outbox, idempotent per event and destination, folding
// alerts of one rule and account within a de-duplication window into one
// update. Run claims due deliveries under a lease in the store, so that
// several replicas share one outbox, sends them with an idempotency key,
// and records sent, failed (retried with backoff and jitter) or given up;
// a delivery whose lease ran out mid-send is sent again marked as a
// possible repeat, with the same key.
//
// Untrusted text from CloudTrail records is made safe for each medium:
// terminal escapes and line breaks made visible, Slack's mrkdwn control
// characters escaped, no header injection in mail. Secrets (the Slack
// URL, passwords, signing keys) come from environment variables and never
// reach a log or the outbox's recorded errors.
package notify
