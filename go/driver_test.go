package lakebase_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

func TestDatabaseSQLConnectorEndToEnd(t *testing.T) {
	cfg, env := emulatorConfig(t)
	db := sql.OpenDB(lakebase.NewConnector(cfg))
	defer db.Close()
	db.SetConnMaxLifetime(45 * time.Minute)
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	var user string
	var n int64
	var at time.Time
	var blob []byte
	if err := db.QueryRowContext(ctx, "SELECT current_user, $1::int8 * 2, $2::timestamptz, $3::bytea",
		21, time.Unix(1700000000, 0), []byte("hi")).Scan(&user, &n, &at, &blob); err != nil {
		t.Fatal(err)
	}
	if user != env["DATABRICKS_CLIENT_ID"] || n != 42 || !at.Equal(time.Unix(1700000000, 0)) || string(blob) != "hi" {
		t.Fatalf("got %q %d %v %q", user, n, at, blob)
	}

	table := tableName("go_sql")
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (n int)"); err != nil {
		t.Fatal(err)
	}
	defer db.ExecContext(ctx, "DROP TABLE "+table)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO "+table+" VALUES (1), (2)")
	if err != nil {
		t.Fatal(err)
	}
	if affected, _ := res.RowsAffected(); affected != 2 {
		t.Fatalf("rows affected %d", affected)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var count int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&count); err != nil || count != 0 {
		t.Fatalf("after rollback: %d, %v", count, err)
	}

	stmt, err := db.PrepareContext(ctx, "SELECT $1::text || $2::text")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	var joined sql.NullString
	if err := stmt.QueryRowContext(ctx, "a", nil).Scan(&joined); err != nil || joined.Valid {
		t.Fatalf("'a' || NULL = %v, %v", joined, err)
	}

	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := db.ExecContext(cctx, "SELECT pg_sleep(20)"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("pg_sleep under a 300 ms deadline: %v", err)
	}
}

func TestDatabaseSQLWrongRoleIsErrLogin(t *testing.T) {
	cfg, env := emulatorConfig(t)
	cfg.Set("pg.user", env["EMULATOR_OTHER_CLIENT_ID"])
	db := sql.OpenDB(lakebase.NewConnector(cfg))
	defer db.Close()
	err := db.PingContext(context.Background())
	var e *lakebase.Error
	if !errors.Is(err, lakebase.ErrLogin) || !errors.As(err, &e) || e.SQLState != "28P01" {
		t.Fatalf("ping: %v, want ErrLogin 28P01", err)
	}
}
