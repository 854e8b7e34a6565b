package guardrail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/inventory"
)

// Change states of a review.
const (
	StateDone    = "done"    // the postcondition holds: skipped
	StatePending = "pending" // the precondition still holds: to apply
	StateStale   = "stale"   // neither: the organization changed since plan
)

// ChangeReview is one change compared with a fresh snapshot.
type ChangeReview struct {
	Change *Change
	State  string
	Pre    []ConditionState
	Post   []ConditionState
}

// Review is a plan compared with a fresh snapshot.
type Review struct {
	Plan    *Plan
	Changes []ChangeReview
}

// Review sorts every change of the plan against s: done, pending or stale.
func (p *Plan) Review(s *inventory.Snapshot) *Review {
	r := &Review{Plan: p, Changes: make([]ChangeReview, len(p.Changes))}
	for i := range p.Changes {
		c := &p.Changes[i]
		cr := ChangeReview{Change: c, Pre: evalConditions(s, c.Pre), Post: evalConditions(s, c.Post)}
		switch {
		case allHold(cr.Post):
			cr.State = StateDone
		case allHold(cr.Pre) && fingerprintObserved(cr.Pre) == c.Fingerprint:
			cr.State = StatePending
		default:
			cr.State = StateStale
		}
		r.Changes[i] = cr
	}
	return r
}

func fingerprintObserved(cs []ConditionState) string {
	obs := make([]Condition, len(cs))
	for i, c := range cs {
		obs[i] = Condition{Fact: c.Condition.Fact, Value: c.Observed}
	}
	return fingerprintConditions(obs)
}

// Count returns how many changes are in state.
func (r *Review) Count(state string) int {
	n := 0
	for _, c := range r.Changes {
		if c.State == state {
			n++
		}
	}
	return n
}

// StaleError is returned by Apply when the organization changed since the
// plan was made in a way the plan did not cause: a change's precondition
// no longer holds and its postcondition does not hold either.
type StaleError struct {
	PlanID string
	Stale  []ChangeReview
}

func (e *StaleError) Error() string {
	parts := make([]string, 0, len(e.Stale))
	for _, cr := range e.Stale {
		parts = append(parts, cr.Change.ID+": "+cr.Why())
	}
	return fmt.Sprintf("saved plan %s is stale: %d change(s) no longer match the organization (%s); make a new plan", e.PlanID, len(e.Stale), strings.Join(parts, "; "))
}

// ErrStale matches a *StaleError with errors.Is.
var ErrStale = errors.New("saved plan is stale")

// Is lets errors.Is(err, ErrStale) match.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// Why says what changed: the first precondition that no longer holds,
// with the planned and the observed values.
func (cr ChangeReview) Why() string {
	for _, st := range cr.Pre {
		if st.Holds {
			continue
		}
		if st.Unknown != "" {
			return fmt.Sprintf("cannot check that %s: %s", st.Condition.Text, st.Unknown)
		}
		return fmt.Sprintf("planned when %s (%q), now %q", st.Condition.Text, st.Condition.Value, st.Observed)
	}
	return "the observed facts differ from the plan's fingerprint"
}

// Refusal is why apply must not start: a stale change (*StaleError), or a
// pending change that needs a flag not given (ErrNeedsFlag). Nil means go.
func (r *Review) Refusal(allowRecentKeyDeletion bool) error {
	var stale []ChangeReview
	var flagged []string
	for _, cr := range r.Changes {
		switch {
		case cr.State == StateStale:
			stale = append(stale, cr)
		case cr.State == StatePending && cr.Change.RequiresFlag == FlagAllowRecentKeyDeletion && !allowRecentKeyDeletion:
			flagged = append(flagged, cr.Change.ID+" ("+cr.Change.Risk+")")
		}
	}
	if len(stale) > 0 {
		return &StaleError{PlanID: r.Plan.ID, Stale: stale}
	}
	if len(flagged) > 0 {
		return fmt.Errorf("apply: %w: %d change(s) delete root access keys used within %d days or whose last use is unknown: %s; rerun with --%s once their users have moved to roles",
			ErrNeedsFlag, len(flagged), r.Plan.Config.MemberRootCredentials.MaxKeyLastUsedDays, strings.Join(flagged, "; "), FlagAllowRecentKeyDeletion)
	}
	return nil
}

// ErrNeedsFlag is returned (wrapped) by Apply when a pending change needs
// a flag that was not given.
var ErrNeedsFlag = errors.New("a change needs an explicit flag")

// ErrOtherOrganization is returned (wrapped) when the plan was made for
// another organization than the one apply reads.
var ErrOtherOrganization = errors.New("the plan is for another organization")

