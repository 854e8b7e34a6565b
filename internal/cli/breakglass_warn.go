package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/collect"
	"github.com/rootguard/rootguard/internal/inventory"
)

// executorRole is the ARN of the role breakglass run assumes to call
// sts:AssumeRoot.
func (s *bgSession) executorRole() string {
	if s.o.ExecutorRole != "" {
		return s.o.ExecutorRole
	}
	return "arn:aws:iam::" + accountOf(s.arn) + ":role/" + DefaultExecutorRole
}

// warnExecutors says who besides the executor role may call
// sts:AssumeRoot or assume that role, as assume-root-restricted judges it
// from the executor account's identity policies: the two-person rule binds
// only if nobody else can. It reads them with the caller's credentials;
// what it cannot read it says is unknown.
func (s *bgSession) warnExecutors(ctx context.Context, r breakglass.Request) {
	if r.Task == "" {
		return
	}
	executor := s.executorRole()
	others, err := otherRootCallers(ctx, s, executor, r.AccountID)
	switch {
	case err != nil:
		fmt.Fprintf(s.e.stderr, "warning: who besides the executor role can call sts:AssumeRoot or assume that role is unknown: %v; "+
			"the two-person rule binds only if nobody else can (see the assume-root-restricted check)\n", err)
	case len(others) > 0:
		fmt.Fprintf(s.e.stderr, "warning: the two-person rule does not bind: besides the executor role %s, %s (see the assume-root-restricted check)\n",
			executor, strings.Join(others, "; "))
	}
}

// otherRootCallers lists, from the identity policies of the executor
// role's account, the principals other than the executor that may call
// sts:AssumeRoot on member's root user, and a trust policy that lets a
// whole account (or anyone) assume the executor.
func otherRootCallers(ctx context.Context, s *bgSession, executor, member string) ([]string, error) {
	acct := accountOf(executor)
	if acct != accountOf(s.arn) {
		return nil, fmt.Errorf("the executor role is in account %s, whose policies this caller (account %s) does not read", acct, accountOf(s.arn))
	}
	a := &inventory.Account{ID: acct, IAM: inventory.IAM{Principals: collect.Principals(ctx, s.conn.cfg)}}
	rc, err := checks.AssumeRootCallers(a, "", []string{member})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range rc.Callers {
		switch {
		case c.ARN != executor && c.Limited:
			out = append(out, c.ARN+" may call sts:AssumeRoot with a root task policy")
		case c.ARN != executor:
			out = append(out, c.ARN+" may call sts:AssumeRoot without a task policy limit")
		default:
			for _, p := range c.AssumableBy {
				if p == "*" || strings.HasSuffix(p, ":root") {
					out = append(out, "the executor role trusts "+p+": any principal there allowed sts:AssumeRole on it may assume it")
				}
			}
		}
	}
	if len(rc.Unreadable) > 0 {
		out = append(out, "not evaluated: "+strings.Join(rc.Unreadable, "; "))
	}
	return out, nil
}
