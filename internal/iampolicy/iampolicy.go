// Package iampolicy is the registry of the AWS actions each rootguard mode
// may call, and the least-privilege IAM policies generated from it: the
// permissions policy of the identity rootguard runs as in the management
// (or delegated administrator) account, the permissions policy of the role
// it assumes in every member account, and that role's trust policy.
//
// The registry is a table, one row per action: the action, the modes that
// call it, who calls it (the management identity, the member role, or an
// sts:AssumeRoot session whose AWS managed task policy grants it), and why.
// A test in package cli records every call the end-to-end runs make
// through the simulator and fails on one the registry lacks; another runs
// each mode under its generated policies, which the simulator enforces
// with package policy, and again with one action removed.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Mode is a rootguard command that calls AWS.
type Mode string

// Modes.
const (
	Scan  Mode = "scan"  // scan and collect: read-only (scan --send securityhub also imports findings)
	Plan  Mode = "plan"  // plan and export: read-only
	Apply Mode = "apply" // apply: the reads again, then the writes of the plan
	Serve Mode = "serve" // the long-running service: scheduled scans and its SQS queue
)

// Modes lists every mode in order.
func Modes() []Mode { return []Mode{Scan, Plan, Apply, Serve} }

// ParseMode returns the mode named s.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("mode %q: want scan, plan, apply or serve", s)
}

// Caller says who calls an action.
type Caller string

// Callers.
const (
	// Management is the identity rootguard runs as, in the management (or
	// delegated administrator) account.
	Management Caller = "management"
	// Member is the role rootguard assumes in each member account (--role).
	Member Caller = "member"
	// RootTask is an sts:AssumeRoot session in a member account: the AWS
	// managed task policy grants the action; no policy rootguard prints
	// does.
	RootTask Caller = "root-task"
)

// Action is one row of the registry.
type Action struct {
	Action  string
	Modes   []Mode
	Callers []Caller
	Why     string
}

var (
	reads     = []Mode{Scan, Plan, Apply, Serve} // every mode collects
	applyOnly = []Mode{Apply}
	scanOnly  = []Mode{Scan}
	serveOnly = []Mode{Serve}
	mgmt      = []Caller{Management}
	both      = []Caller{Management, Member}
	rootTask  = []Caller{RootTask}
)

