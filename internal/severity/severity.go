// Package severity is the one severity scale that check findings and
// CloudTrail alerts share, with its order and its spellings (the same in
// JSON and in text).
package severity

import (
	"fmt"
	"strings"
)

// Level ranks how much a finding or an alert matters.
type Level string

// Levels, lowest first.
const (
	Info     Level = "info"
	Low      Level = "low"
	Medium   Level = "medium"
	High     Level = "high"
	Critical Level = "critical"
)

// Descending lists the levels most severe first.
var Descending = []Level{Critical, High, Medium, Low, Info}

// Rank orders levels: info 0 up to critical 4; an unknown level ranks -1.
func (l Level) Rank() int {
	for i, d := range Descending {
		if d == l {
			return len(Descending) - 1 - i
		}
	}
	return -1
}

// Parse accepts a level name in any case.
func Parse(s string) (Level, error) {
	v := Level(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
	}
	return v, nil
}
