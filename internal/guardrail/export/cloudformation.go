package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/inventory"
)

// CloudFormation file names. Organization resources must be created from the
// management account; the alerting stack lives in us-east-1 of its account.
// When that is the management account, one template holds both.
const (
	CFNGuardrails   = "rootguard-guardrails.template.json"
	CFNOrganization = "rootguard-organization.template.json"
	CFNAlerting     = "rootguard-alerting.template.json"
	// CFNForwarding is the spoke side, for a service-managed StackSet on
	// the organization's OUs in us-east-1: a rule forwarding root activity
	// to the central bus, with the IAM role EventBridge needs for it.
	CFNForwarding = "rootguard-forwarding.template.json"
	// CFNRegional is the other collected Regions, for a stack per Region
	// of the central account (through the role the alerting template
	// creates) and a service-managed StackSet in the forwarding accounts'
	// (through the role CFNForwarding creates): a rule forwarding root API
	// calls made there to the us-east-1 bus.
	CFNRegional = "rootguard-regional.template.json"
)

// template is a CloudFormation template; encoding/json keeps the field
// order and sorts the Resources keys.
type template struct {
	AWSTemplateFormatVersion string              `json:"AWSTemplateFormatVersion"`
	Description              string              `json:"Description"`
	Metadata                 map[string]any      `json:"Metadata,omitempty"`
	Resources                map[string]resource `json:"Resources"`
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// CloudFormation writes the desired guardrails as CloudFormation JSON
// templates: AWS::Organizations::Policy with TargetIds for each SCP (deploy
// in the management account) and AWS::Events::Rule, AWS::SNS::Topic,
// AWS::SNS::TopicPolicy and AWS::SNS::Subscription for root-activity alerting
// (deploy in us-east-1 of the alerting account). One template when both go to
// the same account, two otherwise. What CloudFormation cannot express
// (trusted access, centralized root access features, member root
// credential removal, contacts, gaps) is in the Description and in Metadata.
func CloudFormation(st *guardrail.State) ([]File, error) {
	if st == nil {
		return nil, fmt.Errorf("cloudformation export: no desired state")
	}
	home := st.ManagementAccountID
	org := st.Mode == "organization" && st.OrganizationID != ""
	var orgT, alertT *template
	if org {
		t, err := cfnOrganization(st)
		if err != nil {
			return nil, err
		}
		orgT = t
	}
	if st.Alerting != nil {
		alertT = cfnAlerting(st.Alerting)
	}
	var files []File
	add := func(name string, t *template) error {
		b, err := encodeTemplate(t)
		if err != nil {
			return fmt.Errorf("cloudformation export: %s: %w", name, err)
		}
		files = append(files, File{Name: name, Content: b})
		return nil
	}
	switch {
	case orgT != nil && alertT != nil && st.Alerting.AccountID == home:
		for k, r := range alertT.Resources {
			orgT.Resources[k] = r
		}
		orgT.Description += " " + alertT.Description
		orgT.Metadata["AlertingStack"] = alertT.Metadata["AlertingStack"]
		if err := add(CFNGuardrails, orgT); err != nil {
			return nil, err
		}
	case orgT != nil:
		if err := add(CFNOrganization, orgT); err != nil {
			return nil, err
		}
		if alertT != nil {
			if err := add(CFNAlerting, alertT); err != nil {
				return nil, err
			}
		}
	case alertT != nil:
		alertT.Metadata["Gaps"] = gapList(exportGaps(st))
		if err := add(CFNAlerting, alertT); err != nil {
			return nil, err
		}
	}
	if st.Alerting != nil && st.Alerting.Regional != nil {
		if err := add(CFNRegional, cfnRegional(st.Alerting)); err != nil {
			return nil, err
		}
	}
	if st.Alerting != nil && st.Alerting.Forwarding != nil {
		if err := add(CFNForwarding, cfnForwarding(st.Alerting, st.RootID)); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func cfnOrganization(st *guardrail.State) (*template, error) {
	t := &template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description: fmt.Sprintf("rootguard guardrails for organization %s: service control policies. Deploy in the management account (%s), in us-east-1. "+
			"Member root credential removal, alternate contacts and centralized root access have no CloudFormation form: use rootguard plan and rootguard apply.",
			st.OrganizationID, st.ManagementAccountID),
		Resources: map[string]resource{},
	}
	prereq := []string{"the organization has all features enabled"}
	if len(st.PolicyTypes) > 0 {
		prereq = append(prereq, "policy types enabled on the root: "+strings.Join(st.PolicyTypes, ", "))
	}
	if len(st.TrustedAccess) > 0 {
		prereq = append(prereq, "trusted access for "+strings.Join(st.TrustedAccess, ", ")+" (aws organizations enable-aws-service-access)")
	}
	notCovered := []string{"member root credential removal (sts:AssumeRoot sessions): rootguard plan, rootguard apply"}
	if len(st.Features) > 0 {
		notCovered = append(notCovered, "centralized root access features "+strings.Join(st.Features, ", ")+
			" (iam:EnableOrganizationsRootCredentialsManagement, iam:EnableOrganizationsRootSessions): rootguard apply")
	}
	if len(st.Contacts) > 0 {
		notCovered = append(notCovered, fmt.Sprintf("%d missing alternate contact(s): rootguard apply", len(st.Contacts)))
	}
	t.Metadata = map[string]any{
		"Generator":           "rootguard export cloudformation",
		"Organization":        st.OrganizationID,
		"Prerequisites":       prereq,
		"NotInTemplate":       notCovered,
		"Gaps":                gapList(exportGaps(st)),
		"CredentialsToRemove": len(st.CredentialRemovals),
	}
	for _, p := range st.SCPs {
		var content any
		if err := json.Unmarshal([]byte(p.Content), &content); err != nil {
			return nil, fmt.Errorf("cloudformation export: policy %s: %w", p.Name, err)
		}
		ids := make([]string, 0, len(p.Targets))
		for _, tg := range p.Targets {
			ids = append(ids, tg.ID)
		}
		// Content as a JSON object, not a string: CloudFormation detects
		// drift only on the object form.
		t.Resources[logicalID(p.Key)+"Policy"] = resource{
			Type: "AWS::Organizations::Policy",
			Properties: map[string]any{
				"Name":        p.Name,
				"Description": p.Description,
				"Type":        "SERVICE_CONTROL_POLICY",
				"Content":     content,
				"TargetIds":   ids,
			},
		}
	}
	return t, nil
}

func cfnAlerting(a *guardrail.AlertStack) *template {
	t := &template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description: fmt.Sprintf("rootguard root-activity alerting: deploy in account %s, Region %s (root console sign-ins are delivered to EventBridge there only).",
			a.AccountID, a.Region),
		Metadata: map[string]any{
			"AlertingStack": map[string]any{
				"Account": a.AccountID,
				"Region":  a.Region,
				"Covers":  a.Covers,
				"Fixes":   a.Fixes,
			},
		},
		Resources: map[string]resource{
			"RootActivityRule": cfnRule(a.RuleName, "rootguard: root API calls and root console sign-ins", a.EventPattern,
				map[string]any{"Arn": map[string]any{"Ref": "RootActivityTopic"}, "Id": "rootguard-sns"}),
			"RootActivityTopic": {
				Type:       "AWS::SNS::Topic",
				Properties: map[string]any{"TopicName": a.TopicName},
			},
			"RootActivityTopicPolicy": {
				Type: "AWS::SNS::TopicPolicy",
				Properties: map[string]any{
					"Topics": []any{map[string]any{"Ref": "RootActivityTopic"}},
					"PolicyDocument": map[string]any{
						"Version": "2012-10-17",
						"Statement": []any{map[string]any{
							"Sid":       "AllowRootActivityRule",
							"Effect":    "Allow",
							"Principal": map[string]any{"Service": "events.amazonaws.com"},
							"Action":    "sns:Publish",
							"Resource":  map[string]any{"Ref": "RootActivityTopic"},
							"Condition": map[string]any{"ArnEquals": map[string]any{
								"aws:SourceArn": map[string]any{"Fn::GetAtt": []string{"RootActivityRule", "Arn"}},
							}},
						}},
					},
				},
			},
		},
	}
	if fw := a.Forwarding; fw != nil && fw.OrganizationID != "" {
		// Every account of the organization may put events on the bus;
		// their forwarding rules (CFNForwarding) each name a role.
		t.Resources["RootActivityBusPolicy"] = resource{
			Type: "AWS::Events::EventBusPolicy",
			Properties: map[string]any{
				"EventBusName": "default",
				"StatementId":  "rootguard-organization-root-activity",
				"Action":       "events:PutEvents",
				"Principal":    "*",
				"Condition":    map[string]any{"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": fw.OrganizationID},
			},
		}
		t.Description += fmt.Sprintf(" Member accounts forward their root activity to this account's default bus: deploy %s as a service-managed StackSet.", CFNForwarding)
	}
	if rg := a.Regional; rg != nil && len(rg.Regions) > 0 {
		var trust, policy any
		_ = json.Unmarshal([]byte(rg.TrustPolicy), &trust) // produced by guardrail from constants
		_ = json.Unmarshal([]byte(rg.RolePolicy), &policy)
		t.Resources["RegionalForwardingRole"] = resource{
			Type: "AWS::IAM::Role",
			Properties: map[string]any{
				"RoleName":                 rg.RoleName,
				"Description":              "EventBridge puts root API calls made in other Regions on " + a.BusARN,
				"AssumeRolePolicyDocument": trust,
				"Policies":                 []any{map[string]any{"PolicyName": rg.RolePolicyName, "PolicyDocument": policy}},
			},
		}
		t.Description += fmt.Sprintf(" Root API calls made in %s reach EventBridge there only: then deploy %s in each of them.", strings.Join(rg.Regions, ", "), CFNRegional)
	}
	if s := a.Subscription; s != nil {
		t.Resources["RootActivitySubscription"] = resource{
			Type: "AWS::SNS::Subscription",
			Properties: map[string]any{
				"TopicArn": map[string]any{"Ref": "RootActivityTopic"},
				"Protocol": s.Protocol,
				"Endpoint": s.Endpoint,
			},
		}
	} else {
		t.Description += " No subscription is configured (alerting.subscription): add an AWS::SNS::Subscription."
	}
	return t
}

// cfnForwarding is the spoke template: a role EventBridge assumes to put
// events on the central bus, and the rule forwarding root activity there.
// The role has the name and inline policy plan gives it, so that plan
// finds a role this template made as its own.
func cfnForwarding(a *guardrail.AlertStack, rootID string) *template {
	fw := a.Forwarding
	accounts := make([]string, len(fw.Accounts))
	for i, fa := range fw.Accounts {
		accounts[i] = fa.AccountID
	}
	targets := []string{rootID}
	if rootID == "" {
		targets = []string{"the organization root (r-…) or the OUs to cover"}
	}
	description := fmt.Sprintf("rootguard root-activity forwarding: deploy as a service-managed StackSet (automatic deployment on) to the organization's OUs, Region %s, from the management account; "+
		"each account then forwards root API calls and root console sign-ins to %s. StackSets do not deploy to the management account: when it is not the central account, deploy this template there as a stack.",
		a.Region, fw.TargetARN)
	if rs := a.SpokeRegions(); len(rs) > 0 {
		description += fmt.Sprintf(" Root API calls made in %s reach EventBridge there only: then deploy %s there, which forwards them through this template's role.", strings.Join(rs, ", "), CFNRegional)
	}
	return &template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              description,
		Metadata: map[string]any{
			"StackSet": map[string]any{
				"PermissionModel":   "SERVICE_MANAGED",
				"AutoDeployment":    map[string]any{"Enabled": true, "RetainStacksOnAccountRemoval": false},
				"DeploymentTargets": map[string]any{"OrganizationalUnitIds": targets},
				"Regions":           []string{a.Region},
				"Capabilities":      []string{"CAPABILITY_NAMED_IAM"},
			},
			"CentralAccount": a.AccountID,
			"Accounts":       accounts,
			"Fixes":          a.Fixes,
		},
		Resources: map[string]resource{
			"ForwardingRole": {
				Type: "AWS::IAM::Role",
				Properties: map[string]any{
					"RoleName":    fw.RuleName,
					"Description": "EventBridge puts root activity on the central bus " + fw.TargetARN,
					"AssumeRolePolicyDocument": map[string]any{
						"Version": "2012-10-17",
						"Statement": []any{map[string]any{
							"Effect":    "Allow",
							"Principal": map[string]any{"Service": "events.amazonaws.com"},
							"Action":    "sts:AssumeRole",
						}},
					},
					"Policies": []any{map[string]any{
						"PolicyName": inventory.ForwardRolePolicyName,
						"PolicyDocument": map[string]any{
							"Version": "2012-10-17",
							"Statement": []any{map[string]any{
								"Effect":   "Allow",
								"Action":   "events:PutEvents",
								"Resource": fw.TargetARN,
							}},
						},
					}},
				},
			},
			"ForwardingRule": cfnRule(fw.RuleName, "rootguard: forward root API calls and root console sign-ins to "+a.AccountID, fw.EventPattern,
				map[string]any{"Arn": fw.TargetARN, "Id": "rootguard-central-bus", "RoleArn": map[string]any{"Fn::GetAtt": []string{"ForwardingRole", "Arn"}}}),
		},
	}
}

