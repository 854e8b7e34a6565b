package cli

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

const day = 24 * time.Hour

// daysDuration is a duration flag that also takes whole days ("30d") and
// prints a whole number of days as days.
type daysDuration struct{ d *time.Duration }

// daysDurationVar defines a duration flag that takes Go durations and days.
func daysDurationVar(f *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	f.Var(daysDuration{p}, name, usage)
}

func (v daysDuration) Set(s string) error {
	d, err := parseDuration(s)
	if err == nil {
		*v.d = d
	}
	return err
}

func (v daysDuration) String() string { return formatDuration(*v.d) }

func (v daysDuration) Type() string { return "duration" }

// parseDuration reads a Go duration (90m, 12h) or a whole number of days
// (30d).
func parseDuration(s string) (time.Duration, error) {
	n, ok := strings.CutSuffix(s, "d")
	if !ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("not a duration: use e.g. 90m, 12h or 30d")
		}
		return d, nil
	}
	days, err := strconv.ParseInt(n, 10, 64)
	if err != nil || days < 0 {
		return 0, errors.New("not a whole, non-negative number of days: use e.g. 30d")
	}
	if days > math.MaxInt64/int64(day) {
		return 0, errors.New("too many days")
	}
	return time.Duration(days) * day, nil
}

// formatDuration prints a whole number of days as days (90d), anything else
// as Go does.
func formatDuration(d time.Duration) string {
	if d != 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}
