package guardrail

import (
	"context"
	"errors"
)

// CallError is the error of a call an Executor made, classified by the
// adapter that made it: Code is the API error code (or its family, such as
// AccessDenied or Throttling) and Message the API's own message, empty when
// no API answered. Err is the error itself; CallError adds nothing to its
// text.
type CallError struct {
	Code    string
	Message string
	Err     error
}

func (e *CallError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is and errors.As see the error itself.
func (e *CallError) Unwrap() error { return e.Err }

// Codes of a failed change whose error is not a *CallError.
const (
	CodeCanceled = "Canceled"    // the context was canceled or timed out
	CodeClient   = "ClientError" // no API answered: the call was never made or not answered
)

// errorCode is the code of a change's failure: its *CallError's code,
// CodeCanceled when the context ended, CodeClient otherwise.
func errorCode(err error) string {
	var ce *CallError
	switch {
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return CodeCanceled
	}
	return CodeClient
}

// errorMessage is the human part of err: the API's message when one
// answered, otherwise the error's text.
func errorMessage(err error) string {
	var ce *CallError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce) && ce.Message != "":
		return ce.Message
	}
	return err.Error()
}