// registry is every action rootguard calls, grouped by service.
var registry = []Action{
	{"organizations:DescribeOrganization", reads, mgmt, "the organization, its management account and feature set"},
	{"organizations:ListRoots", reads, mgmt, "the OU tree's root and its enabled policy types"},
	{"organizations:ListOrganizationalUnitsForParent", reads, mgmt, "the OU tree"},
	{"organizations:ListAccountsForParent", reads, mgmt, "which OU each account is in"},
	{"organizations:ListAccounts", reads, mgmt, "the accounts and their root emails"},
	{"organizations:DescribeAccount", reads, mgmt, "one account when --accounts names it"},
	{"organizations:ListAWSServiceAccessForOrganization", reads, mgmt, "trusted access for IAM and Account Management"},
	{"organizations:ListPolicies", reads, mgmt, "the service control policies"},
	{"organizations:DescribePolicy", reads, mgmt, "each SCP's document, for effective coverage"},
	{"organizations:ListTargetsForPolicy", reads, mgmt, "where each SCP is attached"},
	{"organizations:ListDelegatedAdministrators", reads, mgmt, "the delegated administrators of centralized root access"},
	{"organizations:CreatePolicy", applyOnly, mgmt, "the planned root-deny SCPs"},
	{"organizations:AttachPolicy", applyOnly, mgmt, "attach the planned SCPs"},
	{"organizations:EnablePolicyType", applyOnly, mgmt, "enable SCPs on the root when they are off"},
	{"organizations:EnableAWSServiceAccess", applyOnly, mgmt, "trusted access for IAM, needed by centralized root access"},

	{"iam:ListOrganizationsFeatures", reads, mgmt, "whether centralized root access is enabled"},
	{"iam:GetAccountSummary", reads, mgmt, "the management account's root credentials and MFA"},
	{"iam:GenerateCredentialReport", reads, mgmt, "the management account's root password and key dates"},
	{"iam:GetCredentialReport", reads, mgmt, "the management account's root password and key dates"},
	{"iam:ListVirtualMFADevices", reads, both, "virtual MFA devices of root (matched on the root ARN) and those assigned to nobody"},
	{"iam:GetAccountAuthorizationDetails", reads, both, "who may call sts:AssumeRoot: principals and policies of the management account and delegated administrators"},
	{"iam:GetRole", reads, both, "the role forwarding root API calls made in Regions other than us-east-1 (rootguard-root-activity-forward), where such Regions are collected"},
	{"iam:GetRolePolicy", reads, both, "that role's inline policy (put-events-central-bus)"},
	{"iam:EnableOrganizationsRootCredentialsManagement", applyOnly, mgmt, "centralized root access: credentials management"},
	{"iam:EnableOrganizationsRootSessions", applyOnly, mgmt, "centralized root access: root sessions"},

	{"sts:AssumeRoot", reads, mgmt, "read (and in apply remove) member root credentials with the task policies"},
	{"sts:AssumeRole", reads, mgmt, "the member role, to read each member's trails, alarms, rules and mail facts"},

	{"iam:GetAccountSummary", reads, rootTask, "member root credentials (IAMAuditRootUserCredentials)"},
	{"iam:GetLoginProfile", reads, rootTask, "member root password (IAMAuditRootUserCredentials)"},
	{"iam:GetUser", reads, rootTask, "member root password last use (IAMAuditRootUserCredentials)"},
	{"iam:ListAccessKeys", reads, rootTask, "member root access keys (IAMAuditRootUserCredentials)"},
	{"iam:GetAccessKeyLastUsed", reads, rootTask, "member root key last use (IAMAuditRootUserCredentials)"},
	{"iam:ListSigningCertificates", reads, rootTask, "member root signing certificates (IAMAuditRootUserCredentials)"},
	{"iam:ListMFADevices", reads, rootTask, "member root MFA devices (IAMAuditRootUserCredentials)"},
	{"iam:DeleteLoginProfile", applyOnly, rootTask, "remove a member root password (IAMDeleteRootUserCredentials)"},
	{"iam:DeleteAccessKey", applyOnly, rootTask, "remove a member root access key (IAMDeleteRootUserCredentials)"},
	{"iam:DeleteSigningCertificate", applyOnly, rootTask, "remove a member root certificate (IAMDeleteRootUserCredentials)"},
	{"iam:DeactivateMFADevice", applyOnly, rootTask, "remove a member root MFA device (IAMDeleteRootUserCredentials)"},

	{"account:GetContactInformation", reads, mgmt, "every account's primary contact, through trusted access"},
	{"account:GetAlternateContact", reads, mgmt, "every account's alternate contacts, through trusted access"},
	{"account:PutAlternateContact", applyOnly, mgmt, "set the configured alternate contacts"},
	{"account:ListRegions", reads, both, "the Regions enabled in each account, read for regional facts"},

	{"cloudtrail:DescribeTrails", reads, both, "multi-Region trails, organization trails included"},
	{"cloudtrail:GetTrailStatus", reads, both, "whether each trail is logging"},
	{"cloudtrail:GetEventSelectors", reads, both, "whether each trail logs management events"},
	{"cloudwatch:DescribeAlarms", reads, both, "the CIS root-usage alarm"},
	{"logs:DescribeMetricFilters", reads, both, "the CIS root-usage metric filter"},
	{"events:ListRules", reads, both, "EventBridge rules matching root activity"},
	{"events:ListTargetsByRule", reads, both, "where each root rule delivers"},
	{"events:DescribeEventBus", reads, both, "the default bus policy that lets members forward root events"},
	{"events:PutRule", applyOnly, both, "the root-activity rule, or the one forwarding it to the management account"},
	{"events:PutTargets", applyOnly, both, "the rule's target: the alert topic or the management account's bus"},
	{"events:PutPermission", applyOnly, both, "let the organization put root events on the receiving bus"},
	{"iam:CreateRole", applyOnly, both, "the role EventBridge assumes to forward another Region's root activity to the central bus"},
	{"iam:PutRolePolicy", applyOnly, both, "that role's events:PutEvents on the central bus"},
	{"iam:PassRole", applyOnly, both, "give that role to the forwarding rule's target (events:PutTargets)"},
	{"sns:ListTopics", reads, both, "the topics alerts go to"},
	{"sns:GetTopicAttributes", reads, both, "topic policies and keys: can EventBridge publish"},
	{"sns:ListSubscriptionsByTopic", reads, both, "whether a confirmed subscriber receives alerts"},
	{"kms:DescribeKey", reads, both, "the key that encrypts an alert topic, and whether AWS manages it"},
	{"kms:GetKeyPolicy", reads, both, "that key's policy: can EventBridge or an alarm use it"},
	{"sqs:ListQueues", reads, both, "the queues an SNS topic may deliver alerts to"},
	{"sqs:GetQueueAttributes", reads, both, "a queue's policy: does it let the topic send"},
	{"sns:CreateTopic", applyOnly, both, "the root-activity alert topic"},
	{"sns:Subscribe", applyOnly, both, "the configured alert subscription; an SQS queue of another account than the topic's subscribes from the queue's account"},
	{"sns:SetTopicAttributes", applyOnly, both, "add the statement letting EventBridge publish to an account's own alert topic"},
	{"guardduty:ListDetectors", reads, both, "whether GuardDuty is on"},
	{"guardduty:GetDetector", reads, both, "each detector's status"},

	{"route53:ListHostedZones", reads, both, "a root email domain hosted in the same account"},
	{"route53domains:ListDomains", reads, both, "a root email domain registered in the same account"},
	{"ses:DescribeActiveReceiptRuleSet", reads, both, "SES inbound mail for the root email domain"},
	{"ses:ListIdentities", reads, both, "SES verified domains that rules without recipients receive for"},
	{"ses:GetIdentityVerificationAttributes", reads, both, "whether those SES domains are verified"},
	{"workmail:ListOrganizations", reads, both, "WorkMail organizations receiving the root email"},
	{"workmail:ListMailDomains", reads, both, "their mail domains"},

	{"securityhub:BatchImportFindings", scanOnly, mgmt, "scan --send securityhub imports the findings"},
	{"securityhub:BatchUpdateFindings", scanOnly, mgmt, "scan --send securityhub suppresses the muted findings it imported"},

	{"sns:Publish", serveOnly, mgmt, "serve (and notify test) publish alerts to the SNS topics of the routing file (docs/notify.md)"},
	{"sqs:ReceiveMessage", serveOnly, mgmt, "serve reads root events from its SQS queue"},
	{"sqs:DeleteMessage", serveOnly, mgmt, "serve deletes each event once its alerts are stored"},
}

