package lakebase

/*
#include <lakebase.h>
*/
import "C"

import "context"

// statementRunner is what Pool and Conn share: one statement in, one C
// result out. Query, QueryRow and Exec are built on it once.
type statementRunner interface {
	run(ctx context.Context, sql string, args []any) (*C.lakebase_result, error)
}

func queryOn(ctx context.Context, r statementRunner, sql string, args []any) (*Rows, error) {
	res, err := r.run(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	return newRows(res), nil
}

func queryRowOn(ctx context.Context, r statementRunner, sql string, args []any) *Row {
	rows, err := queryOn(ctx, r, sql, args)
	return &Row{rows: rows, err: err}
}

func execOn(ctx context.Context, r statementRunner, sql string, args []any) (CommandTag, error) {
	res, err := r.run(ctx, sql, args)
	if err != nil {
		return CommandTag{}, err
	}
	result := newResult(res)
	defer result.free()
	return result.commandTag(), nil
}
