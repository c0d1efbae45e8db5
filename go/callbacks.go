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
	"runtime/cgo"
	"sync/atomic"
	"unsafe"
)

// hooks are the Go callbacks of one C config; the core gets their
// cgo.Handle as userdata. They live while any C object made from the config
// may call them: one reference for the config itself (newCConfig), passed on
// to the Pool, Credentials or Connection made from it, plus one per
// connection a Connector opens. The core never calls a handle's logger,
// span listener or token source once that handle is freed, so the handle is deleted when the
// last C object using it has been freed.
type hooks struct {
	handle cgo.Handle
	source TokenSource
	logger *slog.Logger
	spans  func(Span)
	ctx    context.Context // of source calls
	cancel context.CancelFunc
	refs   atomic.Int32
	cause  atomic.Pointer[error] // the source's last failure, nil after a success
}

// liveHooks counts the callback sets some C object may still call (the
// tests check that none outlives its handles).
var liveHooks atomic.Int64

// newHooks registers the callbacks of o with one reference, or returns nil
// when o has none.
func newHooks(o options) *hooks {
	if o.source == nil && o.logger == nil && o.spans == nil {
		return nil
	}
	h := &hooks{source: o.source, logger: o.logger, spans: o.spans}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.refs.Store(1)
	h.handle = cgo.NewHandle(h)
	liveHooks.Add(1)
	return h
}

func hooksOf(userdata unsafe.Pointer) *hooks {
	return cgo.Handle(uintptr(userdata)).Value().(*hooks)
}

// retain adds a reference for one more C object using the callbacks.
func (h *hooks) retain() {
	if h != nil {
		h.refs.Add(1)
	}
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
	last := h.refs.Add(-1) == 0
	if last {
		h.cancel()
	}
	if free != nil {
		free()
	}
	if last {
		h.handle.Delete()
		liveHooks.Add(-1)
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
	h := hooksOf(userdata)
	if h.source == nil {
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
	h := hooksOf(userdata)
	if h.logger == nil {
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
