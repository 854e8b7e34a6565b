// Package delivery judges where root-activity alerts go once an
// EventBridge rule has caught them: whether an event bus policy lets a
// sender account put events on another account's bus, which bus a rule
// runs on, and what an ARN names. It is pure (policy documents and names
// in, verdicts out, no AWS calls), so the posture checks and the guardrail
// plan judge a forwarding chain the same way.
package delivery
