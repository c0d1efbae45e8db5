package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLoginWithAMintedCredentialReachesPostgresAsThatRole(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	c1 := in.mustLogin(t, sp, in.mint(t, in.sp1Token(t)))
	defer c1.Close()
	if u := currentUser(t, c1); u != sp {
		t.Fatalf("current_user = %q, want %q", u, sp)
	}
	if _, err := c1.Query("CREATE TABLE IF NOT EXISTS emulator_selftest (x int); DROP TABLE emulator_selftest"); err != nil {
		t.Fatalf("the role cannot create in public: %v", err)
	}
	email := in.env["EMULATOR_USER_EMAIL"]
	c2 := in.mustLogin(t, email, in.mint(t, in.env["EMULATOR_USER_TOKEN"]))
	if u := currentUser(t, c2); u != email {
		t.Fatalf("current_user = %q, want %q", u, email)
	}
	if c1.ProcessID == 0 || c1.ProcessID == c2.ProcessID {
		t.Fatalf("BackendKeyData not relayed: %d %d", c1.ProcessID, c2.ProcessID)
	}
	s := in.stats(t)
	if s.Logins.Accepted != 2 || s.OpenConnections != 2 {
		t.Fatalf("accepted %d open %d, want 2 and 2", s.Logins.Accepted, s.OpenConnections)
	}
	c2.Close()
	eventually(t, 5*time.Second, "open_connections to drop to 1", func() bool {
		return in.stats(t).OpenConnections == 1
	})
}

func TestPsqlLogsInWithVerifyFullAndDirectly(t *testing.T) {
	in := fresh(t)
	psql, err := exec.LookPath("psql")
	if err != nil {
		dir, derr := findPGBinDir()
		if derr != nil {
			t.Skip("psql is not installed")
		}
		psql = filepath.Join(dir, "psql")
	}
	sp := in.env["DATABRICKS_CLIENT_ID"]
	run := func(conninfo, password string) (string, error) {
		cmd := exec.Command(psql, conninfo, "-XtAc", "SELECT current_user")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "PG") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password, "PGSSLROOTCERT="+in.env["PGSSLROOTCERT"],
			"PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	via := fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=verify-full",
		in.env["EMULATOR_PROXY_HOST"], in.env["EMULATOR_PROXY_PORT"], sp, databaseName)
	if out, err := run(via, in.mint(t, in.sp1Token(t))); err != nil || out != sp {
		t.Fatalf("psql through the proxy: %v: %s", err, out)
	}
	direct := fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable",
		in.env["EMULATOR_DIRECT_HOST"], in.env["EMULATOR_DIRECT_PORT"], sp, databaseName)
	if out, err := run(direct, in.env["EMULATOR_DIRECT_PASSWORD"]); err != nil || out != sp {
		t.Fatalf("psql on the direct port: %v: %s", err, out)
	}
	if out, err := run(direct, "wrong"); err == nil {
		t.Fatalf("the direct port accepted a wrong password: %s", out)
	}
	// Without TLS psql is told why.
	plain := strings.Replace(via, "sslmode=verify-full", "sslmode=disable", 1)
	if out, err := run(plain, "x"); err == nil || !strings.Contains(out, "SSL is required") {
		t.Fatalf("psql without TLS: %v: %s", err, out)
	}
}

func wantRefusal(t *testing.T, err error, code, message string) {
	t.Helper()
	var pe *pgError
	if !errors.As(err, &pe) {
		t.Fatalf("want ErrorResponse %s, got %v", code, err)
	}
	if pe.Severity != "FATAL" || pe.Code != code || pe.Message != message || pe.Detail == "" {
		t.Fatalf("got %s %s %q (detail %q), want FATAL %s %q", pe.Severity, pe.Code, pe.Message, pe.Detail, code, message)
	}
}

func refusedFor(role, reason string) string {
	return fmt.Sprintf("password authentication failed for user %q (reason: %s)", role, reason)
}

