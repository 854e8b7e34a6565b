package sim

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/policy"
)

// KMS (awsJson1_1, X-Amz-Target TrentService.*): DescribeKey and
// GetKeyPolicy over the scenario's keys (Account.Keys), which is how
// collection reads the key that encrypts an SNS topic. DescribeKey takes a
// key ID, key ARN, alias name or alias ARN and resolves an alias to its
// key; GetKeyPolicy takes a key ID or key ARN and answers the "default"
// policy.
//
// The key policy decides who may call, as in KMS: a statement must allow
// the caller (its role or user ARN, or its account, which in the key's
// own account hands the decision to IAM policies) and none may deny it.
// DescribeKey works across accounts when the key policy lets the other
// account in; GetKeyPolicy never does (KMS does not allow it across
// accounts).

func kmsService() *service {
	return &service{
		name:   "kms",
		proto:  protoJSON,
		target: "TrentService",
		ops: map[string]*operation{
			"DescribeKey":  {handle: kmsDescribeKey},
			"GetKeyPolicy": {handle: kmsGetKeyPolicy},
		},
	}
}

// Key managers, as KeyMetadata.KeyManager says them.
const (
	keyManagerCustomer = "CUSTOMER"
	keyManagerAWS      = "AWS"
)

// defaultKeyPolicy is the policy KMS gives a key created without one: the
// account (through its IAM policies) may do anything with it.
func defaultKeyPolicy(acct string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

func keyARN(region, acct, id string) string {
	return "arn:aws:kms:" + region + ":" + acct + ":key/" + id
}

// keyRef is a KeyId parameter taken apart: the account and Region it
// names (the caller's when it is not an ARN), and a key ID or alias name.
type keyRef struct {
	account, region string
	id, alias       string
}

// parseKeyRef reads a key ID, key ARN, alias name or alias ARN; ok is
// false when s is none of them.
func parseKeyRef(r *request, s string) (ref keyRef, ok bool) {
	ref = keyRef{account: r.target, region: r.region}
	res := s
	if strings.HasPrefix(s, "arn:") {
		p := strings.SplitN(s, ":", 6)
		if len(p) != 6 || p[2] != "kms" || !accountID.MatchString(p[4]) {
			return ref, false
		}
		ref.region, ref.account, res = p[3], p[4], p[5]
		if id, found := strings.CutPrefix(res, "key/"); found {
			ref.id = id
			return ref, id != ""
		}
	}
	if strings.HasPrefix(res, "alias/") {
		ref.alias = res
		return ref, len(res) > len("alias/")
	}
	ref.id = res
	return ref, res != "" && !strings.HasPrefix(s, "arn:")
}

// findKey returns the key ref names and its account, or NotFoundException.
func (r *request) findKey(ref keyRef) (*Key, *account, error) {
	w := r.srv.w
	a := w.accounts[ref.account]
	if a != nil && ref.region == r.region {
		for i := range a.Keys {
			k := &a.Keys[i]
			if w.regionOr(k.Region) != ref.region {
				continue
			}
			if (ref.id != "" && k.ID == ref.id) || (ref.alias != "" && slices.Contains(k.Aliases, ref.alias)) {
				return k, a, nil
			}
		}
	}
	if ref.alias != "" {
		return nil, nil, errf("NotFoundException", http.StatusBadRequest, "Alias arn:aws:kms:%s:%s:%s is not found.", ref.region, ref.account, ref.alias)
	}
	return nil, nil, errf("NotFoundException", http.StatusBadRequest, "Key '%s' does not exist", keyARN(ref.region, ref.account, ref.id))
}

// keyPolicy is the key's policy document, the default one when the
// scenario gives none.
func (k *Key) keyPolicy(acct string) string {
	if k.Policy == "" {
		return defaultKeyPolicy(acct)
	}
	return string(k.Policy)
}

func (k *Key) manager() string {
	if k.Manager == "" {
		return keyManagerCustomer
	}
	return k.Manager
}

// keyAccess decides action on key k of owner under its key policy: a Deny
// covering the caller refuses it, and an Allow covering the caller (its
// principal or its account) is needed.
func keyAccess(r *request, owner string, k *Key, arn, action string) error {
	p, err := policy.Parse(arn, []byte(k.keyPolicy(owner)))
	if err != nil {
		return errf("KMSInternalException", http.StatusInternalServerError, "the key policy of %s does not parse: %v", arn, err)
	}
	d := policy.Evaluate(p, policy.Request{Action: action, Resource: arn, PrincipalARN: principalARN(r.sess.arn)})
	covers := func(ref policy.StatementRef) bool { return keyPrincipal(&p.Statements[ref.Statement], r.sess) }
	if slices.ContainsFunc(d.MatchedDeny, covers) {
		e := accessDenied(r, action, arn)
		e.Message += " with an explicit deny in a resource-based policy"
		return e
	}
	if !slices.ContainsFunc(d.MatchedAllow, covers) {
		e := accessDenied(r, action, arn)
		e.Message += " because no resource-based policy allows the " + action + " action"
		return e
	}
	return nil
}

// keyPrincipal reports whether a key policy statement's Principal (or
// NotPrincipal) takes in the session: everyone, its account (the account
// ID or its root ARN) or its role or user ARN.
func keyPrincipal(st *policy.Statement, sess *session) bool {
	names := func(pr *policy.Principal) bool {
		if pr.Any {
			return true
		}
		return slices.ContainsFunc(pr.Values["AWS"], func(v string) bool {
			return v == "*" || v == sess.account || v == "arn:aws:iam::"+sess.account+":root" ||
				v == principalARN(sess.arn) || v == sess.arn
		})
	}
	return st.TakesIn(names)
}

type keyMetadata struct {
	AWSAccountID          string   `json:"AWSAccountId"`
	KeyID                 string   `json:"KeyId"`
	Arn                   string   `json:"Arn"`
	CreationDate          epoch    `json:"CreationDate"`
	Enabled               bool     `json:"Enabled"`
	Description           string   `json:"Description"`
	KeyUsage              string   `json:"KeyUsage"`
	KeyState              string   `json:"KeyState"`
	Origin                string   `json:"Origin"`
	KeyManager            string   `json:"KeyManager"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	KeySpec               string   `json:"KeySpec"`
	EncryptionAlgorithms  []string `json:"EncryptionAlgorithms"`
	MultiRegion           bool     `json:"MultiRegion"`
}

func kmsDescribeKey(r *request) (any, error) {
	var in struct {
		KeyID       string   `json:"KeyId"`
		GrantTokens []string `json:"GrantTokens,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	ref, ok := parseKeyRef(r, in.KeyID)
	if !ok {
		return nil, errf("NotFoundException", http.StatusBadRequest, "Invalid keyId '%s'", in.KeyID)
	}
	k, owner, err := r.findKey(ref)
	if err != nil {
		return nil, err
	}
	arn := keyARN(ref.region, owner.ID, k.ID)
	if err := keyAccess(r, owner.ID, k, arn, "kms:DescribeKey"); err != nil {
		return nil, err
	}
	return map[string]keyMetadata{"KeyMetadata": {
		AWSAccountID: owner.ID, KeyID: k.ID, Arn: arn,
		CreationDate: epoch(r.now.Add(-400 * 24 * time.Hour).Truncate(24 * time.Hour)),
		Enabled:      true, Description: k.Description, KeyUsage: "ENCRYPT_DECRYPT", KeyState: "Enabled", Origin: "AWS_KMS",
		KeyManager: k.manager(), CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
		EncryptionAlgorithms: []string{"SYMMETRIC_DEFAULT"},
	}}, nil
}

func kmsGetKeyPolicy(r *request) (any, error) {
	var in struct {
		KeyID      string `json:"KeyId"`
		PolicyName string `json:"PolicyName,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	ref, ok := parseKeyRef(r, in.KeyID)
	if !ok || ref.alias != "" {
		return nil, errf("NotFoundException", http.StatusBadRequest, "Invalid keyId '%s'", in.KeyID)
	}
	switch in.PolicyName {
	case "", "default":
	case "AWS_RAM":
		return nil, errf("NotFoundException", http.StatusBadRequest, "No such policy exists for key %s", in.KeyID)
	default:
		return nil, errf("ValidationException", http.StatusBadRequest, "1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", in.PolicyName)
	}
	k, owner, err := r.findKey(ref)
	if err != nil {
		return nil, err
	}
	arn := keyARN(ref.region, owner.ID, k.ID)
	if owner.ID != r.sess.account {
		// GetKeyPolicy is not a cross-account operation.
		return nil, accessDenied(r, "kms:GetKeyPolicy", arn)
	}
	if err := keyAccess(r, owner.ID, k, arn, "kms:GetKeyPolicy"); err != nil {
		return nil, err
	}
	return map[string]string{"Policy": k.keyPolicy(owner.ID), "PolicyName": "default"}, nil
}
