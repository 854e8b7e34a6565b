package sim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Organizations writes: service control policies (create, update, attach,
// detach), enabling the SCP policy type on the root, and trusted access for
// a service. Only the management account may make them.

const (
	maxSCPsPerTarget = 5    // SCPs directly attached to one root, OU or account
	maxPolicies      = 1000 // SCPs in an organization
)

var (
	policyIDArg   = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	targetIDArg   = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	principalName = regexp.MustCompile(`^[\w+=,.@-]+\.amazonaws\.com(\.cn)?$`)
)

// orgWriteCheck admits the management account only.
func orgWriteCheck(r *request) error {
	if err := orgCheck(r, false); err != nil {
		return err
	}
	if r.sess.account != r.srv.w.mgmt {
		return errf("AccessDeniedException", http.StatusForbidden, "You don't have permissions to access this resource.")
	}
	return nil
}

func invalidInput(reason, format string, a ...any) *apiError {
	e := errf("InvalidInputException", http.StatusBadRequest, format, a...)
	e.Fields = map[string]string{"Reason": reason}
	return e
}

func constraint(reason, format string, a ...any) *apiError {
	e := errf("ConstraintViolationException", http.StatusBadRequest, format, a...)
	e.Fields = map[string]string{"Reason": reason}
	return e
}

// checkSCPContent validates a policy document the way Organizations does:
// at most 5,120 characters, JSON, a policy object with statements.
func checkSCPContent(content string) error {
	if content == "" {
		return invalidInput("INPUT_REQUIRED", "You must specify a value for Content.")
	}
	if n := utf8.RuneCountInString(content); n > maxSCPSize {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "The policy content is %d characters; a service control policy may have at most %d.", n, maxSCPSize)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return errf("MalformedPolicyDocumentException", http.StatusBadRequest, "The provided policy document does not meet the requirements of the specified policy type: not a JSON object: %v", err)
	}
	if _, ok := doc["Statement"]; !ok {
		return errf("MalformedPolicyDocumentException", http.StatusBadRequest, "The provided policy document does not meet the requirements of the specified policy type: Statement is missing.")
	}
	return nil
}

func checkPolicyName(name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > 128 {
		return invalidInput("INVALID_INPUT", "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 128")
	}
	return nil
}

