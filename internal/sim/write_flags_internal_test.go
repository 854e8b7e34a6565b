package sim

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writePrefixes name operations that change state in every AWS API.
var writePrefixes = []string{"Create", "Put", "Delete", "Update", "Attach", "Detach", "Enable", "Disable",
	"Deactivate", "Subscribe", "Unsubscribe", "Set", "Tag", "Untag", "Register", "Deregister", "Remove", "Add"}

// readsDespiteTheName are operations whose names start like a write but
// change nothing a check reads (IAM's access level for
// GenerateCredentialReport is Read; queries only read events).
// SQS messages are the endpoint's runtime state, not the estate, and a
// read-only endpoint serves a queue's consumers (sqs_messages.go).
var readsDespiteTheName = set("iam:GenerateCredentialReport", "athena:StartQueryExecution", "cloudtrail:StartQuery", "sqs:DeleteMessage")

// TestWriteFlags keeps the table honest: an operation is marked as a write
// exactly when its name says it changes state, so no write can slip past
// Options.Writable.
func TestWriteFlags(t *testing.T) {
	var writes []string
	for _, name := range slices.Sorted(maps.Keys(services)) {
		svc := services[name]
		for _, op := range slices.Sorted(maps.Keys(svc.ops)) {
			id := name + ":" + op
			looks := slices.ContainsFunc(writePrefixes, func(p string) bool { return strings.HasPrefix(op, p) })
			if svc.ops[op].write != looks && !readsDespiteTheName[id] {
				t.Errorf("%s: write = %v, but its name says %v", id, svc.ops[op].write, looks)
			}
			if svc.ops[op].write {
				writes = append(writes, id)
			}
		}
	}
	// The external test TestReadOnlyRefusesEveryWrite drives each of these.
	want := []string{
		"account:DeleteAlternateContact", "account:PutAlternateContact",
		"events:PutPermission", "events:PutRule", "events:PutTargets",
		"iam:CreateRole", "iam:DeactivateMFADevice", "iam:DeleteAccessKey", "iam:DeleteLoginProfile", "iam:DeleteSigningCertificate",
		"iam:EnableOrganizationsRootCredentialsManagement", "iam:EnableOrganizationsRootSessions", "iam:PutRolePolicy",
		"organizations:AttachPolicy", "organizations:CreatePolicy", "organizations:DetachPolicy",
		"organizations:EnableAWSServiceAccess", "organizations:EnablePolicyType", "organizations:UpdatePolicy",
		"s3:DeleteBucketPolicy", "s3:PutBucketPolicy",
		"sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe",
		"sqs:SetQueueAttributes",
	}
	if diff := cmp.Diff(want, writes); diff != "" {
		t.Errorf("write operations (-want +got)\n%s", diff)
	}
}
