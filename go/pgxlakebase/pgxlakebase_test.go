package pgxlakebase_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
	"github.com/lakebase-connector/lakebase-go/pgxlakebase"
)

func credentials(t *testing.T, env emulator.Env, clientID, secret string) *lakebase.Credentials {
	t.Helper()
	creds, err := lakebase.NewCredentials(lakebase.Config{
		"config.use_environment": "false",
		"workspace.host":         env["DATABRICKS_HOST"],
		"auth.client_id":         clientID,
		"auth.client_secret":     secret,
		"http.ca_file":           env["LAKEBASE_CA_FILE"],
		"lakebase.endpoint":      env["LAKEBASE_ENDPOINT"],
		"pg.port":                env["EMULATOR_PROXY_PORT"],
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { creds.Close() })
	return creds
}

func TestPgxPoolLogsInWithTheCoreCredential(t *testing.T) {
	env := emulator.Require(t)
	creds := credentials(t, env, env["DATABRICKS_CLIENT_ID"], env["DATABRICKS_CLIENT_SECRET"])
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg, err := pgxlakebase.NewPoolConfig(ctx, creds, "sslrootcert="+env["PGSSLROOTCERT"]+" pool_max_conns=4")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConnLifetime != 45*time.Minute {
		t.Errorf("MaxConnLifetime = %v", cfg.MaxConnLifetime)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var user string
	if err := pool.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil {
		t.Fatal(err)
	}
	if user != env["DATABRICKS_CLIENT_ID"] {
		t.Fatalf("current_user = %q", user)
	}
	// Every connection of the pool logs in with the same shared credential:
	// one mint for all of them.
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			_, err := pool.Exec(ctx, "SELECT pg_sleep(0.05)")
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, err := creds.Stats()
	if err != nil || st.MintsOK != 1 {
		t.Fatalf("mints = %d (%v), want 1 for the whole pool", st.MintsOK, err)
	}
}

func TestBeforeConnectFillsTheConnConfig(t *testing.T) {
	env := emulator.Require(t)
	creds := credentials(t, env, env["DATABRICKS_CLIENT_ID"], env["DATABRICKS_CLIENT_SECRET"])
	cc, err := pgx.ParseConfig("host=elsewhere.invalid sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	if err := pgxlakebase.BeforeConnect(creds)(context.Background(), cc); err != nil {
		t.Fatal(err)
	}
	if cc.Host != env["EMULATOR_PROXY_HOST"] || cc.User != env["DATABRICKS_CLIENT_ID"] ||
		cc.Password == "" || cc.Database != "databricks_postgres" ||
		cc.TLSConfig == nil || cc.TLSConfig.ServerName != cc.Host {
		t.Fatalf("conn config host %q user %q db %q tls %v", cc.Host, cc.User, cc.Database, cc.TLSConfig != nil)
	}
}

func TestBadSecretFailsInNewPoolConfigWithErrAuth(t *testing.T) {
	env := emulator.Require(t)
	creds := credentials(t, env, env["DATABRICKS_CLIENT_ID"], "wrong-secret")
	_, err := pgxlakebase.NewPoolConfig(context.Background(), creds, "")
	if !errors.Is(err, lakebase.ErrAuth) {
		t.Fatalf("err = %v, want lakebase.ErrAuth", err)
	}
}
