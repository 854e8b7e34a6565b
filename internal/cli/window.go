package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trail"
	"github.com/rootguard/rootguard/internal/trailquery"
)

// This file holds what the commands that judge root activity against a
// window share: reading one window of CloudTrail (breakglass report, drill
// verify) and judging alerts against the store's approved windows (trail
// scan and trail query --windows).

// windowSource is where a window's CloudTrail records come from: paths as
// trail scan reads them (files, folders, s3:// prefixes, stdin), or, with
// --athena or --lake, trail query's source. AWS is the connection for
// s3:// paths and the query.
type windowSource struct {
	Query QuerySource
	AWS   awsclient.Options
	// athenaFlags are the Athena-only flags given (changedAthenaFlags).
	athenaFlags []string
}

// validate checks the source and the PATHs given, before anything is read.
func (s windowSource) validate(cmd string, paths []string) error {
	if !s.Query.set() {
		return nil
	}
	if len(paths) > 0 {
		return usageError("%s: read either PATHs or --athena/--lake, not both", cmd)
	}
	_, err := s.Query.options(cmd, s.athenaFlags, "", trail.Window{})
	return err
}

// readWindow reads the root activity of window w through the one
// detection driver: from paths (stdin for -), or by a query when the
// source names one. The summary says what was read; a query that finds no
// event at all in w read nothing (Read 0, the reason in Failed). Its
// errors carry their exit code.
func readWindow(ctx context.Context, cmd string, src windowSource, paths []string, stdin io.Reader, w trail.Window) ([]detect.Alert, trail.Summary, error) {
	if err := src.validate(cmd, paths); err != nil {
		return nil, trail.Summary{}, err
	}
	if src.Query.set() {
		q, err := src.Query.options(cmd, src.athenaFlags, "", w)
		if err != nil {
			return nil, trail.Summary{}, err
		}
		cfg, err := awsclient.Load(ctx, src.AWS)
		if err != nil {
			return nil, trail.Summary{}, withCode(ExitError, fmt.Errorf("%s: %w", cmd, err))
		}
		alerts, st, err := trailquery.Detect(ctx, src.Query.runner(cfg), q, detect.DefaultConfig())
		if ne, ok := errors.AsType[*trailquery.NoEventsError](err); ok {
			return nil, trail.Summary{Failed: []trail.Problem{{Input: q.Source(), Reason: ne.Error()}}}, nil
		}
		if err != nil {
			return nil, trail.Summary{}, withCode(ExitError, fmt.Errorf("%s: %s query: %w", cmd, q.Source(), err))
		}
		return alerts, trail.Summary{Files: 1, Read: 1, Records: int64(st.Rows), Alerts: len(alerts)}, nil
	}
	if len(paths) == 0 {
		return nil, trail.Summary{}, usageError("%s: name the CloudTrail PATH, s3:// URL or -, or query --athena or --lake", cmd)
	}
	driver, err := detect.NewDriver(detect.DefaultConfig(), detect.Window(w))
	if err != nil {
		return nil, trail.Summary{}, withCode(ExitError, fmt.Errorf("%s: %w", cmd, err))
	}
	var alerts []detect.Alert
	sum, err := trail.Scan(ctx, driver, trail.Paths(ctx, paths, stdin, w, s3Store(src.AWS)), trail.Options{},
		func(a detect.Alert) error { alerts = append(alerts, a); return nil })
	if err != nil {
		return nil, sum, withCode(ExitError, fmt.Errorf("%s: %w", cmd, err))
	}
	return alerts, sum, nil
}

// approveWindows makes driver judge root activity against the approved
// break-glass windows of the store (--db; the demo's with demo).
func (e *env) approveWindows(ctx context.Context, driver *detect.Driver, demo bool) error {
	st, err := e.storeFor(ctx, demo)
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := approvals(ctx, st.Breakglass())
	if err != nil {
		return err
	}
	driver.Approve(ws)
	return nil
}

// windowJudge passes alerts through Driver.Judge and counts the
// root-activity-unapproved alerts it raises.
type windowJudge struct {
	driver     *detect.Driver
	unapproved int
}

// judge emits what the driver makes of a.
func (j *windowJudge) judge(a detect.Alert, emit func(detect.Alert) error) error {
	for _, x := range j.driver.Judge(a) {
		if x.RuleID == detect.RuleRootActivityUnapproved {
			j.unapproved++
		}
		if err := emit(x); err != nil {
			return err
		}
	}
	return nil
}

// summary is the stderr line --windows adds.
func (j *windowJudge) summary(w io.Writer) {
	fmt.Fprintf(w, "trail: %d root-activity-unapproved (root activity outside every approved break-glass window)\n", j.unapproved)
}
