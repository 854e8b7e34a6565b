package breakglass

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
)

// More refusals callers branch on.
var (
	// ErrNotFound: no request has the ID.
	ErrNotFound = errors.New("no such request")
	// ErrConflict: the request changed between reading and writing it
	// (another approver won the race, or it was closed meanwhile).
	ErrConflict = errors.New("the request changed meanwhile")
)

// Repository is where requests and the person registry live (the store).
type Repository interface {
	// Registry returns every person and identity mapping.
	Registry(ctx context.Context) (Registry, error)
	// Create adds a new request.
	Create(ctx context.Context, r Request) error
	// Get returns the request with the ID, or ErrNotFound.
	Get(ctx context.Context, id string) (Request, error)
	// Update writes r in place of the stored request only while the stored
	// state is still from, and ErrConflict (wrapped) otherwise: a
	// conditional update, so of two racing transitions exactly one wins.
	// It also records the decision (approve, deny, close) with the person
	// and identity that made it.
	Update(ctx context.Context, from State, r Request, d Decision) error
}

// Decision is one transition of a request, as the store records it.
type Decision struct {
	RequestID string
	Action    string // "approve", "deny", "close"
	Person    string
	Identity  string
	At        time.Time
}

// Recorder is the audit log: Do appends the intent, calls write only when
// the intent is on disk, then appends the result.
type Recorder interface {
	Do(ctx context.Context, e audit.Entry, write func(context.Context) error) error
}

// Service runs the workflow: who the caller is, whether the transition is
// allowed, the audit record before the write, the conditional write.
type Service struct {
	Repo   Repository
	Audit  Recorder
	Policy Policy
	Now    func() time.Time
	// NewID returns a fresh request ID (bg-…).
	NewID func() string
}

// caller resolves the caller's ARN to a person of the registry.
func (s Service) caller(ctx context.Context, arn string) (Person, error) {
	reg, err := s.Repo.Registry(ctx)
	if err != nil {
		return Person{}, err
	}
	return reg.Resolve(arn)
}

// Open records a new pending request by the caller.
func (s Service) Open(ctx context.Context, callerARN, account, reason string, d time.Duration, task, param string) (Request, error) {
	return s.open(ctx, callerARN, account, reason, d, task, param, "")
}

// OpenDrill records a new pending request by the caller for the window of
// drill (a drill ID): a root sign-in window marked as a drill, which
// another person approves like any request.
func (s Service) OpenDrill(ctx context.Context, callerARN, account, drill, reason string, d time.Duration) (Request, error) {
	if !drillIDRE.MatchString(drill) {
		return Request{}, fmt.Errorf("drill ID %s: want drill- and 6-32 lower-case letters or digits", quote(drill))
	}
	return s.open(ctx, callerARN, account, reason, d, "", "", drill)
}

func (s Service) open(ctx context.Context, callerARN, account, reason string, d time.Duration, task, param, drill string) (Request, error) {
	p, err := s.caller(ctx, callerARN)
	if err != nil {
		return Request{}, fmt.Errorf("request: %w", err)
	}
	r, err := NewRequest(s.Policy, s.NewID(), account, reason, d, task, param, p, callerARN, s.Now())
	if err != nil {
		return Request{}, err
	}
	r.Drill = drill
	err = s.record(ctx, callerARN, r, "request", map[string]string{"reason": r.Reason, "duration": r.Duration.String(), "task": r.Task, "task_param": r.TaskParam, "drill": r.Drill},
		func(ctx context.Context) error { return s.Repo.Create(ctx, r) })
	return r, err
}

// Approve approves request id as the caller.
func (s Service) Approve(ctx context.Context, callerARN, id string) (Request, error) {
	return s.transition(ctx, callerARN, id, "approve", func(r Request, p Person, now time.Time) (Request, error) {
		return r.Approve(p, callerARN, now)
	})
}

// Deny denies request id as the caller.
func (s Service) Deny(ctx context.Context, callerARN, id string) (Request, error) {
	return s.transition(ctx, callerARN, id, "deny", func(r Request, p Person, now time.Time) (Request, error) {
		return r.Deny(p, callerARN, now)
	})
}

// Close ends request id's window (or withdraws it while pending) as the
// caller.
func (s Service) Close(ctx context.Context, callerARN, id string) (Request, error) {
	return s.transition(ctx, callerARN, id, "close", func(r Request, p Person, now time.Time) (Request, error) {
		return r.Close(p, now)
	})
}

func (s Service) transition(ctx context.Context, callerARN, id, action string, step func(Request, Person, time.Time) (Request, error)) (Request, error) {
	p, err := s.caller(ctx, callerARN)
	if err != nil {
		return Request{}, fmt.Errorf("%s request %s: %w", action, id, err)
	}
	r, err := s.Repo.Get(ctx, id)
	if err != nil {
		return Request{}, err
	}
	now := s.Now().UTC()
	next, err := step(r, p, now)
	if err != nil {
		return r, err
	}
	d := Decision{RequestID: id, Action: action, Person: p.ID, Identity: callerARN, At: now}
	err = s.record(ctx, callerARN, next, action, map[string]string{"person": p.ID, "state": string(next.State)},
		func(ctx context.Context) error { return s.Repo.Update(ctx, r.State, next, d) })
	if err != nil {
		return r, err
	}
	return next, nil
}

// record appends the change to the audit log, makes the write only once
// the intent is recorded, and records its outcome.
func (s Service) record(ctx context.Context, actor string, r Request, action string, params map[string]string, write func(context.Context) error) error {
	e := audit.Entry{
		Actor: actor, PlanID: r.ID, ChangeID: action, AccountID: r.AccountID,
		Operation: "breakglass:" + strings.ToUpper(action[:1]) + action[1:], Params: map[string]string{},
	}
	for k, v := range params {
		if v != "" {
			e.Params[k] = v
		}
	}
	return s.Audit.Do(ctx, e, write)
}
