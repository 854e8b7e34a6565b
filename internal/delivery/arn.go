package delivery

import "strings"

// ARN is the fields of an Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s into its fields; false when it is not an ARN.
func ParseARN(s string) (ARN, bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" || f[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, true
}

// DefaultBus reports whether a rule's event bus name (a name or an ARN;
// empty for the default) is the default bus.
func DefaultBus(name string) bool {
	return name == "" || name == "default" || strings.HasSuffix(name, ":event-bus/default")
}
