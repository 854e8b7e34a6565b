package delivery

import "strings"

// rootEventTypes are the eventType values of root activity: API calls,
// console sign-ins and console actions.
var rootEventTypes = []string{"AwsApiCall", "AwsConsoleSignIn", "AwsConsoleAction"}

// KeepsRootEvents reports whether an advanced event selector's condition
// on a management event field provably records every root event of a
// trail in partition (aws, aws-cn…): a condition on userIdentity.arn that
// every root ARN (arn:PARTITION:iam::ACCOUNT:root, whatever the account)
// passes, or one on eventType that every root event type passes. Any other
// field (eventSource, eventName…) keeps only some root events, since root
// can call any service; so does Equals on userIdentity.arn, which names
// accounts. Operators are CloudTrail's: Equals, StartsWith and EndsWith
// record an event matching any value; their Not forms one matching none.
func KeepsRootEvents(field, op string, values []string, partition string) bool {
	switch field {
	case "userIdentity.arn":
		return rootARN(partition).keeps(op, values)
	case "eventType":
		for _, t := range rootEventTypes {
			if !passes(op, values, t) {
				return false
			}
		}
		return true
	}
	return false
}

// passes reports whether value v passes a condition.
func passes(op string, values []string, v string) bool {
	match := func(x string) bool {
		switch strings.TrimPrefix(op, "Not") {
		case "Equals":
			return v == x
		case "StartsWith":
			return strings.HasPrefix(v, x)
		case "EndsWith":
			return strings.HasSuffix(v, x)
		}
		return false
	}
	hit := false
	for _, x := range values {
		hit = hit || match(x)
	}
	if strings.HasPrefix(op, "Not") {
		return !hit
	}
	return hit
}

// arnTemplate is the shape of every root ARN of a partition: fixed bytes,
// with the account's twelve digits as wildcards (0).
type arnTemplate []byte

func rootARN(partition string) arnTemplate {
	if partition == "" {
		partition = "aws"
	}
	return arnTemplate("arn:" + partition + ":iam::" + strings.Repeat("\x00", 12) + ":root")
}

// can reports whether some root ARN has s at offset; all, whether every
// one does (s covers only fixed bytes).
func (t arnTemplate) can(s string, off int) bool  { return t.at(s, off, false) }
func (t arnTemplate) all(s string, off int) bool  { return t.at(s, off, true) }
func (t arnTemplate) fits(s string, off int) bool { return off >= 0 && off+len(s) <= len(t) }

func (t arnTemplate) at(s string, off int, every bool) bool {
	if !t.fits(s, off) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := t[off+i]; {
		case c == 0 && !every && s[i] >= '0' && s[i] <= '9':
		case c != 0 && c == s[i]:
		default:
			return false
		}
	}
	return true
}

// keeps reports whether every root ARN passes the condition.
func (t arnTemplate) keeps(op string, values []string) bool {
	// For the positive operators, one value every root ARN matches; for
	// the negative ones, no value any root ARN matches.
	every, some := false, false
	for _, v := range values {
		switch strings.TrimPrefix(op, "Not") {
		case "Equals":
			some = some || len(v) == len(t) && t.can(v, 0)
		case "StartsWith":
			every, some = every || t.all(v, 0), some || t.can(v, 0)
		case "EndsWith":
			every, some = every || t.all(v, len(t)-len(v)), some || t.can(v, len(t)-len(v))
		default:
			return false
		}
	}
	if strings.HasPrefix(op, "Not") {
		return !some
	}
	return every
}
