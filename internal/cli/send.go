package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/rootguard/rootguard/internal/report"
	"github.com/rootguard/rootguard/internal/securityhub"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// sendTargets are the values of scan --send.
var sendTargets = []string{"securityhub"}

func validateSend(target string) error {
	if target != "" && !slices.Contains(sendTargets, target) {
		return usageError("--send %q: want one of %s", target, strings.Join(sendTargets, ", "))
	}
	return nil
}

// send imports the report's findings (PASS ones included, so that fixed
// findings close) into Security Hub in the Region of the scan's
// credentials, writes a summary to stderr, and fails when any finding was
// not imported.
func send(ctx context.Context, e *env, src *sourceOptions, rep *report.Report) error {
	c, err := src.open(ctx, e)
	if err != nil {
		return err
	}
	defer c.close()
	findings := report.ASFF(rep, report.Options{Region: c.cfg.Region})
	res, err := securityhub.Send(ctx, sh.NewFromConfig(c.cfg), findings)
	fmt.Fprintf(e.stderr, "securityhub: %d of %d findings imported in %d calls, %d muted set to SUPPRESSED, %d failed\n", res.Imported, len(findings), res.Batches, res.Suppressed, len(res.Failed))
	for _, f := range res.Failed {
		fmt.Fprintf(e.stderr, "securityhub: finding %s failed: %s: %s\n", termsafe.Escape(f.ID, false), termsafe.Escape(f.Code, false), termsafe.Escape(f.Message, false))
	}
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 {
		return withCode(ExitError, fmt.Errorf("securityhub: %d of %d findings not imported or not suppressed", len(res.Failed), len(findings)))
	}
	return nil
}
