// Package eventpattern parses and evaluates Amazon EventBridge event patterns,
// so that rootguard can decide whether an EventBridge rule catches root
// activity by matching its pattern against representative events (the role
// of the TestEventPattern API, which nothing here can call).
//
// Semantics follow the EventBridge user guide ("Event patterns", "Content
// filtering", "Arrays", "Null values") and the event-ruler library that
// implements it:
//
//   - Every field named in the pattern must match (AND). Nested objects
//     descend into the event. A leaf is a non-empty array of alternatives
//     (OR). $or takes two or more objects and ANDs with its siblings.
//   - An event array matches when any element matches. Objects inside event
//     arrays are matched one element at a time ("array-consistent"
//     matching): two fields of one sub-pattern must match in the same element.
//   - Exact values: strings, numbers (5 matches 5.0 and 5e0), true, false and
//     null. null and "" are different. A string that is an IP address matches
//     the same address written another way.
//   - Operators: prefix and suffix (optionally {"equals-ignore-case": …}),
//     equals-ignore-case, wildcard (* only; \* and \\ escape), anything-but
//     (a value, a list of strings or of numbers, or {"prefix"}, {"suffix"},
//     {"equals-ignore-case"} or {"wildcard"}), numeric (=, <, <=, >, >= and
//     ranges), cidr (IPv4 and IPv6) and exists.
//   - A field that is missing from the event, or that is an object rather
//     than a leaf, has no value: only {"exists": false} matches it. In
//     particular anything-but does not match a missing field.
//   - String operators match only strings; numeric matches only JSON numbers.
//     anything-but with values matches any leaf value not listed.
//
// Invalid patterns are rejected as EventBridge rejects them: a pattern that is
// not a non-empty object, empty objects or arrays, a field whose value is not
// an object or an array, unknown operators, operator objects with more than
// one key, ill-typed operands, numeric ranges that are not lower then upper,
// wildcards with consecutive stars, and $or with fewer than two objects.
// Errors are *Error values naming the path in the pattern.
package eventpattern
