package inventory_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

func TestLogGroupARN(t *testing.T) {
	t.Parallel()
	type split struct {
		Region, Account, Name string
		OK                    bool
	}
	tests := []struct {
		name, arn string
		want      split
	}{
		{name: "with star", arn: "arn:aws:logs:eu-west-1:111111111111:log-group:org-trail:*", want: split{"eu-west-1", "111111111111", "org-trail", true}},
		{name: "without star", arn: "arn:aws:logs:us-east-1:222222222222:log-group:aws/cloudtrail/x", want: split{"us-east-1", "222222222222", "aws/cloudtrail/x", true}},
		{name: "other partition", arn: "arn:aws-us-gov:logs:us-gov-west-1:1:log-group:g", want: split{"us-gov-west-1", "1", "g", true}},
		{name: "empty", arn: ""},
		{name: "not logs", arn: "arn:aws:s3:::bucket"},
		{name: "log stream", arn: "arn:aws:logs:us-east-1:1:log-stream:x"},
		{name: "no name", arn: "arn:aws:logs:us-east-1:1:log-group::*"},
		{name: "no region", arn: "arn:aws:logs::1:log-group:g"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got split
			got.Region, got.Account, got.Name, got.OK = inventory.LogGroupARN(tt.arn)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LogGroupARN(%q) (-want +got):\n%s", tt.arn, diff)
			}
		})
	}
}

func TestMFAType(t *testing.T) {
	t.Parallel()
	tests := []struct{ serial, want string }{
		{"arn:aws:iam::123456789012:mfa/root-account-mfa-device", inventory.MFAVirtual},
		{"arn:aws:iam::123456789012:mfa/phone", inventory.MFAVirtual},
		{"arn:aws:iam::123456789012:u2f/root/yubikey-ABCDEFGHIJKLMNOPQRSTUVWXYZ", inventory.MFAFIDO},
		{"GAHT12345678", inventory.MFAHardwareTOTP},
		{"mfa/looks-virtual-but-is-a-vendor-serial", inventory.MFAHardwareTOTP},
	}
	for _, tt := range tests {
		if got := inventory.MFAType(tt.serial); got != tt.want {
			t.Errorf("MFAType(%q) = %q, want %q", tt.serial, got, tt.want)
		}
	}
}
