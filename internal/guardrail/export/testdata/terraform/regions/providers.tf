# The default provider acts in the management account (111111111111), with the
# credentials and Region of the environment. AWS Organizations and IAM are global.
provider "aws" {}

# Root console sign-in events are delivered to EventBridge in us-east-1 only,
# so the root-activity rule and its topic live there.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

# Root API calls reach EventBridge only in the Region of the call: each other
# collected Region of account 111111111111 forwards them to the us-east-1 bus.
provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1"
}
