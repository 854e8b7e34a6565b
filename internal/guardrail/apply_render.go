package guardrail

import (
	"fmt"
	"io"
)

// WriteText shows what apply will do: the pending changes as the plan's
// diff lines, the changes already in place, and the stale ones with what
// changed.
func (r *Review) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	p := r.Plan
	ew.printf("rootguard apply %s (made %s by %s)\n\n", p.ID, p.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), p.CreatedBy)
	for _, cr := range r.Changes {
		c := cr.Change
		switch cr.State {
		case StatePending:
			ew.printf("  %s %s\n", c.Action, c.Summary)
			if c.RequiresFlag != "" {
				ew.printf("      risk:  %s (needs --%s)\n", c.Risk, c.RequiresFlag)
			}
		case StateDone:
			ew.printf("  = %s (already in place)\n", c.Summary)
		case StateStale:
			ew.printf("  ! %s: STALE, %s\n", c.Summary, cr.Why())
		}
	}
	ew.printf("\n%d to apply, %d already in place, %d stale.\n", r.Count(StatePending), r.Count(StateDone), r.Count(StateStale))
	return ew.err
}

// WriteText reports an apply: every change's outcome, the failure with the
// AWS error, and what was not attempted.
func (r *ApplyResult) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, o := range r.Outcomes {
		c := o.Change
		switch o.Outcome {
		case OutcomeApplied:
			ew.printf("  applied        %s\n", c.Summary)
		case OutcomeDone:
			ew.printf("  already done   %s\n", c.Summary)
		case OutcomeFailed:
			op := ""
			if o.Failed != nil {
				op = o.Failed.Operation + ": "
			}
			ew.printf("  FAILED         %s\n                 %s%s (%s)\n", c.Summary, op, errorMessage(o.Err), o.ErrorCode)
		case OutcomeNotAttempted:
			ew.printf("  not attempted  %s\n", c.Summary)
		}
	}
	applied, done, notAttempted := r.Count(OutcomeApplied), r.Count(OutcomeDone), r.Count(OutcomeNotAttempted)
	if f := r.Failure(); f != nil {
		ew.printf("\nApply stopped at %s: %d applied, %d already in place, 1 failed, %d not attempted. Fix the cause and run apply again with the same plan: it finishes the rest without repeating what succeeded.\n",
			f.Change.ID, applied, done, notAttempted)
		return ew.err
	}
	ew.printf("\nApply complete: %d applied, %d already in place.\n", applied, done)
	return ew.err
}

// String names an outcome for logs.
func (o ChangeOutcome) String() string {
	return fmt.Sprintf("%s %s", o.Outcome, o.Change.ID)
}
