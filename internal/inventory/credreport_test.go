package inventory_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

func readTestdata(t *testing.T, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseCredentialReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		wantRows int
		wantRoot string // the root row's arn; "" when there is none
		wantErr  string
	}{
		{file: "root-keys.csv", wantRows: 2, wantRoot: "arn:aws:iam::111111111111:root"},
		{file: "crlf.csv", wantRows: 1, wantRoot: "arn:aws:iam::111111111111:root"},
		{file: "no-credentials.csv", wantRows: 1, wantRoot: "arn:aws:iam::222222222222:root"},
		{file: "no-information.csv", wantRows: 1, wantRoot: "arn:aws:iam::333333333333:root"},
		{file: "header-only.csv", wantRows: 0},
		{file: "users-only.csv", wantRows: 1},
		{file: "missing-columns.csv", wantErr: "credential report: missing columns mfa_active, cert_2_last_rotated"},
		{file: "garbage.csv", wantErr: "credential report"},
		{file: "ragged.csv", wantErr: "wrong number of fields"},
		{file: "empty.csv", wantErr: "credential report is empty"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".csv"), func(t *testing.T) {
			t.Parallel()
			rep, err := inventory.ParseCredentialReport(readTestdata(t, "credreport", tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseCredentialReport error = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q spans several lines", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCredentialReport: %v", err)
			}
			if len(rep.Rows) != tt.wantRows {
				t.Errorf("got %d rows, want %d", len(rep.Rows), tt.wantRows)
			}
			root, err := rep.Root()
			if tt.wantRoot == "" {
				if !errors.Is(err, inventory.ErrNoRootRow) {
					t.Errorf("Root() error = %v, want ErrNoRootRow", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Root(): %v", err)
			}
			if root["arn"] != tt.wantRoot {
				t.Errorf("root arn = %q, want %q", root["arn"], tt.wantRoot)
			}
			for _, c := range inventory.CredentialReportColumns {
				if _, ok := root[c]; !ok {
					t.Errorf("root row lacks column %s", c)
				}
			}
		})
	}
}

func date(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func rootRow(t *testing.T, file string) *inventory.CredentialReportRow {
	t.Helper()
	rep, err := inventory.ParseCredentialReport(readTestdata(t, "credreport", file))
	if err != nil {
		t.Fatal(err)
	}
	root, err := rep.Root()
	if err != nil {
		t.Fatal(err)
	}
	return &inventory.CredentialReportRow{Columns: root}
}

func TestCredentialReportRowDerived(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		wantKeys  []inventory.AccessKey
		wantCerts []inventory.SigningCertificate
	}{
		{
			file: "root-keys.csv",
			wantKeys: []inventory.AccessKey{
				{Slot: 1, Status: "Active", CreateDate: date("2020-01-02T03:04:05Z"),
					LastUsed: &inventory.KeyLastUsed{Date: date("2026-11-20T12:00:00Z"), Service: "s3", Region: "us-east-1"}},
				{Slot: 2, Status: "Inactive", CreateDate: date("2021-05-06T07:08:09Z"), LastUsed: &inventory.KeyLastUsed{}},
			},
			wantCerts: []inventory.SigningCertificate{{Slot: 1, Status: "Active", UploadDate: date("2022-02-02T00:00:00Z")}},
		},
		{file: "no-credentials.csv"},
		{file: "no-information.csv"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".csv"), func(t *testing.T) {
			t.Parallel()
			row := rootRow(t, tt.file)
			keys, err := row.AccessKeys()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("AccessKeys() (-want +got):\n%s", diff)
			}
			certs, err := row.SigningCertificates()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantCerts, certs); diff != "" {
				t.Errorf("SigningCertificates() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCredentialReportRowBadCell(t *testing.T) {
	t.Parallel()
	row := rootRow(t, "bad-date.csv")
	_, err := row.AccessKeys()
	want := `column access_key_1_last_rotated: credential report date "last tuesday" is not an ISO 8601 time`
	if err == nil || err.Error() != want {
		t.Errorf("AccessKeys() error = %v, want %q", err, want)
	}
	if _, err := row.Date("no_such_column"); err == nil {
		t.Error("Date(no_such_column) succeeded")
	}
}

func TestParseReportDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    inventory.ReportDate
		wantErr bool
	}{
		{name: "iso with offset", in: "2026-10-01T08:30:00+00:00", want: inventory.ReportDate{Time: *date("2026-10-01T08:30:00Z")}},
		{name: "iso zulu", in: "2026-10-01T08:30:00Z", want: inventory.ReportDate{Time: *date("2026-10-01T08:30:00Z")}},
		{name: "other offset to utc", in: "2026-10-01T10:30:00+02:00", want: inventory.ReportDate{Time: *date("2026-10-01T08:30:00Z")}},
		{name: "absent", in: "N/A", want: inventory.ReportDate{Kind: inventory.ValueAbsent}},
		{name: "empty is absent", in: "", want: inventory.ReportDate{Kind: inventory.ValueAbsent}},
		{name: "no information", in: "no_information", want: inventory.ReportDate{Kind: inventory.ValueNoInformation}},
		{name: "not supported", in: "not_supported", want: inventory.ReportDate{Kind: inventory.ValueNotSupported}},
		{name: "garbage", in: "yesterday", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := inventory.ParseReportDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseReportDate(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReportDate(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseReportBool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    inventory.ReportBool
		wantErr bool
	}{
		{in: "true", want: inventory.ReportBool{Value: true}},
		{in: "TRUE", want: inventory.ReportBool{Value: true}},
		{in: "false", want: inventory.ReportBool{}},
		{in: "not_supported", want: inventory.ReportBool{Kind: inventory.ValueNotSupported}},
		{in: "N/A", want: inventory.ReportBool{Kind: inventory.ValueAbsent}},
		{in: "yes", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := inventory.ParseReportBool(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseReportBool(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReportBool(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
