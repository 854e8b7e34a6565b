package sim

import (
	"encoding/json"
	"net/http"
	"slices"
)

// Security Hub (restJson1): BatchImportFindings (POST /findings/import)
// and BatchUpdateFindings (PATCH /findings/batchupdate). The server checks
// the batch limits, each imported finding's required ASFF fields and each
// update's Workflow and Note, and records what it imported (Imported) and
// updated (Updated); the scenario stays as it is. A fault with an item
// fails only the finding with that Id (a FailedFindings or
// UnprocessedFindings entry) instead of the whole call.

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
			{method: http.MethodPatch, pattern: "/findings/batchupdate", op: "BatchUpdateFindings"},
		},
		ops: map[string]*operation{
			"BatchImportFindings": {handle: shBatchImportFindings},
			"BatchUpdateFindings": {handle: shBatchUpdateFindings},
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

// FindingUpdate is one finding a BatchUpdateFindings call processed.
type FindingUpdate struct {
	Account        string // the calling session's account
	ID, ProductArn string
	Workflow       string // the new workflow status, "" when unchanged
	NoteText       string
	NoteUpdatedBy  string
}

// Updated returns the findings BatchUpdateFindings processed, in order.
func (s *Server) Updated() []FindingUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.updated)
}

func shBatchUpdateFindings(r *request) (any, error) {
	type ident struct{ Id, ProductArn string }
	var in struct {
		FindingIdentifiers []ident
		Workflow           *struct{ Status string }
		Note               *struct{ Text, UpdatedBy string }
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "malformed request body: %v", err)
	}
	if n := len(in.FindingIdentifiers); n == 0 || n > maxImportBatch {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "FindingIdentifiers has %d members; BatchUpdateFindings takes 1 to %d", n, maxImportBatch)
	}
	if in.Workflow != nil && !slices.Contains([]string{"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}, in.Workflow.Status) {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "Workflow.Status %q is not valid", in.Workflow.Status)
	}
	if in.Note != nil && (in.Note.Text == "" || in.Note.UpdatedBy == "" || len(in.Note.Text) > 512 || len(in.Note.UpdatedBy) > 512) {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "Note needs Text and UpdatedBy of 1 to 512 characters")
	}
	processed, unprocessed := []ident{}, []map[string]any{}
	for _, id := range in.FindingIdentifiers {
		if fault := r.srv.itemFault(r, id.Id); fault != nil {
			unprocessed = append(unprocessed, map[string]any{"FindingIdentifier": id, "ErrorCode": fault.Code, "ErrorMessage": fault.Message})
			continue
		}
		u := FindingUpdate{Account: r.sess.account, ID: id.Id, ProductArn: id.ProductArn}
		if in.Workflow != nil {
			u.Workflow = in.Workflow.Status
		}
		if in.Note != nil {
			u.NoteText, u.NoteUpdatedBy = in.Note.Text, in.Note.UpdatedBy
		}
		r.srv.mu.Lock()
		r.srv.updated = append(r.srv.updated, u)
		r.srv.mu.Unlock()
		processed = append(processed, id)
	}
	return map[string]any{"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}, nil
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
