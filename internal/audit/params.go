package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// secretNames are substrings of a normalized parameter name (lower case,
// without _ - .) that mark a secret. Such parameters are refused.
var secretNames = []string{
	"secret", "password", "passwd", "passphrase", "token", "privatekey",
	"sessionkey", "apikey", "seed", "authcode", "authenticationcode", "mfacode",
}

// sensitiveNames are substrings of a normalized parameter name whose
// values are stored as HMACs.
var sensitiveNames = []string{"email", "phone", "accesskeyid", "serialnumber", "mfaserial", "mfadevice"}

// sensitiveExact are normalized names that are sensitive only as a whole
// (a contact's name; not a policy name).
var sensitiveExact = map[string]bool{"name": true, "contactname": true, "fullname": true, "username": true}

var (
	// accessKeyIDRE matches IAM access key IDs (long-term, temporary,
	// bearer, certificate) of any case-folding-free form.
	accessKeyIDRE = regexp.MustCompile(`\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`)
	emailRE       = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	phoneRE       = regexp.MustCompile(`^\+[0-9][0-9 ().-]{5,30}$`)
	// secretKeyRE matches the shape of a secret access key: 40 base64
	// characters. Mixed case is also required (below), so that hex
	// digests, which are lower case, do not match.
	secretKeyRE = regexp.MustCompile(`(^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}([^A-Za-z0-9/+=]|$)`)
)

// nameSeparators are dropped from a parameter name before it is matched.
var nameSeparators = strings.NewReplacer("_", "", "-", "", ".", "")

func normalizeName(name string) string {
	return nameSeparators.Replace(strings.ToLower(name))
}

// isSecretName reports whether a parameter name says it holds a secret.
func isSecretName(name string) bool {
	n := normalizeName(name)
	for _, s := range secretNames {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// isSensitiveName reports whether a parameter name says its value
// identifies a person or a credential.
func isSensitiveName(name string) bool {
	n := normalizeName(name)
	if sensitiveExact[n] {
		return true
	}
	for _, s := range sensitiveNames {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// looksSecret reports why a value looks like a secret, or "".
func looksSecret(v string) string {
	if strings.Contains(v, "-----BEGIN") {
		return "a PEM block"
	}
	for _, m := range secretKeyRE.FindAllString(v, -1) {
		m = strings.Trim(m, " \t\"',;:=()[]{}")
		if strings.ContainsAny(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(m, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(m, "0123456789/+") {
			return "a secret access key"
		}
	}
	return ""
}

// looksSensitive reports whether a value identifies a person or a
// credential whatever its parameter's name.
func looksSensitive(v string) bool {
	return accessKeyIDRE.MatchString(v) || emailRE.MatchString(v) || phoneRE.MatchString(v)
}

// mac returns the hex HMAC-SHA256 of v under key.
func mac(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// splitParams classifies an entry's parameters into the plaintext and the
// HMAC maps of a Record. It refuses secrets.
func splitParams(key []byte, e *Entry) (plain, hashed map[string]string, err error) {
	add := func(name, v string, sensitive bool) error {
		if !paramNameRE.MatchString(name) {
			return fmt.Errorf("parameter name %q: want a letter then up to 63 letters, digits or _.-", name)
		}
		if isSecretName(name) {
			return fmt.Errorf("parameter %s: %w (the name says it holds a secret)", name, ErrSecret)
		}
		if !validText(v, maxValue) {
			return fmt.Errorf("parameter %s: value must be valid UTF-8 without control characters, at most %d bytes", name, maxValue)
		}
		if why := looksSecret(v); why != "" {
			return fmt.Errorf("parameter %s: %w (the value looks like %s)", name, ErrSecret, why)
		}
		if _, dup := plain[name]; dup {
			return fmt.Errorf("parameter %s given twice", name)
		}
		if _, dup := hashed[name]; dup {
			return fmt.Errorf("parameter %s given twice", name)
		}
		if sensitive || isSensitiveName(name) || looksSensitive(v) {
			if hashed == nil {
				hashed = map[string]string{}
			}
			hashed[name] = mac(key, v)
			return nil
		}
		if plain == nil {
			plain = map[string]string{}
		}
		plain[name] = v
		return nil
	}
	for name, v := range e.Params {
		if err := add(name, v, false); err != nil {
			return nil, nil, err
		}
	}
	for name, v := range e.Sensitive {
		if err := add(name, v, true); err != nil {
			return nil, nil, err
		}
	}
	return plain, hashed, nil
}
