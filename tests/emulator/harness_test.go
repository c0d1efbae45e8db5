package main

// Test harness: runs the real lakebase-emulator binary (LAKEBASE_EMULATOR,
// or one built here) as a subprocess with a real PostgreSQL, and talks to
// it over HTTPS and the Postgres protocol like a client library would.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// emu is the instance shared by the tests of this binary.
var emu *instance

// emulatorBin is the binary under test.
var emulatorBin string

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	bin, cleanup, err := findOrBuildEmulator()
	if err != nil {
		return 1, err
	}
	defer cleanup()
	emulatorBin = bin
	if emu, err = startInstance(); err != nil {
		return 1, err
	}
	code := m.Run()
	// The shared instance must also shut down cleanly on SIGTERM.
	if err := emu.terminateAndVerify(); err != nil {
		return 1, fmt.Errorf("shutting down the shared emulator: %w", err)
	}
	return code, nil
}

func findOrBuildEmulator() (string, func(), error) {
	if bin := os.Getenv("LAKEBASE_EMULATOR"); bin != "" {
		return bin, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "lbe-test-bin-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "lakebase-emulator")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the emulator: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// lockedBuffer collects the emulator's stderr for failure reports.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type instance struct {
	cmd    *exec.Cmd
	stdout string // everything printed up to the ready line
	env    map[string]string
	stderr *lockedBuffer
	exited chan struct{}
	err    error // cmd.Wait's, valid once exited is closed

	client *http.Client
	caPool *x509.CertPool
}

// startInstance runs the emulator and waits for its ready line.
func startInstance(args ...string) (*instance, error) {
	in := &instance{stderr: &lockedBuffer{}, exited: make(chan struct{})}
	in.cmd = exec.Command(emulatorBin, args...)
	in.cmd.Stderr = in.stderr
	stdout, err := in.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := in.cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var out strings.Builder
	timeout := time.After(60 * time.Second)
	for ready := false; !ready; {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = in.cmd.Wait()
				return nil, fmt.Errorf("emulator exited before it was ready:\n%s", in.stderr)
			}
			out.WriteString(line + "\n")
			ready = line == "# lakebase emulator ready"
		case <-timeout:
			_ = in.cmd.Process.Kill()
			return nil, fmt.Errorf("emulator not ready after 60 s:\n%s", in.stderr)
		}
	}
	go func() {
		for range lines { // nothing more is expected; keep the pipe drained
		}
	}()
	go func() {
		in.err = in.cmd.Wait()
		close(in.exited)
	}()
	in.stdout = out.String()
	if in.env, err = parseEnv(in.stdout); err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(in.env["LAKEBASE_CA_FILE"])
	if err != nil {
		return nil, err
	}
	in.caPool = x509.NewCertPool()
	if !in.caPool.AppendCertsFromPEM(ca) {
		return nil, errors.New("LAKEBASE_CA_FILE holds no certificate")
	}
	in.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: in.caPool}},
	}
	return in, nil
}

// parseEnv reads the `export KEY='value'` lines.
func parseEnv(text string) (map[string]string, error) {
	env := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kv, ok := strings.CutPrefix(line, "export ")
		key, quoted, ok2 := strings.Cut(kv, "=")
		if !ok || !ok2 || len(quoted) < 2 || quoted[0] != '\'' || quoted[len(quoted)-1] != '\'' {
			return nil, fmt.Errorf("unexpected environment line %q", line)
		}
		env[key] = strings.ReplaceAll(quoted[1:len(quoted)-1], `'\''`, `'`)
	}
	return env, nil
}

// wait waits for the process to exit by itself.
func (in *instance) wait(timeout time.Duration) error {
	select {
	case <-in.exited:
		return in.err
	case <-time.After(timeout):
		_ = in.cmd.Process.Kill()
		<-in.exited
		return fmt.Errorf("emulator still running after %v", timeout)
	}
}

// terminateAndVerify sends SIGTERM and checks the clean-shutdown promise:
// exit 0, the state directory gone, no server process left.
func (in *instance) terminateAndVerify() error {
	stateDir := in.env["EMULATOR_STATE_DIR"]
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if err := in.wait(20 * time.Second); err != nil {
		return fmt.Errorf("%v\n%s", err, in.stderr)
	}
	return verifyGone(stateDir)
}

func verifyGone(stateDir string) error {
	if _, err := os.Stat(stateDir); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("state directory %s still exists (%v)", stateDir, err)
	}
	if pids := processesMentioning(stateDir); len(pids) > 0 {
		return fmt.Errorf("processes still running from %s: %v", stateDir, pids)
	}
	return nil
}

