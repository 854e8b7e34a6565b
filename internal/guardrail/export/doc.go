// Package export writes rootguard's desired guardrails (guardrail.State) as
// infrastructure code a team can review and own: a Terraform configuration
// for the hashicorp/aws provider (Terraform) and CloudFormation JSON templates
// (CloudFormation).
//
// Both cover what has a resource form: the service control policies and
// their attachments, the centralized root access features (Terraform only:
// CloudFormation has no resource type for them), and the root-activity
// alerting stack (EventBridge rule in us-east-1, SNS topic, topic policy,
// subscription). Trusted access for IAM and the SCP policy type belong to the
// organization resource, which is usually owned elsewhere: they are written
// as instructions, not as a second organization resource. Member root
// credential removal and missing alternate contacts have no IaC form and
// point at `rootguard plan` and `rootguard apply`; gaps are listed as
// comments (Terraform) or in Metadata (CloudFormation).
//
// Output is deterministic: the same State gives the same bytes, so the
// files can be committed and diffed. The Terraform is laid out as
// `terraform fmt` would; tests run `terraform fmt -check` and `terraform
// validate` when a terraform binary and an aws provider mirror are present,
// and otherwise check the files against golden copies and the documented
// resource schemas.
package export
