package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Connector is a database/sql driver.Connector: every new connection of the
// sql.DB is a direct connection (Connect) that logs in with the current
// credential of the core's shared provider for cfg. database/sql owns the
// pooling, so set db.SetConnMaxLifetime (45*time.Minute matches the core's
// pool.max_lifetime_seconds default of 2700 s); a connection keeps working
// after its credential expires, the credential only matters at login.
//
//	db := sql.OpenDB(lakebase.NewConnector(cfg))
//	db.SetConnMaxLifetime(45 * time.Minute)
type Connector struct {
	mu    sync.RWMutex
	cfg   *C.lakebase_config // validated at first use by lakebase_connect
	hooks *hooks             // cfg's callbacks, nil without
	err   error
}

// NewConnector returns a connector for cfg; opts add a DSN, token source
// or logger. Invalid keys are reported by the first connection (and by
// db.PingContext). A token source or logger stays in use until Close and
// every connection opened by the connector are closed.
func NewConnector(cfg Config, opts ...Option) *Connector {
	ccfg, hk, err := newCConfig(cfg, opts)
	cn := &Connector{cfg: ccfg, hooks: hk, err: err}
	runtime.SetFinalizer(cn, (*Connector).Close) // safety net
	return cn
}

// Connect opens one direct connection (driver.Connector).
func (cn *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if cn.err != nil {
		return nil, cn.err
	}
	c, err := blockingCall(ctx, func() (*Conn, error) {
		cn.mu.RLock()
		defer cn.mu.RUnlock()
		if cn.cfg == nil {
			return nil, &Error{Code: CodeClosed, Message: "the connector is closed"}
		}
		cn.hooks.retain()
		var c *C.lakebase_conn
		var cerr *C.lakebase_error
		if rc := C.lakebase_connect(&c, cn.cfg, &cerr); rc != 0 {
			cn.hooks.release(nil)
			return nil, cn.hooks.explain(takeError(rc, cerr))
		}
		return &Conn{c: c, hooks: cn.hooks, sockets: newSockets(), ownsSockets: true}, nil
	}, (*Conn).Release)
	if err != nil {
		return nil, err
	}
	return &sqlConn{conn: c}, nil
}

// Driver returns the driver (driver.Connector).
func (cn *Connector) Driver() driver.Driver { return sqlDriver{} }

// Close frees the connector's configuration; sql.DB.Close calls it.
func (cn *Connector) Close() error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.cfg != nil {
		cn.hooks.release(func() { C.lakebase_config_free(cn.cfg) })
		cn.cfg = nil
		runtime.SetFinalizer(cn, nil)
	}
	return nil
}

// sqlDriver exists for driver.Connector.Driver; connections come from a
// Connector, never from a DSN through sql.Open.
type sqlDriver struct{}

func (sqlDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("lakebase: use sql.OpenDB(lakebase.NewConnector(cfg))")
}

// sqlConn adapts a direct Conn to database/sql.
type sqlConn struct {
	conn   *Conn
	inTx   bool
	broken bool // the core reported the connection broken
}

var (
	_ driver.Conn               = (*sqlConn)(nil)
	_ driver.QueryerContext     = (*sqlConn)(nil)
	_ driver.ExecerContext      = (*sqlConn)(nil)
	_ driver.ConnBeginTx        = (*sqlConn)(nil)
	_ driver.Pinger             = (*sqlConn)(nil)
	_ driver.Validator          = (*sqlConn)(nil)
	_ driver.SessionResetter    = (*sqlConn)(nil)
	_ driver.NamedValueChecker  = (*sqlConn)(nil)
	_ driver.ConnPrepareContext = (*sqlConn)(nil)
)

// CheckNamedValue accepts every argument textArg can convert.
func (c *sqlConn) CheckNamedValue(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return errors.New("lakebase: named arguments are not supported; use $1, $2, ...")
	}
	_, _, err := textArg(nv.Value)
	return err
}