// Recorder writes audit records around each call: *audit.Log.
type Recorder interface {
	Do(ctx context.Context, e audit.Entry, call func(context.Context) error) error
	// Succeeded reports whether the record holds an ok result of the call
	// e describes: a rerun does not make it again.
	Succeeded(e audit.Entry) bool
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// AllowRecentKeyDeletion allows the changes marked
	// FlagAllowRecentKeyDeletion.
	AllowRecentKeyDeletion bool
	// Actor is the ARN of the identity applying, for the audit log.
	Actor string
	// Progress is told about each change as it is skipped, applied or fails.
	Progress func(ChangeOutcome)
	Logger   *slog.Logger
	// Executor makes the calls (awsexec.Executor with the AWS SDK); Apply
	// refuses to start without one.
	Executor Executor
}

// ChangeOutcome is what happened to one change during an apply.
type ChangeOutcome struct {
	Change *Change
	// Outcome is done (already in place), applied, failed or not-attempted.
	Outcome string
	// Failed is the call that failed, its API error code and message.
	Failed    *Call
	ErrorCode string
	Err       error
}

// Outcomes.
const (
	OutcomeDone         = "done"
	OutcomeApplied      = "applied"
	OutcomeFailed       = "failed"
	OutcomeNotAttempted = "not-attempted"
)

// ApplyResult is what Apply did, change by change, in plan order.
type ApplyResult struct {
	PlanID   string
	Outcomes []ChangeOutcome
}

// Count returns how many changes had outcome.
func (r *ApplyResult) Count(outcome string) int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Outcome == outcome {
			n++
		}
	}
	return n
}

// Failure returns the failed change, or nil.
func (r *ApplyResult) Failure() *ChangeOutcome {
	for i := range r.Outcomes {
		if r.Outcomes[i].Outcome == OutcomeFailed {
			return &r.Outcomes[i]
		}
	}
	return nil
}

// Executor makes one call of a plan.
type Executor interface {
	// Call makes call for the change's account. refs resolves ${policy:…}
	// references already; the returned outputs (a created policy's ID,
	// under "policy:NAME") feed later references.
	Call(ctx context.Context, account string, call Call) (outputs map[string]string, err error)
}

