package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/checks"
)

func TestGroupUnknown(t *testing.T) {
	denied := func(id string) checks.Finding {
		return checks.Finding{CheckID: id, Status: checks.Unknown,
			Detail:   "could not assess: root facts: sts:AssumeRoot failed: AccessDenied: no",
			Evidence: map[string]any{"source_api": "sts:AssumeRoot"}}
	}
	other := checks.Finding{CheckID: "x", Status: checks.Unknown, Detail: "could not assess: iam:GetUser failed: Throttling",
		Evidence: map[string]any{"source_api": "iam:GetUser"}}
	fail := checks.Finding{CheckID: "f", Status: checks.Fail, Detail: "sts:AssumeRoot failed: AccessDenied: no",
		Evidence: map[string]any{"source_api": "sts:AssumeRoot"}}
	tests := []struct {
		name       string
		in         []checks.Finding
		wantIDs    []string // CheckID of each output row ("" for a folded row)
		wantShared map[int][]string
	}{
		{"below threshold stays", []checks.Finding{denied("a"), denied("b"), fail}, []string{"a", "b", "f"}, map[int][]string{}},
		{"three fold into one", []checks.Finding{fail, denied("a"), other, denied("b"), denied("c")},
			[]string{"f", "", "x"}, map[int][]string{1: {"a", "b", "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, shared := groupUnknown(tt.in)
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.CheckID)
			}
			if d := cmp.Diff(tt.wantIDs, ids); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantShared, shared); d != "" {
				t.Errorf("shared (-want +got):\n%s", d)
			}
			for i := range shared {
				if rows[i].Detail != "sts:AssumeRoot failed: AccessDenied: no" {
					t.Errorf("folded row detail = %q", rows[i].Detail)
				}
			}
		})
	}
}
