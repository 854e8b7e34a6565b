package inventory

// IAM are the facts read from an account's IAM with the account's own
// credentials (the caller's, or a role session). UnassignedVirtualMFA and
// Principals were added to schema v3: a snapshot written before lacks
// them, so they read as not collected.
type IAM struct {
	// UnassignedVirtualMFA are the serial numbers (ARNs) of the account's
	// virtual MFA devices assigned to nobody (iam:ListVirtualMFADevices,
	// AssignmentStatus Unassigned).
	UnassignedVirtualMFA Fact[[]string] `json:"unassigned_virtual_mfa,omitzero"`
	// Principals are the account's IAM users, groups and roles with their
	// identity policies (iam:GetAccountAuthorizationDetails), read only in
	// the accounts that may call sts:AssumeRoot: the management account and
	// the delegated administrators of centralized root access.
	Principals Fact[[]Principal] `json:"principals,omitzero"`
	// ForwardRole is the role EventBridge assumes to forward root API
	// calls made in another Region to the central bus (iam:GetRole, then
	// iam:GetRolePolicy for its inline policy), read by its name in the
	// accounts with collected Regions other than SignInRegion. A snapshot
	// written before it was read lacks it: not collected.
	ForwardRole Fact[NamedRole] `json:"forward_role,omitzero"`
}

// The forwarding role rootguard reads by name, and its inline policy.
const (
	ForwardRoleName       = "rootguard-root-activity-forward"
	ForwardRolePolicyName = "put-events-central-bus"
)

// NamedRole is an IAM role read by its name: Role is nil when no role has
// that name (NoSuchEntity). Its Policies hold the one inline policy read,
// when the role has it.
type NamedRole struct {
	Name string     `json:"name"`
	Role *Principal `json:"role,omitempty"`
}

// Principal kinds.
const (
	PrincipalUser  = "user"
	PrincipalGroup = "group"
	PrincipalRole  = "role"
)

// Principal is an IAM user, group or role with the identity policies in
// force for it: inline and attached managed (the default version).
type Principal struct {
	Kind string `json:"kind"`
	ARN  string `json:"arn"`
	// Policies are the principal's own policies; a user's groups' policies
	// stay on the groups (Groups names them).
	Policies []NamedPolicy `json:"policies"`
	// Groups are a user's groups, by name.
	Groups []string `json:"groups,omitempty"`
	// Trust is a role's trust policy (AssumeRolePolicyDocument).
	Trust string `json:"trust,omitempty"`
}

// NamedPolicy is one identity policy: an inline policy by its name, a
// managed one by its ARN.
type NamedPolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// Name is the principal's name, the last element of its ARN.
func (p Principal) Name() string {
	for i := len(p.ARN) - 1; i >= 0; i-- {
		if p.ARN[i] == '/' {
			return p.ARN[i+1:]
		}
	}
	return p.ARN
}
