// Package drill proves that root access works, as SEC01-BP02 asks teams to
// test regularly: a drill is a window in which someone reaches root on
// purpose, verified afterwards from CloudTrail (the detection engine's
// alerts inside the window), or attested when CloudTrail cannot show it.
// It also judges how recent each account's last verified drill is.
package drill

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// Kind is what a drill exercises.
type Kind string

// Kinds of drill.
const (
	// SignIn: a root console sign-in with MFA (management and standalone
	// accounts, and members that keep root credentials).
	SignIn Kind = "sign-in"
	// Recovery: the password recovery path (PasswordRecoveryCompleted),
	// which SEC01-BP02 warns is tested too rarely.
	Recovery Kind = "recovery"
	// AssumeRoot: a centralized root session into a member account
	// (sts:AssumeRoot with a task policy other than the audit one
	// rootguard's own collection uses).
	AssumeRoot Kind = "assume-root"
)

// Kinds lists every kind.
var Kinds = []Kind{SignIn, Recovery, AssumeRoot}

// ParseKind accepts a kind's name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("drill kind %q: want sign-in, recovery or assume-root", s)
}

// Result is where a drill stands.
type Result string

// Results.
const (
	Open     Result = "open"     // the window is open or was never verified
	Verified Result = "verified" // CloudTrail shows the drill succeeded inside its window
	Failed   Result = "failed"   // CloudTrail was read and shows no success inside the window
	Attested Result = "attested" // a person says it worked; CloudTrail cannot show it
)

// Drill is one drill.
type Drill struct {
	ID        string    `json:"id"`
	AccountID string    `json:"account_id"`
	Kind      Kind      `json:"kind"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosesAt  time.Time `json:"closes_at"`
	OpenedBy  string    `json:"opened_by"`
	Result    Result    `json:"result"`
	// CheckedAt is when the result was recorded.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// EventID and EventTime name the CloudTrail event that verified it.
	EventID   string    `json:"event_id,omitempty"`
	EventTime time.Time `json:"event_time,omitzero"`
	// Note says what was attested, or why it failed.
	Note string `json:"note,omitempty"`
}

// auditTask is the task policy rootguard's own collection uses with
// sts:AssumeRoot: such sessions are rootguard reading, not a person's drill.
const auditTask = "IAMAuditRootUserCredentials"

// Verify looks for the drill's proof among alerts (the detection engine's,
// over CloudTrail input that covers the window): the first event of the
// drill's kind, in its account, inside [OpenedAt, ClosesAt], that
// succeeded. It returns the drill with its result set.
func Verify(d Drill, alerts []detect.Alert, now time.Time) Drill {
	d.CheckedAt = now
	var proofs []detect.Alert
	for _, a := range alerts {
		t, err := time.Parse(time.RFC3339, a.EventTime)
		if err != nil || t.Before(d.OpenedAt) || t.After(d.ClosesAt) || !proves(d, a) {
			continue
		}
		proofs = append(proofs, a)
	}
	if len(proofs) == 0 {
		d.Result = Failed
		d.Note = "no " + what(d.Kind) + " of account " + d.AccountID + " in CloudTrail between " +
			d.OpenedAt.Format(time.RFC3339) + " and " + d.ClosesAt.Format(time.RFC3339)
		return d
	}
	slices.SortFunc(proofs, func(a, b detect.Alert) int { return strings.Compare(a.EventTime, b.EventTime) })
	d.Result, d.EventID = Verified, proofs[0].EventID
	d.EventTime, _ = time.Parse(time.RFC3339, proofs[0].EventTime) //nolint:errcheck // parsed above.
	d.Note = proofs[0].EventName + " at " + proofs[0].EventTime
	return d
}

func proves(d Drill, a detect.Alert) bool {
	switch d.Kind {
	case SignIn:
		return a.RuleID == detect.RuleConsoleLogin && a.AccountID == d.AccountID && a.MFAUsed != nil && *a.MFAUsed && a.ErrorCode == ""
	case Recovery:
		return a.RuleID == detect.RulePasswordRecovery && a.AccountID == d.AccountID && a.EventName == "PasswordRecoveryCompleted" && a.ErrorCode == ""
	case AssumeRoot:
		return a.RuleID == detect.RuleAssumeRootCalled && a.TargetAccount == d.AccountID && a.ErrorCode == "" &&
			!strings.HasSuffix(a.TaskPolicy, "/"+auditTask) && a.TaskPolicy != auditTask
	}
	return false
}

func what(k Kind) string {
	switch k {
	case SignIn:
		return "successful root console sign-in with MFA"
	case Recovery:
		return "completed root password recovery"
	}
	return "successful sts:AssumeRoot session (other than an audit session)"
}

// DefaultInterval is how recent the last verified drill must be.
const DefaultInterval = 180 * 24 * time.Hour

// History is what the store holds of drills, as the checks read it.
type History struct {
	Drills []Drill
	// Interval: the last verified drill must be newer (default DefaultInterval).
	Interval time.Duration
}

// KindFor is the drill an account needs: a sign-in for a root that keeps
// credentials, a centralized root session for a member without them.
func KindFor(rootHasCredentials bool) Kind {
	if rootHasCredentials {
		return SignIn
	}
	return AssumeRoot
}

// Last returns the account's newest verified drill of kind, and its newest
// attested one; nil when there is none.
func Last(drills []Drill, account string, kind Kind) (verified, attested *Drill) {
	for i := range drills {
		d := &drills[i]
		if d.AccountID != account || d.Kind != kind {
			continue
		}
		switch d.Result {
		case Verified:
			if verified == nil || d.EventTime.After(verified.EventTime) {
				verified = d
			}
		case Attested:
			if attested == nil || d.CheckedAt.After(attested.CheckedAt) {
				attested = d
			}
		}
	}
	return verified, attested
}
