package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"time"
	"unsafe"
)

// ErrNoRows is returned by Row.Scan when the query returned no row. It is
// database/sql's, so code written for either API can test for one value.
var ErrNoRows = sql.ErrNoRows

// CommandTag describes what a statement did ("INSERT 0 3").
type CommandTag struct {
	tag  string
	rows int64
}

// String is the server's command tag.
func (t CommandTag) String() string { return t.tag }

// RowsAffected is the number of rows inserted, updated, deleted or
// selected, or -1 when the command reports none.
func (t CommandTag) RowsAffected() int64 { return t.rows }

// result owns one C result.
type result struct{ c *C.lakebase_result }

func newResult(c *C.lakebase_result) *result {
	r := &result{c: c}
	runtime.SetFinalizer(r, (*result).free) // safety net; Rows.Close frees
	return r
}

func (r *result) free() {
	if r.c != nil {
		C.lakebase_result_free(r.c)
		r.c = nil
		runtime.SetFinalizer(r, nil)
	}
}

func (r *result) commandTag() CommandTag {
	return CommandTag{
		tag:  C.GoString(C.lakebase_result_command(r.c)),
		rows: int64(C.lakebase_result_rows_affected(r.c)),
	}
}

// Rows is the result of a query, read with Next and Scan. The whole result
// is already in memory and its connection released, so Close only frees
// it; always Close (or read to the end). Not safe for concurrent use.
type Rows struct {
	res   *result
	tag   CommandTag
	nrows int
	ncols int
	types []uint32 // the columns' type OIDs, read on first use
	row   int      // current row, -1 before the first Next
	err   error
}

func newRows(c *C.lakebase_result) *Rows {
	r := newResult(c)
	return &Rows{
		res:   r,
		tag:   r.commandTag(),
		nrows: int(C.lakebase_result_rows(c)),
		ncols: int(C.lakebase_result_columns(c)),
		row:   -1,
	}
}

// Next advances to the next row; false at the end (then the rows are
// closed) or after Close.
func (rs *Rows) Next() bool {
	if rs.res.c == nil {
		return false
	}
	if rs.row+1 >= rs.nrows {
		rs.Close()
		return false
	}
	rs.row++
	return true
}

// Err is the error met while scanning, if any.
func (rs *Rows) Err() error { return rs.err }

// Close frees the result. Safe to call more than once.
func (rs *Rows) Close() { rs.res.free() }

// CommandTag is the statement's command tag.
func (rs *Rows) CommandTag() CommandTag { return rs.tag }

// Columns are the result's column names. Read them before the rows are
// closed (the Next that returns false closes them); afterwards they are "".
func (rs *Rows) Columns() []string {
	names := make([]string, rs.ncols)
	if rs.res.c == nil {
		return names
	}
	for i := range names {
		names[i] = C.GoString(C.lakebase_result_column_name(rs.res.c, C.int(i)))
	}
	return names
}

// ColumnTypeOIDs are the PostgreSQL type OIDs of the columns.
func (rs *Rows) ColumnTypeOIDs() []uint32 {
	oids := make([]uint32, rs.ncols)
	if rs.res.c == nil {
		return oids
	}
	for i := range oids {
		oids[i] = uint32(C.lakebase_result_column_type(rs.res.c, C.int(i)))
	}
	return oids
}

