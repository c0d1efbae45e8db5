package lakebase_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

func openPool(t *testing.T) *lakebase.Pool {
	t.Helper()
	cfg, _ := emulatorConfig(t)
	pool, err := lakebase.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

func TestQueryScansEveryType(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT $1::text, '\x00ff'::bytea, 32767::int2, $2::int4,
		9007199254740993::int8, 1.5::float4, $3::float8, 12.50::numeric, $4::bool,
		'2026-11-23'::date, '2026-11-23 10:20:30.123456'::timestamp,
		$5::timestamptz, '6e9e6c4c-2d8b-4d0c-9d1b-0f6c3a1e2b4d'::uuid, '{"a":1}'::jsonb,
		NULL::text, NULL::int8, $6::bytea`,
		"héllo", int32(-7), 2.25, true,
		time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("CET", 3600)), []byte{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no row; Err = %v", rows.Err())
	}
	var (
		s         string
		b         []byte
		i16       int16
		i32       int32
		i64       int64
		f32       float32
		f64       float64
		num       string
		flag      bool
		date, ts  time.Time
		tstz      time.Time
		uuid, js  string
		nullStr   sql.NullString
		nullInt   *int64
		roundTrip []byte
	)
	if err := rows.Scan(&s, &b, &i16, &i32, &i64, &f32, &f64, &num, &flag, &date, &ts, &tstz,
		&uuid, &js, &nullStr, &nullInt, &roundTrip); err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("text", s, "héllo")
	check("bytea", b, []byte{0, 255})
	check("int2", i16, int16(32767))
	check("int4", i32, int32(-7))
	check("int8", i64, int64(9007199254740993))
	check("float4", f32, float32(1.5))
	check("float8", f64, 2.25)
	check("numeric", num, "12.50")
	check("bool", flag, true)
	check("date", date, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	check("timestamp", ts, time.Date(2026, 11, 23, 10, 20, 30, 123456000, time.UTC))
	check("timestamptz", tstz, time.Date(2026, 1, 2, 2, 4, 5, 6000, time.UTC))
	check("uuid", uuid, "6e9e6c4c-2d8b-4d0c-9d1b-0f6c3a1e2b4d")
	check("jsonb", js, `{"a": 1}`)
	check("NULL into sql.NullString", nullStr.Valid, false)
	check("NULL into *int64", nullInt == nil, true)
	check("bytea argument", roundTrip, []byte{1, 2, 3})
	if rows.Next() {
		t.Error("a second row")
	}
	if got := rows.CommandTag().String(); got != "SELECT 1" {
		t.Errorf("command tag %q", got)
	}
}

func TestValuesAreTypedAndEveryTypesNullIsNil(t *testing.T) {
	pool := openPool(t)
	rows, err := pool.Query(context.Background(), `SELECT v::int4, v::int8 * 3, v * 0.5::float8,
		v % 2 = 0, CASE WHEN v = 1 THEN 'infinity'::timestamptz ELSE '2026-11-23 10:20:30+00' END,
		CASE WHEN v = 1 THEN ''::text ELSE 'x' || v END, '\x01'::bytea
		FROM (VALUES (1), (2), (NULL)) t(v)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, vals)
	}
	ts := time.Date(2026, 11, 23, 10, 20, 30, 0, time.UTC)
	want := [][]any{
		{int64(1), int64(3), 0.5, false, "infinity", "", []byte{1}},
		{int64(2), int64(6), 1.0, true, ts, "x2", []byte{1}},
		{nil, nil, nil, nil, ts, nil, []byte{1}},
	}
	if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
		t.Errorf("Values:\n got %#v\nwant %#v", got, want)
	}
	rows2, err := pool.Query(context.Background(), "SELECT NULL::bytea, NULL::timestamptz, NULL::bool")
	if err != nil {
		t.Fatal(err)
	}
	defer rows2.Close()
	if !rows2.Next() {
		t.Fatal("no row")
	}
	if vals, err := rows2.Values(); err != nil || fmt.Sprint(vals) != "[<nil> <nil> <nil>]" {
		t.Errorf("NULLs: %v, %v", vals, err)
	}
}

func TestScanRefusesNullIntoPlainValueAndWrongTypes(t *testing.T) {
	pool := openPool(t)
	var s string
	err := pool.QueryRow(context.Background(), "SELECT NULL::text").Scan(&s)
	if err == nil || !strings.Contains(err.Error(), "NULL") {
		t.Errorf("NULL into *string: %v", err)
	}
	var n int64
	if err := pool.QueryRow(context.Background(), "SELECT 'x'::text").Scan(&n); err == nil {
		t.Error("text into *int64 succeeded")
	}
	var small int8
	if err := pool.QueryRow(context.Background(), "SELECT 300").Scan(&small); err == nil ||
		strings.Contains(err.Error(), "NULL") {
		t.Errorf("300 into *int8: %v", err)
	}
	// Every plain destination refuses NULL naming it; the ones that hold
	// NULL get nil.
	var (
		i   int
		f32 float32
		b   bool
		tm  time.Time
		by      = []byte{1}
		ps      = new(string)
		a   any = 1
	)
	for _, c := range []struct {
		sql  string
		dest any
	}{{"SELECT NULL::int4", &i}, {"SELECT NULL::float4", &f32}, {"SELECT NULL::bool", &b},
		{"SELECT NULL::timestamptz", &tm}, {"SELECT NULL::int8", &n}} {
		err := pool.QueryRow(context.Background(), c.sql).Scan(c.dest)
		if err == nil || !strings.Contains(err.Error(), "NULL") {
			t.Errorf("%s into %T: %v", c.sql, c.dest, err)
		}
	}
	if err := pool.QueryRow(context.Background(), "SELECT NULL::bytea, NULL::text, NULL::int4").
		Scan(&by, &ps, &a); err != nil || by != nil || ps != nil || a != nil {
		t.Errorf("NULL into *[]byte, **string, *any: %v, %v, %v, %v", err, by, ps, a)
	}
}

