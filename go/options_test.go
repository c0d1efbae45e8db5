package lakebase_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

// directDSN is a postgres:// URL for PostgreSQL itself (no proxy, no TLS)
// as service principal #1 with password.
func directDSN(env emulator.Env, password string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(env["DATABRICKS_CLIENT_ID"], password),
		Host:     env["EMULATOR_DIRECT_HOST"] + ":" + env["EMULATOR_DIRECT_PORT"],
		Path:     "/databricks_postgres",
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

func currentUser(t *testing.T, cfg lakebase.Config, opts ...lakebase.Option) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := lakebase.Connect(ctx, cfg, opts...)
	if err != nil {
		return "", err
	}
	defer conn.Release()
	var who string
	err = conn.QueryRow(ctx, "SELECT current_user").Scan(&who)
	return who, err
}

func TestDSNLogsInWithTheUserAndPasswordItCarries(t *testing.T) {
	env := emulator.Require(t)
	cfg := lakebase.Config{"config.use_environment": "false"}
	who, err := currentUser(t, cfg, lakebase.WithDSN(directDSN(env, env["EMULATOR_DIRECT_PASSWORD"])))
	if err != nil || who != env["DATABRICKS_CLIENT_ID"] {
		t.Fatalf("current_user = %q, %v; want %q", who, err, env["DATABRICKS_CLIENT_ID"])
	}
}

func TestDSNWithAWrongPasswordFailsTheLogin(t *testing.T) {
	env := emulator.Require(t)
	cfg := lakebase.Config{"config.use_environment": "false"}
	_, err := currentUser(t, cfg, lakebase.WithDSN(directDSN(env, "not-the-password")))
	if !errors.Is(err, lakebase.ErrLogin) {
		t.Fatalf("err = %v, want ErrLogin", err)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("the error repeats the DSN's password: %v", err)
	}
}

func TestConfigKeysOverrideTheDSN(t *testing.T) {
	env := emulator.Require(t)
	cfg := lakebase.Config{"config.use_environment": "false", "pg.password": "overridden"}
	_, err := currentUser(t, cfg, lakebase.WithDSN(directDSN(env, env["EMULATOR_DIRECT_PASSWORD"])))
	if !errors.Is(err, lakebase.ErrLogin) {
		t.Fatalf("err = %v, want ErrLogin: pg.password should win over the DSN's", err)
	}
}

