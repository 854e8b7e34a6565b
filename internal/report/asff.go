package report

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// AWS Security Finding Format constants.
const (
	asffSchemaVersion = "2018-10-08"
	asffTypeCIS       = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
	asffTypeBP        = "Software and Configuration Checks/AWS Security Best Practices"
	defaultASFFRegion = "us-east-1"
)

// Field limits of BatchImportFindings.
const (
	asffMaxTitle        = 256
	asffMaxDescription  = 1024
	asffMaxRemediation  = 512
	asffMaxRequirement  = 128
	asffMaxRequirements = 32
	asffMaxProductField = 2048
)

// ASFFFinding is the subset of AwsSecurityFinding rootguard fills, as
// BatchImportFindings takes it.
type ASFFFinding struct {
	SchemaVersion string            `json:"SchemaVersion"`
	ID            string            `json:"Id"`
	ProductArn    string            `json:"ProductArn"`
	ProductName   string            `json:"ProductName"`
	CompanyName   string            `json:"CompanyName"`
	GeneratorID   string            `json:"GeneratorId"`
	AwsAccountID  string            `json:"AwsAccountId"`
	Types         []string          `json:"Types"`
	CreatedAt     string            `json:"CreatedAt"`
	UpdatedAt     string            `json:"UpdatedAt"`
	Severity      asffSeverity      `json:"Severity"`
	Title         string            `json:"Title"`
	Description   string            `json:"Description"`
	Remediation   asffRemediation   `json:"Remediation"`
	ProductFields map[string]string `json:"ProductFields"`
	Resources     []asffResource    `json:"Resources"`
	Compliance    asffCompliance    `json:"Compliance"`
	RecordState   string            `json:"RecordState"`
	// Workflow and Note are set on a muted finding: SUPPRESSED, with who
	// accepted the risk, why and until when.
	Workflow *asffWorkflow `json:"Workflow,omitempty"`
	Note     *asffNote     `json:"Note,omitempty"`
}

type asffWorkflow struct {
	Status string `json:"Status"`
}

type asffNote struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
	UpdatedAt string `json:"UpdatedAt"`
}

// asffMaxNote is the longest Note.Text and Note.UpdatedBy Security Hub takes.
const asffMaxNote = 512

type asffSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

type asffRemediation struct {
	Recommendation struct {
		Text string `json:"Text"`
	} `json:"Recommendation"`
}

type asffResource struct {
	Type      string `json:"Type"`
	ID        string `json:"Id"`
	Partition string `json:"Partition"`
	Region    string `json:"Region"`
}

type asffCompliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

// writeASFF writes a JSON array ready for securityhub:BatchImportFindings
// (which takes at most 100 findings per call; batching is the caller's job).
func writeASFF(w io.Writer, r *Report, opts Options) error {
	return writeJSON(w, ASFF(r, opts))
}

// ASFF returns the report's findings in the AWS Security Finding Format.
// The finding Id is stable per account and check, so a new import updates
// the previous finding; PASS findings are always included (Compliance.Status
// PASSED), so that a fixed finding's earlier FAIL is resolved rather than
// left open. The importer cannot set the workflow status of an existing
// finding, so none is set: Security Hub resolves it from the status.
func ASFF(r *Report, opts Options) []ASFFFinding {
	region := opts.Region
	if region == "" {
		region = defaultASFFRegion
	}
	partition, caller := arnPartitionAccount(r.Meta.CallerARN)
	if partition == "" {
		partition = regionPartition(region)
	}
	ts := r.GeneratedAt.UTC().Format(time.RFC3339Nano)
	out := []ASFFFinding{}
	for _, f := range r.Findings {
		importer := caller
		if importer == "" {
			importer = f.AccountID
		}
		a := ASFFFinding{
			SchemaVersion: asffSchemaVersion,
			ID:            "rootguard/" + f.AccountID + "/" + f.CheckID,
			ProductArn:    "arn:" + partition + ":securityhub:" + region + ":" + importer + ":product/" + importer + "/default",
			ProductName:   "rootguard",
			CompanyName:   "rootguard",
			GeneratorID:   f.CheckID,
			AwsAccountID:  f.AccountID,
			Types:         []string{asffTypeBP},
			CreatedAt:     ts,
			UpdatedAt:     ts,
			Severity:      asffSeverity{Label: asffSeverityLabel(f), Original: string(f.Severity)},
			Title:         termsafe.Shorten(nonEmpty(f.Title, f.CheckID), asffMaxTitle),
			Description:   termsafe.Shorten(nonEmpty(f.Detail, f.Title, f.CheckID), asffMaxDescription),
			ProductFields: asffProductFields(f),
			Resources: []asffResource{{
				Type:      "AwsAccount",
				ID:        "AWS::::Account:" + f.AccountID,
				Partition: partition,
				Region:    region,
			}},
			Compliance:  asffCompliance{Status: asffComplianceStatus(f.Status), RelatedRequirements: requirements(f.References)},
			RecordState: "ACTIVE",
		}
		if len(f.References.CIS) > 0 {
			a.Types = []string{asffTypeCIS}
		}
		if m := f.Muted; m != nil {
			a.Workflow = &asffWorkflow{Status: "SUPPRESSED"}
			a.Note = &asffNote{Text: termsafe.Shorten(muteText(m), asffMaxNote), UpdatedBy: termsafe.Shorten(m.AcceptedBy, asffMaxNote), UpdatedAt: ts}
		}
		a.Remediation.Recommendation.Text = termsafe.Shorten(nonEmpty(f.Remediation, "Run `rootguard explain "+f.CheckID+"`."), asffMaxRemediation)
		out = append(out, a)
	}
	return out
}

