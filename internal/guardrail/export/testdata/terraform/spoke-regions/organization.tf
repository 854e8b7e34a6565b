# Organization o-acme0demo1.
# Apply from the management account.
#
# Prerequisites owned by the organization itself (aws_organizations_organization
# is usually managed by another configuration: add them there rather than
# declaring a second organization resource here):
#   feature_set                   = "ALL"
#   enabled_policy_types          = ["SERVICE_CONTROL_POLICY"]  # plus the ones you have
#   aws_service_access_principals = ["iam.amazonaws.com"]  # plus the ones you have
# Without Terraform: aws organizations enable-aws-service-access --service-principal iam.amazonaws.com
#
# Member root credential removal has no Terraform form (it runs inside
# sts:AssumeRoot sessions): use `rootguard plan` and `rootguard apply`.
# This snapshot has 6 member root credential(s) to remove.
#
# Gaps rootguard could not close from this config and snapshot:
#   - alerting (111111111111): alerting.subscription is not configured: the topic would have no subscriber; set its protocol and endpoint
#   - alternate-contacts: 1 account(s) have no SECURITY alternate contact and alternate_contacts.security is not configured: nothing to set (101010101010)
#   - member-root-credentials (999999999999): root credentials not known: sts:AssumeRoot failed: AccessDenied: User: arn:aws:sts::111111111111:assumed-role/Admin/rootguard-demo is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::999999999999:root with an explicit deny in a service control policy

# Centralized root access for member accounts. Needs trusted access for IAM (above).
resource "aws_iam_organizations_features" "this" {
  enabled_features = ["RootCredentialsManagement", "RootSessions"]
}

# Fixes: scp-deny-root-actions
resource "aws_organizations_policy" "deny_root_actions" {
  name        = "rootguard-deny-root-actions"
  description = "rootguard: deny all actions to member root users signed in with their own credentials; centralized root sessions (aws:AssumedRoot) stay allowed"
  type        = "SERVICE_CONTROL_POLICY"
  content     = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "RootGuardDenyRootUser",
          "Effect": "Deny",
          "Action": "*",
          "Resource": "*",
          "Condition": {
            "ArnLike": {
              "aws:PrincipalArn": "arn:aws:iam::*:root"
            },
            "Null": {
              "aws:AssumedRoot": "true"
            }
          }
        }
      ]
    }
  EOT
}

# root r-acme (Root)
resource "aws_organizations_policy_attachment" "deny_root_actions_r_acme" {
  policy_id = aws_organizations_policy.deny_root_actions.id
  target_id = "r-acme"
}

# Fixes: scp-deny-root-access-keys
resource "aws_organizations_policy" "deny_root_access_keys" {
  name        = "rootguard-deny-root-access-keys"
  description = "rootguard: deny iam:CreateAccessKey to member root users"
  type        = "SERVICE_CONTROL_POLICY"
  content     = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "RootGuardDenyRootAccessKeys",
          "Effect": "Deny",
          "Action": "iam:CreateAccessKey",
          "Resource": "*",
          "Condition": {
            "ArnLike": {
              "aws:PrincipalArn": "arn:aws:iam::*:root"
            }
          }
        }
      ]
    }
  EOT
}

# root r-acme (Root)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_r_acme" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "r-acme"
}

resource "aws_organizations_policy" "protect_account_contacts" {
  name        = "rootguard-protect-account-contacts"
  description = "rootguard: deny changes to account contacts and the primary email outside the admin roles"
  type        = "SERVICE_CONTROL_POLICY"
  content     = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "RootGuardProtectAccountContacts",
          "Effect": "Deny",
          "Action": [
            "account:PutContactInformation",
            "account:PutAlternateContact",
            "account:DeleteAlternateContact",
            "account:StartPrimaryEmailUpdate",
            "account:AcceptPrimaryEmailUpdate"
          ],
          "Resource": "*",
          "Condition": {
            "ArnNotLike": {
              "aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"
            }
          }
        }
      ]
    }
  EOT
}

# root r-acme (Root)
resource "aws_organizations_policy_attachment" "protect_account_contacts_r_acme" {
  policy_id = aws_organizations_policy.protect_account_contacts.id
  target_id = "r-acme"
}
