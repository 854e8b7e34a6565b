package sim

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"weak"
)

// startQuery sends one StartQuery of the given service (athena or
// cloudtrail) to srv and returns the response.
func startQuery(t *testing.T, srv *Server, svc, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+callerAccessKeyID+"/20260615/us-east-1/"+svc+"/aws4_request, SignedHeaders=host, Signature=0")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status %d: %s", target, rec.Code, rec.Body)
	}
	return rec
}

// TestQueriesLiveWithTheServer checks that a server's CloudTrail Lake and
// Athena queries are its own and are freed with it: nothing outside the
// server keeps it reachable once its caller lets it go.
func TestQueriesLiveWithTheServer(t *testing.T) {
	s, err := LoadScenario(filepath.Join("testdata", "trail-query.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	newServer := func() *Server {
		srv, err := New(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv, other := newServer(), newServer()
	startQuery(t, srv, "cloudtrail", "CloudTrail_20131101.StartQuery", `{"QueryStatement":"SELECT eventid FROM eds"}`)
	startQuery(t, srv, "athena", "AmazonAthena.StartQueryExecution",
		`{"QueryString":"SELECT eventid FROM cloudtrail_logs","ClientRequestToken":"rootguard-test-token-0000000000001","WorkGroup":"primary","ResultConfiguration":{"OutputLocation":"s3://results/"}}`)
	srv.queries.mu.Lock()
	n, held := srv.queries.n, len(srv.queries.byID)
	srv.queries.mu.Unlock()
	if n != 2 || held != 2 {
		t.Errorf("server holds %d queries (%d started); want 2", held, n)
	}
	if other.queries.n != 0 || len(other.queries.byID) != 0 {
		t.Errorf("another server holds %d queries; want none", len(other.queries.byID))
	}

	ref := weak.Make(srv)
	srv = nil
	runtime.GC()
	if ref.Value() != nil {
		t.Error("the server is still reachable after its last use: something outside it holds its queries")
	}
}
