package trail

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

// TestScanDropsDuplicateAlerts scans the same record delivered twice (the
// same file copied) and expects one alert per rule, with the copy counted.
func TestScanDropsDuplicateAlerts(t *testing.T) {
	const rec = `{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111111111111","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111","accessKeyId":""},"eventTime":"2026-01-02T03:04:05Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"Mozilla","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"eventID":"e-1","eventType":"AwsConsoleSignIn","recipientAccountId":"111111111111"}]}`
	tests := []struct {
		name       string
		files      []string
		wantAlerts int
		wantDups   int
	}{
		{"once", []string{"a.json"}, 2, 0},
		{"twice", []string{"a.json", "copy/a.json"}, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(rec), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			sum, err := Scan(t.Context(), detect.NewEngine(detect.DefaultConfig()), Paths(t.Context(), []string{dir}, nil, Window{}, nil), Options{},
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
