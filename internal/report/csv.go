package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rootguard/rootguard/internal/termsafe"
)

// CSVHeader is the first row of the csv format.
var CSVHeader = []string{
	"check_id", "account_id", "account_name", "status", "severity", "title",
	"detail", "evidence", "remediation", "sec01_bp02", "cis", "security_hub",
	"muted", "muted_reason", "muted_accepted_by", "muted_expires",
}

// writeCSV writes one row per finding, in the order given. Evidence is
// compact JSON with sorted keys; CIS and Security Hub references are joined
// with ";". Text cells are defused against spreadsheet formula injection.
func writeCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i, f := range r.Findings {
		ev, err := compactJSON(f.Evidence)
		if err != nil {
			return fmt.Errorf("finding %d (%s, account %s): evidence: %w", i, f.CheckID, f.AccountID, err)
		}
		row := []string{
			cell(f.CheckID), cell(f.AccountID), cell(f.AccountName), cell(string(f.Status)), cell(string(f.Severity)),
			cell(f.Title), cell(f.Detail), string(termsafe.JSON([]byte(ev))), cell(f.Remediation), cell(f.References.SEC01BP02),
			cell(strings.Join(f.References.CIS, ";")), cell(strings.Join(f.References.SecurityHub, ";")),
			"", "", "", "",
		}
		if m := f.Muted; m != nil {
			copy(row[len(row)-4:], []string{"MUTED", cell(m.Reason), cell(m.AcceptedBy), cell(m.Expires)})
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell shows a text cell's control characters and bidirectional overrides
// escaped (newlines kept), and defuses a cell that a spreadsheet would
// evaluate as a formula (it starts with =, +, -, @, tab or carriage return)
// by prefixing a single quote, as OWASP recommends. Account names come from
// AWS and are chosen by whoever created the account.
func cell(s string) string {
	s = termsafe.Escape(s, true)
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// compactJSON marshals v without HTML escaping or a trailing newline.
func compactJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
