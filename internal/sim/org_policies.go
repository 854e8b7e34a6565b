package sim

import (
	"net/http"
	"slices"
)

// Organizations policy operations: the service control policies of the
// scenario, the AWS managed FullAWSAccess, and their attachments.

const (
	scpType         = "SERVICE_CONTROL_POLICY"
	fullAccessID    = "p-FullAWSAccess"
	fullAccessName  = "FullAWSAccess"
	fullAccessARN   = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
	fullAccessDesc  = "Allows access to every operation"
	fullAccessBody  = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	policyNotFound  = "We can't find a policy with the PolicyId that you specified."
	targetNotFound  = "We can't find a root, OU, account, or policy with the TargetId that you specified."
	invalidPolicyTy = "You specified an invalid value for the Filter parameter."
)

// policyTypes are the Organizations policy types the API knows.
var policyTypes = set("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY",
	"AISERVICES_OPT_OUT_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2", "SECURITYHUB_POLICY",
	"SECURITYHUB_CSPM_POLICY", "INSPECTOR_POLICY", "UPGRADE_ROLLOUT_POLICY", "BEDROCK_POLICY", "S3_POLICY",
	"NETWORK_SECURITY_DIRECTOR_POLICY", "GUARDDUTY_POLICY")

// orgPolicy is a service control policy with its targets resolved to IDs.
type orgPolicy struct {
	id, name, desc, arn, content string
	awsManaged                   bool
	targets                      []string // root, OU and account IDs
}

// buildPolicies resolves the scenario's SCPs, adding FullAWSAccess unless
// the scenario lists it.
func buildPolicies(w *world) []*orgPolicy {
	o := w.org
	var out []*orgPolicy
	listed := false
	for _, p := range o.Policies {
		id := policyIDOf(p)
		op := &orgPolicy{
			id: id, name: p.Name, desc: p.Description, content: string(p.Content),
			arn: w.orgARN("policy", "service_control_policy/"+id),
		}
		if id == fullAccessID {
			listed = true
			op.awsManaged, op.arn = true, fullAccessARN
		}
		for _, t := range p.Targets {
			if a := w.accounts[t]; a != nil {
				op.targets = append(op.targets, a.ID)
			} else if u, err := w.tree.resolve(t); err == nil && !slices.Contains(op.targets, u) {
				op.targets = append(op.targets, u)
			}
		}
		out = append(out, op)
	}
	if !listed {
		full := &orgPolicy{
			id: fullAccessID, name: fullAccessName, desc: fullAccessDesc, arn: fullAccessARN,
			content: fullAccessBody, awsManaged: true,
		}
		for _, u := range w.tree.units {
			full.targets = append(full.targets, u.id)
		}
		for _, a := range w.order {
			full.targets = append(full.targets, a.ID)
		}
		out = append([]*orgPolicy{full}, out...)
	}
	if o.SCPsDisabled {
		for _, p := range out {
			p.targets = nil
		}
	}
	return out
}

func (w *world) policy(id string) *orgPolicy {
	for _, p := range w.policies {
		if p.id == id {
			return p
		}
	}
	return nil
}

type policySummary struct {
	ID          string `json:"Id"`
	Arn         string `json:"Arn"`
	Name        string `json:"Name"`
	Description string `json:"Description,omitempty"`
	Type        string `json:"Type"`
	AwsManaged  bool   `json:"AwsManaged"`
}

func (p *orgPolicy) summary() policySummary {
	return policySummary{ID: p.id, Arn: p.arn, Name: p.name, Description: p.desc, Type: scpType, AwsManaged: p.awsManaged}
}

type filterInput struct {
	Filter string `json:"Filter"`
	pageInput
}

// policiesOfType checks a Filter and returns the SCPs when it names them,
// none for the other policy types.
func (w *world) policiesOfType(filter string) ([]*orgPolicy, error) {
	if !policyTypes[filter] {
		return nil, errf("InvalidInputException", http.StatusBadRequest, "%s", invalidPolicyTy)
	}
	if filter != scpType {
		return nil, nil
	}
	return w.policies, nil
}

func orgListPolicies(r *request) (any, error) {
	in, err := orgInput[filterInput](r, true)
	if err != nil {
		return nil, err
	}
	ps, err := r.srv.w.policiesOfType(in.Filter)
	if err != nil {
		return nil, err
	}
	return orgList(r, in.pageInput, "Policies", ps, (*orgPolicy).summary)
}

func orgDescribePolicy(r *request) (any, error) {
	in, err := orgInput[struct {
		PolicyID string `json:"PolicyId"`
	}](r, true)
	if err != nil {
		return nil, err
	}
	p := r.srv.w.policy(in.PolicyID)
	if p == nil {
		return nil, errf("PolicyNotFoundException", http.StatusBadRequest, policyNotFound)
	}
	return map[string]any{"Policy": map[string]any{"PolicySummary": p.summary(), "Content": p.content}}, nil
}

type policyTarget struct {
	TargetID string `json:"TargetId"`
	Arn      string `json:"Arn"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
}

// target describes a root, OU or account ID; ok is false for anything else.
func (w *world) target(id string) (policyTarget, bool) {
	if a := w.accounts[id]; a != nil {
		return policyTarget{TargetID: id, Arn: w.orgARN("account", id), Name: a.Name, Type: "ACCOUNT"}, true
	}
	u := w.tree.byID[id]
	switch {
	case u == nil:
		return policyTarget{}, false
	case u.id == w.tree.rootID:
		return policyTarget{TargetID: id, Arn: w.orgARN("root", id), Name: u.name, Type: "ROOT"}, true
	}
	return policyTarget{TargetID: id, Arn: w.orgARN("ou", id), Name: u.name, Type: "ORGANIZATIONAL_UNIT"}, true
}

func orgListTargetsForPolicy(r *request) (any, error) {
	in, err := orgInput[struct {
		PolicyID string `json:"PolicyId"`
		pageInput
	}](r, true)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	p := w.policy(in.PolicyID)
	if p == nil {
		return nil, errf("PolicyNotFoundException", http.StatusBadRequest, policyNotFound)
	}
	return orgList(r, in.pageInput, "Targets", p.targets, func(id string) policyTarget {
		t, _ := w.target(id)
		return t
	})
}

func orgListPoliciesForTarget(r *request) (any, error) {
	in, err := orgInput[struct {
		TargetID string `json:"TargetId"`
		filterInput
	}](r, true)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	if _, ok := w.target(in.TargetID); !ok {
		return nil, errf("TargetNotFoundException", http.StatusBadRequest, targetNotFound)
	}
	ps, err := w.policiesOfType(in.Filter)
	if err != nil {
		return nil, err
	}
	var attached []*orgPolicy
	for _, p := range ps {
		if slices.Contains(p.targets, in.TargetID) {
			attached = append(attached, p)
		}
	}
	return orgList(r, in.pageInput, "Policies", attached, (*orgPolicy).summary)
}

// rootPolicyTypes are the policy types enabled on the root.
func (w *world) rootPolicyTypes() []policyType {
	if w.org.SCPsDisabled {
		return []policyType{}
	}
	return []policyType{{Type: scpType, Status: "ENABLED"}}
}
