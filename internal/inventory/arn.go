package inventory

import "strings"

// LogGroupARN splits a CloudWatch Logs group ARN,
// arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME, with or without a
// trailing ":*".
func LogGroupARN(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "logs" || parts[3] == "" || parts[5] != "log-group" {
		return "", "", "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	if name == "" {
		return "", "", "", false
	}
	return parts[3], parts[4], name, true
}

// MFAType classifies an MFA device by its serial: an ARN with ":mfa/" is a
// virtual device, one with ":u2f/" a FIDO security key or passkey, and
// anything else (a vendor serial number) a hardware TOTP token.
func MFAType(serial string) string {
	switch {
	case strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":mfa/"):
		return MFAVirtual
	case strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":u2f/"):
		return MFAFIDO
	}
	return MFAHardwareTOTP
}
