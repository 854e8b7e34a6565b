package delivery

import "testing"

func TestKeepsRootEvents(t *testing.T) {
	for _, tc := range []struct {
		field, op string
		values    []string
		partition string
		want      bool
	}{
		// Excluding noisy roles keeps root.
		{"userIdentity.arn", "NotStartsWith", []string{"arn:aws:sts::111122223333:assumed-role/noisy"}, "aws", true},
		{"userIdentity.arn", "NotEquals", []string{"arn:aws:iam::111122223333:user/ci"}, "aws", true},
		{"userIdentity.arn", "NotEndsWith", []string{"/ci"}, "aws", true},
		// ...unless a value could be a root ARN.
		{"userIdentity.arn", "NotEquals", []string{"arn:aws:iam::111122223333:root"}, "aws", false},
		{"userIdentity.arn", "NotStartsWith", []string{"arn:aws:iam::1111"}, "aws", false},
		{"userIdentity.arn", "NotStartsWith", []string{"arn:aws:iam::"}, "aws", false},
		{"userIdentity.arn", "NotEndsWith", []string{":root"}, "aws", false},
		{"userIdentity.arn", "NotEndsWith", []string{"9:root"}, "aws", false},
		{"userIdentity.arn", "NotStartsWith", []string{""}, "aws", false},
		// Another partition's root ARNs are not this trail's.
		{"userIdentity.arn", "NotStartsWith", []string{"arn:aws-cn:iam::"}, "aws", true},
		{"userIdentity.arn", "NotStartsWith", []string{"arn:aws-cn:iam::"}, "aws-cn", false},
		// Positive conditions keep root only if every root ARN matches.
		{"userIdentity.arn", "StartsWith", []string{"arn:aws:iam::"}, "aws", true},
		{"userIdentity.arn", "StartsWith", []string{"arn:aws:sts::", "arn:aws:iam"}, "", true},
		{"userIdentity.arn", "EndsWith", []string{":root"}, "aws", true},
		{"userIdentity.arn", "StartsWith", []string{"arn:aws:iam::1"}, "aws", false},
		{"userIdentity.arn", "EndsWith", []string{"2:root"}, "aws", false},
		{"userIdentity.arn", "Equals", []string{"arn:aws:iam::111122223333:root"}, "aws", false},
		{"userIdentity.arn", "StartsWith", []string{"arn:aws:iam::111122223333:root-and-more"}, "aws", false},
		// eventType: every root event type must pass.
		{"eventType", "NotEquals", []string{"AwsServiceEvent"}, "aws", true},
		{"eventType", "NotEquals", []string{"AwsConsoleSignIn"}, "aws", false},
		{"eventType", "Equals", []string{"AwsApiCall"}, "aws", false},
		{"eventType", "Equals", []string{"AwsApiCall", "AwsConsoleSignIn", "AwsConsoleAction"}, "aws", true},
		{"eventType", "StartsWith", []string{"AwsConsole", "AwsApi"}, "aws", true},
		// Root can call any service: no other field keeps every root event.
		{"eventSource", "NotEquals", []string{"kms.amazonaws.com"}, "aws", false},
		{"eventName", "NotStartsWith", []string{"Describe"}, "aws", false},
		{"userIdentity.arn", "Like", []string{"x"}, "aws", false},
	} {
		if got := KeepsRootEvents(tc.field, tc.op, tc.values, tc.partition); got != tc.want {
			t.Errorf("KeepsRootEvents(%s %s %q, %s) = %v, want %v", tc.field, tc.op, tc.values, tc.partition, got, tc.want)
		}
	}
}

// FuzzKeepsRootEvents: a userIdentity.arn condition said to keep every
// root event passes the root ARN of any account.
func FuzzKeepsRootEvents(f *testing.F) {
	f.Add(uint8(3), "arn:aws:sts::", "111122223333")
	f.Add(uint8(5), "9:root", "000000000009")
	f.Add(uint8(1), "arn:aws:iam::123456789012:root", "123456789012")
	ops := []string{"Equals", "NotEquals", "StartsWith", "NotStartsWith", "EndsWith", "NotEndsWith"}
	f.Fuzz(func(t *testing.T, op uint8, value, account string) {
		digits := []byte("000000000000")
		for i := 0; i < len(account) && i < 12; i++ {
			digits[i] = '0' + account[i]%10
		}
		o := ops[int(op)%len(ops)]
		root := "arn:aws:iam::" + string(digits) + ":root"
		if KeepsRootEvents("userIdentity.arn", o, []string{value}, "aws") && !passes(o, []string{value}, root) {
			t.Fatalf("userIdentity.arn %s %q said to keep every root event, but drops %s", o, value, root)
		}
	})
}
