# The default provider acts in the account itself, with the credentials and
# Region of the environment.
provider "aws" {}

# Root console sign-in events are delivered to EventBridge in us-east-1 only,
# so the root-activity rule and its topic live there.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  # The alerting stack lives in account 222222222222.
  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
  }
}