// Apply carries out a reviewed plan against the state in fresh, in plan
// order: changes already in place are skipped, pending ones are applied
// call by call, each call recorded in the audit log before it is made (an
// audit error stops the apply before the call) and skipped when the log
// holds its success from an earlier run, and the first failure stops it. A stale plan is refused before any call (*StaleError), as are
// pending changes that need a flag not given (ErrNeedsFlag). The result
// lists every change's outcome even when an error is returned.
func Apply(ctx context.Context, p *Plan, fresh *inventory.Snapshot, rec Recorder, opts ApplyOptions) (*ApplyResult, error) {
	res := &ApplyResult{PlanID: p.ID}
	if opts.Executor == nil {
		return res, errors.New("apply: no executor")
	}
	if rec == nil {
		return res, errors.New("apply: no audit log: no log, no change")
	}
	if !strings.HasPrefix(opts.Actor, "arn:") {
		return res, fmt.Errorf("apply: actor %q is not an ARN", opts.Actor)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := p.CheckSource(fresh); err != nil {
		return res, err
	}
	rv := p.Review(fresh)
	if err := rv.Refusal(opts.AllowRecentKeyDeletion); err != nil {
		return res, err
	}

	outputs := map[string]string{}
	if fresh.Organization != nil {
		for _, op := range fresh.Organization.Policies.Value {
			outputs["policy:"+op.Name] = op.ID
		}
	}
	report := func(o ChangeOutcome) {
		res.Outcomes = append(res.Outcomes, o)
		if opts.Progress != nil {
			opts.Progress(o)
		}
	}
	var failed bool
	for _, cr := range rv.Changes {
		c := cr.Change
		switch {
		case failed:
			report(ChangeOutcome{Change: c, Outcome: OutcomeNotAttempted})
			continue
		case cr.State == StateDone:
			log.Info("change already in place", "plan_id", p.ID, "change_id", c.ID)
			report(ChangeOutcome{Change: c, Outcome: OutcomeDone})
			continue
		}
		if err := ctx.Err(); err != nil {
			failed = true
			report(ChangeOutcome{Change: c, Outcome: OutcomeFailed, ErrorCode: CodeCanceled, Err: err})
			continue
		}
		for i := range c.Calls {
			call := c.Calls[i]
			resolved, err := resolve(call, outputs)
			if err == nil {
				entry := auditEntry(p, c, opts.Actor, resolved)
				if rec.Succeeded(entry) {
					log.Info("call already made", "plan_id", p.ID, "change_id", c.ID, "operation", call.Operation)
					continue
				}
				err = rec.Do(ctx, entry, func(ctx context.Context) error {
					out, err := opts.Executor.Call(ctx, c.AccountID, resolved)
					for k, v := range out {
						outputs[k] = v
					}
					return err
				})
			}
			if err != nil {
				failed = true
				log.Warn("change failed", "plan_id", p.ID, "change_id", c.ID, "operation", call.Operation, "error", err)
				report(ChangeOutcome{Change: c, Outcome: OutcomeFailed, Failed: &c.Calls[i], ErrorCode: errorCode(err), Err: err})
				break
			}
		}
		if !failed {
			log.Info("change applied", "plan_id", p.ID, "change_id", c.ID)
			report(ChangeOutcome{Change: c, Outcome: OutcomeApplied})
		}
	}
	if f := res.Failure(); f != nil {
		if f.Failed == nil { // cancelled before its first call
			return res, fmt.Errorf("apply: change %s: %w", f.Change.ID, f.Err)
		}
		return res, fmt.Errorf("apply: change %s: %s: %w", f.Change.ID, f.Failed.Operation, f.Err)
	}
	return res, nil
}

// CheckSource refuses a plan made for another organization (or account)
// than the one s was read from (ErrOtherOrganization).
func (p *Plan) CheckSource(s *inventory.Snapshot) error {
	org := ""
	if s.Organization != nil && s.Mode == inventory.ModeOrganization {
		org = s.Organization.ID
	}
	if org != p.Snapshot.OrganizationID {
		return fmt.Errorf("apply: %w: plan %s was made for organization %q, the credentials reach %q", ErrOtherOrganization, p.ID, p.Snapshot.OrganizationID, org)
	}
	return nil
}

// resolve replaces ${policy:NAME} references with the policy's ID.
func resolve(c Call, outputs map[string]string) (Call, error) {
	out := c
	out.Params = make(map[string]string, len(c.Params))
	for k, v := range c.Params {
		if ref, ok := strings.CutPrefix(v, "${"); ok && strings.HasSuffix(ref, "}") {
			ref = strings.TrimSuffix(ref, "}")
			id, known := outputs[ref]
			if !known {
				return Call{}, fmt.Errorf("%s: parameter %s: %s is not known: the policy neither exists nor was created by this apply", c.Operation, k, ref)
			}
			v = id
		}
		out.Params[k] = v
	}
	return out, nil
}

// auditEntry is the audit record of one call. Long documents are recorded
// by their hash (the plan file holds them); identifiers of people and
// credentials are marked sensitive, so the log stores their HMACs.
func auditEntry(p *Plan, c *Change, actor string, call Call) audit.Entry {
	e := audit.Entry{
		Actor: actor, PlanID: p.ID, ChangeID: c.ID, AccountID: c.AccountID,
		Operation: call.Operation,
		Params:    map[string]string{},
		Sensitive: map[string]string{},
	}
	if call.Region != "" {
		e.Params["Region"] = call.Region
	}
	if call.Session != SessionCaller {
		e.Params["Session"] = call.Session
	}
	if call.RoleARN != "" {
		e.Params["RoleArn"] = call.RoleARN
	}
	if call.TaskPolicy != "" {
		e.Params["TaskPolicyArn"] = call.TaskPolicy
	}
	if c.Kind == KindDeleteAccessKey && c.LastUsed != nil {
		e.Params[KeyLastUsedParam] = c.LastUsed.UTC().Format(time.RFC3339)
	}
	for k, v := range call.Params {
		switch k {
		case "Content", "EventPattern", "Attributes.Policy", "AttributeValue", "AssumeRolePolicyDocument", "PolicyDocument":
			sum := sha256.Sum256([]byte(v))
			e.Params[k+"SHA256"] = hex.EncodeToString(sum[:])
		case "AccessKeyId", "CertificateId", "SerialNumber", "EmailAddress", "PhoneNumber", "Endpoint":
			e.Sensitive[k] = v
		case "Name":
			// A contact's name is about a person; a policy's, topic's or
			// rule's is not (the audit log would otherwise hash any "Name").
			switch call.Operation {
			case "organizations:CreatePolicy":
				e.Params["PolicyName"] = v
			case "sns:CreateTopic":
				e.Params["TopicName"] = v
			case "events:PutRule":
				e.Params["RuleName"] = v
			default:
				e.Sensitive["ContactName"] = v
			}
		default:
			e.Params[k] = v
		}
	}
	return e
}
