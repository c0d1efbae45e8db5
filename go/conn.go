package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"errors"
)

// Conn is one connection leased from a pool with Acquire (or opened with
// Connect). Use it from one goroutine at a time and Release it when done;
// a connection left in a transaction is rolled back by the core.
type Conn struct {
	c       *C.lakebase_conn
	hooks   *hooks   // of a direct connection's config, nil without
	sockets *sockets // netpoller registrations: its pool's, or its own
	// Its registration is its own and ends with it: a direct connection,
	// or one of a pool set's (whose pools the core makes: no close
	// callback of ours reaches them).
	ownsSockets bool
}

var errReleased = errors.New("lakebase: the connection was released")

// Connect opens one direct connection (no pool) with cfg's credentials and
// the core's connect rules. Release closes it. opts add a DSN, token
// source or logger.
func Connect(ctx context.Context, cfg Config, opts ...Option) (*Conn, error) {
	// The C config is made inside the call, so an abandoned call owns
	// everything it allocates.
	return blockingCall(ctx, func() (*Conn, error) {
		ccfg, hk, err := newCConfig(cfg, opts)
		if err != nil {
			return nil, err
		}
		defer C.lakebase_config_free(ccfg)
		var c *C.lakebase_conn
		var cerr *C.lakebase_error
		if rc := C.lakebase_connect(&c, ccfg, &cerr); rc != 0 {
			hk.release(nil)
			return nil, hk.explain(takeError(rc, cerr))
		}
		return &Conn{c: c, hooks: hk, sockets: newSockets(), ownsSockets: true}, nil
	}, (*Conn).Release)
}

// Release returns the connection to its pool (or closes a direct one).
// Safe to call more than once.
func (cn *Conn) Release() {
	if cn.c == nil {
		return
	}
	if cn.ownsSockets {
		cn.sockets.close()
	}
	cn.hooks.release(func() { C.lakebase_conn_release(cn.c) })
	cn.c = nil
}

// Cancel asks the server to cancel the statement running on this
// connection; that statement then fails with ErrCanceled. Call it from
// another goroutine while the statement runs, never concurrently with
// Release. Contexts do this for you (see Query).
func (cn *Conn) Cancel() error {
	c := cn.c
	if c == nil {
		return errReleased
	}
	var cerr *C.lakebase_error
	return check(C.lakebase_conn_cancel(c, &cerr), cerr)
}

// run executes one statement without parking an OS thread (see step).
// While it runs, ctx being done sends a cancel request to the server; the
// statement then fails with ErrCanceled (wrapping the context's error).
func (cn *Conn) run(ctx context.Context, sql string, args []any) (*C.lakebase_result, error) {
	if cn.c == nil {
		return nil, errReleased
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	params, err := newCParams(args)
	if err != nil {
		return nil, err
	}
	defer params.free()
	csql := cString(sql)
	defer freeCString(csql)
	return cn.step(ctx, csql, params)
}

// Query runs sql on this connection; see Pool.Query.
func (cn *Conn) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	return queryOn(ctx, cn, sql, args)
}

// QueryRow runs a query expected to return at most one row.
func (cn *Conn) QueryRow(ctx context.Context, sql string, args ...any) *Row {
	return queryRowOn(ctx, cn, sql, args)
}

// Exec runs a statement and returns its command tag.
func (cn *Conn) Exec(ctx context.Context, sql string, args ...any) (CommandTag, error) {
	return execOn(ctx, cn, sql, args)
}

// Begin starts a transaction on this connection.
func (cn *Conn) Begin(ctx context.Context) (*Tx, error) {
	if _, err := cn.Exec(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	return &Tx{conn: cn}, nil
}
