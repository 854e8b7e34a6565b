package inventory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// RootAccountUser is the user column of the root user's credential report row.
const RootAccountUser = "<root_account>"

// CredentialReportColumns are the columns of the IAM credential report, in
// the order AWS writes them. ParseCredentialReport requires all of them.
var CredentialReportColumns = []string{
	"user", "arn", "user_creation_time",
	"password_enabled", "password_last_used", "password_last_changed", "password_next_rotation",
	"mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated",
	"cert_2_active", "cert_2_last_rotated",
}

// ErrNoRootRow means the credential report has no <root_account> row.
var ErrNoRootRow = errors.New("credential report has no " + RootAccountUser + " row")

// CredentialReport is a parsed IAM credential report: its header and its rows,
// each keyed by column name.
type CredentialReport struct {
	Header []string
	Rows   []map[string]string
}

// ParseCredentialReport parses the CSV content of iam:GetCredentialReport.
// It accepts CRLF line ends and a byte-order mark, and fails with one line
// naming the problem on anything else: empty input, malformed CSV, a row
// with the wrong number of fields, or missing columns. Extra columns are kept.
func ParseCredentialReport(data []byte) (*CredentialReport, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("credential report is empty")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("credential report header: %w", err)
	}
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("credential report header: column %d has no name", i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("credential report header: column %q appears twice", h)
		}
		seen[h] = true
		header[i] = h
	}
	var missing []string
	for _, c := range CredentialReportColumns {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("credential report: missing columns %s", strings.Join(missing, ", "))
	}
	rep := &CredentialReport{Header: header}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("credential report: %w", err)
		}
		row := make(map[string]string, len(header))
		for i, v := range rec {
			row[header[i]] = v
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// Root returns the <root_account> row, or ErrNoRootRow.
func (r *CredentialReport) Root() (map[string]string, error) {
	for _, row := range r.Rows {
		if row["user"] == RootAccountUser {
			return row, nil
		}
	}
	return nil, ErrNoRootRow
}

// ValueKind says what a credential report cell holds besides a plain value.
type ValueKind int

// Value kinds. The zero value is ValueSet: the cell holds a date or a boolean.
const (
	ValueSet           ValueKind = iota
	ValueAbsent                  // "N/A": the credential does not exist (no key, never used)
	ValueNoInformation           // "no_information": never used, or not since tracking began
	ValueNotSupported            // "not_supported": the report does not say for this user
)

func (k ValueKind) String() string {
	switch k {
	case ValueSet:
		return "set"
	case ValueAbsent:
		return "absent"
	case ValueNoInformation:
		return "no information"
	case ValueNotSupported:
		return "not supported"
	}
	return fmt.Sprintf("ValueKind(%d)", int(k))
}

// ReportDate is a date cell of the credential report. Time is set only when
// Kind is ValueSet.
type ReportDate struct {
	Kind ValueKind
	Time time.Time
}

// ReportBool is a true/false cell of the credential report. Value is
// meaningful only when Kind is ValueSet.
type ReportBool struct {
	Kind  ValueKind
	Value bool
}

func special(v string) (ValueKind, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "n/a", "":
		return ValueAbsent, true
	case "no_information":
		return ValueNoInformation, true
	case "not_supported":
		return ValueNotSupported, true
	}
	return ValueSet, false
}

// ParseReportDate reads a date cell: an ISO 8601 time, "N/A",
// "no_information" or "not_supported". An empty cell counts as "N/A".
func ParseReportDate(v string) (ReportDate, error) {
	if k, ok := special(v); ok {
		return ReportDate{Kind: k}, nil
	}
	s := strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return ReportDate{Time: t.UTC()}, nil
		}
	}
	return ReportDate{}, fmt.Errorf("credential report date %q is not an ISO 8601 time", v)
}

