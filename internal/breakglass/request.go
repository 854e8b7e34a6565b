package breakglass

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// State is where a request is in its life.
type State string

// States. Pending requests become approved, denied or expired; approved
// ones become closed (by close, or when the window ends).
const (
	Pending  State = "pending"
	Approved State = "approved"
	Denied   State = "denied"
	Expired  State = "expired"
	Closed   State = "closed"
)

// Refusals callers branch on (the CLI maps them to exit codes).
var (
	// ErrSelfApproval: the approver is the requester (the same person,
	// whichever identity each used).
	ErrSelfApproval = errors.New("the approver must be a different person from the requester")
	// ErrState: the request is not in a state the transition starts from
	// (approving an expired, denied or closed request; running a task
	// outside its window).
	ErrState = errors.New("request is not in the required state")
	// ErrTask: the task asked for is not the approved one.
	ErrTask = errors.New("task was not approved")
)

// Policy bounds requests.
type Policy struct {
	// MaxDuration is the longest window a request may ask for.
	MaxDuration time.Duration
	// PendingTTL is how long a request waits for approval before it
	// expires.
	PendingTTL time.Duration
}

// DefaultPolicy is a window of at most 4 hours, approved within 24 hours.
func DefaultPolicy() Policy {
	return Policy{MaxDuration: 4 * time.Hour, PendingTTL: 24 * time.Hour}
}

