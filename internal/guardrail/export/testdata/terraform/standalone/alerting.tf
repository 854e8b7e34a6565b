# Root-activity alerting in account 222222222222, us-east-1: root API calls and root console
# sign-ins go to an SNS topic that only this rule may publish to.
# Fixes: root-activity-alerting
# It covers the root activity of 222222222222.
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

# The subscriber must confirm the email AWS sends before alerts arrive.
resource "aws_sns_topic_subscription" "root_activity" {
  provider  = aws.us_east_1
  topic_arn = aws_sns_topic.root_activity.arn
  protocol  = "email"
  endpoint  = "security-alerts@acme.example"
}
