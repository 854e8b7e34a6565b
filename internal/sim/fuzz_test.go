package sim_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/sim"
)

// FuzzParseScenario checks that no input panics the decoder and that a
// decoded scenario survives encode then decode unchanged.
func FuzzParseScenario(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	more, _ := filepath.Glob("testdata/*.json")
	for _, p := range append(append(seeds, more...), "demo.yaml") {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(throttled))
	// Hostile YAML: a byte-order mark, a second document, tags without a
	// value, an alias bomb, a schema version of the future.
	for _, s := range []string{
		"\xEF\xBB\xBF" + minimalScenario,
		minimalScenario + "---\nname: second\n",
		"accounts: !foo",
		"caller: !foo\naccounts: !bar\n",
		billionLaughs(9),
		"schema: rootguard.scenario/v9\n" + minimalScenario,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := sim.ParseScenario("fuzz.yaml", data)
		if err != nil {
			return
		}
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatalf("encode a decoded scenario: %v", err)
		}
		again, err := sim.ParseScenario("again.yaml", out)
		if err != nil {
			t.Fatalf("decode an encoded scenario: %v\n%s", err, out)
		}
		if diff := cmp.Diff(s, again, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-first +second)\n%s", diff)
		}
	})
}

// FuzzSQSRequest sends any body to any SQS operation and any path to S3:
// the endpoint answers an AWS error, never a failure of its own (a panic
// becomes InternalFailure, a 500).
func FuzzSQSRequest(f *testing.F) {
	scn, err := sim.LoadScenario("testdata/resources.yaml")
	if err != nil {
		f.Fatal(err)
	}
	srv, err := sim.New(scn, sim.Options{Writable: true})
	if err != nil {
		f.Fatal(err)
	}
	const q = `"QueueUrl":"http://127.0.0.1/222222222222/alerts"`
	for _, s := range []struct{ op, body string }{
		{"SendMessage", `{` + q + `,"MessageBody":"x"}`},
		{"ReceiveMessage", `{` + q + `,"MaxNumberOfMessages":10,"AttributeNames":["All"]}`},
		{"DeleteMessage", `{` + q + `,"ReceiptHandle":"sim-rh-1-x"}`},
		{"ChangeMessageVisibility", `{` + q + `,"ReceiptHandle":"sim-rh-","VisibilityTimeout":-1}`},
		{"SetQueueAttributes", `{` + q + `,"Attributes":{"RedrivePolicy":"{\"maxReceiveCount\":\"x\"}"}}`},
		{"GetQueueAttributes", `{"QueueUrl":"%zz","AttributeNames":["Policy"]}`},
		{"s3 GET /locked-bucket", ""},
		{"s3 PUT /open-bucket?policy", `{"Statement":[]}`},
	} {
		f.Add(s.op, s.body)
	}
	operator, _, err := srv.IdentityCredentials("operator")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		var req *http.Request
		if target, ok := strings.CutPrefix(op, "s3 "); ok {
			method, path, _ := strings.Cut(target, " ")
			u, err := url.Parse("http://127.0.0.1" + path)
			// A method no client can send is not a request to the server
			// (httptest.NewRequest refuses it).
			if err != nil || !strings.HasPrefix(u.Path, "/") || !slices.Contains([]string{"GET", "HEAD", "PUT", "POST", "DELETE"}, method) {
				return
			}
			// The parsed URL goes in as is: its string form may hold bytes
			// (a space in the query) that NewRequest reads as a request line.
			req = httptest.NewRequest(method, "/", strings.NewReader(body))
			req.URL, req.RequestURI = u, u.RequestURI()
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+operator+"/20260101/us-east-1/s3/aws4_request")
		} else {
			req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
			req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+operator+"/20260101/us-east-1/sqs/aws4_request")
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Errorf("%s %q: %d %s", op, body, w.Code, w.Body)
		}
	})
}