// Request is one break-glass request and, once approved, its window.
type Request struct {
	ID        string        `json:"id"`
	AccountID string        `json:"account_id"`
	Reason    string        `json:"reason"`
	Duration  time.Duration `json:"duration"`
	// Task and TaskParam are the AssumeRoot task asked for, "" for a
	// root sign-in window (management and standalone accounts).
	Task      string `json:"task,omitempty"`
	TaskParam string `json:"task_param,omitempty"`
	// Drill is the root access drill the window is for (drill start), ""
	// for any other request. A drill's window authorises a root sign-in
	// or an sts:AssumeRoot session like any other, and is approved the
	// same way, by another person.
	Drill string `json:"drill,omitempty"`

	Requester    string    `json:"requester"`     // person ID
	RequesterARN string    `json:"requester_arn"` // the identity used
	CreatedAt    time.Time `json:"created_at"`
	// ExpiresAt is when a pending request expires.
	ExpiresAt time.Time `json:"expires_at"`

	State State `json:"state"`
	// Decider and DeciderARN are who approved or denied it; DecidedAt when.
	Decider    string    `json:"decider,omitempty"`
	DeciderARN string    `json:"decider_arn,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
	// ClosedAt is when it was closed early, ClosedBy by whom (person ID).
	ClosedAt time.Time `json:"closed_at,omitzero"`
	ClosedBy string    `json:"closed_by,omitempty"`
}

// Window is the half-open time range [Start, End) of an approved request.
type Window struct {
	Start, End time.Time
}

// Contains reports whether t is inside the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

var (
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	requestIDRE = regexp.MustCompile(`^bg-[a-z0-9]{6,32}$`)
	drillIDRE   = regexp.MustCompile(`^drill-[a-z0-9]{6,32}$`)
)

// ValidRequestID reports whether id has the form of a request ID.
func ValidRequestID(id string) bool { return requestIDRE.MatchString(id) }

// maxReason bounds the reason's length, in bytes.
const maxReason = 1024

// NewRequest validates a request for a window and returns it pending.
func NewRequest(p Policy, id, account, reason string, d time.Duration, task, param string, requester Person, requesterARN string, now time.Time) (Request, error) {
	switch {
	case !ValidRequestID(id):
		return Request{}, fmt.Errorf("request ID %s: want bg- and 6-32 lower-case letters or digits", quote(id))
	case !accountIDRE.MatchString(account):
		return Request{}, fmt.Errorf("account %s: want 12 digits", quote(account))
	case strings.TrimSpace(reason) == "":
		return Request{}, errors.New("reason: empty; say why root is needed")
	case len(reason) > maxReason || !utf8.ValidString(reason) || strings.ContainsFunc(reason, isControl):
		return Request{}, fmt.Errorf("reason: at most %d bytes of printable UTF-8 text", maxReason)
	case d <= 0:
		return Request{}, fmt.Errorf("duration %s: want more than zero", d)
	case p.MaxDuration > 0 && d > p.MaxDuration:
		return Request{}, fmt.Errorf("duration %s: longer than the maximum window of %s", d, p.MaxDuration)
	}
	if task != "" {
		t, err := LookupTask(task)
		if err != nil {
			return Request{}, err
		}
		if err := t.CheckParam(param); err != nil {
			return Request{}, err
		}
	} else if param != "" {
		return Request{}, errors.New("a task parameter without --task")
	}
	now = now.UTC()
	return Request{
		ID: id, AccountID: account, Reason: reason, Duration: d, Task: task, TaskParam: param,
		Requester: requester.ID, RequesterARN: requesterARN, CreatedAt: now,
		ExpiresAt: now.Add(p.PendingTTL), State: Pending,
	}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// StateAt is the request's state at now: a pending request past its
// expiry is Expired, an approved one past its window's end is Closed.
func (r Request) StateAt(now time.Time) State {
	switch {
	case r.State == Pending && !now.Before(r.ExpiresAt):
		return Expired
	case r.State == Approved && !now.Before(r.Window().End):
		return Closed
	}
	return r.State
}

// Window is the approved window: from approval for the requested
// duration, cut at close, widened to whole seconds (CloudTrail's eventTime
// has second precision, so an event in the second of the approval is in
// it). The zero Window for a request never approved.
func (r Request) Window() Window {
	if r.DecidedAt.IsZero() || (r.State != Approved && r.State != Closed) {
		return Window{}
	}
	end := r.DecidedAt.Add(r.Duration)
	if !r.ClosedAt.IsZero() && r.ClosedAt.Before(end) {
		end = r.ClosedAt
	}
	if t := end.Truncate(time.Second); !t.Equal(end) {
		end = t.Add(time.Second)
	}
	return Window{Start: r.DecidedAt.Truncate(time.Second), End: end}
}

// Approve returns the request approved by approver at now: refused when
// the approver is the requester, or the request is not pending at now.
func (r Request) Approve(approver Person, approverARN string, now time.Time) (Request, error) {
	if err := r.decide(approver, now, "approve"); err != nil {
		return r, err
	}
	r.State, r.Decider, r.DeciderARN, r.DecidedAt = Approved, approver.ID, approverARN, now.UTC()
	return r, nil
}

// Deny returns the request denied by decider at now. Anyone registered but
// the requester may deny; a requester withdraws a request with Close.
func (r Request) Deny(decider Person, deciderARN string, now time.Time) (Request, error) {
	if err := r.decide(decider, now, "deny"); err != nil {
		return r, err
	}
	r.State, r.Decider, r.DeciderARN, r.DecidedAt = Denied, decider.ID, deciderARN, now.UTC()
	return r, nil
}

func (r Request) decide(p Person, now time.Time, verb string) error {
	if p.ID == r.Requester {
		return fmt.Errorf("%s request %s: %s is its requester: %w", verb, r.ID, p.ID, ErrSelfApproval)
	}
	if s := r.StateAt(now); s != Pending {
		return fmt.Errorf("%s request %s: it is %s: %w", verb, r.ID, s, ErrState)
	}
	return nil
}

// Close returns the request closed by p at now: an open window ends now, a
// pending request is withdrawn (closed without a window).
func (r Request) Close(p Person, now time.Time) (Request, error) {
	switch s := r.StateAt(now); s {
	case Approved, Pending:
		r.State, r.ClosedAt, r.ClosedBy = Closed, now.UTC(), p.ID
		return r, nil
	default:
		return r, fmt.Errorf("close request %s: it is %s: %w", r.ID, s, ErrState)
	}
}

// Authorize checks that task may run under the request at now: the
// request's window is open and the task and its parameter are the ones
// approved.
func (r Request) Authorize(task, param string, now time.Time) error {
	if s := r.StateAt(now); s != Approved {
		return fmt.Errorf("run request %s: it is %s, not approved with an open window: %w", r.ID, s, ErrState)
	}
	if r.Task == "" {
		return fmt.Errorf("run request %s: it approves a root sign-in window, no task: %w", r.ID, ErrTask)
	}
	if task != r.Task || param != r.TaskParam {
		return fmt.Errorf("run request %s: approved %s %s, not %s %s: %w", r.ID, r.Task, quote(r.TaskParam), task, quote(param), ErrTask)
	}
	return nil
}
