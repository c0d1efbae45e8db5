package lakebase

import (
	"context"
	"errors"
)

// ErrTxDone is returned by a Tx used after Commit or Rollback.
var ErrTxDone = errors.New("lakebase: the transaction is already committed or rolled back")

// ErrTxCommitRollback is returned by Commit when the server rolled the
// transaction back instead (an earlier statement in it failed).
var ErrTxCommitRollback = errors.New("lakebase: commit ended in a rollback")

// Tx is a transaction on one connection. Use it from one goroutine at a
// time and end it with Commit or Rollback; a Tx from Pool.Begin then
// returns its connection to the pool.
type Tx struct {
	conn    *Conn
	release bool // the Tx owns its leased connection
	done    bool
}

// Query runs sql inside the transaction.
func (tx *Tx) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	if tx.done {
		return nil, ErrTxDone
	}
	return tx.conn.Query(ctx, sql, args...)
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(ctx context.Context, sql string, args ...any) *Row {
	if tx.done {
		return &Row{err: ErrTxDone}
	}
	return tx.conn.QueryRow(ctx, sql, args...)
}

// Exec runs a statement inside the transaction.
func (tx *Tx) Exec(ctx context.Context, sql string, args ...any) (CommandTag, error) {
	if tx.done {
		return CommandTag{}, ErrTxDone
	}
	return tx.conn.Exec(ctx, sql, args...)
}

// Commit commits the transaction.
func (tx *Tx) Commit(ctx context.Context) error {
	tag, err := tx.end(ctx, "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		return ErrTxCommitRollback
	}
	return err
}

// Rollback rolls the transaction back. After Commit it returns ErrTxDone,
// so `defer tx.Rollback(ctx)` is safe.
func (tx *Tx) Rollback(ctx context.Context) error {
	_, err := tx.end(ctx, "ROLLBACK")
	return err
}

func (tx *Tx) end(ctx context.Context, sql string) (CommandTag, error) {
	if tx.done {
		return CommandTag{}, ErrTxDone
	}
	tx.done = true
	tag, err := tx.conn.Exec(ctx, sql)
	if tx.release {
		// On failure the core rolls back or discards the connection.
		tx.conn.Release()
	}
	return tag, err
}
