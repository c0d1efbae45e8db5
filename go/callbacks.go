package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"unsafe"
)

// hooks are the Go callbacks of one C config; the core gets hooks.id as
// their userdata. They live while any C object made from the config may
// call them: one reference for the config itself (newCConfig), passed on
// to the Pool, Credentials or Connection made from it, plus one per
// connection a Connector opens.
//
// The ids live in our own table rather than in runtime/cgo.Handle because
// a stale id must be harmless: the core shares one credential provider
// between configs with the same key, and that key does not include the
// logger, so a provider may log through the userdata of a config whose
// handles are all closed. cgo.Handle.Value panics on a deleted handle (on a
// core thread, that is the whole process); here the event is dropped.
// Ids are never reused.
type hooks struct {
	id     uintptr
	source TokenSource
	logger *slog.Logger
	ctx    context.Context // of source calls
	cancel context.CancelFunc
	refs   int                   // guarded by hookTable.mu
	cause  atomic.Pointer[error] // the source's last failure, nil after a success
}

var hookTable struct {
	mu   sync.RWMutex
	last uintptr
	live map[uintptr]*hooks
}

// newHooks registers the callbacks of o with one reference, or returns nil
// when o has none.
func newHooks(o options) *hooks {
	if o.source == nil && o.logger == nil {
		return nil
	}
	h := &hooks{source: o.source, logger: o.logger, refs: 1}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	hookTable.mu.Lock()
	defer hookTable.mu.Unlock()
	if hookTable.live == nil {
		hookTable.live = make(map[uintptr]*hooks)
	}
	hookTable.last++
	h.id = hookTable.last
	hookTable.live[h.id] = h
	return h
}

func lookupHooks(userdata unsafe.Pointer) *hooks {
	hookTable.mu.RLock()
	defer hookTable.mu.RUnlock()
	return hookTable.live[uintptr(userdata)]
}

// retain adds a reference for one more C object using the callbacks.
func (h *hooks) retain() {
	if h == nil {
		return
	}
	hookTable.mu.Lock()
	h.refs++
	hookTable.mu.Unlock()
}

// release runs free (which frees a C object made with the callbacks; may be
// nil) and drops that object's reference. Before freeing the last one it
// cancels the source's context, since the core's free waits for a mint in
// flight, which may be waiting for the source.
func (h *hooks) release(free func()) {
	if h == nil {
		if free != nil {
			free()
		}
		return
	}
	hookTable.mu.Lock()
	h.refs--
	last := h.refs == 0
	hookTable.mu.Unlock()
	if last {
		h.cancel()
	}
	if free != nil {
		free()
	}
	if last {
		hookTable.mu.Lock()
		delete(hookTable.live, h.id)
		hookTable.mu.Unlock()
	}
}

// explain makes an ErrCallback error from the core wrap the token source's
// error behind it.
func (h *hooks) explain(err error) error {
	var e *Error
	if h == nil || !errors.As(err, &e) || e.Code != CodeCallback || e.cause != nil {
		return err
	}
	if cause := h.cause.Load(); cause != nil {
		e.cause = *cause
	}
	return err
}

//export lbGoTokenSource
func lbGoTokenSource(userdata unsafe.Pointer, buf *C.char, capacity C.size_t,
	expiresAtUnixMs *C.int64_t) C.int {
	h := lookupHooks(userdata)
	if h == nil || h.source == nil {
		return -1
	}
	token, expiry, err := h.source(h.ctx)
	if err == nil && len(token) >= int(capacity) {
		err = fmt.Errorf("the token source returned a token of %d bytes; "+
			"the core accepts at most %d", len(token), int(capacity)-1)
	}
	if err != nil {
		h.cause.Store(&err)
		return -1
	}
	h.cause.Store(nil)
	// The core zeroes buf after use; the Go string is the caller's own.
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	dst[copy(dst, token)] = 0
	if !expiry.IsZero() {
		*expiresAtUnixMs = C.int64_t(expiry.UnixMilli())
	}
	return 0
}

//export lbGoLog
func lbGoLog(userdata unsafe.Pointer, level C.int, message *C.char) {
	h := lookupHooks(userdata)
	if h == nil || h.logger == nil {
		return
	}
	lv := slogLevel(level)
	ctx := context.Background()
	if h.logger.Enabled(ctx, lv) {
		h.logger.Log(ctx, lv, C.GoString(message))
	}
}

func slogLevel(level C.int) slog.Level {
	switch level {
	case C.LAKEBASE_LOG_ERROR:
		return slog.LevelError
	case C.LAKEBASE_LOG_WARN:
		return slog.LevelWarn
	case C.LAKEBASE_LOG_INFO:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}
