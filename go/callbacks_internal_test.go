package lakebase

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

// callbackOptions log nowhere, drop every span and hand out the emulator
// user's PAT.
func callbackOptions(env emulator.Env) []Option {
	return []Option{
		WithTokenSource(func(context.Context) (string, time.Time, error) {
			return env["EMULATOR_USER_TOKEN"], time.Now().Add(time.Hour), nil
		}),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		WithSpanListener(func(Span) {}),
	}
}

func callbackConfig(env emulator.Env) Config {
	return Config{
		"config.use_environment": "false",
		"workspace.host":         env["DATABRICKS_HOST"],
		"http.ca_file":           env["LAKEBASE_CA_FILE"],
		"lakebase.endpoint":      env["LAKEBASE_ENDPOINT"],
		"pg.port":                env["EMULATOR_PROXY_PORT"],
		"pg.sslrootcert":         env["PGSSLROOTCERT"],
	}
}

func expectLiveHooks(t *testing.T, want int, when string) {
	t.Helper()
	if got := int(liveHooks.Load()); got != want {
		t.Fatalf("%s: %d live callback sets, want %d", when, got, want)
	}
}

func TestCallbacksLiveExactlyAsLongAsTheirHandles(t *testing.T) {
	env := emulator.Require(t)
	cfg, opts := callbackConfig(env), callbackOptions(env)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	expectLiveHooks(t, 0, "before")

	pool, err := Open(ctx, cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	expectLiveHooks(t, 1, "pool open")
	pool.Close()
	expectLiveHooks(t, 0, "pool closed")

	creds, err := NewCredentials(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Get(ctx); err != nil {
		t.Fatal(err)
	}
	creds.Close()
	expectLiveHooks(t, 0, "credentials closed")

	conn, err := Connect(ctx, cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	expectLiveHooks(t, 1, "direct connection open")
	conn.Release()
	expectLiveHooks(t, 0, "direct connection released")

	// A connection outlives its connector's Close and keeps the callbacks.
	connector := NewConnector(cfg, opts...)
	db := sql.OpenDB(connector)
	sqlConn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlConn.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	connector.Close()
	expectLiveHooks(t, 1, "connector closed, connection open")
	sqlConn.Close()
	db.Close()
	expectLiveHooks(t, 0, "database closed")

	if _, err := NewPool(Config{"no.such.key": "x"}, opts...); err == nil {
		t.Fatal("NewPool accepted an unknown key")
	}
	expectLiveHooks(t, 0, "failed NewPool")
}

func TestTokenSourceContextIsCanceledWhenItsLastHandleCloses(t *testing.T) {
	env := emulator.Require(t)
	var sourceCtx context.Context
	creds, err := NewCredentials(callbackConfig(env), WithTokenSource(
		func(ctx context.Context) (string, time.Time, error) {
			sourceCtx = ctx
			return env["EMULATOR_USER_TOKEN"], time.Now().Add(time.Hour), nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sourceCtx == nil || sourceCtx.Err() != nil {
		t.Fatalf("source context %v before Close", sourceCtx)
	}
	creds.Close()
	if sourceCtx.Err() != context.Canceled {
		t.Fatalf("source context error after Close = %v", sourceCtx.Err())
	}
}
