package collect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

// fakeReportIAM answers GenerateCredentialReport with the states in order
// (repeating the last) and GetCredentialReport with content. Other methods
// of callerIAM are not used by these tests.
type fakeReportIAM struct {
	callerIAM
	states  []iamtypes.ReportStateType
	content []byte
	polls   int
}

func (f *fakeReportIAM) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	s := f.states[min(f.polls, len(f.states)-1)]
	f.polls++
	return &iam.GenerateCredentialReportOutput{State: s}, nil
}

func (f *fakeReportIAM) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	return &iam.GetCredentialReportOutput{Content: f.content}, nil
}

func TestCredentialReportPolling(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	header := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
	tests := []struct {
		name      string
		states    []iamtypes.ReportStateType
		content   string
		canceled  bool
		wantPolls int
		wantWaits []time.Duration
		wantCode  string
		wantMsg   string // in the kept error's message
	}{
		{
			name:      "complete after two polls",
			states:    []iamtypes.ReportStateType{"STARTED", "INPROGRESS", "COMPLETE"},
			content:   header + "<root_account>,arn:aws:iam::1:root,N/A,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
			wantPolls: 3,
			wantWaits: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond},
		},
		{
			name:      "never completes",
			states:    []iamtypes.ReportStateType{"INPROGRESS"},
			wantPolls: reportMaxPolls,
			wantCode:  CodeReportNotReady,
		},
		{
			name:      "canceled while waiting",
			states:    []iamtypes.ReportStateType{"STARTED"},
			canceled:  true,
			wantPolls: 1,
			wantWaits: []time.Duration{250 * time.Millisecond},
			wantCode:  "Canceled",
		},
		{
			name:      "no root row",
			states:    []iamtypes.ReportStateType{"COMPLETE"},
			content:   header,
			wantPolls: 1,
			wantCode:  CodeInvalidReport,
			wantMsg:   "no <root_account> row",
		},
		{
			name:   "missing columns",
			states: []iamtypes.ReportStateType{"COMPLETE"},
			content: strings.Replace(strings.Replace(header, ",mfa_active", "", 1), ",cert_2_last_rotated", "", 1) +
				"<root_account>,arn:aws:iam::1:root,N/A,false,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false\n",
			wantPolls: 1,
			wantCode:  CodeInvalidReport,
			wantMsg:   "credential report: missing columns mfa_active, cert_2_last_rotated",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			fake := &fakeReportIAM{states: tt.states, content: []byte(tt.content)}
			var waits []time.Duration
			col := &collector{c: clients{iam: fake}, opts: Options{
				Now: func() time.Time { return at },
				Sleep: func(ctx context.Context, d time.Duration) error {
					waits = append(waits, d)
					if tt.canceled {
						cancel()
					}
					return ctx.Err()
				},
			}}
			a := &inventory.Account{ID: "1"}
			col.credentialReport(ctx, a)
			if fake.polls != tt.wantPolls {
				t.Errorf("polled %d times, want %d", fake.polls, tt.wantPolls)
			}
			if tt.wantWaits != nil {
				if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
			}
			for _, w := range waits {
				if w > reportMaxWait {
					t.Errorf("waited %v, more than %v", w, reportMaxWait)
				}
			}
			for name, s := range map[string]inventory.Source{"report": a.Root.CredentialReport.Source, "keys": a.Root.AccessKeys.Source, "certs": a.Root.SigningCertificates.Source} {
				var got string
				if s.Error != nil {
					got = s.Error.Code
				}
				if got != tt.wantCode || s.API == "" {
					t.Errorf("%s source %+v, want error code %q", name, s, tt.wantCode)
				}
				if tt.wantMsg != "" && (s.Error == nil || !strings.Contains(s.Error.Message, tt.wantMsg) || strings.Contains(s.Error.Message, "\n")) {
					t.Errorf("%s source error %+v, want one line containing %q", name, s.Error, tt.wantMsg)
				}
			}
			if tt.wantCode == "" && (a.Root.CredentialReport.Value == nil || a.Root.AccessKeys.Value == nil) {
				t.Errorf("report %+v keys %+v, want a row and an empty key list", a.Root.CredentialReport.Value, a.Root.AccessKeys.Value)
			}
		})
	}
}
