package lakebase_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

// spanLog keeps what a span listener receives, from any thread, and counts
// what arrives once its handle is closed.
type spanLog struct {
	mu          sync.Mutex
	spans       []lakebase.Span
	closed      bool
	afterClosed int
}

func (l *spanLog) listen(s lakebase.Span) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.afterClosed++
	}
	l.spans = append(l.spans, s)
}

func (l *spanLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
}

// named returns the spans called name.
func (l *spanLog) named(name string) []lakebase.Span {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []lakebase.Span
	for _, s := range l.spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func (l *spanLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := ""
	for _, s := range l.spans {
		out += fmt.Sprintf("\n  %s err=%v %+v", s.Name, s.Err, s.Attributes)
	}
	return out
}

func attributeOf(s lakebase.Span, key string) (lakebase.SpanAttribute, bool) {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a, true
		}
	}
	return lakebase.SpanAttribute{}, false
}

func TestAPoolReportsItsMintAndConnectSpansAndNoneOnceClosed(t *testing.T) {
	cfg, env := emulatorConfig(t)
	emulator.Reset(t, env, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A handle sharing the pool's credential provider, and outliving it.
	creds, err := lakebase.NewCredentials(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	if err := creds.Invalidate(""); err != nil {
		t.Fatal(err)
	}
	var log spanLog
	before := time.Now()
	pool, err := lakebase.Open(ctx, cfg, lakebase.WithSpanListener(log.listen))
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	after := time.Now()
	log.close()

	mints, connects := log.named("lakebase.credential.mint"), log.named("lakebase.connect")
	if len(mints) < 1 || len(connects) < 1 {
		t.Fatalf("want a mint and a connect span, got:%v", &log)
	}
	for _, s := range append(mints, connects...) {
		if s.Err != nil {
			t.Errorf("%s failed: %v", s.Name, s.Err)
		}
		if s.Start.Before(before.Add(-time.Millisecond)) || s.End.Before(s.Start) || s.End.After(after.Add(time.Millisecond)) {
			t.Errorf("%s from %v to %v, outside the open (%v to %v)", s.Name, s.Start, s.End, before, after)
		}
	}
	if a, ok := attributeOf(mints[0], "http.response.status_code"); !ok || !a.IsInt || a.Int != 200 || a.Value != "200" {
		t.Errorf("mint http.response.status_code = %+v, want the integer 200", a)
	}
	wantPort, _ := strconv.ParseInt(env["EMULATOR_PROXY_PORT"], 10, 64)
	if a, ok := attributeOf(connects[0], "server.port"); !ok || !a.IsInt || a.Int != wantPort {
		t.Errorf("connect server.port = %+v, want the integer %d", a, wantPort)
	}
	if a, _ := attributeOf(connects[0], "db.system.name"); a.Value != "postgresql" || a.IsInt {
		t.Errorf("connect db.system.name = %+v", a)
	}

	// The provider mints again for the credentials handle: the closed
	// pool's listener hears nothing of it.
	minted, _ := creds.Stats()
	if err := creds.Invalidate(""); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := creds.Stats(); st.MintsOK <= minted.MintsOK {
		t.Fatalf("the credentials handle did not mint again (%d then %d mints)", minted.MintsOK, st.MintsOK)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if log.afterClosed != 0 {
		t.Errorf("%d spans reached the listener of a closed pool", log.afterClosed)
	}
}

func TestARefusedLoginIsAConnectSpanWithErrLogin(t *testing.T) {
	cfg, env := emulatorConfig(t)
	emulator.Reset(t, env, `{"reject_logins": true}`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var log spanLog
	if pool, err := lakebase.Open(ctx, cfg, lakebase.WithSpanListener(log.listen)); !errors.Is(err, lakebase.ErrLogin) {
		if err == nil {
			pool.Close()
		}
		t.Fatalf("Open = %v, want ErrLogin", err)
	}
	for _, s := range log.named("lakebase.connect") {
		errType, _ := attributeOf(s, "error.type")
		state, _ := attributeOf(s, "db.response.status_code")
		var e *lakebase.Error
		if errors.Is(s.Err, lakebase.ErrLogin) && errors.As(s.Err, &e) && e.Message != "" &&
			errType.Value == "ELOGIN" && state.Value == "28P01" {
			return
		}
	}
	t.Fatalf("no connect span failed with ErrLogin, error.type ELOGIN and SQLSTATE 28P01:%v", &log)
}

// Every kind of handle installs the listener: credentials, direct
// connections, a connector's connections and a pool set's per-user pools.
func TestEveryKindOfHandleReportsSpans(t *testing.T) {
	cfg, env := emulatorConfig(t)
	emulator.Reset(t, env, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("Credentials", func(t *testing.T) {
		var log spanLog
		creds, err := lakebase.NewCredentials(cfg, lakebase.WithSpanListener(log.listen))
		if err != nil {
			t.Fatal(err)
		}
		defer creds.Close()
		if err := creds.Invalidate(""); err != nil {
			t.Fatal(err)
		}
		if _, err := creds.Get(ctx); err != nil {
			t.Fatal(err)
		}
		if len(log.named("lakebase.credential.mint")) < 1 {
			t.Fatalf("no mint span:%v", &log)
		}
	})
	t.Run("Connect", func(t *testing.T) {
		var log spanLog
		conn, err := lakebase.Connect(ctx, cfg, lakebase.WithSpanListener(log.listen))
		if err != nil {
			t.Fatal(err)
		}
		conn.Release()
		if len(log.named("lakebase.connect")) != 1 {
			t.Fatalf("want one connect span:%v", &log)
		}
	})
	t.Run("Connector", func(t *testing.T) {
		var log spanLog
		connector := lakebase.NewConnector(cfg, lakebase.WithSpanListener(log.listen))
		db := sql.OpenDB(connector)
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		if len(log.named("lakebase.connect")) != 1 {
			t.Fatalf("want one connect span:%v", &log)
		}
	})
	t.Run("PoolSet", func(t *testing.T) {
		var log spanLog
		setCfg := lakebase.Config{}
		for k, v := range cfg {
			setCfg[k] = v
		}
		delete(setCfg, "auth.client_id")
		delete(setCfg, "auth.client_secret")
		set, err := lakebase.NewPoolSet(setCfg, 2, time.Minute, lakebase.WithSpanListener(log.listen))
		if err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		conn, err := set.Acquire(ctx, "carol", env["EMULATOR_USER_TOKEN"])
		if err != nil {
			t.Fatal(err)
		}
		conn.Release()
		if len(log.named("lakebase.credential.mint")) < 1 || len(log.named("lakebase.connect")) < 1 {
			t.Fatalf("want the per-user pool's mint and connect spans:%v", &log)
		}
	})
}