func TestProxyRefusesEverythingButAnUnexpiredCredentialForTheRole(t *testing.T) {
	in := fresh(t)
	sp, email := in.env["DATABRICKS_CLIENT_ID"], in.env["EMULATOR_USER_EMAIL"]
	sp1Token := in.sp1Token(t)

	in.setKnobs(t, `{"ttl_seconds": 1}`)
	shortLived := in.mint(t, sp1Token)
	mintedAt := time.Now()
	in.setKnobs(t, `{"ttl_seconds": 3600}`)
	cred := in.mint(t, sp1Token)
	otherCred := in.mint(t, in.sp2Token(t))

	_, err := in.login(sp, sp1Token)
	wantRefusal(t, err, "28P01", refusedFor(sp, "workspace_token"))
	_, err = in.login(email, in.env["EMULATOR_USER_TOKEN"])
	wantRefusal(t, err, "28P01", refusedFor(email, "workspace_token"))
	_, err = in.login(sp, otherCred)
	wantRefusal(t, err, "28P01", refusedFor(sp, "wrong_identity"))
	_, err = in.login(sp, "not-a-credential")
	wantRefusal(t, err, "28P01", refusedFor(sp, "unknown_token"))
	_, err = pgDial("tcp", in.proxyAddr(), pgConfig{User: sp, Database: databaseName, Password: cred}, 10*time.Second)
	wantRefusal(t, err, "28000", "SSL is required: connect with sslmode=require")

	in.setKnobs(t, `{"reject_logins": true}`)
	_, err = in.login(sp, cred)
	wantRefusal(t, err, "28P01", refusedFor(sp, "rejected_by_knob"))
	in.setKnobs(t, `{"reject_logins": false}`)
	in.mustLogin(t, sp, cred).Close()

	time.Sleep(time.Until(mintedAt.Add(2 * time.Second)))
	_, err = in.login(sp, shortLived)
	wantRefusal(t, err, "28P01", refusedFor(sp, "expired"))

	s := in.stats(t)
	want := map[string]int64{"expired": 1, "workspace_token": 2, "wrong_identity": 1, "unknown_token": 1,
		"rejected_by_knob": 1, "ssl_required": 1, "cold_start": 0}
	for reason, n := range want {
		if s.Logins.Refused[reason] != n {
			t.Errorf("refused[%s] = %d, want %d", reason, s.Logins.Refused[reason], n)
		}
	}
	if s.Logins.Accepted != 1 {
		t.Errorf("accepted = %d, want 1", s.Logins.Accepted)
	}
}

func TestColdStartRefuseModeClosesTheListenerForItsDuration(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	tok := in.sp1Token(t)
	cred := in.mint(t, tok)
	start := time.Now()
	k := in.setKnobs(t, `{"cold_start": {"seconds": 2, "mode": "refuse"}}`)
	if cs, _ := k["cold_start"].(map[string]any); cs["mode"] != "refuse" {
		t.Fatalf("cold_start knob = %v", k["cold_start"])
	}
	_, err := net.DialTimeout("tcp", in.proxyAddr(), 2*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial during a refuse cold start: %v, want connection refused", err)
	}
	ep := in.call(t, "GET", "/api/2.0/postgres/"+in.env["LAKEBASE_ENDPOINT"], tok, nil).json(t)
	if ep["status"].(map[string]any)["current_state"] != "INIT" {
		t.Fatalf("endpoint state during a cold start: %v", ep["status"])
	}
	inst := in.call(t, "GET", "/api/2.0/database/instances/"+in.env["EMULATOR_INSTANCE"], tok, nil).json(t)
	if inst["state"] != "STARTING" {
		t.Fatalf("instance state during a cold start: %v", inst["state"])
	}
	var c *pgConn
	eventually(t, 10*time.Second, "the proxy to come back", func() bool {
		c, err = in.login(sp, cred)
		return err == nil
	})
	defer c.Close()
	if d := time.Since(start); d < 1800*time.Millisecond {
		t.Fatalf("the proxy came back after %v, before the 2 s cold start ended", d)
	}
	ep = in.call(t, "GET", "/api/2.0/postgres/"+in.env["LAKEBASE_ENDPOINT"], tok, nil).json(t)
	if ep["status"].(map[string]any)["current_state"] != "ACTIVE" {
		t.Fatalf("endpoint state after the cold start: %v", ep["status"])
	}
}

