// Package delivery judges where root-activity alerts go once an
// EventBridge rule has caught them: whether an event bus policy lets a
// sender account put events on another account's bus, which bus a rule
// runs on, what an ARN names, who may publish to a topic, and the hops
// before a rule or alarm: what a trail delivers to a metric filter, what a
// rule's state lets it receive, and whether one root event fires an alarm.
// It is pure (policy documents and names in, verdicts out, no AWS calls),
// so the posture checks and the guardrail plan judge a forwarding chain the
// same way.
package delivery
