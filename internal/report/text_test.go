package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"fits", "a short line", 20, []string{"a short line"}},
		{"breaks at spaces", "one two three four", 9, []string{"one two", "three", "four"}},
		{"exact width", "abcd efgh", 9, []string{"abcd efgh"}},
		{"long word alone", "see arn:aws:iam::111111111111:mfa/root-account-mfa-device now", 10,
			[]string{"see", "arn:aws:iam::111111111111:mfa/root-account-mfa-device", "now"}},
		{"newlines kept", "a b\n\nc", 10, []string{"a b", "", "c"}},
		{"runes not bytes", "ééé ééé", 7, []string{"ééé ééé"}},
		{"collapses spaces", "a   b", 10, []string{"a b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, wrap(tt.in, tt.width)); diff != "" {
				t.Errorf("wrap(%q, %d) (-want +got):\n%s", tt.in, tt.width, diff)
			}
		})
	}
}

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"prod", "prod"},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"a=b", "a=b"},
		// Control characters and bidi overrides are shown escaped, as in
		// the table; newlines stay (the cell is quoted).
		{"\tx", `\tx`},
		{"evil\x1b[2J\u202egnp", `evil\x1b[2J\u202egnp`},
		{"=\x07", `'=\x07`},
		{"a\nb", "a\nb"},
	}
	for _, tt := range tests {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCISRequirement(t *testing.T) {
	tests := []struct{ in, want string }{
		{"v1.4:1.4", "CIS AWS Foundations Benchmark v1.4.0/1.4"},
		{"v1.4.0:1.4", "CIS AWS Foundations Benchmark v1.4.0/1.4"},
		{"1.4", "CIS AWS Foundations Benchmark 1.4"},
		{"v3.0:", "CIS AWS Foundations Benchmark v3.0:"},
	}
	for _, tt := range tests {
		if got := cisRequirement(tt.in); got != tt.want {
			t.Errorf("cisRequirement(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestARNPartitionAccount(t *testing.T) {
	tests := []struct{ in, partition, account string }{
		{"arn:aws:sts::111111111111:assumed-role/Audit/alice", "aws", "111111111111"},
		{"arn:aws-us-gov:iam::222222222222:user/bob", "aws-us-gov", "222222222222"},
		{"arn:aws:iam::12345:user/short", "", ""},
		{"not an arn", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		p, a := arnPartitionAccount(tt.in)
		if p != tt.partition || a != tt.account {
			t.Errorf("arnPartitionAccount(%q) = %q, %q; want %q, %q", tt.in, p, a, tt.partition, tt.account)
		}
	}
}
