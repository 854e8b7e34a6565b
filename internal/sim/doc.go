// Package sim is rootguard's own AWS endpoint: an HTTP server that speaks
// the real AWS wire protocols and answers from a Scenario describing an
// organization, so that real aws-sdk-go-v2 clients can be pointed at it over
// loopback with config.WithBaseEndpoint.
//
// One listener serves every service. A request is routed by the service
// named in its SigV4 credential scope (Credential=AKID/date/region/SERVICE/
// aws4_request) and decoded in that service's protocol:
//
//   - iam, sts, sns and ses: awsQuery (a form body with Action, XML
//     answers);
//   - organizations, cloudtrail, logs, events, route53domains, workmail and
//     kms: awsJson1_1 (X-Amz-Target, JSON answers);
//   - account: restJson1 (POST /getContactInformation and the like);
//   - guardduty: restJson1 with HTTP bindings (GET /detector/{DetectorId});
//   - ses under /v2/ (SES v2): restJson1 with HTTP bindings
//     (POST /v2/email/outbound-emails); SendEmail delivers nothing and
//     keeps each message (Server.SentEmails);
//   - route53: restXml (GET /2013-04-01/hostedzone);
//   - s3: restXml as S3 speaks it (path-style or *.localhost virtual-hosted
//     buckets; ListBuckets and the bucket policy);
//   - sqs: awsJson1_0 (X-Amz-Target AmazonSQS.*) with the
//     x-amzn-query-error header of its query-compatible errors;
//   - monitoring (CloudWatch): Smithy RPC v2 CBOR, which the SDK's client
//     sends (POST /service/GraniteServiceVersion20100801/operation/Op).
//
// Regional resources (trails, metric filters, alarms, topics, rules,
// detectors) are answered for the region of the credential scope, for the
// account the session acts in; an organization trail of the management
// account shows in every member as a shadow trail.
//
// The access key ID names the session. The scenario's caller has fixed
// credentials (Server.Credentials), and each of its further callers its own
// (Server.IdentityCredentials); sts:AssumeRoot and sts:AssumeRole (into
// the organization's access role, OrganizationAccountAccessRole unless the
// scenario names another) hand out temporary credentials bound to a member
// account, and an AssumeRoot session may call only the actions of its task
// policy, on the member's root user. S3 buckets and SQS queues carry
// resource policies the server enforces (a Deny applies to every caller);
// a root session with S3UnlockBucketPolicy or SQSUnlockQueuePolicy passes
// them, which is how a policy that denies everyone is removed. KMS keys
// carry key policies that decide who may describe them and read the
// policy (kms:DescribeKey, kms:GetKeyPolicy), with aliases. SQS queues
// also carry messages (SendMessage, ReceiveMessage with long polling and a
// visibility timeout, DeleteMessage, ChangeMessageVisibility, redrive to a
// dead-letter queue after max_receive_count receives): runtime state, not
// saved, served by a read-only endpoint too.
//
// Calls are authorised as AWS authorises them, with rootguard's policy
// engine (package policy): a member account's role and AssumeRoot sessions
// pass through the service control policies at every level above the
// account (aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths,
// aws:RequestedRegion and, in root sessions, aws:AssumedRoot in the
// request context; the management account is never restricted), so a
// root-deny SCP without the aws:AssumedRoot exemption really denies
// centralized root sessions. Options.CallerPolicy and Options.RolePolicy
// give the caller and the member role an identity policy that every call
// must pass. A denial is AWS's AccessDenied, saying which kind of policy
// decided. Because the engine also judges the SCP checks, the decisions are
// pinned to the AWS documentation's SCP examples (scp_docs_test.go).
//
// Operations live in a table (one file per service, writes in a
// *_write.go file beside it) that marks writes; writes are refused with
// AccessDenied unless Options.Writable, so a read-only endpoint proves that
// a command made no change. The writes are those rootguard's apply makes:
// Organizations SCPs (create, update, attach, detach, enable the policy
// type) and trusted access; IAM centralized root access and, in an
// AssumeRoot session with IAMDeleteRootUserCredentials, the deletion of a
// member root user's password, access keys, signing certificates and MFA
// devices; Account alternate contacts; EventBridge rules and targets; SNS
// topics, subscriptions and topic attributes; S3 bucket policies and SQS
// queue attributes. Every call is recorded
// (Server.Calls). Scenario faults inject AWS errors, throttling that
// recovers after N calls, and latency, on reads and writes alike.
//
// A writable server works on its own copy of the scenario and changes it
// in place; Server.Scenario returns the current world as a scenario (dates
// fixed, writes included) that SaveScenario writes and LoadScenario reads
// back, so a demo organization keeps what apply did between commands
// (StateFile: the demo's state file, its default place, reset and save).
// Saved scenarios carry their format's version (schema:
// rootguard.scenario/v1); scenario input is bounded (package yamlx).
//
// Signatures are not verified: the server trusts the credential scope.
package sim
