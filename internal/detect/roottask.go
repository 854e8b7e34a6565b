package detect

import (
	"bytes"
	"strings"
)

// A rootTask is one of the tasks that AWS documents as requiring the root user's credentials
// (IAM User Guide, "Tasks that require root user credentials"), recognised by the CloudTrail
// event it leaves. Tasks that leave no event we can name (GovCloud sign-up, Reserved Instance
// Marketplace seller registration, KMS key recovery through Support, linking Mechanical Turk,
// restoring IAM user permissions) are not in the table.
type rootTask struct {
	source, name string
	task         string
	when         func(r *Record) bool // nil: always
}

// Task names, as they appear in Alert.RootTask.
const (
	taskCloseAccount      = "close the account"
	taskAccountSettings   = "change account settings (root email, password, name)"
	taskRootCredentials   = "manage the root user's own credentials"
	taskRootPassword      = "change or recover the root user password"
	taskBillingIAMAccess  = "activate IAM access to the Billing and Cost Management console"
	taskTaxInvoices       = "view tax invoices"
	taskS3MFADelete       = "configure MFA Delete on an S3 bucket"
	taskS3UnlockPolicy    = "edit or delete an S3 bucket policy that denies all principals"
	taskSQSUnlockPolicy   = "edit or delete an SQS queue policy that denies all principals"
	taskAuditRootCreds    = "audit member-account root user credentials"
	taskCreateRootPasswd  = "allow root password recovery in a member account"
	taskDeleteRootCreds   = "delete member-account root user credentials"
	sourceIAM             = "iam.amazonaws.com"
	sourceSignin          = "signin.amazonaws.com"
	sourceSTS             = "sts.amazonaws.com"
	sourceS3              = "s3.amazonaws.com"
	sourceSQS             = "sqs.amazonaws.com"
	sourceAccount         = "account.amazonaws.com"
	sourceBillingConsole  = "billingconsole.amazonaws.com"
	rootUserNameInRequest = "AWS ROOT USER"
)

var rootTasks = []rootTask{
	// Billing console events (AWS Billing user guide, "Billing CloudTrail events").
	{source: sourceBillingConsole, name: "CloseAccount", task: taskCloseAccount},
	{source: sourceBillingConsole, name: "SetAccountPreferences", task: taskAccountSettings},
	{source: sourceBillingConsole, name: "SetIAMAccessPreference", task: taskBillingIAMAccess},
	{source: sourceBillingConsole, name: "DownloadTaxInvoice", task: taskTaxInvoices},
	{source: sourceBillingConsole, name: "GetTaxInvoicesMetadata", task: taskTaxInvoices},
	// Sign-in events.
	{source: sourceSignin, name: "PasswordUpdated", task: taskRootPassword},
	{source: sourceSignin, name: "PasswordRecoveryRequested", task: taskRootPassword},
	{source: sourceSignin, name: "PasswordRecoveryCompleted", task: taskRootPassword},
	// The root user's own credentials: only root (or a centralized-root session) can manage them.
	{source: sourceIAM, name: "CreateAccessKey", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "UpdateAccessKey", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "DeleteAccessKey", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "CreateLoginProfile", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "UpdateLoginProfile", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "DeleteLoginProfile", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "EnableMFADevice", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "DeactivateMFADevice", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "ResyncMFADevice", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "DeleteVirtualMFADevice", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "UploadSigningCertificate", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "UpdateSigningCertificate", task: taskRootCredentials, when: forRootSelf},
	{source: sourceIAM, name: "DeleteSigningCertificate", task: taskRootCredentials, when: forRootSelf},
	// S3 and SQS.
	{source: sourceS3, name: "PutBucketVersioning", task: taskS3MFADelete, when: requestMentions("MfaDelete")},
	{source: sourceS3, name: "PutBucketPolicy", task: taskS3UnlockPolicy},
	{source: sourceS3, name: "DeleteBucketPolicy", task: taskS3UnlockPolicy},
	{source: sourceSQS, name: "SetQueueAttributes", task: taskSQSUnlockPolicy, when: requestMentions("Policy")},
	{source: sourceSQS, name: "RemovePermission", task: taskSQSUnlockPolicy},
}

// taskPolicies maps the sts:AssumeRoot task policies (arn:aws:iam::aws:policy/root-task/NAME)
// to the root task each one is for.
var taskPolicies = map[string]string{
	"IAMAuditRootUserCredentials":  taskAuditRootCreds,
	"IAMCreateRootUserPassword":    taskCreateRootPasswd,
	"IAMDeleteRootUserCredentials": taskDeleteRootCreds,
	"S3UnlockBucketPolicy":         taskS3UnlockPolicy,
	"SQSUnlockQueuePolicy":         taskSQSUnlockPolicy,
}

var rootTaskIndex = func() map[string][]rootTask {
	m := map[string][]rootTask{}
	for _, t := range rootTasks {
		k := t.source + " " + t.name
		m[k] = append(m[k], t)
	}
	return m
}()

// RootTask reports whether the record's action is one of the tasks that require root user
// credentials, and names it. It judges the action only, not who performed it.
func RootTask(r *Record) (task string, ok bool) {
	for _, t := range rootTaskIndex[r.EventSource+" "+r.EventName] {
		if t.when == nil || t.when(r) {
			return t.task, true
		}
	}
	return "", false
}

// forRootSelf is true when an IAM credential call acts on the caller itself or names the root
// user: no requestParameters.userName, or the "AWS ROOT USER" placeholder AWS logs for root MFA
// devices. With a userName it acts on an IAM user, which needs no root.
func forRootSelf(r *Record) bool {
	u := r.requestString("userName")
	return u == "" || u == rootUserNameInRequest
}

func requestMentions(word string) func(r *Record) bool {
	w := []byte(word)
	return func(r *Record) bool { return bytes.Contains(r.RequestParameters, w) }
}

// taskPolicyName returns NAME from arn:aws:iam::aws:policy/root-task/NAME (or the input when it
// has no slash).
func taskPolicyName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
