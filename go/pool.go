package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Pool is a pool of PostgreSQL connections, each logged in with the current
// credential of the shared provider when it is opened and recycled by the
// core (pool.max_lifetime_seconds, with jitter). Configured by the pool.*
// keys. Safe for concurrent use.
type Pool struct {
	mu      sync.RWMutex // held shared around C calls, exclusively to free
	closeMu sync.Mutex   // serialises Close
	c       *C.lakebase_pool
	hooks   *hooks    // the config's callbacks, nil without
	sockets *sockets  // the connections' netpoller registrations
	final   PoolStats // the counters when Close finished
}

// Open creates a pool from cfg and opens it, waiting until max(1,
// pool.min_size) connections are ready: a wrong credential, role or database
// fails here (ErrLogin with SQLState, a credential error, ErrTimeout)
// rather than on the first query. opts add a DSN, token source or logger.
func Open(ctx context.Context, cfg Config, opts ...Option) (*Pool, error) {
	p, err := NewPool(cfg, opts...)
	if err != nil {
		return nil, err
	}
	if err := p.Open(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// NewPool creates a pool from cfg without opening any connection: the
// first query (or Open, or Start) does. Errors: ErrConfig.
func NewPool(cfg Config, opts ...Option) (*Pool, error) {
	ccfg, hk, err := newCConfig(cfg, opts)
	if err != nil {
		return nil, err
	}
	var h *C.lakebase_pool
	var cerr *C.lakebase_error
	rc := C.lakebase_pool_new(&h, ccfg, &cerr)
	C.lakebase_config_free(ccfg)
	if rc != 0 {
		hk.release(nil)
		return nil, takeError(rc, cerr)
	}
	p := &Pool{c: h, hooks: hk, sockets: newSockets()}
	if rc := setCloseCallback(h, p.sockets); rc != 0 {
		C.lakebase_pool_free(h)
		p.sockets.close()
		hk.release(nil)
		return nil, takeError(rc, nil)
	}
	runtime.SetFinalizer(p, (*Pool).Close) // safety net: Close is the contract
	return p, nil
}

// Open starts warming pool.min_size connections and waits until max(1,
// pool.min_size) are ready, failing fast on a wrong credential, role or
// database. If ctx is done first it returns ctx.Err() and the warm-up goes
// on in the background. No goroutine or OS thread waits in C meanwhile.
func (p *Pool) Open(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h, err := p.handle()
	if err != nil {
		return err
	}
	c := getCompletion()
	rc, cerr := openAsync(h, c)
	p.mu.RUnlock()
	if rc != 0 {
		c.put()
		return p.hooks.explain(takeError(rc, cerr))
	}
	select {
	case r := <-c.ch:
		c.put()
		return p.hooks.explain(check(errorCode(r.err), r.err))
	case <-ctx.Done():
		// The open goes on; its outcome is dropped when it comes.
		go func() {
			r := <-c.ch
			c.put()
			C.lakebase_error_free(r.err)
		}()
		return ctx.Err()
	}
}

// Start starts warming pool.min_size connections in the background and
// returns at once.
func (p *Pool) Start() error { return p.hooks.explain(p.open(0)) }

func (p *Pool) open(wait C.int) error {
	h, err := p.handle()
	if err != nil {
		return err
	}
	defer p.mu.RUnlock()
	var cerr *C.lakebase_error
	return check(C.lakebase_pool_open(h, wait, &cerr), cerr)
}

// handle returns the C handle with the read lock held, or ErrClosed.
func (p *Pool) handle() (*C.lakebase_pool, error) {
	p.mu.RLock()
	if p.c == nil {
		p.mu.RUnlock()
		return nil, &Error{Code: CodeClosed, Message: "the pool is closed"}
	}
	return p.c, nil
}

// Acquire leases a connection, waiting up to pool.acquire_timeout_ms (or
// ctx's deadline, if sooner) while the pool is exhausted. Release it when
// done. While it waits, no goroutine or OS thread is parked in C: the core
// hands the connection over through a callback, and a ctx done first
// withdraws the request.
func (p *Pool) Acquire(ctx context.Context) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := int64(-1)
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(0, time.Until(deadline).Milliseconds())
	}
	h, err := p.handle()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	c := getCompletion()
	rc, now, ticket, cerr := acquireAsync(h, timeout, c)
	switch {
	case rc == 0:
		c.put()
		return &Conn{c: now, sockets: p.sockets}, nil
	case rc < 0:
		c.put()
		return nil, p.hooks.explain(takeError(rc, cerr))
	}
	conn, cerr, err := awaitLease(ctx, c, func() bool {
		return C.lakebase_pool_acquire_cancel(h, ticket) == 0
	})
	switch {
	case err != nil:
		return nil, err
	case cerr != nil:
		return nil, p.hooks.explain(takeError(errorCode(cerr), cerr))
	}
	return &Conn{c: conn, sockets: p.sockets}, nil
}

