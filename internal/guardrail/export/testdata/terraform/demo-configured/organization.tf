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
# This snapshot has 5 member root credential(s) to remove.
# Missing alternate contacts (1) are set by `rootguard apply` too.
#
# Gaps rootguard could not close from this config and snapshot:
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

# ou ou-acme-3a089462 (Suspended)
resource "aws_organizations_policy_attachment" "deny_root_actions_ou_acme_3a089462" {
  policy_id = aws_organizations_policy.deny_root_actions.id
  target_id = "ou-acme-3a089462"
}

# ou ou-acme-97ec133b (Security)
resource "aws_organizations_policy_attachment" "deny_root_actions_ou_acme_97ec133b" {
  policy_id = aws_organizations_policy.deny_root_actions.id
  target_id = "ou-acme-97ec133b"
}

# ou ou-acme-a1163f3d (Workloads)
resource "aws_organizations_policy_attachment" "deny_root_actions_ou_acme_a1163f3d" {
  policy_id = aws_organizations_policy.deny_root_actions.id
  target_id = "ou-acme-a1163f3d"
}

# account 333333333333 (network)
resource "aws_organizations_policy_attachment" "deny_root_actions_account_333333333333" {
  policy_id = aws_organizations_policy.deny_root_actions.id
  target_id = "333333333333"
}

# account 555555555555 (build-ci)
resource "aws_organizations_policy_attachment" "deny_root_actions_account_555555555555" {
  policy_id = aws_organizations_policy.deny_root_actions.id
  target_id = "555555555555"
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

# ou ou-acme-3a089462 (Suspended)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_ou_acme_3a089462" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "ou-acme-3a089462"
}

# ou ou-acme-97ec133b (Security)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_ou_acme_97ec133b" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "ou-acme-97ec133b"
}

# ou ou-acme-a1163f3d (Workloads)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_ou_acme_a1163f3d" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "ou-acme-a1163f3d"
}

# ou ou-acme-ad48b2a4 (Sandbox)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_ou_acme_ad48b2a4" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "ou-acme-ad48b2a4"
}

# account 333333333333 (network)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_account_333333333333" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "333333333333"
}

# account 555555555555 (build-ci)
resource "aws_organizations_policy_attachment" "deny_root_access_keys_account_555555555555" {
  policy_id = aws_organizations_policy.deny_root_access_keys.id
  target_id = "555555555555"
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
              "aws:PrincipalArn": [
                "arn:aws:iam::*:role/OrganizationAccountAccessRole",
                "arn:aws:iam::*:role/platform-admin"
              ]
            }
          }
        }
      ]
    }
  EOT
}

# ou ou-acme-d49fee6d (Dev)
resource "aws_organizations_policy_attachment" "protect_account_contacts_ou_acme_d49fee6d" {
  policy_id = aws_organizations_policy.protect_account_contacts.id
  target_id = "ou-acme-d49fee6d"
}

# account 777777777777 (prod-web)
resource "aws_organizations_policy_attachment" "protect_account_contacts_account_777777777777" {
  policy_id = aws_organizations_policy.protect_account_contacts.id
  target_id = "777777777777"
}

# account 888888888888 (data-lake)
resource "aws_organizations_policy_attachment" "protect_account_contacts_account_888888888888" {
  policy_id = aws_organizations_policy.protect_account_contacts.id
  target_id = "888888888888"
}

# account 999999999999 (partner-integration)
resource "aws_organizations_policy_attachment" "protect_account_contacts_account_999999999999" {
  policy_id = aws_organizations_policy.protect_account_contacts.id
  target_id = "999999999999"
}