// cfnRegional is the template of each other collected Region: the rule
// forwarding root API calls made there to the bus, through the role of
// the account it is deployed in (by name: IAM is global, so the role is
// made once per account, by the alerting or the forwarding template).
func cfnRegional(a *guardrail.AlertStack) *template {
	rg := a.Regional
	var deploy []string
	meta := map[string]any{"Fixes": a.Fixes}
	if len(rg.Regions) > 0 {
		deploy = append(deploy, fmt.Sprintf("in account %s as a stack in each of %s, after the alerting template (it creates role %s there)", a.AccountID, strings.Join(rg.Regions, ", "), rg.RoleName))
		meta["Account"], meta["Regions"] = a.AccountID, rg.Regions
	}
	if rs := a.SpokeRegions(); len(rs) > 0 {
		deploy = append(deploy, fmt.Sprintf("as a service-managed StackSet on the OUs of %s, Regions %s, after that StackSet (it creates role %s in each account)", CFNForwarding, strings.Join(rs, ", "), rg.RoleName))
		var accounts []string
		for _, fa := range a.Forwarding.Accounts {
			if len(fa.Regions) > 0 {
				accounts = append(accounts, fa.AccountID)
			}
		}
		meta["StackSet"] = map[string]any{"PermissionModel": "SERVICE_MANAGED", "Regions": rs, "Accounts": accounts}
	}
	return &template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description: fmt.Sprintf("rootguard root-activity forwarding between Regions: deploy %s; "+
			"root API calls made there reach EventBridge there only, and this rule forwards them to %s.", strings.Join(deploy, ", and "), a.BusARN),
		Metadata: meta,
		Resources: map[string]resource{
			"RegionalForwardingRule": cfnRule(rg.RuleName, "rootguard: forward root API calls made in this Region to "+a.BusARN, a.EventPattern,
				map[string]any{"Arn": a.BusARN, "Id": "rootguard-central-bus",
					"RoleArn": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/" + rg.RoleName}}),
		},
	}
}

// cfnRule is an enabled EventBridge rule on pattern (a JSON document) with
// one target.
func cfnRule(name, description, pattern string, target map[string]any) resource {
	var doc any
	_ = json.Unmarshal([]byte(pattern), &doc) // produced by guardrail from a constant
	return resource{
		Type: "AWS::Events::Rule",
		Properties: map[string]any{
			"Name":         name,
			"Description":  description,
			"EventPattern": doc,
			"State":        guardrail.RuleState,
			"Targets":      []any{target},
		},
	}
}

// gapList says each gap in one line, "area (account): detail", as both
// exports write them.
func gapList(gaps []guardrail.Gap) []string {
	out := make([]string, 0, len(gaps))
	for _, g := range gaps {
		text := g.Area + ": " + g.Detail
		if g.AccountID != "" {
			text = g.Area + " (" + g.AccountID + "): " + g.Detail
		}
		out = append(out, text)
	}
	return out
}

// logicalID turns a key (deny-root-actions) into a CloudFormation logical ID
// (DenyRootActions): alphanumeric only.
func logicalID(key string) string {
	var b strings.Builder
	for part := range strings.FieldsFuncSeq(key, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func encodeTemplate(t *template) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// exportGaps are the state's gaps and, for each topic grant, a gap of the
// export's own: a template cannot add one statement to an existing topic
// policy (AWS::SNS::TopicPolicy and aws_sns_topic_policy replace the whole
// policy, dropping the statements the topic's owner put there), so the
// export leaves the topic alone and says so. An SQS queue in another
// account than the topic's is subscribed from the topic's account, as the
// template deploys there: SNS keeps that subscription pending until it is
// confirmed in the queue's account, which the export says too (plan and
// apply subscribe from the queue's account instead).
func exportGaps(st *guardrail.State) []guardrail.Gap {
	gaps := slices.Clone(st.Gaps)
	if st.Alerting == nil {
		return gaps
	}
	if a := st.Alerting; a.QueueAccountID != "" && a.Subscription != nil {
		gaps = append(gaps, guardrail.Gap{Area: guardrail.AreaAlerting, AccountID: a.AccountID, Detail: fmt.Sprintf(
			"the subscription of SQS queue %s, in account %s, is made by this export from %s, so it stays pending until confirmed in %s: "+
				"confirm it there (sns:ConfirmSubscription with the token of the SubscriptionConfirmation message the queue receives), "+
				"or subscribe the queue from %s with a topic policy statement letting that account sns:Subscribe, as rootguard plan and apply do",
			a.Subscription.Endpoint, a.QueueAccountID, a.AccountID, a.QueueAccountID, a.QueueAccountID)})
	}
	for _, g := range st.Alerting.TopicGrants {
		rules := make([]string, len(g.RuleARNs))
		for i, arn := range g.RuleARNs {
			rules[i] = arn[strings.LastIndex(arn, "/")+1:]
		}
		gaps = append(gaps, guardrail.Gap{Area: guardrail.AreaAlerting, AccountID: g.AccountID, Detail: fmt.Sprintf(
			"topic %s does not let EventBridge rule(s) %s publish; this export does not add statement %q to its policy (a topic policy resource replaces the whole policy): rootguard plan and apply add it, keeping the policy's other statements",
			g.TopicARN, strings.Join(rules, ", "), guardrail.TopicGrantSid)})
	}
	return gaps
}
