// Package awsclient builds the aws.Config every rootguard command uses and
// opens sessions in member accounts.
//
// Load applies the standard credential chain (environment, shared profiles,
// SSO, instance and container roles), an optional endpoint override and
// adaptive retries that slow down when AWS throttles. AssumeRoot opens a
// task-scoped root session in a member account (sts:AssumeRoot, centralized
// root access) and AssumeRole an ordinary role session. ErrorCode sorts the
// errors AWS answers into the few families the rest of rootguard branches on.
package awsclient