// asffSeverityLabel follows Security Hub's convention for control findings:
// a passed check is INFORMATIONAL whatever the check's severity (which stays
// in Severity.Original).
func asffSeverityLabel(f checks.Finding) string {
	if f.Status == checks.Pass {
		return "INFORMATIONAL"
	}
	switch f.Severity {
	case checks.Critical:
		return "CRITICAL"
	case checks.High:
		return "HIGH"
	case checks.Medium:
		return "MEDIUM"
	case checks.Low:
		return "LOW"
	}
	return "INFORMATIONAL"
}

// asffComplianceStatus maps a status: UNKNOWN (information missing) is
// WARNING, NOT_APPLICABLE is NOT_AVAILABLE, as Security Hub does for an
// AWS Config NOT_APPLICABLE result.
func asffComplianceStatus(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "PASSED"
	case checks.Fail:
		return "FAILED"
	case checks.Unknown:
		return "WARNING"
	}
	return "NOT_AVAILABLE"
}

// requirements lists the frameworks a finding maps to, as Security Hub
// writes them, for ASFF RelatedRequirements and OCSF compliance.requirements.
func requirements(r checks.References) []string {
	var out []string
	add := func(s string) {
		if len(out) < asffMaxRequirements {
			out = append(out, termsafe.Shorten(s, asffMaxRequirement))
		}
	}
	if r.SEC01BP02 != "" {
		add("AWS Well-Architected SEC01-BP02 " + r.SEC01BP02)
	}
	for _, c := range r.CIS {
		add(cisRequirement(c))
	}
	for _, c := range r.SecurityHub {
		add("Security Hub " + c)
	}
	return out
}

// cisRequirement writes a CIS reference the way Security Hub does:
// "v1.4:1.4" becomes "CIS AWS Foundations Benchmark v1.4.0/1.4".
func cisRequirement(ref string) string {
	const name = "CIS AWS Foundations Benchmark "
	version, control, ok := strings.Cut(ref, ":")
	if !ok || !strings.HasPrefix(version, "v") || control == "" {
		return name + ref
	}
	if strings.Count(version, ".") == 1 {
		version += ".0"
	}
	return name + version + "/" + control
}

// asffProductFields carries what ASFF has no field for. Evidence is left
// out when its JSON is longer than a product field may be.
func asffProductFields(f checks.Finding) map[string]string {
	pf := map[string]string{
		"rootguard/CheckId": f.CheckID,
		"rootguard/Status":  string(f.Status),
	}
	if f.AccountName != "" {
		pf["rootguard/AccountName"] = termsafe.Shorten(f.AccountName, asffMaxProductField)
	}
	if len(f.References.SecurityHub) > 0 {
		pf["rootguard/SecurityHubControls"] = termsafe.Shorten(strings.Join(f.References.SecurityHub, ","), asffMaxProductField)
	}
	if len(f.Evidence) > 0 {
		if ev, err := compactJSON(f.Evidence); err == nil && utf8.RuneCountInString(ev) <= asffMaxProductField {
			pf["rootguard/Evidence"] = ev
		}
	}
	return pf
}

// arnPartitionAccount returns the partition and account of an ARN such as
// arn:aws:sts::111122223333:assumed-role/Audit/alice, or "" for each when s
// is not one.
func arnPartitionAccount(s string) (partition, account string) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || !isAccountID(parts[4]) {
		return "", ""
	}
	return parts[1], parts[4]
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func regionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// nonEmpty returns the first non-blank string.
func nonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