// ParseReportBool reads a boolean cell: "true" or "false" in any case, or
// "N/A", "no_information" or "not_supported".
func ParseReportBool(v string) (ReportBool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return ReportBool{Value: true}, nil
	case "false":
		return ReportBool{}, nil
	}
	if k, ok := special(v); ok {
		return ReportBool{Kind: k}, nil
	}
	return ReportBool{}, fmt.Errorf("credential report value %q is not true or false", v)
}

// Date reads the date column col of the root row.
func (r *CredentialReportRow) Date(col string) (ReportDate, error) {
	v, ok := r.Columns[col]
	if !ok {
		return ReportDate{}, fmt.Errorf("credential report has no column %q", col)
	}
	d, err := ParseReportDate(v)
	if err != nil {
		return ReportDate{}, fmt.Errorf("column %s: %w", col, err)
	}
	return d, nil
}

// Bool reads the boolean column col of the root row.
func (r *CredentialReportRow) Bool(col string) (ReportBool, error) {
	v, ok := r.Columns[col]
	if !ok {
		return ReportBool{}, fmt.Errorf("credential report has no column %q", col)
	}
	b, err := ParseReportBool(v)
	if err != nil {
		return ReportBool{}, fmt.Errorf("column %s: %w", col, err)
	}
	return b, nil
}

// reportText is a free-text cell (a region or service name), empty when the
// cell is N/A or similar.
func reportText(v string) string {
	if _, ok := special(v); ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// credentialSlot is one access key or signing certificate slot of the
// report: present when its last_rotated column holds a date or its active
// column is true (a credential exists, active or not).
type credentialSlot struct {
	present bool
	status  string     // Active or Inactive
	rotated *time.Time // nil when last_rotated holds no date
}

// slot reads the active and last_rotated columns under prefix, such as
// "access_key_1_".
func (r *CredentialReportRow) slot(prefix string) (credentialSlot, error) {
	active, err := r.Bool(prefix + "active")
	if err != nil {
		return credentialSlot{}, err
	}
	rotated, err := r.Date(prefix + "last_rotated")
	if err != nil {
		return credentialSlot{}, err
	}
	on := active.Kind == ValueSet && active.Value
	s := credentialSlot{present: rotated.Kind == ValueSet || on, status: "Inactive", rotated: rotated.timePtr()}
	if on {
		s.status = "Active"
	}
	return s, nil
}

// timePtr is the date, or nil when the cell holds none.
func (d ReportDate) timePtr() *time.Time {
	if d.Kind != ValueSet {
		return nil
	}
	t := d.Time
	return &t
}

// AccessKeys derives the root user's access keys from the report: slot 1 and
// slot 2, each present when its last_rotated column holds a date (a key
// exists, active or not). Key IDs are not in the report.
func (r *CredentialReportRow) AccessKeys() ([]AccessKey, error) {
	var keys []AccessKey
	for slot := 1; slot <= 2; slot++ {
		p := fmt.Sprintf("access_key_%d_", slot)
		s, err := r.slot(p)
		if err != nil {
			return nil, err
		}
		if !s.present {
			continue
		}
		used, err := r.Date(p + "last_used_date")
		if err != nil {
			return nil, err
		}
		keys = append(keys, AccessKey{Slot: slot, Status: s.status, CreateDate: s.rotated, LastUsed: &KeyLastUsed{
			Date:    used.timePtr(),
			Service: reportText(r.Columns[p+"last_used_service"]),
			Region:  reportText(r.Columns[p+"last_used_region"]),
		}})
	}
	return keys, nil
}

// SigningCertificates derives the root user's signing certificates from the
// report: slot 1 and slot 2, each present when its last_rotated column holds
// a date.
func (r *CredentialReportRow) SigningCertificates() ([]SigningCertificate, error) {
	var certs []SigningCertificate
	for slot := 1; slot <= 2; slot++ {
		s, err := r.slot(fmt.Sprintf("cert_%d_", slot))
		if err != nil {
			return nil, err
		}
		if s.present {
			certs = append(certs, SigningCertificate{Slot: slot, Status: s.status, UploadDate: s.rotated})
		}
	}
	return certs, nil
}
