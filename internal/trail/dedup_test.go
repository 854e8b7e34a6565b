package trail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestScanDropsDuplicateAlerts scans the same record delivered twice (the
// same file copied) and expects one alert per rule, with the copy counted;
// and two different events that share an event ID (synthetic logs reuse IDs
// such as "1") and expects both reported.
func TestScanDropsDuplicateAlerts(t *testing.T) {
	const login = `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111111111111","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111","accessKeyId":""},"eventTime":"2026-01-02T03:04:05Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"Mozilla","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"eventID":"e-1","eventType":"AwsConsoleSignIn","recipientAccountId":"111111111111"}`
	const rec = `{"Records":[` + login + `]}`
	// The same event ID "e-1" on a later root API call and on the same
	// sign-in a minute later: different events.
	sameID := `{"Records":[` + login + `,` +
		`{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111111111111","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111","accessKeyId":"ASIAEXAMPLE"},"eventTime":"2026-01-02T03:05:05Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"aws-cli","requestParameters":{"userName":"backdoor"},"responseElements":null,"eventID":"e-1","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111111111111"},` +
		strings.Replace(login, "03:04:05Z", "03:06:05Z", 1) + `]}`
	tests := []struct {
		name       string
		content    string
		files      []string
		wantAlerts int
		wantDups   int
	}{
		{"once", rec, []string{"a.json"}, 2, 0},
		{"twice", rec, []string{"a.json", "copy/a.json"}, 2, 2},
		// Two sign-ins (2 alerts each) and a root API call (1).
		{"reused event ID", sameID, []string{"a.json"}, 5, 0},
		{"reused event ID, copied", sameID, []string{"a.json", "copy/a.json"}, 5, 5},
		// AWS documentation examples have no eventID: the copy is still the same event.
		{"no event ID, copied", strings.Replace(rec, `"eventID":"e-1",`, "", 1), []string{"a.json", "copy/a.json"}, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			sum, err := Scan(t.Context(), newDriver(t), Paths(t.Context(), []string{dir}, nil, Window{}, nil), Options{},
				func(a detect.Alert) error { got = append(got, a.RuleID); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantAlerts || sum.Alerts != tt.wantAlerts || sum.Duplicates != tt.wantDups {
				t.Errorf("alerts %v (summary %d), duplicates %d; want %d alerts, %d duplicates", got, sum.Alerts, sum.Duplicates, tt.wantAlerts, tt.wantDups)
			}
		})
	}
}
