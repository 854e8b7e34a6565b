package breakglass

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/suggest"
)

// TaskPolicyPrefix starts the ARN of every sts:AssumeRoot task policy.
const TaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/"

// Task is one of the root tasks a member account's approved window may run
// through sts:AssumeRoot: a task policy and the exact calls rootguard makes
// under it.
type Task struct {
	// Name is the task's name on the command line (--task).
	Name string
	// Policy is the task policy's name, the last part of its ARN.
	Policy string
	// Title says what the task does.
	Title string
	// Param names the one parameter the task needs (a flag name, without
	// dashes), "" for none; ParamRE validates its value.
	Param   string
	ParamRE *regexp.Regexp
	// Calls are the calls the task makes under the root session, in order,
	// as service:Action. Reads come first; writes are audited before each.
	Calls []string
	// Writes are the calls among Calls that change the account.
	Writes []string
}

// PolicyARN is the task policy's ARN.
func (t Task) PolicyARN() string { return TaskPolicyPrefix + t.Policy }

var (
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// An SQS queue URL: https, or http to a loopback endpoint (an emulator).
	queueURLRE = regexp.MustCompile(`^(https://[A-Za-z0-9.-]+|http://(127\.0\.0\.1|localhost))(:[0-9]{1,5})?/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
)

// Task names.
const (
	TaskAuditRootCredentials  = "audit-root-credentials"
	TaskCreateRootPassword    = "create-root-password"
	TaskDeleteRootCredentials = "delete-root-credentials"
	TaskUnlockBucketPolicy    = "unlock-bucket-policy"
	TaskUnlockQueuePolicy     = "unlock-queue-policy"
)

// Tasks is the registry of root tasks, one per AssumeRoot task policy.
var Tasks = []Task{
	{
		Name: TaskAuditRootCredentials, Policy: "IAMAuditRootUserCredentials",
		Title: "list the member account's root credentials (password, access keys, signing certificates, MFA devices)",
		Calls: []string{"iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:ListSigningCertificates", "iam:ListMFADevices"},
	},
	{
		Name: TaskCreateRootPassword, Policy: "IAMCreateRootUserPassword",
		Title: "allow the member account's root user to recover its password (create a login profile without a password)",
		Calls: []string{"iam:GetLoginProfile", "iam:CreateLoginProfile"}, Writes: []string{"iam:CreateLoginProfile"},
	},
	{
		Name: TaskDeleteRootCredentials, Policy: "IAMDeleteRootUserCredentials",
		Title: "delete the member account's root password, access keys and signing certificates and deactivate its MFA devices",
		Calls: []string{
			"iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:ListSigningCertificates", "iam:ListMFADevices",
			"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeactivateMFADevice",
		},
		Writes: []string{"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeactivateMFADevice"},
	},
	{
		Name: TaskUnlockBucketPolicy, Policy: "S3UnlockBucketPolicy",
		Title: "delete an S3 bucket policy that denies all principals",
		Param: "bucket", ParamRE: bucketRE,
		Calls: []string{"s3:DeleteBucketPolicy"}, Writes: []string{"s3:DeleteBucketPolicy"},
	},
	{
		Name: TaskUnlockQueuePolicy, Policy: "SQSUnlockQueuePolicy",
		Title: "remove an SQS queue policy that denies all principals",
		Param: "queue-url", ParamRE: queueURLRE,
		Calls: []string{"sqs:SetQueueAttributes"}, Writes: []string{"sqs:SetQueueAttributes"},
	},
}

// TaskNames lists the registry's task names.
func TaskNames() []string {
	names := make([]string, len(Tasks))
	for i, t := range Tasks {
		names[i] = t.Name
	}
	return names
}

// LookupTask returns the task named name, or an error naming the known
// tasks (and the nearest one).
func LookupTask(name string) (Task, error) {
	i := slices.IndexFunc(Tasks, func(t Task) bool { return t.Name == name })
	if i < 0 {
		return Task{}, fmt.Errorf("unknown task %s%s (known: %s)", quote(name),
			suggest.DidYouMean(name, TaskNames()), strings.Join(TaskNames(), ", "))
	}
	return Tasks[i], nil
}

// CheckParam validates the task's parameter value: present and well formed
// when the task needs one, absent otherwise.
func (t Task) CheckParam(value string) error {
	switch {
	case t.Param == "" && value != "":
		return fmt.Errorf("task %s takes no parameter, got %s", t.Name, quote(value))
	case t.Param == "":
		return nil
	case value == "":
		return fmt.Errorf("task %s needs --%s", t.Name, t.Param)
	case !t.ParamRE.MatchString(value):
		return fmt.Errorf("task %s: --%s %s is not valid", t.Name, t.Param, quote(value))
	}
	return nil
}
