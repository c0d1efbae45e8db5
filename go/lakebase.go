// Package lakebase is the Go binding of liblakebase, the connector for
// Databricks Lakebase Postgres: a connection pool whose connections log in
// with short-lived database credentials that the C core mints, caches and
// refreshes, plus direct access to those credentials.
//
// The package is a thin cgo layer over the public C API (lakebase.h): it
// converts types and errors and adds no policy of its own — retries,
// caches, timers and defaults all live in the core and are configured with
// the core's string keys (see Config).
//
// Every blocking call takes a context.Context. A running statement is
// cancelled on the server when its context is done; other blocking calls
// (acquire, connect, mint) return ctx.Err() as soon as the context is done
// and clean up after the call in the background, since the C API cannot
// interrupt them (they stay bounded by the core's own timeouts).
package lakebase

/*
#include <stdlib.h>
#include <string.h>
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"unsafe"
)

// Version is the version of the C library in use ("MAJOR.MINOR.PATCH").
func Version() string { return C.GoString(C.lakebase_version()) }

// HeaderVersionNumber is the LAKEBASE_VERSION_NUMBER this package was
// compiled against; compare with LibraryVersionNumber to detect a shared
// library older or newer than the header.
const HeaderVersionNumber = int(C.LAKEBASE_VERSION_NUMBER)

// LibraryVersionNumber is the LAKEBASE_VERSION_NUMBER of the loaded library.
func LibraryVersionNumber() int { return int(C.lakebase_version_number()) }

// cString copies s to C memory; free it with freeCString.
func cString(s string) *C.char { return C.CString(s) }

func freeCString(p *C.char) { C.free(unsafe.Pointer(p)) }

// cStringOrNil is cString, or NULL for "" (an optional C argument).
func cStringOrNil(s string) *C.char {
	if s == "" {
		return nil
	}
	return cString(s)
}

// freeSecretCString zeroes a C copy of a possibly secret value before it is
// freed, so it does not linger in freed heap memory.
func freeSecretCString(p *C.char) {
	if p != nil {
		C.memset(unsafe.Pointer(p), 0, C.strlen(p))
		C.free(unsafe.Pointer(p))
	}
}

// blockingCall runs a C call that cannot be interrupted. When ctx can be
// cancelled the call runs on its own goroutine so the caller can return
// ctx.Err() early; `abandon` then receives the late result to release it.
// With a context that is never done the call runs inline (no goroutine).
func blockingCall[T any](ctx context.Context, call func() (T, error),
	abandon func(T)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if ctx.Done() == nil {
		return call()
	}
	type outcome struct {
		v   T
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		v, err := call()
		done <- outcome{v, err}
	}()
	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		go func() {
			if o := <-done; o.err == nil {
				abandon(o.v)
			}
		}()
		return zero, ctx.Err()
	}
}
