# The default provider acts in the management account (111111111111), with the
# credentials and Region of the environment. AWS Organizations and IAM are global.
provider "aws" {}

# Root console sign-in events are delivered to EventBridge in us-east-1 only,
# so the root-activity rule and its topic live there.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
