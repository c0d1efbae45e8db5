package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// completion is a one-shot meeting point between a C callback, which may
// run on any thread (one of the library's, or the thread of another
// goroutine's release), and the goroutine waiting for it. Its cgo.Handle is
// the callback's userdata. Completions are reused through a free list, so a
// wait costs no new handle.
type completion struct {
	ch     chan completed
	handle cgo.Handle
}

// completed is what a callback reports: a leased connection or a
// credential, or an error (each owned by the receiver).
type completed struct {
	conn *C.lakebase_conn
	cred *C.lakebase_credential
	err  *C.lakebase_error
}

var freeCompletions = make(chan *completion, 256)

func getCompletion() *completion {
	select {
	case c := <-freeCompletions:
		return c
	default:
		c := &completion{ch: make(chan completed, 1)}
		c.handle = cgo.NewHandle(c)
		return c
	}
}

// put returns a completion whose callback has run (or never will).
func (c *completion) put() {
	select {
	case freeCompletions <- c:
	default:
		c.handle.Delete()
	}
}

func (c *completion) userdata() C.uintptr_t { return C.uintptr_t(c.handle) }

func completionOf(userdata unsafe.Pointer) *completion {
	return cgo.Handle(uintptr(userdata)).Value().(*completion)
}

//export lbGoLeased
func lbGoLeased(userdata unsafe.Pointer, conn *C.lakebase_conn, cerr *C.lakebase_error) {
	completionOf(userdata).ch <- completed{conn: conn, err: cerr}
}

//export lbGoOpened
func lbGoOpened(userdata unsafe.Pointer, cerr *C.lakebase_error) {
	completionOf(userdata).ch <- completed{err: cerr}
}

//export lbGoCredential
func lbGoCredential(userdata unsafe.Pointer, cred *C.lakebase_credential,
	cerr *C.lakebase_error) {
	completionOf(userdata).ch <- completed{cred: cred, err: cerr}
}