// Registry returns every row, in table order. Each call returns new slices.
func Registry() []Action {
	out := slices.Clone(registry)
	for i := range out {
		out[i].Modes = slices.Clone(out[i].Modes)
		out[i].Callers = slices.Clone(out[i].Callers)
	}
	return out
}

// Actions are the actions caller may call in mode, sorted.
func Actions(mode Mode, caller Caller) []string {
	var out []string
	for _, a := range registry {
		if slices.Contains(a.Modes, mode) && slices.Contains(a.Callers, caller) && !slices.Contains(out, a.Action) {
			out = append(out, a.Action)
		}
	}
	slices.Sort(out)
	return out
}

// Allows reports whether the registry lets caller call action in mode.
func Allows(mode Mode, caller Caller, action string) bool {
	return slices.Contains(Actions(mode, caller), action)
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document.
type Statement struct {
	Sid       string            `json:"Sid"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    []string          `json:"Action"`
	Resource  []string          `json:"Resource,omitempty"`
}

// JSON is the document, indented.
func (d Document) JSON() []byte {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // a Document always marshals
	}
	return b
}

// Policies are the documents one mode needs.
type Policies struct {
	Mode Mode `json:"mode"`
	// Management is the permissions policy of the identity rootguard runs
	// as in the management account.
	Management Document `json:"management_policy"`
	// Role is the member role's name; MemberPolicy its permissions policy
	// and MemberTrust its trust policy, which lets the management account
	// assume it.
	Role         string   `json:"member_role"`
	MemberPolicy Document `json:"member_policy"`
	MemberTrust  Document `json:"member_trust_policy"`
	// RootTasks are the actions made inside sts:AssumeRoot sessions, which
	// the AWS managed task policies grant: nothing to attach.
	RootTasks []string `json:"root_task_actions"`
}

// Generate returns the policies mode needs, for a member role named role
// in accounts that trust managementAccount. sts:AssumeRole is scoped to
// that role; every other action has Resource "*" (the reads rootguard
// makes are listing and describing calls).
func Generate(mode Mode, role, managementAccount string) Policies {
	const version = "2012-10-17"
	var mg []string
	var assume bool
	for _, a := range Actions(mode, Management) {
		if a == "sts:AssumeRole" {
			assume = true
			continue
		}
		mg = append(mg, a)
	}
	sid := "Rootguard" + title(mode)
	p := Policies{
		Mode:       mode,
		Role:       role,
		Management: Document{Version: version, Statement: []Statement{{Sid: sid, Effect: "Allow", Action: mg, Resource: []string{"*"}}}},
		MemberPolicy: Document{Version: version, Statement: []Statement{
			{Sid: sid, Effect: "Allow", Action: Actions(mode, Member), Resource: []string{"*"}}}},
		MemberTrust: Document{Version: version, Statement: []Statement{{Sid: "RootguardManagementAccount", Effect: "Allow",
			Principal: map[string]string{"AWS": "arn:aws:iam::" + managementAccount + ":root"}, Action: []string{"sts:AssumeRole"}}}},
		RootTasks: Actions(mode, RootTask),
	}
	if assume {
		p.Management.Statement = append(p.Management.Statement, Statement{Sid: "RootguardMemberRole", Effect: "Allow",
			Action: []string{"sts:AssumeRole"}, Resource: []string{"arn:aws:iam::*:role/" + role}})
	}
	return p
}

func title(m Mode) string { return strings.ToUpper(string(m[:1])) + string(m[1:]) }
