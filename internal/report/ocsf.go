package report

import (
	"io"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/checks"
)

// OCSF Compliance Finding (class 2003), schema 1.3.0. Only the attributes
// rootguard fills are modelled; see schema.ocsf.io for the class.
const (
	ocsfVersion       = "1.3.0"
	ocsfClassUID      = 2003
	ocsfCategoryUID   = 2 // Findings
	ocsfActivityNew   = 1 // Create
	ocsfAccountTypeID = 10
)

type ocsfFinding struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	Time         int64  `json:"time"`
	TimeDT       string `json:"time_dt"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	Message      string `json:"message"`
	// Comment says who accepted a muted (status Suppressed) finding's risk.
	Comment string `json:"comment,omitempty"`

	Metadata    ocsfMetadata     `json:"metadata"`
	FindingInfo ocsfFindingInfo  `json:"finding_info"`
	Compliance  ocsfCompliance   `json:"compliance"`
	Cloud       ocsfCloud        `json:"cloud"`
	Resources   []ocsfResource   `json:"resources"`
	Remediation *ocsfRemediation `json:"remediation,omitempty"`
	Unmapped    ocsfUnmapped     `json:"unmapped"`
}

type ocsfMetadata struct {
	Version   string      `json:"version"`
	Product   ocsfProduct `json:"product"`
	EventCode string      `json:"event_code"`
	UID       string      `json:"uid"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Desc          string   `json:"desc"`
	Types         []string `json:"types"`
	CreatedTime   int64    `json:"created_time"`
	CreatedTimeDT string   `json:"created_time_dt"`
}

type ocsfCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	Requirements []string `json:"requirements,omitempty"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
	StatusDetail string   `json:"status_detail,omitempty"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Account  ocsfAccount `json:"account"`
	Org      *ocsfOrg    `json:"org,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Name   string `json:"name,omitempty"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfOrg struct {
	UID string `json:"uid"`
}

type ocsfResource struct {
	UID  string `json:"uid"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

// ocsfUnmapped holds rootguard's own fields that OCSF has no place for.
type ocsfUnmapped struct {
	Status      checks.Status  `json:"rootguard_status"`
	Evidence    map[string]any `json:"evidence"`
	SEC01BP02   string         `json:"sec01_bp02,omitempty"`
	SecurityHub []string       `json:"security_hub,omitempty"`
}

// writeOCSF writes every finding, PASS included (a compliance record), as a
// JSON array of OCSF Compliance Finding events.
func writeOCSF(w io.Writer, r *Report) error {
	at := r.GeneratedAt.UTC()
	ms, dt := at.UnixMilli(), at.Format(time.RFC3339Nano)
	product := ocsfProduct{Name: "rootguard", VendorName: "rootguard"}
	if v, ok := strings.CutPrefix(r.Meta.Tool, "rootguard "); ok {
		product.Version = v
	}
	var org *ocsfOrg
	if r.Meta.OrganizationID != "" {
		org = &ocsfOrg{UID: r.Meta.OrganizationID}
	}
	out := []ocsfFinding{}
	for _, f := range r.Findings {
		uid := "rootguard/" + f.AccountID + "/" + f.CheckID
		sevID, sev := ocsfSeverity(f.Severity)
		cID, cStatus := ocsfComplianceStatus(f.Status)
		standards := []string{"AWS Well-Architected Framework SEC01-BP02"}
		types := []string{"AWS Security Best Practices"}
		if len(f.References.CIS) > 0 {
			standards = append(standards, "CIS AWS Foundations Benchmark")
			types = append(types, "CIS AWS Foundations Benchmark")
		}
		o := ocsfFinding{
			ActivityID:   ocsfActivityNew,
			ActivityName: "Create",
			CategoryUID:  ocsfCategoryUID,
			CategoryName: "Findings",
			ClassUID:     ocsfClassUID,
			ClassName:    "Compliance Finding",
			TypeUID:      ocsfClassUID*100 + ocsfActivityNew,
			TypeName:     "Compliance Finding: Create",
			Time:         ms,
			TimeDT:       dt,
			SeverityID:   sevID,
			Severity:     sev,
			StatusID:     1,
			Status:       "New",
			Message:      nonEmpty(f.Detail, f.Title),
			Metadata: ocsfMetadata{
				Version:   ocsfVersion,
				Product:   product,
				EventCode: f.CheckID,
				UID:       uid,
			},
			FindingInfo: ocsfFindingInfo{
				UID:           uid,
				Title:         f.Title,
				Desc:          f.Detail,
				Types:         types,
				CreatedTime:   ms,
				CreatedTimeDT: dt,
			},
			Compliance: ocsfCompliance{
				Control:      f.CheckID,
				Standards:    standards,
				Requirements: requirements(f.References),
				StatusID:     cID,
				Status:       cStatus,
				StatusDetail: f.Detail,
			},
			Cloud: ocsfCloud{
				Provider: "AWS",
				Account:  ocsfAccount{UID: f.AccountID, Name: f.AccountName, Type: "AWS Account", TypeID: ocsfAccountTypeID},
				Org:      org,
			},
			Resources: []ocsfResource{{UID: f.AccountID, Type: "AWS::::Account", Name: f.AccountName}},
			Unmapped: ocsfUnmapped{
				Status:      f.Status,
				Evidence:    f.Evidence,
				SEC01BP02:   f.References.SEC01BP02,
				SecurityHub: f.References.SecurityHub,
			},
		}
		if f.Muted != nil {
			o.StatusID, o.Status, o.Comment = 3, "Suppressed", muteText(f.Muted)
		}
		if f.Remediation != "" {
			o.Remediation = &ocsfRemediation{Desc: f.Remediation}
		}
		out = append(out, o)
	}
	return writeJSON(w, out)
}

// ocsfSeverity maps to severity_id: 1 Informational … 5 Critical.
func ocsfSeverity(s checks.Severity) (int, string) {
	switch s {
	case checks.Info:
		return 1, "Informational"
	case checks.Low:
		return 2, "Low"
	case checks.Medium:
		return 3, "Medium"
	case checks.High:
		return 4, "High"
	case checks.Critical:
		return 5, "Critical"
	}
	return 0, "Unknown"
}

// ocsfComplianceStatus maps to compliance.status_id: 1 Pass, 3 Fail,
// 0 Unknown, and 99 Other ("Not Applicable").
func ocsfComplianceStatus(s checks.Status) (int, string) {
	switch s {
	case checks.Pass:
		return 1, "Pass"
	case checks.Fail:
		return 3, "Fail"
	case checks.NotApplicable:
		return 99, "Not Applicable"
	}
	return 0, "Unknown"
}