// awaitLease waits for the pending lease c receives; when ctx ends first
// it withdraws the request with withdraw (false: too late, and the
// connection on its way is released).
func awaitLease(ctx context.Context, c *completion, withdraw func() bool) (
	*C.lakebase_conn, *C.lakebase_error, error) {
	select {
	case r := <-c.ch:
		c.put()
		return r.conn, r.err, nil
	case <-ctx.Done():
		if !withdraw() {
			r := <-c.ch
			if r.conn != nil {
				C.lakebase_conn_release(r.conn)
			}
			C.lakebase_error_free(r.err)
		}
		c.put()
		return nil, nil, ctx.Err()
	}
}

// run executes one statement on a connection of its own, waiting for the
// server on the netpoller (no OS thread parked in C), cancellable by ctx.
func (p *Pool) run(ctx context.Context, sql string, args []any) (*C.lakebase_result, error) {
	cn, err := p.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer cn.Release()
	return cn.run(ctx, sql, args)
}

// Query runs sql with args ($1, $2, ...; see textArg for the conversions)
// and returns its rows. Errors: ErrSQL (with SQLState), ErrConnection,
// ErrTimeout, ErrCanceled (also matching the context's error), ErrClosed.
func (p *Pool) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	return queryOn(ctx, p, sql, args)
}

// QueryRow runs a query expected to return at most one row; errors are
// deferred to Row.Scan.
func (p *Pool) QueryRow(ctx context.Context, sql string, args ...any) *Row {
	return queryRowOn(ctx, p, sql, args)
}

// Exec runs a statement and returns its command tag.
func (p *Pool) Exec(ctx context.Context, sql string, args ...any) (CommandTag, error) {
	return execOn(ctx, p, sql, args)
}

// Begin leases a connection and starts a transaction on it; Commit or
// Rollback ends it and returns the connection.
func (p *Pool) Begin(ctx context.Context) (*Tx, error) {
	cn, err := p.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := cn.Begin(ctx)
	if err != nil {
		cn.Release()
		return nil, err
	}
	tx.release = true
	return tx, nil
}

// PoolStats are the pool's counters and its provider's.
type PoolStats struct {
	Total, Idle, InUse, Connecting, Waiting int
	ConnectsOK, ConnectsFailed              uint64
	Recycled                                uint64 // closed for age
	Discarded                               uint64 // closed broken or invalid
	Trimmed                                 uint64 // closed as surplus (idle timeout, max idle)
	Acquires, AcquireTimeouts               uint64
	// Acquire wait histogram: <10µs, <100µs, <1ms, <10ms, <100ms, <1s, ≥1s.
	WaitHistogram [7]uint64
	Credential    CredentialStats
}

// Stats returns the pool's counters. Never blocks on the network. After
// Close it returns the counters as they were when Close finished.
func (p *Pool) Stats() (PoolStats, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.c == nil {
		return p.final, nil
	}
	return poolStats(p.c)
}

func poolStats(h *C.lakebase_pool) (PoolStats, error) {
	st := C.lakebase_pool_stats{version: C.LAKEBASE_POOL_STATS_VERSION}
	cst := C.lakebase_credential_stats{version: C.LAKEBASE_CREDENTIAL_STATS_VERSION}
	var cerr *C.lakebase_error
	if rc := C.lakebase_pool_get_stats(h, &st, &cerr); rc != 0 {
		return PoolStats{}, takeError(rc, cerr)
	}
	if rc := C.lakebase_pool_credential_stats(h, &cst, &cerr); rc != 0 {
		return PoolStats{}, takeError(rc, cerr)
	}
	out := PoolStats{
		Total:           int(st.total),
		Idle:            int(st.idle),
		InUse:           int(st.in_use),
		Connecting:      int(st.connecting),
		Waiting:         int(st.waiting),
		ConnectsOK:      uint64(st.connects_ok),
		ConnectsFailed:  uint64(st.connects_failed),
		Recycled:        uint64(st.recycled),
		Discarded:       uint64(st.discarded),
		Trimmed:         uint64(st.trimmed),
		Acquires:        uint64(st.acquires),
		AcquireTimeouts: uint64(st.acquire_timeouts),
		Credential:      credentialStatsFromC(&cst),
	}
	for i := range out.WaitHistogram {
		out.WaitHistogram[i] = uint64(st.wait_histogram[i])
	}
	return out, nil
}

// Close closes the pool: later calls fail with ErrClosed, idle connections
// are closed, and it waits until every leased connection (Conn, Tx) has
// been released. Safe to call more than once.
func (p *Pool) Close() error { return p.close(0) }

// CloseNow is Close, except that statements running on leased connections
// are cancelled (they fail with ErrCanceled) instead of awaited.
func (p *Pool) CloseNow() error { return p.close(1) }

func (p *Pool) close(cancelInflight C.int) error {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	if p.c == nil {
		return nil
	}
	var cerr *C.lakebase_error
	err := check(C.lakebase_pool_close(p.c, cancelInflight, &cerr), cerr)
	final, _ := poolStats(p.c)
	p.mu.Lock()
	p.hooks.release(func() { C.lakebase_pool_free(p.c) })
	p.sockets.close() // after the free: no close callback comes any more
	p.c = nil
	p.final = final
	p.mu.Unlock()
	runtime.SetFinalizer(p, nil)
	return err
}
