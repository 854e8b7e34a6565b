// Package securityhub imports rootguard's findings into AWS Security Hub
// with BatchImportFindings: the ASFF documents come from report.ASFF, this
// package only batches them (100 per call, the API's limit), retries the
// items Security Hub failed for a passing reason, and reports the rest.
// Throttled calls are retried by the SDK client's retryer.
//
// A muted finding is imported with Workflow SUPPRESSED and a Note, which
// Security Hub takes only when it creates the finding: once a finding
// exists, BatchImportFindings cannot change its Workflow or Note. So Send
// also suppresses every muted finding it imported with BatchUpdateFindings,
// the call Security Hub customers use for that, one call per distinct note.
package securityhub

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rootguard/rootguard/internal/report"
)

// BatchSize is BatchImportFindings' limit of findings per call.
const BatchSize = 100

// itemAttempts is how many times a finding failed for a passing reason is
// sent (the first time included).
const itemAttempts = 3

// retryableItem are FailedFindings error codes worth sending again.
var retryableItem = []string{"ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException", "InternalException", "InternalError", "InternalFailure", "ServiceUnavailable"}

// API is the part of the Security Hub client Send calls.
type API interface {
	BatchImportFindings(ctx context.Context, in *sh.BatchImportFindingsInput, optFns ...func(*sh.Options)) (*sh.BatchImportFindingsOutput, error)
	BatchUpdateFindings(ctx context.Context, in *sh.BatchUpdateFindingsInput, optFns ...func(*sh.Options)) (*sh.BatchUpdateFindingsOutput, error)
}

// Failed is a finding Security Hub did not import.
type Failed struct {
	ID, Code, Message string
}

// Result counts what Send imported and lists what it could not.
type Result struct {
	Imported   int
	Batches    int // BatchImportFindings calls made
	Suppressed int // muted findings set to SUPPRESSED by BatchUpdateFindings
	Failed     []Failed
}

// Send imports the findings in batches of BatchSize. A call that fails
// (after the client's own retries) stops the import with the error and the
// result so far; failed items are sent again when their error is passing.
func Send(ctx context.Context, api API, findings []report.ASFFFinding) (Result, error) {
	res, err := importAll(ctx, api, findings)
	if err != nil {
		return res, err
	}
	return res, suppress(ctx, api, findings, &res)
}

func importAll(ctx context.Context, api API, findings []report.ASFFFinding) (Result, error) {
	var res Result
	pending := findings
	for attempt := 1; len(pending) > 0; attempt++ {
		var again []report.ASFFFinding
		for batch := range slices.Chunk(pending, BatchSize) {
			byID := make(map[string]report.ASFFFinding, len(batch))
			in := &sh.BatchImportFindingsInput{Findings: make([]types.AwsSecurityFinding, len(batch))}
			for i, f := range batch {
				in.Findings[i] = ToSDK(f)
				byID[f.ID] = f
			}
			res.Batches++
			out, err := api.BatchImportFindings(ctx, in)
			if err != nil {
				return res, fmt.Errorf("securityhub BatchImportFindings (%d findings): %w", len(batch), err)
			}
			res.Imported += int(aws.ToInt32(out.SuccessCount))
			for _, e := range out.FailedFindings {
				id := aws.ToString(e.Id)
				f, known := byID[id]
				code := aws.ToString(e.ErrorCode)
				if known && attempt < itemAttempts && slices.Contains(retryableItem, code) {
					again = append(again, f)
					continue
				}
				res.Failed = append(res.Failed, Failed{ID: id, Code: code, Message: aws.ToString(e.ErrorMessage)})
			}
		}
		pending = again
	}
	return res, nil
}

// suppress sets the muted findings that were imported to SUPPRESSED with
// their note: BatchUpdateFindings applies one note to every finding of a
// call, so the findings are grouped by note, then batched.
func suppress(ctx context.Context, api API, findings []report.ASFFFinding, res *Result) error {
	failed := make(map[string]bool, len(res.Failed))
	for _, f := range res.Failed {
		failed[f.ID] = true
	}
	type note struct{ text, by string }
	var order []note
	groups := map[note][]types.AwsSecurityFindingIdentifier{}
	for _, f := range findings {
		if f.Workflow == nil || f.Note == nil || failed[f.ID] {
			continue
		}
		n := note{f.Note.Text, f.Note.UpdatedBy}
		if _, seen := groups[n]; !seen {
			order = append(order, n)
		}
		groups[n] = append(groups[n], types.AwsSecurityFindingIdentifier{Id: aws.String(f.ID), ProductArn: aws.String(f.ProductArn)})
	}
	for _, n := range order {
		for batch := range slices.Chunk(groups[n], BatchSize) {
			out, err := api.BatchUpdateFindings(ctx, &sh.BatchUpdateFindingsInput{
				FindingIdentifiers: batch,
				Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatusSuppressed},
				Note:               &types.NoteUpdate{Text: aws.String(n.text), UpdatedBy: aws.String(n.by)},
			})
			if err != nil {
				return fmt.Errorf("securityhub BatchUpdateFindings (suppress %d muted findings): %w", len(batch), err)
			}
			res.Suppressed += len(out.ProcessedFindings)
			for _, u := range out.UnprocessedFindings {
				id := ""
				if u.FindingIdentifier != nil {
					id = aws.ToString(u.FindingIdentifier.Id)
				}
				res.Failed = append(res.Failed, Failed{ID: id, Code: aws.ToString(u.ErrorCode), Message: "not suppressed: " + aws.ToString(u.ErrorMessage)})
			}
		}
	}
	return nil
}

// ToSDK maps a finding onto the SDK's type.
func ToSDK(f report.ASFFFinding) types.AwsSecurityFinding {
	out := types.AwsSecurityFinding{
		SchemaVersion: aws.String(f.SchemaVersion),
		Id:            aws.String(f.ID),
		ProductArn:    aws.String(f.ProductArn),
		ProductName:   aws.String(f.ProductName),
		CompanyName:   aws.String(f.CompanyName),
		GeneratorId:   aws.String(f.GeneratorID),
		AwsAccountId:  aws.String(f.AwsAccountID),
		Types:         f.Types,
		CreatedAt:     aws.String(f.CreatedAt),
		UpdatedAt:     aws.String(f.UpdatedAt),
		Severity:      &types.Severity{Label: types.SeverityLabel(f.Severity.Label), Original: aws.String(f.Severity.Original)},
		Title:         aws.String(f.Title),
		Description:   aws.String(f.Description),
		Remediation:   &types.Remediation{Recommendation: &types.Recommendation{Text: aws.String(f.Remediation.Recommendation.Text)}},
		ProductFields: f.ProductFields,
		Compliance: &types.Compliance{
			Status:              types.ComplianceStatus(f.Compliance.Status),
			RelatedRequirements: f.Compliance.RelatedRequirements,
		},
		RecordState: types.RecordState(f.RecordState),
	}
	if f.Workflow != nil {
		out.Workflow = &types.Workflow{Status: types.WorkflowStatus(f.Workflow.Status)}
	}
	if f.Note != nil {
		out.Note = &types.Note{Text: aws.String(f.Note.Text), UpdatedBy: aws.String(f.Note.UpdatedBy), UpdatedAt: aws.String(f.Note.UpdatedAt)}
	}
	for _, r := range f.Resources {
		out.Resources = append(out.Resources, types.Resource{
			Type: aws.String(r.Type), Id: aws.String(r.ID), Partition: types.Partition(r.Partition), Region: aws.String(r.Region),
		})
	}
	return out
}
