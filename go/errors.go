package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"fmt"
)

// Code is a LAKEBASE_E* error code of the C library (negative, append-only).
type Code int

// The C library's error codes.
const (
	CodeInvalid    Code = C.LAKEBASE_EINVAL
	CodeNoMemory   Code = C.LAKEBASE_ENOMEM
	CodeConfig     Code = C.LAKEBASE_ECONFIG
	CodeAuth       Code = C.LAKEBASE_EAUTH
	CodePermission Code = C.LAKEBASE_EPERM
	CodeNotFound   Code = C.LAKEBASE_ENOTFOUND
	CodeAPI        Code = C.LAKEBASE_EAPI
	CodeNetwork    Code = C.LAKEBASE_ENETWORK
	CodeServer     Code = C.LAKEBASE_ESERVER
	CodeTimeout    Code = C.LAKEBASE_ETIMEOUT
	CodeProtocol   Code = C.LAKEBASE_EPROTOCOL
	CodeClosed     Code = C.LAKEBASE_ECLOSED
	CodeHandle     Code = C.LAKEBASE_EHANDLE
	CodeCallback   Code = C.LAKEBASE_ECALLBACK
	CodeRange      Code = C.LAKEBASE_ERANGE
	CodeInternal   Code = C.LAKEBASE_EINTERNAL
	CodeLogin      Code = C.LAKEBASE_ELOGIN
	CodeSQL        Code = C.LAKEBASE_ESQL
	CodeConnection Code = C.LAKEBASE_ECONNECTION
	CodeCanceled   Code = C.LAKEBASE_ECANCELED
)

// Sentinels for errors.Is: errors.Is(err, lakebase.ErrConfig) holds for every
// *Error with CodeConfig. Use errors.As to reach the details.
var (
	ErrInvalid    = &Error{Code: CodeInvalid}
	ErrNoMemory   = &Error{Code: CodeNoMemory}
	ErrConfig     = &Error{Code: CodeConfig}
	ErrAuth       = &Error{Code: CodeAuth}
	ErrPermission = &Error{Code: CodePermission}
	ErrNotFound   = &Error{Code: CodeNotFound}
	ErrAPI        = &Error{Code: CodeAPI}
	ErrNetwork    = &Error{Code: CodeNetwork}
	ErrServer     = &Error{Code: CodeServer}
	ErrTimeout    = &Error{Code: CodeTimeout}
	ErrProtocol   = &Error{Code: CodeProtocol}
	ErrClosed     = &Error{Code: CodeClosed}
	ErrHandle     = &Error{Code: CodeHandle}
	ErrCallback   = &Error{Code: CodeCallback}
	ErrRange      = &Error{Code: CodeRange}
	ErrInternal   = &Error{Code: CodeInternal}
	ErrLogin      = &Error{Code: CodeLogin}
	ErrSQL        = &Error{Code: CodeSQL}
	ErrConnection = &Error{Code: CodeConnection}
	ErrCanceled   = &Error{Code: CodeCanceled}
)

// String is the code's name as the core's table spells it ("ECONFIG"; the
// conformance scenarios use the same names), "" for 0, or "E<n>" for a code
// the library does not know.
func (c Code) String() string {
	if c == 0 {
		return ""
	}
	name := C.GoString(C.lakebase_error_name(C.int(c)))
	if name == "EUNKNOWN" {
		return fmt.Sprintf("E%d", int(c))
	}
	return name
}

// CodeNamed is the inverse of Code.String (false for an unknown name).
func CodeNamed(name string) (Code, bool) {
	cname := cString(name)
	defer freeCString(cname)
	var code C.int
	if C.lakebase_error_code_from_name(cname, &code) != 0 || code == 0 {
		return 0, false
	}
	return Code(code), true
}

// Error is a failure reported by the C library. Message never contains a
// token or secret.
type Error struct {
	Code       Code
	Message    string // one line naming the cause and, where known, the fix
	HTTPStatus int    // of the workspace API answer behind the error, or 0
	APICode    string // the API's error_code ("RESOURCE_DOES_NOT_EXIST"), or ""
	SQLState   string // the PostgreSQL SQLSTATE ("28P01"), or ""

	// cause is the context error when the failure is a cancellation the
	// caller asked for, so errors.Is(err, context.Canceled) also holds; or,
	// for ErrCallback, the error the TokenSource returned (also in Error()).
	cause error
}

func (e *Error) Error() string {
	desc := C.GoString(C.lakebase_strerror(C.int(e.Code)))
	switch {
	case e.Message == "":
		return "lakebase: " + desc
	case e.SQLState != "":
		return fmt.Sprintf("lakebase: %s (SQLSTATE %s)", e.Message, e.SQLState)
	case e.Code == CodeCallback && e.cause != nil:
		return fmt.Sprintf("lakebase: %s: %v", e.Message, e.cause)
	default:
		return "lakebase: " + e.Message
	}
}

// Is reports whether target is an *Error with the same Code, so the
// sentinels (ErrConfig, ErrLogin, ...) work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Unwrap gives the context error behind a cancellation, or nil.
func (e *Error) Unwrap() error { return e.cause }

// takeError converts a C error object (which it frees) into an *Error. rc is
// the function's return value; the object may be NULL when the caller
// passed none.
func takeError(rc C.int, cerr *C.lakebase_error) *Error {
	e := &Error{Code: Code(rc)}
	if cerr != nil {
		e.Code = Code(C.lakebase_error_code(cerr))
		e.Message = C.GoString(C.lakebase_error_message(cerr))
		e.HTTPStatus = int(C.lakebase_error_http_status(cerr))
		e.APICode = C.GoString(C.lakebase_error_api_code(cerr))
		e.SQLState = C.GoString(C.lakebase_error_sqlstate(cerr))
		C.lakebase_error_free(cerr)
	}
	return e
}

// errorCode is the code of a C error object (0 for none).
func errorCode(cerr *C.lakebase_error) C.int {
	if cerr == nil {
		return 0
	}
	return C.lakebase_error_code(cerr)
}

// check turns a C return code and error object into nil or an *Error.
func check(rc C.int, cerr *C.lakebase_error) error {
	if rc == 0 {
		return nil
	}
	return takeError(rc, cerr)
}

// withContext ties a cancellation reported by the library to the context
// that caused it.
func withContext(ctx context.Context, err error) error {
	if e, ok := err.(*Error); ok && e.Code == CodeCanceled && ctx.Err() != nil {
		e.cause = ctx.Err()
	}
	return err
}
