// Package logfilter parses and evaluates CloudWatch Logs filter patterns, the
// language of metric filters and subscription filters, so that rootguard can
// decide whether a metric filter on a CloudTrail log group really catches root
// activity by evaluating it against representative events instead of comparing
// its text with the CIS pattern.
//
// Three pattern kinds are understood:
//
//   - JSON patterns, { SELECTOR OP VALUE } combined with &&, || and
//     parentheses (precedence () > && > ||). Selectors start at $ and use
//     .name steps and [N] indexes; [*] (any element) is also accepted, as an
//     extension the documentation does not show. String values
//     may be quoted or bare; a leading and/or trailing * is a wildcard (an
//     inner * is literal, as documented: "Ev*ent will only match the actual
//     string Ev*ent"); %regex% values are regular expressions. Numeric
//     operators are =, !=, <, <=, >, >=. IS TRUE, IS FALSE, IS NULL and
//     NOT EXISTS test booleans, null and absence.
//   - Term patterns: ERROR, "exact phrase", -excluded, ?either ?or.
//   - Space-delimited patterns: [ip, user, ..., status_code = 4*, bytes > 1000].
//
// Semantics follow the CloudWatch Logs documentation ("Filter pattern syntax
// for metric filters"), with these observed behaviours made explicit:
//
//   - A comparison, = or != alike, is false when the selector does not reach a
//     value: a missing property, an array or an object. So
//     { $.eventType != "AwsServiceEvent" } does not match an event that has no
//     eventType at all (reported by users testing metric filters, for example
//     DataBiosphere/azul issue 5884 with $.userIdentity.invokedBy != "…").
//   - Comparisons apply to strings and numbers; booleans and null are tested
//     only with IS TRUE, IS FALSE and IS NULL. A null property exists, so
//     NOT EXISTS is false for it.
//   - A numeric literal compares numerically with JSON numbers (5 equals 5.0)
//     and textually with strings. A string value (wildcards included) also
//     matches a number through the number's JSON text, which is what makes
//     { $.latency = * } match a numeric latency.
//   - Matching is case sensitive. JSON patterns match only log events that are
//     a JSON object.
package logfilter