func TestColdStart57P03ModeAnswersStartingUp(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	start := time.Now()
	in.setKnobs(t, `{"cold_start": {"seconds": 2, "mode": "57P03"}}`)
	_, err := in.login(sp, cred)
	wantRefusal(t, err, "57P03", "the database system is starting up")
	answered := int64(1)
	var c *pgConn
	eventually(t, 10*time.Second, "the cold start to end", func() bool {
		c, err = in.login(sp, cred)
		if err != nil {
			answered++
			wantRefusal(t, err, "57P03", "the database system is starting up")
		}
		return err == nil
	})
	defer c.Close()
	if d := time.Since(start); d < 1800*time.Millisecond {
		t.Fatalf("logins accepted after %v, before the 2 s cold start ended", d)
	}
	if got := in.stats(t).Logins.Refused["cold_start"]; got != answered {
		t.Fatalf("refused[cold_start] = %d, want %d", got, answered)
	}
}

func TestKillConnectionsDropsLiveSessions(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	a, b := in.mustLogin(t, sp, cred), in.mustLogin(t, sp, cred)
	defer a.Close()
	defer b.Close()
	if n := in.stats(t).OpenConnections; n != 2 {
		t.Fatalf("open_connections = %d, want 2", n)
	}
	r := in.call(t, "POST", "/emulator/kill-connections", "", nil).json(t)
	if r["killed"] != float64(2) {
		t.Fatalf("kill-connections = %v, want killed 2", r)
	}
	for _, c := range []*pgConn{a, b} {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Query("SELECT 1"); err == nil {
			t.Fatal("a killed connection still answers")
		}
	}
	s := in.stats(t)
	if s.OpenConnections != 0 || s.KilledConnections != 2 {
		t.Fatalf("open %d killed %d, want 0 and 2", s.OpenConnections, s.KilledConnections)
	}
	in.mustLogin(t, sp, cred).Close()
}

func TestResetRestoresStartupKnobsAndZeroesCounters(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	in.setKnobs(t, `{"ttl_seconds": 5, "oauth_ttl_seconds": 7, "latency_ms": 10, "reject_logins": true,
		"mint_failures": [{"status": 503, "count": 3}], "cold_start": {"seconds": 60, "mode": "57P03"}}`)
	_, _ = in.login(sp, cred)
	// On the control listener: the outage closes the workspace's.
	if r := in.control(t, "POST", "/emulator/knobs", `{"api_outage": {"seconds": 60, "mode": "refuse"},
		"partition": {"seconds": 60}, "hostile_workspace": {"answer": "html_200"}, "hostile_login": "md5"}`); r.status != 200 {
		t.Fatalf("knobs answered %d: %s", r.status, r.body)
	}

	k := in.control(t, "POST", "/emulator/reset", "").json(t)
	if k["ttl_seconds"] != float64(3600) || k["oauth_ttl_seconds"] != float64(3600) || k["latency_ms"] != float64(0) ||
		k["reject_logins"] != false || k["cold_start"] != nil || len(k["mint_failures"].([]any)) != 0 ||
		k["api_outage"] != nil || k["partition"] != nil || k["hostile_workspace"] != nil || k["hostile_login"] != "" {
		t.Fatalf("knobs after reset: %v", k)
	}
	s := in.stats(t)
	if s.Mints.Autoscaling != 0 || s.OIDCTokens != 0 || s.Logins.Refused["cold_start"] != 0 {
		t.Fatalf("stats after reset: %+v", s)
	}
	c := in.mustLogin(t, sp, cred)
	defer c.Close()
	if s := in.stats(t); s.Logins.Accepted != 1 || s.OpenConnections != 1 {
		t.Fatalf("after reset a login counts once: %+v", s)
	}
}