// processesMentioning lists pids whose command line contains s.
func processesMentioning(s string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(s)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// --- HTTP helpers -----------------------------------------------------------

type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as an object, failing the test if it is not one.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("HTTP %d body is not a JSON object: %v: %.300s", r.status, err, r.body)
	}
	return v
}

// call sends a request; body is sent as-is when a string, else as JSON.
func (in *instance) call(t *testing.T, method, path, bearer string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, in.env["EMULATOR_URL"]+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return in.do(t, req)
}

func (in *instance) do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := in.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// tokenRequest asks the OIDC token endpoint for a client-credentials token.
func (in *instance) tokenRequest(t *testing.T, clientID, secret, form string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, in.env["DATABRICKS_HOST"]+"/oidc/v1/token", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	return in.do(t, req)
}

// oauthToken returns a workspace access token for a service principal.
func (in *instance) oauthToken(t *testing.T, clientID, secret string) string {
	t.Helper()
	r := in.tokenRequest(t, clientID, secret, "grant_type=client_credentials&scope=all-apis")
	if r.status != http.StatusOK {
		t.Fatalf("token endpoint answered %d: %s", r.status, r.body)
	}
	tok, _ := r.json(t)["access_token"].(string)
	if tok == "" {
		t.Fatalf("no access_token in %s", r.body)
	}
	return tok
}

func (in *instance) sp1Token(t *testing.T) string {
	return in.oauthToken(t, in.env["DATABRICKS_CLIENT_ID"], in.env["DATABRICKS_CLIENT_SECRET"])
}

func (in *instance) sp2Token(t *testing.T) string {
	return in.oauthToken(t, in.env["EMULATOR_OTHER_CLIENT_ID"], in.env["EMULATOR_OTHER_CLIENT_SECRET"])
}

// mint asks the Autoscaling API for a database credential.
func (in *instance) mint(t *testing.T, bearer string) string {
	t.Helper()
	r := in.call(t, "POST", "/api/2.0/postgres/credentials", bearer,
		map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"]})
	if r.status != http.StatusOK {
		t.Fatalf("mint answered %d: %s", r.status, r.body)
	}
	tok, _ := r.json(t)["token"].(string)
	if tok == "" {
		t.Fatalf("no token in %s", r.body)
	}
	return tok
}

func (in *instance) setKnobs(t *testing.T, patch string) map[string]any {
	t.Helper()
	r := in.call(t, "POST", "/emulator/knobs", "", patch)
	if r.status != http.StatusOK {
		t.Fatalf("knobs %s answered %d: %s", patch, r.status, r.body)
	}
	return r.json(t)
}

func (in *instance) stats(t *testing.T) statsView {
	t.Helper()
	r := in.call(t, "GET", "/emulator/stats", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("stats answered %d: %s", r.status, r.body)
	}
	var s statsView
	if err := json.Unmarshal(r.body, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// fresh resets the shared emulator before and after a test.
func fresh(t *testing.T) *instance {
	t.Helper()
	reset := func() {
		emu.control(t, "POST", "/emulator/kill-connections", "")
		if r := emu.control(t, "POST", "/emulator/reset", ""); r.status != http.StatusOK {
			t.Fatalf("reset answered %d: %s", r.status, r.body)
		}
	}
	reset()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emulator log tail:\n%s", tail(emu.stderr.String(), 30))
		}
		reset()
	})
	return emu
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// --- Postgres helpers -------------------------------------------------------

func (in *instance) proxyAddr() string {
	return net.JoinHostPort(in.env["EMULATOR_PROXY_HOST"], in.env["EMULATOR_PROXY_PORT"])
}

// proxyTLS verifies the proxy like sslmode=verify-full with the CA.
func (in *instance) proxyTLS() *tls.Config {
	return &tls.Config{RootCAs: in.caPool, ServerName: in.env["EMULATOR_PROXY_HOST"]}
}

// login connects through the proxy over TLS.
func (in *instance) login(role, password string) (*pgConn, error) {
	return pgDial("tcp", in.proxyAddr(), pgConfig{User: role, Database: databaseName,
		Password: password, TLS: in.proxyTLS()}, 10*time.Second)
}

func (in *instance) mustLogin(t *testing.T, role, password string) *pgConn {
	t.Helper()
	c, err := in.login(role, password)
	if err != nil {
		t.Fatalf("login as %s: %v", role, err)
	}
	return c
}

func currentUser(t *testing.T, c *pgConn) string {
	t.Helper()
	rows, err := c.Query("SELECT current_user")
	if err != nil {
		t.Fatalf("SELECT current_user: %v", err)
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("SELECT current_user returned %v", rows)
	}
	return rows[0][0]
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