func TestQueryRowWithoutRowsIsErrNoRows(t *testing.T) {
	pool := openPool(t)
	var n int
	err := pool.QueryRow(context.Background(), "SELECT 1 WHERE false").Scan(&n)
	if !errors.Is(err, lakebase.ErrNoRows) || !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("err = %v, want ErrNoRows", err)
	}
}

func TestExecReturnsCommandTag(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "CREATE TEMP TABLE go_tag (n int)"); err != nil {
		t.Fatal(err)
	}
	tag, err := conn.Exec(ctx, "INSERT INTO go_tag SELECT generate_series(1, $1::int)", 3)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "INSERT 0 3" || tag.RowsAffected() != 3 {
		t.Fatalf("tag = %q (%d rows)", tag, tag.RowsAffected())
	}
	tag, err = conn.Exec(ctx, "UPDATE go_tag SET n = n + 1 WHERE n > 1")
	if err != nil || tag.RowsAffected() != 2 {
		t.Fatalf("update tag = %q, %v", tag, err)
	}
}

func TestSQLErrorCarriesSQLState(t *testing.T) {
	pool := openPool(t)
	_, err := pool.Exec(context.Background(), "SELECT 1/0")
	var e *lakebase.Error
	if !errors.Is(err, lakebase.ErrSQL) || !errors.As(err, &e) || e.SQLState != "22012" {
		t.Fatalf("err = %v, want ErrSQL with SQLSTATE 22012", err)
	}
	// The pool is still usable.
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT 2").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after an SQL error: %d, %v", n, err)
	}
}

func tableName(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, rand.Int63())
}

func countRows(t *testing.T, pool *lakebase.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTransactionRollbackLeavesNothingAndCommitKeeps(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	table := tableName("go_tx")
	if _, err := pool.Exec(ctx, "CREATE TABLE "+table+" (n int)"); err != nil {
		t.Fatal(err)
	}
	defer pool.Exec(ctx, "DROP TABLE "+table)

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES ($1)", 1); err != nil {
		t.Fatal(err)
	}
	var inside int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&inside); err != nil || inside != 1 {
		t.Fatalf("inside the tx: %d, %v", inside, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, pool, table); n != 0 {
		t.Fatalf("after rollback %d rows", n)
	}
	if err := tx.Commit(ctx); !errors.Is(err, lakebase.ErrTxDone) {
		t.Fatalf("commit after rollback: %v", err)
	}

	tx, err = pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, pool, table); n != 1 {
		t.Fatalf("after commit %d rows", n)
	}

	tx, err = pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Exec(ctx, "SELECT 1/0")
	if err := tx.Commit(ctx); !errors.Is(err, lakebase.ErrTxCommitRollback) {
		t.Fatalf("commit of a failed tx: %v", err)
	}
}

func TestContextCancelsRunningQuery(t *testing.T) {
	pool := openPool(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := pool.Exec(ctx, "SELECT pg_sleep(20)")
	elapsed := time.Since(start)
	if !errors.Is(err, lakebase.ErrCanceled) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrCanceled wrapping context.DeadlineExceeded", err)
	}
	if elapsed > 10*time.Second {
		t.Fatalf("the query ran %v: not cancelled", elapsed)
	}
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT 3").Scan(&n); err != nil || n != 3 {
		t.Fatalf("after a cancel: %d, %v", n, err)
	}
}

func TestDoneContextFailsBeforeRunning(t *testing.T) {
	pool := openPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pool.Exec(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestOpenWithInvalidConfigIsErrConfig(t *testing.T) {
	cfg, _ := emulatorConfig(t)
	cfg.Set("pool.max_size", "zero")
	_, err := lakebase.Open(context.Background(), cfg)
	var e *lakebase.Error
	if !errors.Is(err, lakebase.ErrConfig) || !errors.As(err, &e) || !strings.Contains(e.Message, "pool.max_size") {
		t.Fatalf("err = %v, want ErrConfig naming pool.max_size", err)
	}
}

func TestOpenAsWrongRoleIsErrLogin(t *testing.T) {
	cfg, env := emulatorConfig(t)
	cfg.Set("pg.user", env["EMULATOR_OTHER_CLIENT_ID"])
	_, err := lakebase.Open(context.Background(), cfg)
	var e *lakebase.Error
	if !errors.Is(err, lakebase.ErrLogin) || !errors.As(err, &e) || e.SQLState != "28P01" {
		t.Fatalf("err = %v, want ErrLogin with SQLSTATE 28P01", err)
	}
	if strings.Contains(e.Message, env["DATABRICKS_CLIENT_SECRET"]) {
		t.Fatal("the message contains the client secret")
	}
}

func TestStatsAndClose(t *testing.T) {
	cfg, _ := emulatorConfig(t)
	pool, err := lakebase.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	st, err := pool.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Total < 1 || st.ConnectsOK < 1 || st.Credential.MintsOK+1 < 1 || st.Credential.ExpireTime.IsZero() {
		t.Fatalf("stats = %+v", st)
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	if _, err := pool.Exec(context.Background(), "SELECT 1"); !errors.Is(err, lakebase.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

func TestConcurrentQueriesShareThePool(t *testing.T) {
	pool := openPool(t)
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		go func(g int) {
			var n int
			err := pool.QueryRow(context.Background(), "SELECT $1::int", g).Scan(&n)
			if err == nil && n != g {
				err = fmt.Errorf("got %d, want %d", n, g)
			}
			errs <- err
		}(g)
	}
	for g := 0; g < 16; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