func TestCancelRequestReachesTheServer(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	c := in.mustLogin(t, sp, in.mint(t, in.sp1Token(t)))
	defer c.Close()
	if c.ProcessID == 0 || c.SecretKey == 0 {
		t.Fatal("no BackendKeyData")
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := c.Query("SELECT pg_sleep(10)")
		done <- err
	}()
	sent := int64(0)
	var err error
	for finished := false; !finished; {
		select {
		case err = <-done:
			finished = true
		case <-time.After(300 * time.Millisecond):
			// Repeat in case the first cancel beat the query to the server.
			if cerr := pgCancel("tcp", in.proxyAddr(), c.ProcessID, c.SecretKey, 5*time.Second); cerr != nil {
				t.Fatalf("sending the cancel: %v", cerr)
			}
			sent++
		}
	}
	var pe *pgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("query ended with %v, want SQLSTATE 57014", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the cancel took %v", d)
	}
	if got := in.stats(t).CancelRequests; got != sent {
		t.Fatalf("cancel_requests = %d, want %d", got, sent)
	}
	if u := currentUser(t, c); u != sp {
		t.Fatalf("the session is unusable after the cancel: %q", u)
	}
}

func TestGSSENCRequestIsDeclinedAndTheLoginContinues(t *testing.T) {
	in := fresh(t)
	raw, err := net.DialTimeout("tcp", in.proxyAddr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := raw.Write(startupPacket(gssencRequestCode, nil)); err != nil {
		t.Fatal(err)
	}
	var answer [1]byte
	if _, err := io.ReadFull(raw, answer[:]); err != nil || answer[0] != 'N' {
		t.Fatalf("GSSENCRequest answer %q, %v; want 'N'", answer[0], err)
	}
	sp := in.env["DATABRICKS_CLIENT_ID"]
	c, err := pgStartup(raw, pgConfig{User: sp, Database: databaseName,
		Password: in.mint(t, in.sp1Token(t)), TLS: in.proxyTLS()})
	if err != nil {
		t.Fatalf("login after GSSENCRequest: %v", err)
	}
	if u := currentUser(t, c); u != sp {
		t.Fatalf("current_user = %q", u)
	}
}

func TestDirectTLSNegotiationIsAccepted(t *testing.T) {
	in := fresh(t)
	cfg := in.proxyTLS()
	cfg.NextProtos = []string{"postgresql"}
	tc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", in.proxyAddr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
	sp := in.env["DATABRICKS_CLIENT_ID"]
	c, err := pgStartup(tc, pgConfig{User: sp, Database: databaseName, Password: in.mint(t, in.sp1Token(t))})
	if err != nil {
		t.Fatalf("login over direct TLS: %v", err)
	}
	if u := currentUser(t, c); u != sp {
		t.Fatalf("current_user = %q", u)
	}
}

func TestRestartPostgresEndsSessionsAndServesAgain(t *testing.T) {
	in := fresh(t)
	sp := in.env["DATABRICKS_CLIENT_ID"]
	cred := in.mint(t, in.sp1Token(t))
	old := in.mustLogin(t, sp, cred)
	defer old.Close()
	r := in.call(t, "POST", "/emulator/restart-postgres", "", nil)
	if r.status != 200 {
		t.Fatalf("restart-postgres answered %d: %s", r.status, r.body)
	}
	began, _ := r.json(t)["began_unix_ms"].(float64)
	ready, _ := r.json(t)["ready_unix_ms"].(float64)
	if began <= 0 || ready < began || ready > float64(time.Now().UnixMilli()) {
		t.Fatalf("restart began %v, ready %v", began, ready)
	}
	_ = old.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := old.Query("SELECT 1"); err == nil {
		t.Fatal("a session from before the restart still answers")
	}
	c := in.mustLogin(t, sp, cred)
	defer c.Close()
	if _, err := c.Query("SELECT 1"); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}
