package graph

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to a status in one table.
const (
	ENOTFOUND    = "not_found"
	EINVALID     = "invalid"
	EUNAVAILABLE = "unavailable"
	ECONFLICT    = "conflict"     // what a write was based on changed underneath it
	EAUTH        = "unauthorized" // a write without the token it needs
	EFORBIDDEN   = "forbidden"    // a write this server or origin may not make
	EINTERNAL    = "internal"
)

// Error is an application error with a code and a message meant for users.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, when a caller must be able to tell it (errors.Is); nil otherwise
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause, so errors.Is(err, context.Canceled) sees through.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
