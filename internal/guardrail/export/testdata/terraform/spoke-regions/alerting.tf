# Root-activity alerting in account 111111111111, us-east-1: root API calls and root console
# sign-ins go to an SNS topic that only this rule may publish to.
# Fixes: root-activity-alerting
# It covers the root activity of 111111111111, 101010101010, 121212121212, 131313131313, 141414141414, 222222222222, 333333333333, 444444444444, 555555555555, 666666666666, 777777777777, 888888888888, 999999999999.
# The other accounts forward theirs to this account's default bus: deploy the rule "rootguard-root-activity-forward" with
# its IAM role in each of them from rootguard-forwarding.template.json (rootguard export
# cloudformation) as a service-managed StackSet on the organization's OUs, us-east-1.
# Their root API calls made in ap-southeast-2, eu-west-1 reach EventBridge there only: deploy
# rootguard-regional.template.json as a StackSet on the same OUs in those Regions; its
# rule forwards them to this account's us-east-1 bus through that role.
resource "aws_cloudwatch_event_rule" "root_activity" {
  provider      = aws.us_east_1
  name          = "rootguard-root-activity"
  description   = "rootguard: root API calls and root console sign-ins"
  event_pattern = <<-EOT
    {
      "detail": {
        "userIdentity": {
          "invokedBy": [
            {
              "exists": false
            }
          ],
          "type": [
            "Root"
          ]
        }
      },
      "detail-type": [
        "AWS API Call via CloudTrail",
        "AWS Console Sign In via CloudTrail"
      ]
    }
  EOT
  state         = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
}

resource "aws_cloudwatch_event_target" "root_activity" {
  provider  = aws.us_east_1
  rule      = aws_cloudwatch_event_rule.root_activity.name
  target_id = "rootguard-sns"
  arn       = aws_sns_topic.root_activity.arn
}

resource "aws_sns_topic" "root_activity" {
  provider = aws.us_east_1
  name     = "rootguard-root-activity"
}

# Only the rule may publish (aws:SourceArn).
resource "aws_sns_topic_policy" "root_activity" {
  provider = aws.us_east_1
  arn      = aws_sns_topic.root_activity.arn
  policy   = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "AllowRootActivityRule",
          "Effect": "Allow",
          "Principal": {
            "Service": "events.amazonaws.com"
          },
          "Action": "sns:Publish",
          "Resource": "${aws_sns_topic.root_activity.arn}",
          "Condition": {
            "ArnEquals": {
              "aws:SourceArn": "${aws_cloudwatch_event_rule.root_activity.arn}"
            }
          }
        }
      ]
    }
  EOT
}

# Every account of the organization may put events on the default bus; each forwarding
# rule names an IAM role, as an organization-wide grant requires.
resource "aws_cloudwatch_event_permission" "root_activity_forwarding" {
  provider       = aws.us_east_1
  event_bus_name = "default"
  statement_id   = "rootguard-organization-root-activity"
  action         = "events:PutEvents"
  principal      = "*"

  condition {
    key   = "aws:PrincipalOrgID"
    type  = "StringEquals"
    value = "o-acme0demo1"
  }
}

# No subscription is configured (alerting.subscription): the topic has no reader
# until you add an aws_sns_topic_subscription.
