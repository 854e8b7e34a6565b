package trailquery_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailquery"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestBuildGolden checks the SQL text of both dialects against testdata/sql/<case>.sql
// (go test ./internal/trailquery -run TestBuildGolden -update rewrites them).
func TestBuildGolden(t *testing.T) {
	const eds = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
	tests := []struct {
		name string
		opts trailquery.Options
	}{
		{"athena-all", trailquery.Options{Dialect: trailquery.Athena}},
		{"athena-all-window-partitioned", trailquery.Options{Dialect: trailquery.Athena, Database: "security", Table: "cloudtrail_logs_pp",
			PartitionColumn: "timestamp", Since: day("2025-03-01T00:00:00Z"), Until: day("2025-03-08T00:00:00Z")}},
		{"athena-all-assumed-root-column", trailquery.Options{Dialect: trailquery.Athena, AssumedRootColumn: true}},
		{"athena-rule-root-console-login-without-mfa", trailquery.Options{Dialect: trailquery.Athena, Rule: detect.RuleConsoleLoginWithoutMFA,
			Since: day("2025-03-01T10:30:15.5Z")}},
		{"athena-rule-account-contact-changed", trailquery.Options{Dialect: trailquery.Athena, Rule: detect.RuleAccountContactChanged,
			Until: day("2025-03-08T12:00:00.25Z")}},
		{"lake-all", trailquery.Options{Dialect: trailquery.Lake, EventDataStore: eds,
			Since: day("2025-03-01T00:00:00Z"), Until: day("2025-03-08T00:00:00Z")}},
		{"lake-all-arn", trailquery.Options{Dialect: trailquery.Lake,
			EventDataStore: "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/" + eds}},
		{"lake-rule-assume-root-session-column", trailquery.Options{Dialect: trailquery.Lake, EventDataStore: eds,
			Rule: detect.RuleAssumeRootSession, AssumedRootColumn: true}},
		{"lake-rule-root-federated-session", trailquery.Options{Dialect: trailquery.Lake, EventDataStore: eds, Rule: detect.RuleFederatedSession}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := trailquery.Build(o)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "sql", tc.name+".sql")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("SQL (-golden +got)\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    trailquery.Options
		wantErr string
	}{
		{"no dialect", trailquery.Options{}, `dialect "": want athena or lake`},
		{"lake without store", trailquery.Options{Dialect: trailquery.Lake}, "no event data store"},
		{"lake store with a quote", trailquery.Options{Dialect: trailquery.Lake, EventDataStore: "x' OR 1=1"}, "want its ID or ARN"},
		{"lake partition", trailquery.Options{Dialect: trailquery.Lake, EventDataStore: "abc", PartitionColumn: "timestamp"}, "no partition column"},
		{"athena table with a quote", trailquery.Options{Dialect: trailquery.Athena, Table: `t"x`}, `athena table "t\"x"`},
		{"unknown rule", trailquery.Options{Dialect: trailquery.Athena, Rule: "root-nope"}, `rule "root-nope": no such rule`},
		{"empty window", trailquery.Options{Dialect: trailquery.Athena, Since: day("2025-03-02T00:00:00Z"), Until: day("2025-03-01T00:00:00Z")}, "is not before"},
		{"athena defaults", trailquery.Options{Dialect: trailquery.Athena}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			err := o.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
			if tc.wantErr == "" && (o.Database != trailquery.DefaultDatabase || o.Table != trailquery.DefaultTable) {
				t.Errorf("defaults not filled: %+v", o)
			}
		})
	}
}
