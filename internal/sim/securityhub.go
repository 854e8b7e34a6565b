package sim

import (
	"encoding/json"
	"net/http"
	"slices"
)

// Security Hub (restJson1): BatchImportFindings (POST /findings/import).
// The server checks the batch limit and each finding's required ASFF
// fields, and records what it imported (Imported); the scenario stays as it
// is. A fault with an item fails only the finding with that Id (a FailedFindings
// entry) instead of the whole call.

// maxImportBatch is BatchImportFindings' limit of findings per call.
const maxImportBatch = 100

// asffRequired are the members BatchImportFindings requires of a finding.
var asffRequired = []string{"AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn", "Resources", "SchemaVersion", "Title", "UpdatedAt"}

func securityHubService() *service {
	return &service{
		name:  "securityhub",
		proto: protoRESTRoutes,
		routes: []route{
			{method: http.MethodPost, pattern: "/findings/import", op: "BatchImportFindings"},
		},
		ops: map[string]*operation{
			"BatchImportFindings": {handle: shBatchImportFindings},
		},
	}
}

// ImportedFinding is a finding BatchImportFindings accepted.
type ImportedFinding struct {
	Account string          // the importing session's account
	Finding json.RawMessage // the ASFF document as sent
}

// Imported returns the findings BatchImportFindings accepted, in order; a
// finding imported again appears again.
func (s *Server) Imported() []ImportedFinding {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.imported)
}

func shBatchImportFindings(r *request) (any, error) {
	var in struct {
		Findings []map[string]json.RawMessage `json:"Findings"`
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "malformed request body: %v", err)
	}
	if n := len(in.Findings); n == 0 || n > maxImportBatch {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "Findings has %d members; BatchImportFindings takes 1 to %d", n, maxImportBatch)
	}
	failed := []map[string]string{}
	for _, f := range in.Findings {
		var id string
		json.Unmarshal(f["Id"], &id) //nolint:errcheck // a missing or odd Id is reported below.
		if code, msg := shValidate(f); code != "" {
			failed = append(failed, map[string]string{"Id": id, "ErrorCode": code, "ErrorMessage": msg})
			continue
		}
		if fault := r.srv.itemFault(r, id); fault != nil {
			failed = append(failed, map[string]string{"Id": id, "ErrorCode": fault.Code, "ErrorMessage": fault.Message})
			continue
		}
		doc, _ := json.Marshal(f) //nolint:errcheck // raw members re-encode.
		r.srv.mu.Lock()
		r.srv.imported = append(r.srv.imported, ImportedFinding{Account: r.sess.account, Finding: doc})
		r.srv.mu.Unlock()
	}
	return map[string]any{
		"FailedCount":    len(failed),
		"SuccessCount":   len(in.Findings) - len(failed),
		"FailedFindings": failed,
	}, nil
}

// shValidate checks a finding's required members and compliance status.
func shValidate(f map[string]json.RawMessage) (code, msg string) {
	for _, k := range asffRequired {
		if v, ok := f[k]; !ok || string(v) == "null" || string(v) == `""` || string(v) == "[]" {
			return "InvalidInput", "Finding does not adhere to Amazon Finding Format. " + k + " is required."
		}
	}
	if c, ok := f["Compliance"]; ok {
		var comp struct{ Status string }
		json.Unmarshal(c, &comp) //nolint:errcheck // an odd status is refused below.
		if !slices.Contains([]string{"", "PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}, comp.Status) {
			return "InvalidInput", "Finding does not adhere to Amazon Finding Format. Compliance.Status " + comp.Status + " is not valid."
		}
	}
	return "", ""
}

// itemFault returns the first fault of the call's operation naming this
// item that still applies, counting the hit.
func (s *Server) itemFault(r *request, item string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.w.faults {
		if f.Item == "" || f.Item != item || !faultMatches(f, r) {
			continue
		}
		k := faultKey{i, r.target + "/" + item}
		if f.Times > 0 && s.hits[k] >= f.Times {
			continue
		}
		s.hits[k]++
		out := f
		if out.Message == "" {
			out.Message = "injected fault " + f.Code
		}
		return &out
	}
	return nil
}
