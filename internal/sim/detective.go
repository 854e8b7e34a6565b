package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// Helpers shared by the detective-control and mail services: derived ARNs
// and paging with each service's error code.

// topicARN is an SNS topic ARN; a value that already is an ARN is kept.
func topicARN(region, acct, nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return "arn:aws:sns:" + region + ":" + acct + ":" + nameOrARN
}

// pageOr pages items, answering a bad token or size with code.
func pageOr[T any](items []T, token string, max, limit int, code string) ([]T, string, error) {
	if max < 0 || max > limit {
		return nil, "", errf(code, http.StatusBadRequest, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", max, limit)
	}
	out, next, err := page(items, token, max, limit)
	if err != nil {
		return nil, "", errf(code, http.StatusBadRequest, "The specified token %s is invalid.", strconv.Quote(token))
	}
	if out == nil {
		out = []T{}
	}
	return out, next, nil
}

// serviceAliases are names a scenario may use for a service besides its
// SigV4 signing name (the IAM action prefix, as API names read elsewhere).
var serviceAliases = map[string]string{"cloudwatch": "monitoring"}

// serviceName resolves an alias to the service's signing name.
func serviceName(s string) string {
	if n, ok := serviceAliases[s]; ok {
		return n
	}
	return s
}
