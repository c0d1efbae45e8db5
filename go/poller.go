package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"errors"
	"os"
	"runtime/cgo"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// sockets registers the connections' sockets with the Go runtime's
// netpoller, as pgx's connections are: a goroutine waiting for a result
// parks there and holds no OS thread (a cgo call that blocked would hold
// one, and hand its P off and back on every query). Each physical
// connection gets one duplicate of its descriptor, registered once and
// kept under the core's connection id until the core says the connection
// closes (the pool's close callback).
type sockets struct {
	mu     sync.Mutex
	files  map[uint64]*os.File
	handle cgo.Handle // the close callback's userdata
}

func newSockets() *sockets {
	s := &sockets{files: make(map[uint64]*os.File)}
	s.handle = cgo.NewHandle(s)
	return s
}

// file is the netpoller registration of c's socket (fd as the core gave
// it), made on first use.
func (s *sockets) file(c *C.lakebase_conn, fd C.int) (*os.File, error) {
	id := uint64(C.lakebase_conn_id(c))
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[id]; f != nil {
		return f, nil
	}
	// A duplicate the runtime owns: the core keeps and closes its own.
	// The socket is non-blocking (libpq's always are), so os.NewFile
	// registers it with the netpoller.
	dup, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd),
		syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return nil, &Error{Code: CodeConnection,
			Message: "could not register the connection's socket: " + errno.Error()}
	}
	f := os.NewFile(dup, "lakebase-connection")
	s.files[id] = f
	return f, nil
}

// forget drops the registration of connection id (it is closing).
func (s *sockets) forget(id uint64) {
	s.mu.Lock()
	f := s.files[id]
	delete(s.files, id)
	s.mu.Unlock()
	if f != nil {
		f.Close()
	}
}

// close drops every registration (the pool is freed).
func (s *sockets) close() {
	s.mu.Lock()
	files := s.files
	s.files = map[uint64]*os.File{}
	s.mu.Unlock()
	for _, f := range files {
		f.Close()
	}
	s.handle.Delete()
}

//export lbGoConnClosed
func lbGoConnClosed(userdata unsafe.Pointer, id C.uint64_t) {
	cgo.Handle(uintptr(userdata)).Value().(*sockets).forget(uint64(id))
}

// past is a deadline that has passed: setting it wakes a waiting read.
var past = time.Unix(1, 0)

// ctxWatch wakes the waits on f when ctx is done, with no goroutine of its
// own until then (context.AfterFunc).
type ctxWatch struct {
	stop  func() bool
	fired chan struct{}
}

func watchContext(ctx context.Context, f *os.File) *ctxWatch {
	if ctx.Done() == nil {
		return nil
	}
	w := &ctxWatch{fired: make(chan struct{})}
	w.stop = context.AfterFunc(ctx, func() {
		f.SetDeadline(past)
		close(w.fired)
	})
	return w
}

// end stops the watch; if it fired, waits for it and clears the deadline
// it set, so the next statement on the connection starts clean.
func (w *ctxWatch) end(f *os.File) {
	if w == nil || w.stop() {
		return
	}
	<-w.fired
	f.SetDeadline(time.Time{})
}

// step runs one statement on a leased connection without parking an OS
// thread: it sends it, then waits on the netpoller and advances until the
// result is in. When ctx is done meanwhile it asks the server to cancel
// the statement (the core sends the request from its own thread) and waits
// for the outcome, which is then ErrCanceled.
func (cn *Conn) step(ctx context.Context, csql *C.char, params cParams) (
	*C.lakebase_result, error) {
	var fd, events C.int
	var res *C.lakebase_result
	var cerr *C.lakebase_error
	rc := C.lakebase_conn_send(cn.c, csql, params.n, params.values, &fd, &events, &res, &cerr)
	if rc != 1 {
		return res, check(rc, cerr)
	}
	f, err := cn.sockets.file(cn.c, fd)
	if err != nil {
		C.lakebase_conn_cancel(cn.c, nil)
		return nil, err
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	watch := watchContext(ctx, f)
	defer watch.end(f)
	advance := func(uintptr) bool {
		rc = C.lakebase_conn_advance(cn.c, &fd, &events, &res, &cerr)
		return rc != 1
	}
	canceled := false
	for rc == 1 {
		var waitErr error
		if events&C.LAKEBASE_WATCH_WRITE != 0 {
			waitErr = raw.Write(advance)
		} else {
			waitErr = raw.Read(advance)
		}
		if waitErr == nil {
			continue
		}
		if !errors.Is(waitErr, os.ErrDeadlineExceeded) || canceled {
			if errors.Is(waitErr, os.ErrDeadlineExceeded) {
				f.SetDeadline(time.Time{}) // the cancel is on its way
				continue
			}
			C.lakebase_conn_cancel(cn.c, nil)
			return nil, &Error{Code: CodeConnection,
				Message: "waiting for the server failed: " + waitErr.Error()}
		}
		// ctx is done: the server is asked to end the statement; its
		// outcome still comes on this connection.
		canceled = true
		C.lakebase_conn_cancel(cn.c, nil)
		f.SetDeadline(time.Time{})
	}
	if rc != 0 {
		return nil, withContext(ctx, takeError(rc, cerr))
	}
	return res, nil
}