// Values returns the current row as Go values (see Scan into *any).
func (rs *Rows) Values() ([]any, error) {
	if err := rs.current(); err != nil {
		return nil, err
	}
	vals := make([]any, rs.ncols)
	for i := range vals {
		v, err := rs.value(i)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

func (rs *Rows) current() error {
	if rs.res.c == nil {
		return errors.New("lakebase: rows are closed")
	}
	if rs.row < 0 || rs.row >= rs.nrows {
		return errors.New("lakebase: Scan called without a successful Next")
	}
	return nil
}

// Scan copies the current row's columns into dest, one per column:
//
//	*string        the text form of any column
//	*[]byte        bytea decoded; other types: their text form
//	*int64, *int32, *int16, *int8, *int   integer columns (range checked)
//	*float64, *float32                    float, numeric and integer columns
//	*bool          boolean columns
//	*time.Time     date, timestamp, timestamptz (UTC)
//	*any           a value chosen by the column type (see Values)
//	sql.Scanner    (sql.NullString, sql.NullInt64, ...) that value, nil for NULL
//	**T            nil for NULL, else a new T scanned as above
//	nil            column skipped
//
// SQL NULL into a non-pointer, non-Scanner destination is an error.
func (rs *Rows) Scan(dest ...any) error {
	if err := rs.current(); err != nil {
		return err
	}
	if len(dest) != rs.ncols {
		return fmt.Errorf("lakebase: Scan got %d destinations for %d columns", len(dest), rs.ncols)
	}
	for i, d := range dest {
		if err := rs.scanColumn(i, d); err != nil {
			rs.err = err
			return err
		}
	}
	return nil
}

func (rs *Rows) isNull(col int) bool {
	return C.lakebase_result_is_null(rs.res.c, C.int(rs.row), C.int(col)) != 0
}

func (rs *Rows) colType(col int) uint32 {
	if rs.types == nil {
		rs.types = make([]uint32, rs.ncols)
		for i := range rs.types {
			rs.types[i] = uint32(C.lakebase_result_column_type(rs.res.c, C.int(i)))
		}
	}
	return rs.types[col]
}

func (rs *Rows) colErr(col int, format string, a ...any) error {
	name := C.GoString(C.lakebase_result_column_name(rs.res.c, C.int(col)))
	return fmt.Errorf("lakebase: column %d (%s): %s", col, name, fmt.Sprintf(format, a...))
}

// textOf is the cell's text; false for SQL NULL (one call into C).
func (rs *Rows) textOf(col int) (string, bool) {
	var n C.size_t
	p := C.lakebase_result_text(rs.res.c, C.int(rs.row), C.int(col), &n)
	if p == nil {
		return "", false
	}
	return C.GoStringN(p, C.int(n)), true
}

// textOrNil is the cell's text as a value, nil for SQL NULL.
func (rs *Rows) textOrNil(col int) any {
	if s, ok := rs.textOf(col); ok {
		return s
	}
	return nil
}

// The typed getters come in two forms: ...Of says only whether the core
// converted the cell (false for NULL too, so the caller asks isNull only
// then); ...At adds the error that names the column.

func (rs *Rows) int64Of(col int) (int64, bool) {
	var v C.int64_t
	ok := C.lakebase_result_int64(rs.res.c, C.int(rs.row), C.int(col), &v) == 0
	return int64(v), ok
}

func (rs *Rows) int64At(col int) (int64, error) {
	return typedAt(rs, col, rs.int64Of, "an integer")
}

func (rs *Rows) float64Of(col int) (float64, bool) {
	var v C.double
	ok := C.lakebase_result_double(rs.res.c, C.int(rs.row), C.int(col), &v) == 0
	return float64(v), ok
}

func (rs *Rows) float64At(col int) (float64, error) {
	return typedAt(rs, col, rs.float64Of, "a number")
}

func (rs *Rows) boolOf(col int) (bool, bool) {
	var v C.int
	ok := C.lakebase_result_bool(rs.res.c, C.int(rs.row), C.int(col), &v) == 0
	return v != 0, ok
}

func (rs *Rows) boolAt(col int) (bool, error) {
	return typedAt(rs, col, rs.boolOf, "a boolean")
}

func (rs *Rows) timeOf(col int) (time.Time, bool) {
	var us C.int64_t
	if C.lakebase_result_timestamp_us(rs.res.c, C.int(rs.row), C.int(col), &us) != 0 {
		return time.Time{}, false
	}
	return time.UnixMicro(int64(us)).UTC(), true
}

func (rs *Rows) timeAt(col int) (time.Time, error) {
	return typedAt(rs, col, rs.timeOf, "a date or timestamp, or is infinite")
}

// typedAt is what `of` makes of the cell, or the error naming the column
// and what it is not.
func typedAt[T any](rs *Rows, col int, of func(int) (T, bool), what string) (T, error) {
	if v, ok := of(col); ok {
		return v, nil
	}
	var zero T
	return zero, rs.colErr(col, "type OID %d is not %s", rs.colType(col), what)
}

func (rs *Rows) bytesAt(col int) ([]byte, error) {
	if rs.colType(col) != C.LAKEBASE_TYPE_BYTEA {
		s, _ := rs.textOf(col)
		return []byte(s), nil
	}
	var p *C.uchar
	var n C.size_t
	if C.lakebase_result_bytea(rs.res.c, C.int(rs.row), C.int(col), &p, &n) != 0 {
		return nil, rs.colErr(col, "malformed bytea")
	}
	defer C.lakebase_free(unsafe.Pointer(p))
	return C.GoBytes(unsafe.Pointer(p), C.int(n)), nil
}

// value is the column's Go value by type: int64 for integers, float64 for
// float4/float8, bool, time.Time for date/timestamp/timestamptz, []byte for
// bytea, string for everything else (numeric, json, uuid, arrays, ... in
// PostgreSQL's text form); nil for NULL. These are database/sql's driver
// value types. A non-NULL cell costs one call into C: NULL is asked about
// only when a typed getter refused the cell.
func (rs *Rows) value(col int) (any, error) {
	switch rs.colType(col) {
	case C.LAKEBASE_TYPE_INT2, C.LAKEBASE_TYPE_INT4, C.LAKEBASE_TYPE_INT8, C.LAKEBASE_TYPE_OID:
		if v, ok := rs.int64Of(col); ok {
			return v, nil
		}
		return nullOr(rs, col, rs.int64At)
	case C.LAKEBASE_TYPE_FLOAT4, C.LAKEBASE_TYPE_FLOAT8:
		if v, ok := rs.float64Of(col); ok {
			return v, nil
		}
		return nullOr(rs, col, rs.float64At)
	case C.LAKEBASE_TYPE_BOOL:
		if v, ok := rs.boolOf(col); ok {
			return v, nil
		}
		return nullOr(rs, col, rs.boolAt)
	case C.LAKEBASE_TYPE_DATE, C.LAKEBASE_TYPE_TIMESTAMP, C.LAKEBASE_TYPE_TIMESTAMPTZ:
		if t, ok := rs.timeOf(col); ok {
			return t, nil
		}
		return rs.textOrNil(col), nil // infinity, -infinity, or NULL
	case C.LAKEBASE_TYPE_BYTEA:
		return nullOr(rs, col, rs.bytesAt)
	}
	return rs.textOrNil(col), nil
}

// nullOr is nil for a NULL cell, else what get makes of it.
func nullOr[T any](rs *Rows, col int, get func(int) (T, error)) (any, error) {
	if rs.isNull(col) {
		return nil, nil
	}
	return get(col)
}

func (rs *Rows) scanColumn(col int, dest any) error {
	if dest == nil {
		return nil
	}
	if s, ok := dest.(sql.Scanner); ok {
		v, err := rs.value(col)
		if err != nil {
			return err
		}
		if err := s.Scan(v); err != nil {
			return rs.colErr(col, "%v", err)
		}
		return nil
	}
	// NULL is asked about first only for the destinations that hold it
	// (*[]byte, **T); elsewhere only once a conversion failed, so that a
	// non-NULL cell costs one call into C.
	var err error
	switch d := dest.(type) {
	case *string:
		v, ok := rs.textOf(col)
		if !ok {
			return rs.scanNull(col, dest)
		}
		*d = v
	case *[]byte:
		if rs.isNull(col) {
			return rs.scanNull(col, dest)
		}
		*d, err = rs.bytesAt(col)
	case *int64:
		*d, err = rs.int64At(col)
	case *int:
		err = scanInt(rs, col, d, math.MinInt, math.MaxInt)
	case *int32:
		err = scanInt(rs, col, d, math.MinInt32, math.MaxInt32)
	case *int16:
		err = scanInt(rs, col, d, math.MinInt16, math.MaxInt16)
	case *int8:
		err = scanInt(rs, col, d, math.MinInt8, math.MaxInt8)
	case *float64:
		*d, err = rs.float64At(col)
	case *float32:
		var f float64
		f, err = rs.float64At(col)
		*d = float32(f)
	case *bool:
		*d, err = rs.boolAt(col)
	case *time.Time:
		*d, err = rs.timeAt(col)
	case *any:
		*d, err = rs.value(col) // nil for NULL
		return err
	default:
		if rs.isNull(col) {
			return rs.scanNull(col, dest)
		}
		return rs.scanPointer(col, dest)
	}
	if err != nil && rs.isNull(col) {
		return rs.scanNull(col, dest)
	}
	return err
}

func scanInt[T int | int32 | int16 | int8](rs *Rows, col int, d *T, lo, hi int64) error {
	v, err := rs.int64At(col)
	if err != nil {
		return err
	}
	if v < lo || v > hi {
		return rs.colErr(col, "%d does not fit in %T", v, *d)
	}
	*d = T(v)
	return nil
}

// scanNull stores SQL NULL: nil into **T, *any and *[]byte; an error for
// destinations that cannot hold it.
func (rs *Rows) scanNull(col int, dest any) error {
	switch d := dest.(type) {
	case *any:
		*d = nil
		return nil
	case *[]byte:
		*d = nil
		return nil
	}
	rv := reflect.ValueOf(dest)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Pointer {
		rv.Elem().Set(reflect.Zero(rv.Elem().Type()))
		return nil
	}
	return rs.colErr(col, "cannot scan NULL into %T (use a pointer or sql.Null*)", dest)
}

// scanPointer handles **T: a new T scanned as usual.
func (rs *Rows) scanPointer(col int, dest any) error {
	rv := reflect.ValueOf(dest)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Pointer {
		return rs.colErr(col, "unsupported Scan destination %T", dest)
	}
	target := reflect.New(rv.Elem().Type().Elem())
	if err := rs.scanColumn(col, target.Interface()); err != nil {
		return err
	}
	rv.Elem().Set(target)
	return nil
}

// Row is the first row of a query, from QueryRow.
type Row struct {
	rows *Rows
	err  error
}

// Scan scans the first row like Rows.Scan and frees the result; ErrNoRows
// when there is none, or the query's error.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		return ErrNoRows
	}
	return r.rows.Scan(dest...)
}
