package awsclient

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"
)

// Error families returned by ErrorCode. Codes AWS answers outside these
// families are returned as AWS spelled them.
const (
	CodeAccessDenied       = "AccessDenied"     // AccessDenied, AccessDeniedException, UnauthorizedOperation, …
	CodeThrottling         = "Throttling"       // Throttling, TooManyRequestsException, LimitExceeded, …
	CodeNoSuchEntity       = "NoSuchEntity"     // IAM: the user, login profile or key does not exist
	CodeResourceNotFound   = "ResourceNotFound" // Account API: the contact is not set
	CodeOptInRequired      = "OptInRequired"    // the service or Region is not enabled for the account
	CodeNotInOrganization  = "AWSOrganizationsNotInUse"
	CodeRetryQuotaExceeded = "RetryQuotaExceeded" // the client gave up retrying
	CodeCanceled           = "Canceled"           // the context was canceled or timed out
	CodeClient             = "ClientError"        // no API answer: network, signing, no credentials
)

// ErrorCode classifies err by the AWS API error code it wraps. It returns ""
// for a nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return classify(apiErr.ErrorCode())
	}
	var quota ratelimit.QuotaExceededError
	switch {
	case errors.As(err, &quota):
		return CodeRetryQuotaExceeded
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return CodeCanceled
	}
	return CodeClient
}

// ErrorMessage is the human part of err: the API's message when AWS
// answered, otherwise the error text.
func ErrorMessage(err error) string {
	if m := APIMessage(err); m != "" || err == nil {
		return m
	}
	return err.Error()
}

// APIMessage is the message AWS answered err with, "" when no API answered
// (or it gave no message).
func APIMessage(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage()
	}
	return ""
}

// IsAccessDenied reports whether AWS refused the call for lack of permission.
func IsAccessDenied(err error) bool { return ErrorCode(err) == CodeAccessDenied }

// IsThrottling reports whether AWS (still) throttled the call.
func IsThrottling(err error) bool { return ErrorCode(err) == CodeThrottling }

// IsNotFound reports whether the thing asked for does not exist: an IAM
// NoSuchEntity or a ResourceNotFound.
func IsNotFound(err error) bool {
	c := ErrorCode(err)
	return c == CodeNoSuchEntity || c == CodeResourceNotFound
}

var throttlingCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottledException": true, "TooManyRequestsException": true,
	"RequestLimitExceeded": true, "LimitExceeded": true, "LimitExceededException": true,
	"RequestThrottled": true, "SlowDown": true, "PriorRequestNotComplete": true,
	"ProvisionedThroughputExceededException": true, "BandwidthLimitExceeded": true,
}

var accessDeniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"UnauthorizedException": true, "AuthorizationError": true, "NotAuthorized": true,
	"Forbidden": true,
	// Organizations: the caller is neither the management account nor a
	// delegated administrator.
	"AccountNotManagementOrDelegatedAdministratorException": true,
}

func classify(code string) string {
	switch {
	case throttlingCodes[code]:
		return CodeThrottling
	case accessDeniedCodes[code], strings.HasPrefix(code, "AccessDenied"):
		return CodeAccessDenied
	case code == "NoSuchEntity", code == "NoSuchEntityException":
		return CodeNoSuchEntity
	case code == "ResourceNotFoundException", code == "ResourceNotFound":
		return CodeResourceNotFound
	case code == "OptInRequired", code == "SubscriptionRequiredException":
		return CodeOptInRequired
	case code == "AWSOrganizationsNotInUseException":
		return CodeNotInOrganization
	}
	return code
}
