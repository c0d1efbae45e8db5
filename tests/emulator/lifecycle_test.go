package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartupFlagsSetKnobsAndMaxLifetimeEndsCleanly(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "state")
	envFile := filepath.Join(stateDir, "env")
	in, err := startInstance("--state-dir", stateDir, "--env-file", envFile, "--ttl", "5", "--latency-ms", "50",
		"--cold-start-seconds", "30", "--cold-start-mode", "57P03", "--proxy-addr", "127.0.0.1:0",
		"--max-lifetime", "8s")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.cmd.Process.Kill() }()

	if in.env["EMULATOR_STATE_DIR"] != stateDir || in.env["EMULATOR_PROXY_HOST"] != "127.0.0.1" {
		t.Errorf("state dir %q proxy host %q", in.env["EMULATOR_STATE_DIR"], in.env["EMULATOR_PROXY_HOST"])
	}
	if in.env["PGPORT"] == "" || in.env["PGPORT"] != in.env["EMULATOR_PROXY_PORT"] {
		t.Errorf("PGPORT %q, proxy port %q: PGPORT must name a proxy port other than 5432",
			in.env["PGPORT"], in.env["EMULATOR_PROXY_PORT"])
	}
	if data, err := os.ReadFile(envFile); err != nil || string(data) != in.stdout {
		t.Errorf("the env file differs from stdout (%v):\n%s", err, data)
	}
	k := in.call(t, "GET", "/emulator/knobs", "", nil).json(t)
	cs, _ := k["cold_start"].(map[string]any)
	if k["ttl_seconds"] != float64(5) || k["latency_ms"] != float64(50) || cs["mode"] != "57P03" {
		t.Errorf("knobs from flags: %v", k)
	}
	r := in.call(t, "POST", "/api/2.0/postgres/credentials", in.env["EMULATOR_USER_TOKEN"],
		map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"]})
	wantLifetime(t, r.json(t)["expire_time"].(string), 5*time.Second)
	_, err = in.login(in.env["EMULATOR_USER_EMAIL"], r.json(t)["token"].(string))
	wantRefusal(t, err, "57P03", "the database system is starting up")

	if err := in.wait(30 * time.Second); err != nil {
		t.Fatalf("after --max-lifetime: %v\n%s", err, in.stderr)
	}
	if err := verifyGone(stateDir); err != nil {
		t.Fatal(err)
	}
}

func TestSIGTERMClosesSessionsStopsPostgresAndKeepsAGivenStateDir(t *testing.T) {
	stateDir := t.TempDir()
	marker := filepath.Join(stateDir, "keep-me")
	if err := os.WriteFile(marker, []byte("not the emulator's"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := startInstance("--state-dir", stateDir, "--env-file", filepath.Join(stateDir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.cmd.Process.Kill() }()
	sp := in.env["DATABRICKS_CLIENT_ID"]
	c := in.mustLogin(t, sp, in.mint(t, in.sp1Token(t)))
	defer c.Close()

	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := in.wait(20 * time.Second); err != nil {
		t.Fatalf("after SIGTERM: %v\n%s", err, in.stderr)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Query("SELECT 1"); err == nil {
		t.Error("a proxied session survived the shutdown")
	}
	entries, err := os.ReadDir(stateDir)
	if err != nil {
		t.Fatalf("the given state dir was removed: %v", err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	if strings.Join(left, ",") != "keep-me" {
		t.Errorf("left in the state dir: %v, want only keep-me", left)
	}
	if pids := processesMentioning(stateDir); len(pids) > 0 {
		t.Errorf("processes still running from %s: %v", stateDir, pids)
	}
}

func TestBadFlagsExitWithUsageError(t *testing.T) {
	for _, args := range [][]string{{"--cold-start-mode", "nap"}, {"--ttl", "0"}, {"stray"}} {
		err := exec.Command(emulatorBin, args...).Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("%v: %v, want exit status 2", args, err)
		}
	}
}
