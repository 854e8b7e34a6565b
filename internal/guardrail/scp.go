package guardrail

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxSCPSize is the AWS Organizations quota on a service control policy
// document, in characters.
const MaxSCPSize = 5120

// Keys of the generated SCPs: stable names for plan changes, Terraform
// resource names and CloudFormation logical IDs.
const (
	KeyDenyRootActions    = "deny-root-actions"
	KeyDenyRootAccessKeys = "deny-root-access-keys"
	KeyProtectContacts    = "protect-account-contacts"
)

// Sids of the generated statements. They never change, so a reviewer (and
// the policy engine's evidence) can point at them across versions.
const (
	SidDenyRootUser         = "RootGuardDenyRootUser"
	SidDenyRootAccessKeys   = "RootGuardDenyRootAccessKeys"
	SidProtectContacts      = "RootGuardProtectAccountContacts"
	rootPrincipalARNPattern = "arn:aws:iam::*:root"
)

// ContactActions are the Account Management actions the contact-protection
// SCP denies outside the admin roles.
func ContactActions() []string {
	return []string{
		"account:PutContactInformation",
		"account:PutAlternateContact",
		"account:DeleteAlternateContact",
		"account:StartPrimaryEmailUpdate",
		"account:AcceptPrimaryEmailUpdate",
	}
}

// document and statement give the generated JSON (SCPs, and the topic
// policies rootguard writes) a fixed field order; the condition maps are
// written with sorted keys by encoding/json.
type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal map[string]string         `json:"Principal,omitempty"` // never in an SCP
	Action    any                       `json:"Action"`
	Resource  string                    `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// DenyRootActionsDocument denies every action to the root user of a member
// account when it signs in with its own credentials. The Null condition on
// aws:AssumedRoot exempts centralized root sessions (sts:AssumeRoot), in which
// the key is "true": without it the SCP would silently break the
// management account's root-task sessions (credential removal, bucket and
// queue policy unlocks).
func DenyRootActionsDocument() string {
	return marshalDocument(statement{
		Sid:      SidDenyRootUser,
		Effect:   "Deny",
		Action:   "*",
		Resource: "*",
		Condition: map[string]map[string]any{
			"ArnLike": {"aws:PrincipalArn": rootPrincipalARNPattern},
			"Null":    {"aws:AssumedRoot": "true"},
		},
	})
}

// DenyRootAccessKeysDocument denies iam:CreateAccessKey to the root user.
// It carries no aws:AssumedRoot exemption on purpose: no root-task policy
// allows creating access keys, so exempting centralized root sessions would
// only weaken it.
func DenyRootAccessKeysDocument() string {
	return marshalDocument(statement{
		Sid:      SidDenyRootAccessKeys,
		Effect:   "Deny",
		Action:   "iam:CreateAccessKey",
		Resource: "*",
		Condition: map[string]map[string]any{
			"ArnLike": {"aws:PrincipalArn": rootPrincipalARNPattern},
		},
	})
}

// ProtectContactsDocument denies changes to the account's contact
// information, alternate contacts and primary email to every principal
// whose ARN matches none of adminRoleARNs. (The management account's
// calls with AccountId are not affected: SCPs never restrict the management
// account, which is how rootguard apply sets missing alternate contacts.)
func ProtectContactsDocument(adminRoleARNs []string) string {
	var admins any = adminRoleARNs
	if len(adminRoleARNs) == 1 {
		admins = adminRoleARNs[0]
	}
	return marshalDocument(statement{
		Sid:      SidProtectContacts,
		Effect:   "Deny",
		Action:   ContactActions(),
		Resource: "*",
		Condition: map[string]map[string]any{
			"ArnNotLike": {"aws:PrincipalArn": admins},
		},
	})
}

// marshalDocument writes a one-statement policy minified, without HTML
// escaping, so its length is what Organizations counts.
func marshalDocument(s statement) string {
	return mustJSON(document{Version: "2012-10-17", Statement: []statement{s}})
}

// mustJSON encodes v minified without HTML escaping. v holds only strings,
// slices and maps of strings, which always encode.
func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// policySpec is one SCP the config asks for, before its targets are
// resolved against an organization.
type policySpec struct {
	key         string
	opts        SCPOptions
	description string
	content     string
	fixes       []string
}

// policySpecs returns the enabled SCPs of cfg in a fixed order, each
// checked against MaxSCPSize.
func policySpecs(cfg Config) ([]policySpec, error) {
	var out []policySpec
	if o := cfg.SCPs.DenyRootActions; o.Enabled {
		out = append(out, policySpec{
			key:         KeyDenyRootActions,
			opts:        o,
			description: "rootguard: deny all actions to member root users signed in with their own credentials; centralized root sessions (aws:AssumedRoot) stay allowed",
			content:     DenyRootActionsDocument(),
			fixes:       []string{"scp-deny-root-actions"},
		})
	}
	if o := cfg.SCPs.DenyRootAccessKeys; o.Enabled {
		out = append(out, policySpec{
			key:         KeyDenyRootAccessKeys,
			opts:        o,
			description: "rootguard: deny iam:CreateAccessKey to member root users",
			content:     DenyRootAccessKeysDocument(),
			fixes:       []string{"scp-deny-root-access-keys"},
		})
	}
	if o := cfg.SCPs.ProtectContacts; o.Enabled {
		out = append(out, policySpec{
			key:         KeyProtectContacts,
			opts:        o.SCPOptions,
			description: "rootguard: deny changes to account contacts and the primary email outside the admin roles",
			content:     ProtectContactsDocument(o.AdminRoleARNs),
		})
	}
	for _, p := range out {
		if n := len([]rune(p.content)); n > MaxSCPSize {
			return nil, fmt.Errorf("SCP %s: %d characters minified, over the %d-character limit of AWS Organizations", p.opts.Name, n, MaxSCPSize)
		}
	}
	return out, nil
}