// noteBroken remembers a broken connection so database/sql drops it (see
// IsValid) instead of handing it out again.
func (c *sqlConn) noteBroken(err error) error {
	if errors.Is(err, ErrConnection) {
		c.broken = true
	}
	return err
}

func values(named []driver.NamedValue) []any {
	args := make([]any, len(named))
	for i, nv := range named {
		args[i] = nv.Value
	}
	return args
}

func (c *sqlConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.conn.Query(ctx, query, values(args)...)
	if err != nil {
		return nil, c.noteBroken(err)
	}
	return &sqlRows{rows: rows}, nil
}

func (c *sqlConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	tag, err := c.conn.Exec(ctx, query, values(args)...)
	if err != nil {
		return nil, c.noteBroken(err)
	}
	return driver.RowsAffected(max(tag.RowsAffected(), 0)), nil
}

func (c *sqlConn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return &sqlStmt{conn: c, query: query}, nil
}

func (c *sqlConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *sqlConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	begin := "BEGIN"
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadUncommitted:
		begin += " ISOLATION LEVEL READ UNCOMMITTED"
	case sql.LevelReadCommitted:
		begin += " ISOLATION LEVEL READ COMMITTED"
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		begin += " ISOLATION LEVEL REPEATABLE READ"
	case sql.LevelSerializable:
		begin += " ISOLATION LEVEL SERIALIZABLE"
	default:
		return nil, fmt.Errorf("lakebase: isolation level %v is not supported", sql.IsolationLevel(opts.Isolation))
	}
	if opts.ReadOnly {
		begin += " READ ONLY"
	}
	if _, err := c.conn.Exec(ctx, begin); err != nil {
		return nil, err
	}
	c.inTx = true
	return &sqlTx{c: c}, nil
}

func (c *sqlConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// Ping runs an empty statement.
func (c *sqlConn) Ping(ctx context.Context) error {
	_, err := c.conn.Exec(ctx, "")
	return c.noteBroken(err)
}

// IsValid is false once the core reported the connection broken.
func (c *sqlConn) IsValid() bool { return !c.broken && c.conn.c != nil }

// ResetSession refuses a connection left inside a transaction.
func (c *sqlConn) ResetSession(context.Context) error {
	if c.inTx {
		return driver.ErrBadConn
	}
	return nil
}

func (c *sqlConn) Close() error {
	c.conn.Release()
	return nil
}

type sqlTx struct{ c *sqlConn }

func (t *sqlTx) Commit() error {
	t.c.inTx = false
	tag, err := t.c.conn.Exec(context.Background(), "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		return ErrTxCommitRollback
	}
	return err
}

func (t *sqlTx) Rollback() error {
	t.c.inTx = false
	_, err := t.c.conn.Exec(context.Background(), "ROLLBACK")
	return err
}

// sqlStmt is a statement "prepared" client-side: it runs as an unnamed
// parameterised query each time.
type sqlStmt struct {
	conn  *sqlConn
	query string
}

func (s *sqlStmt) Close() error  { return nil }
func (s *sqlStmt) NumInput() int { return -1 }

func (s *sqlStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

func (s *sqlStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

func (s *sqlStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.ExecContext(ctx, s.query, args)
}

func (s *sqlStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.QueryContext(ctx, s.query, args)
}

func (s *sqlStmt) CheckNamedValue(nv *driver.NamedValue) error { return s.conn.CheckNamedValue(nv) }

func namedValues(args []driver.Value) []driver.NamedValue {
	named := make([]driver.NamedValue, len(args))
	for i, v := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return named
}

// sqlRows adapts Rows to driver.Rows.
type sqlRows struct {
	rows *Rows
	cols []string
}

func (r *sqlRows) Columns() []string {
	if r.cols == nil {
		r.cols = r.rows.Columns()
	}
	return r.cols
}

func (r *sqlRows) Close() error {
	r.rows.Close()
	return nil
}

func (r *sqlRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		return io.EOF
	}
	for i := range dest {
		v, err := r.rows.value(i)
		if err != nil {
			return err
		}
		dest[i] = v
	}
	return nil
}
