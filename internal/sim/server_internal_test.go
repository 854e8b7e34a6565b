package sim

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// withWriteOp returns the operation table plus iam:DeleteThing, a write.
func withWriteOp() map[string]*service {
	table := maps.Clone(services)
	iam := *services["iam"]
	iam.ops = maps.Clone(iam.ops)
	iam.ops["DeleteThing"] = &operation{write: true, handle: func(*request) (any, error) { return struct{}{}, nil }}
	table["iam"] = &iam
	return table
}

func TestWritesNeedWritable(t *testing.T) {
	tests := []struct {
		name     string
		writable bool
		status   int
		code     string
	}{
		{"read-only refuses", false, http.StatusForbidden, "AccessDenied"},
		{"writable allows", true, http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := New(Demo(), Options{Writable: tc.writable})
			if err != nil {
				t.Fatal(err)
			}
			srv.services = withWriteOp()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=DeleteThing&Version=2010-05-08"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+callerAccessKeyID+"/20260615/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			calls := srv.Calls()
			if len(calls) != 1 || !calls[0].Write || calls[0].ErrorCode != tc.code {
				t.Errorf("calls %+v, want one write with error code %q", calls, tc.code)
			}
		})
	}
}

func TestUnsignedAndUnknown(t *testing.T) {
	srv, err := New(Demo(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(svc string) string {
		return "AWS4-HMAC-SHA256 Credential=" + callerAccessKeyID + "/20260615/us-east-1/" + svc + "/aws4_request, SignedHeaders=host, Signature=0"
	}
	tests := []struct {
		name   string
		auth   string
		target string
		body   string
		status int
		want   string
	}{
		{"no Authorization", "", "", "Action=GetCallerIdentity", http.StatusForbidden, "<Code>MissingAuthenticationToken</Code>"},
		{"unknown service", sign("lambda"), "", "Action=ListFunctions", http.StatusBadRequest, "UnrecognizedServiceException"},
		{"unknown query action", sign("iam"), "", "Action=CreateUser", http.StatusBadRequest, "<Code>InvalidAction</Code>"},
		{"unknown JSON target", sign("organizations"), "AWSOrganizationsV20161128.CreateAccount", "{}", http.StatusBadRequest, `"__type":"UnknownOperationException"`},
		{"malformed JSON body", sign("organizations"), "AWSOrganizationsV20161128.ListAccounts", "{", http.StatusBadRequest, `"__type":"InvalidInputException"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("got %d %s, want %d with %s", rec.Code, rec.Body, tc.status, tc.want)
			}
		})
	}
}