func TestMalformedDSNIsAConfigError(t *testing.T) {
	_, err := lakebase.NewPool(lakebase.Config{"config.use_environment": "false"},
		lakebase.WithDSN("host='unterminated"))
	if !errors.Is(err, lakebase.ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
}

// tokenSourceConfig mints for the emulator's endpoint with no workspace
// auth of its own: the token source is the only method.
func tokenSourceConfig(t *testing.T) (lakebase.Config, emulator.Env) {
	env := emulator.Require(t)
	return lakebase.Config{
		"config.use_environment": "false",
		"workspace.host":         env["DATABRICKS_HOST"],
		"http.ca_file":           env["LAKEBASE_CA_FILE"],
		"lakebase.endpoint":      env["LAKEBASE_ENDPOINT"],
		"pg.port":                env["EMULATOR_PROXY_PORT"],
		"pg.sslrootcert":         env["PGSSLROOTCERT"],
	}, env
}

// countingSource returns the emulator user's PAT, valid for an hour.
func countingSource(env emulator.Env, calls *atomic.Int64) lakebase.TokenSource {
	return func(ctx context.Context) (string, time.Time, error) {
		calls.Add(1)
		if ctx == nil || ctx.Err() != nil {
			return "", time.Time{}, errors.New("called with a done context")
		}
		return env["EMULATOR_USER_TOKEN"], time.Now().Add(time.Hour), nil
	}
}

func TestTokenSourcePoolLogsInAsTheSourcesIdentity(t *testing.T) {
	cfg, env := tokenSourceConfig(t)
	var calls atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := lakebase.Open(ctx, cfg, lakebase.WithTokenSource(countingSource(env, &calls)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer pool.Close()
	var who string
	if err := pool.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil {
		t.Fatal(err)
	}
	// The role is the owner of the workspace token: the user, not SP #1.
	if who != env["EMULATOR_USER_EMAIL"] {
		t.Fatalf("current_user = %q, want %q", who, env["EMULATOR_USER_EMAIL"])
	}
	st, err := pool.Stats()
	if err != nil || st.Credential.MintsOK < 1 || calls.Load() < 1 {
		t.Fatalf("mints %d, source calls %d, %v", st.Credential.MintsOK, calls.Load(), err)
	}
}

var errVaultSealed = errors.New("vault sealed")

func failingSource(context.Context) (string, time.Time, error) {
	return "", time.Time{}, errVaultSealed
}

func checkSourceFailure(t *testing.T, err error) {
	t.Helper()
	var e *lakebase.Error
	if !errors.Is(err, lakebase.ErrCallback) || !errors.Is(err, errVaultSealed) ||
		!errors.As(err, &e) || e.Code != lakebase.CodeCallback {
		t.Fatalf("err = %v (%T), want ErrCallback wrapping errVaultSealed", err, err)
	}
	if !strings.Contains(err.Error(), "vault sealed") {
		t.Fatalf("the message does not name the cause: %v", err)
	}
}

func TestTokenSourceErrorSurfacesWithItsCause(t *testing.T) {
	cfg, _ := tokenSourceConfig(t)
	creds, err := lakebase.NewCredentials(cfg, lakebase.WithTokenSource(failingSource))
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = creds.Get(ctx)
	checkSourceFailure(t, err)
}

func TestTokenSourceErrorFailsPoolOpenWithItsCause(t *testing.T) {
	cfg, _ := tokenSourceConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := lakebase.Open(ctx, cfg, lakebase.WithTokenSource(failingSource))
	if err == nil {
		pool.Close()
	}
	checkSourceFailure(t, err)
}

func TestTokenSourceOversizedTokenIsRefusedWithoutRepeatingIt(t *testing.T) {
	cfg, _ := tokenSourceConfig(t)
	huge := strings.Repeat("t", 16384)
	creds, err := lakebase.NewCredentials(cfg, lakebase.WithTokenSource(
		func(context.Context) (string, time.Time, error) { return huge, time.Time{}, nil }))
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = creds.Get(ctx)
	if !errors.Is(err, lakebase.ErrCallback) || !strings.Contains(err.Error(), "16384 bytes") ||
		strings.Contains(err.Error(), "tttt") {
		t.Fatalf("err = %v, want ErrCallback naming the size only", err)
	}
}

// logRecorder is a slog.Handler keeping every record it gets.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

func (r *logRecorder) snapshot() []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]slog.Record(nil), r.records...)
}

func TestLoggerGetsTheMintLineAndNeverAToken(t *testing.T) {
	cfg, env := tokenSourceConfig(t)
	var calls atomic.Int64
	rec := &logRecorder{}
	creds, err := lakebase.NewCredentials(cfg, lakebase.WithTokenSource(countingSource(env, &calls)),
		lakebase.WithLogger(slog.New(rec)))
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cred, err := creds.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	minted := false
	records := rec.snapshot()
	for _, r := range records {
		if strings.Contains(r.Message, cred.Token) ||
			strings.Contains(r.Message, env["EMULATOR_USER_TOKEN"]) {
			t.Fatalf("a log message contains a token: %q", r.Message)
		}
		if r.Level == slog.LevelInfo && strings.Contains(r.Message, "minted a database credential") {
			minted = true
		}
	}
	if !minted {
		t.Fatalf("no mint line at INFO among %d records", len(records))
	}
}

func TestLoggerHonoursTheHandlersLevel(t *testing.T) {
	cfg, env := tokenSourceConfig(t)
	var calls atomic.Int64
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf},
		&slog.HandlerOptions{Level: slog.LevelWarn}))
	creds, err := lakebase.NewCredentials(cfg, lakebase.WithTokenSource(countingSource(env, &calls)),
		lakebase.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := creds.Get(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(buf.String(), "minted") {
		t.Fatalf("an INFO event passed a WARN handler: %q", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