func checkPolicyDescription(d string) error {
	if utf8.RuneCountInString(d) > 512 {
		return invalidInput("INVALID_INPUT", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	return nil
}

// nameTaken reports whether another SCP already has the name.
func (w *world) nameTaken(name, except string) bool {
	for _, p := range w.policies {
		if p.name == name && p.id != except {
			return true
		}
	}
	return false
}

// newPolicyID derives a free policy ID from the name.
func (w *world) newPolicyID(name string) string {
	seed := "policy/" + name
	for {
		id := "p-" + strings.ToLower(token(seed, 8))
		if w.policy(id) == nil {
			return id
		}
		seed += "'"
	}
}

type policyOutput struct {
	PolicySummary policySummary `json:"PolicySummary"`
	Content       string        `json:"Content"`
}

func (p *orgPolicy) output() map[string]any {
	return map[string]any{"Policy": policyOutput{PolicySummary: p.summary(), Content: p.content}}
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func orgCreatePolicy(r *request) (any, error) {
	if err := orgWriteCheck(r); err != nil {
		return nil, err
	}
	var in struct {
		Content     string `json:"Content"`
		Description string `json:"Description"`
		Name        string `json:"Name"`
		Type        string `json:"Type"`
		Tags        []tag  `json:"Tags,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	switch {
	case !policyTypes[in.Type]:
		return nil, invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %q.", in.Type)
	case in.Type != scpType:
		return nil, invalidInput("INVALID_ENUM_POLICY_TYPE", "This endpoint serves service control policies only, not %s.", in.Type)
	}
	if err := checkPolicyName(in.Name); err != nil {
		return nil, err
	}
	if err := checkPolicyDescription(in.Description); err != nil {
		return nil, err
	}
	if err := checkSCPContent(in.Content); err != nil {
		return nil, err
	}
	if w.nameTaken(in.Name, "") {
		return nil, errf("DuplicatePolicyException", http.StatusBadRequest, "A policy with the same name already exists.")
	}
	if len(w.policies) >= maxPolicies {
		return nil, constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You have reached the maximum number of service control policies in the organization (%d).", maxPolicies)
	}
	id := w.newPolicyID(in.Name)
	p := &orgPolicy{
		id: id, name: in.Name, desc: in.Description, content: in.Content,
		arn: w.orgARN("policy", "service_control_policy/"+id),
	}
	w.policies = append(w.policies, p)
	return p.output(), nil
}

func orgUpdatePolicy(r *request) (any, error) {
	if err := orgWriteCheck(r); err != nil {
		return nil, err
	}
	var in struct {
		PolicyID    string  `json:"PolicyId"`
		Content     *string `json:"Content,omitempty"`
		Description *string `json:"Description,omitempty"`
		Name        *string `json:"Name,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	if !policyIDArg.MatchString(in.PolicyID) {
		return nil, invalidInput("INVALID_PATTERN", "You specified a value that doesn't match the required pattern for PolicyId: %q.", in.PolicyID)
	}
	p := w.policy(in.PolicyID)
	if p == nil {
		return nil, errf("PolicyNotFoundException", http.StatusBadRequest, policyNotFound)
	}
	if p.awsManaged {
		return nil, errf("AccessDeniedException", http.StatusForbidden, "You can't modify the AWS managed policy %s.", p.name)
	}
	if in.Name != nil {
		if err := checkPolicyName(*in.Name); err != nil {
			return nil, err
		}
		if w.nameTaken(*in.Name, p.id) {
			return nil, errf("DuplicatePolicyException", http.StatusBadRequest, "A policy with the same name already exists.")
		}
	}
	if in.Description != nil {
		if err := checkPolicyDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	if in.Content != nil {
		if err := checkSCPContent(*in.Content); err != nil {
			return nil, err
		}
	}
	if in.Name != nil {
		p.name = *in.Name
	}
	if in.Description != nil {
		p.desc = *in.Description
	}
	if in.Content != nil {
		p.content = *in.Content
	}
	return p.output(), nil
}

type attachInput struct {
	PolicyID string `json:"PolicyId"`
	TargetID string `json:"TargetId"`
}

// attachment reads and checks an AttachPolicy or DetachPolicy input.
func attachment(r *request) (*orgPolicy, string, error) {
	if err := orgWriteCheck(r); err != nil {
		return nil, "", err
	}
	var in attachInput
	if err := r.decode(&in); err != nil {
		return nil, "", err
	}
	w := r.srv.w
	if !policyIDArg.MatchString(in.PolicyID) {
		return nil, "", invalidInput("INVALID_PATTERN", "You specified a value that doesn't match the required pattern for PolicyId: %q.", in.PolicyID)
	}
	if !targetIDArg.MatchString(in.TargetID) {
		return nil, "", invalidInput("INVALID_PATTERN_TARGET_ID", "You specified a value that doesn't match the required pattern for TargetId: %q.", in.TargetID)
	}
	p := w.policy(in.PolicyID)
	if p == nil {
		return nil, "", errf("PolicyNotFoundException", http.StatusBadRequest, policyNotFound)
	}
	if _, ok := w.target(in.TargetID); !ok {
		return nil, "", errf("TargetNotFoundException", http.StatusBadRequest, targetNotFound)
	}
	if w.org.SCPsDisabled {
		return nil, "", errf("PolicyTypeNotEnabledException", http.StatusBadRequest, "This operation can be performed only for enabled policy types: SERVICE_CONTROL_POLICY is not enabled on the root.")
	}
	return p, in.TargetID, nil
}

// attachedTo counts the SCPs attached directly to a target.
func (w *world) attachedTo(target string) int {
	n := 0
	for _, p := range w.policies {
		if slices.Contains(p.targets, target) {
			n++
		}
	}
	return n
}

func orgAttachPolicy(r *request) (any, error) {
	p, target, err := attachment(r)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	if slices.Contains(p.targets, target) {
		return nil, errf("DuplicatePolicyAttachmentException", http.StatusBadRequest, "The selected policy is already attached to the specified target.")
	}
	if w.attachedTo(target) >= maxSCPsPerTarget {
		return nil, constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of service control policies (%d) that you can attach to %s.", maxSCPsPerTarget, target)
	}
	p.targets = append(p.targets, target)
	return struct{}{}, nil
}

func orgDetachPolicy(r *request) (any, error) {
	p, target, err := attachment(r)
	if err != nil {
		return nil, err
	}
	w := r.srv.w
	i := slices.Index(p.targets, target)
	if i < 0 {
		return nil, errf("PolicyNotAttachedException", http.StatusBadRequest, "The policy isn't attached to the specified target in the specified root.")
	}
	if w.attachedTo(target) <= 1 {
		return nil, constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach the last service control policy from %s; every root, OU and account must keep at least one.", target)
	}
	p.targets = slices.Delete(p.targets, i, i+1)
	return struct{}{}, nil
}

func orgEnablePolicyType(r *request) (any, error) {
	if err := orgWriteCheck(r); err != nil {
		return nil, err
	}
	var in struct {
		PolicyType string `json:"PolicyType"`
		RootID     string `json:"RootId"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	switch {
	case !policyTypes[in.PolicyType]:
		return nil, invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type: %q.", in.PolicyType)
	case !rootID.MatchString(in.RootID):
		return nil, invalidInput("INVALID_PATTERN", "You specified a value that doesn't match the required pattern for RootId: %q.", in.RootID)
	case in.RootID != w.tree.rootID:
		return nil, errf("RootNotFoundException", http.StatusBadRequest, "We can't find a root with the RootId that you specified.")
	case w.org.FeatureSet == "CONSOLIDATED_BILLING":
		return nil, errf("PolicyTypeNotAvailableForOrganizationException", http.StatusBadRequest, "You can't use the specified policy type with the feature set currently enabled for this organization.")
	case in.PolicyType != scpType:
		return nil, invalidInput("INVALID_ENUM_POLICY_TYPE", "This endpoint serves service control policies only, not %s.", in.PolicyType)
	case !w.org.SCPsDisabled:
		return nil, errf("PolicyTypeAlreadyEnabledException", http.StatusBadRequest, "The specified policy type is already enabled.")
	}
	// Enabling SCPs attaches FullAWSAccess to the root, every OU and every
	// account, as AWS does.
	w.org.SCPsDisabled = false
	full := w.policy(fullAccessID)
	if full == nil {
		full = &orgPolicy{id: fullAccessID, name: fullAccessName, desc: fullAccessDesc, arn: fullAccessARN, content: fullAccessBody, awsManaged: true}
		w.policies = append([]*orgPolicy{full}, w.policies...)
	}
	full.targets = nil
	for _, u := range w.tree.units {
		full.targets = append(full.targets, u.id)
	}
	for _, a := range w.order {
		full.targets = append(full.targets, a.ID)
	}
	return map[string]any{"Root": orgRoot{
		ID: w.tree.rootID, Arn: w.orgARN("root", w.tree.rootID), Name: "Root", PolicyTypes: w.rootPolicyTypes(),
	}}, nil
}

func orgEnableAWSServiceAccess(r *request) (any, error) {
	if err := orgWriteCheck(r); err != nil {
		return nil, err
	}
	var in struct {
		ServicePrincipal string `json:"ServicePrincipal"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w := r.srv.w
	if len(in.ServicePrincipal) > 128 || !principalName.MatchString(in.ServicePrincipal) {
		return nil, invalidInput("INVALID_SERVICE_PRINCIPAL", "You specified an invalid service principal: %q.", in.ServicePrincipal)
	}
	if w.org.FeatureSet == "CONSOLIDATED_BILLING" {
		return nil, errf("AccessDeniedException", http.StatusForbidden, "Trusted access requires an organization with all features enabled.")
	}
	if !slices.Contains(w.org.TrustedServices, in.ServicePrincipal) {
		w.org.TrustedServices = append(w.org.TrustedServices, in.ServicePrincipal)
	}
	return struct{}{}, nil
}
