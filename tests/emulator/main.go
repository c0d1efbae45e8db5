// Command lakebase-emulator emulates Databricks Lakebase on one machine so
// client libraries can be tested without an account: a throwaway
// PostgreSQL, an HTTPS fake workspace and a TLS login proxy that accepts
// only unexpired database credentials minted for the login role.
//
// See README.md for the printed environment, the knobs and examples.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	stateDir         string
	envFile          string
	maxLifetime      time.Duration
	proxyAddr        string
	ttlSeconds       int
	latencyMS        int
	coldStartSeconds float64
	coldStartMode    string
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("lakebase-emulator: ")
	var o options
	flag.StringVar(&o.stateDir, "state-dir", "", "directory for the cluster, CA and logs (default: a new temporary directory, removed at exit)")
	flag.StringVar(&o.envFile, "env-file", "", "write the environment here (atomically) once ready")
	flag.DurationVar(&o.maxLifetime, "max-lifetime", 2*time.Hour, "exit cleanly after this long (a safety net)")
	flag.StringVar(&o.proxyAddr, "proxy-addr", "", "login proxy address (default: a random 127.x.y.z:5432, else 127.0.0.1:<free>)")
	flag.IntVar(&o.ttlSeconds, "ttl", 3600, "knob ttl_seconds: upper bound of a database credential's lifetime")
	flag.IntVar(&o.latencyMS, "latency-ms", 0, "knob latency_ms: delay added to every workspace API answer")
	flag.Float64Var(&o.coldStartSeconds, "cold-start-seconds", 0, "begin with a cold start of this many seconds")
	flag.StringVar(&o.coldStartMode, "cold-start-mode", "refuse", `cold start mode: "refuse", "57P03" or "refuse_then_57P03"`)
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "lakebase-emulator: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := o.validate(); err != nil {
		fmt.Fprintf(os.Stderr, "lakebase-emulator: %v\n", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		log.Printf("error: %v", err)
		os.Exit(1)
	}
}

func (o *options) validate() error {
	if o.ttlSeconds < 1 {
		return errors.New("--ttl must be >= 1")
	}
	if o.latencyMS < 0 || o.latencyMS > maxLatencyMS {
		return fmt.Errorf("--latency-ms must be between 0 and %d", maxLatencyMS)
	}
	if o.maxLifetime <= 0 {
		return errors.New("--max-lifetime must be positive")
	}
	if o.coldStartSeconds < 0 || o.coldStartSeconds > 3600 {
		return errors.New("--cold-start-seconds must be between 0 and 3600")
	}
	if o.coldStartMode != "refuse" && o.coldStartMode != "57P03" && o.coldStartMode != "refuse_then_57P03" {
		return errors.New(`--cold-start-mode must be "refuse", "57P03" or "refuse_then_57P03"`)
	}
	return nil
}

// cleanup removes, in reverse order, what the emulator created.
type cleanup struct{ paths []string }

func (c *cleanup) add(p string) { c.paths = append(c.paths, p) }

func (c *cleanup) run() {
	for i := len(c.paths) - 1; i >= 0; i-- {
		_ = os.RemoveAll(c.paths[i])
	}
}

func run(o options) error {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)

	var made cleanup
	defer made.run()
	stateDir, err := prepareStateDir(o.stateDir, &made)
	if err != nil {
		return err
	}

	st, err := newState(knobs{TTLSeconds: o.ttlSeconds, OAuthTTLSeconds: 3600, LatencyMS: o.latencyMS})
	if err != nil {
		return err
	}

	proxyLn, err := listenProxy(o.proxyAddr)
	if err != nil {
		return fmt.Errorf("binding the login proxy: %w", err)
	}
	defer proxyLn.Close()
	proxyHost, _, _ := net.SplitHostPort(proxyLn.Addr().String())

	certs, err := newPKI([]string{proxyHost}, o.maxLifetime)
	if err != nil {
		return err
	}
	caFile := filepath.Join(stateDir, "ca.pem")
	made.add(caFile)
	if err := os.WriteFile(caFile, certs.caPEM, 0o644); err != nil {
		return err
	}

	pg, err := newCluster(stateDir)
	if err != nil {
		return err
	}
	defer pg.stop()
	if err := pg.start(); err != nil {
		if tail := pg.logTail(40); tail != "" {
			fmt.Fprintf(os.Stderr, "--- PostgreSQL log (%s) ---\n%s\n---\n", pg.logFile, tail)
		}
		return fmt.Errorf("starting PostgreSQL: %w", err)
	}
	if err := pg.bootstrap(st.identities()); err != nil {
		return err
	}

	px := newProxy(st, proxyLn, pg.socketPath(), certs)
	defer px.close()

	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	baseURL := "https://" + httpLn.Addr().String()
	ws := &workspace{st: st, proxy: px, baseURL: baseURL}
	api := newAPIServer(httpLn, &http.Server{
		Handler:           ws,
		TLSConfig:         certs.serverTLS(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(os.Stderr, "lakebase-emulator: http: ", log.LstdFlags),
	})
	ws.api = api
	ctl := &control{st: st, proxy: px, api: api, pg: pg}
	ws.control = ctl
	api.serve()
	defer api.close()

	// The control API also listens on a port of its own, so it stays
	// reachable while an api_outage closes the workspace's.
	ctlLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	controlURL := "https://" + ctlLn.Addr().String()
	ctlSrv := &http.Server{
		Handler:           ctl,
		TLSConfig:         certs.serverTLS(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(os.Stderr, "lakebase-emulator: control: ", log.LstdFlags),
	}
	go func() {
		if err := ctlSrv.ServeTLS(ctlLn, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("control server: %v", err)
		}
	}()
	defer ctlSrv.Close()

	px.serve()
	if o.coldStartSeconds > 0 {
		px.startColdStart(o.coldStartMode, o.coldStartSeconds)
	}

	env := readyEnv(st, px, pg, baseURL, controlURL, caFile, stateDir)
	ctl.identities = identitiesView(st, px, pg, baseURL, caFile)
	text := formatEnv(env)
	if o.envFile != "" {
		made.add(o.envFile)
		if err := writeFileAtomic(o.envFile, []byte(text), 0o600); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(os.Stdout, text); err != nil {
		return err
	}
	proxyHostOut, proxyPort := px.hostPort()
	log.Printf("ready: workspace %s, proxy %s:%d, postgres 127.0.0.1:%d, pid %d",
		baseURL, proxyHostOut, proxyPort, pg.port, os.Getpid())

	select {
	case s := <-signals:
		log.Printf("%v: shutting down", s)
	case <-time.After(o.maxLifetime):
		log.Printf("max lifetime %v reached: shutting down", o.maxLifetime)
	}
	return nil
}

// prepareStateDir makes the state directory (or a temporary one) and
// records what has to go at exit.
func prepareStateDir(dir string, made *cleanup) (string, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "lakebase-emulator-")
		if err != nil {
			return "", err
		}
		made.add(d)
		return d, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return "", err
		}
		made.add(abs)
	} else if err != nil {
		return "", err
	}
	return abs, nil
}

type envVar struct{ key, value string }

func readyEnv(st *state, px *proxy, pg *cluster, baseURL, controlURL, caFile, stateDir string) []envVar {
	host, port := px.hostPort()
	env := []envVar{
		{"DATABRICKS_HOST", baseURL},
		{"DATABRICKS_CLIENT_ID", st.sp1.ClientID},
		{"DATABRICKS_CLIENT_SECRET", st.sp1.ClientSecret},
		{"LAKEBASE_ENDPOINT", endpointName},
		{"LAKEBASE_CA_FILE", caFile},
		{"PGSSLROOTCERT", caFile},
	}
	if port != 5432 {
		env = append(env, envVar{"PGPORT", strconv.Itoa(port)})
	}
	return append(env,
		envVar{"EMULATOR_URL", baseURL},
		envVar{"EMULATOR_CONTROL_URL", controlURL},
		envVar{"EMULATOR_STATE_DIR", stateDir},
		envVar{"EMULATOR_PID", strconv.Itoa(os.Getpid())},
		envVar{"EMULATOR_INSTANCE", instanceName},
		envVar{"EMULATOR_PROXY_HOST", host},
		envVar{"EMULATOR_PROXY_PORT", strconv.Itoa(port)},
		envVar{"EMULATOR_USER_EMAIL", st.user.Email},
		envVar{"EMULATOR_USER_TOKEN", st.user.PAT},
		envVar{"EMULATOR_OTHER_CLIENT_ID", st.sp2.ClientID},
		envVar{"EMULATOR_OTHER_CLIENT_SECRET", st.sp2.ClientSecret},
		envVar{"EMULATOR_DIRECT_HOST", "127.0.0.1"},
		envVar{"EMULATOR_DIRECT_PORT", strconv.Itoa(pg.port)},
		envVar{"EMULATOR_DIRECT_PASSWORD", st.sp1.DBPassword},
	)
}

// formatEnv renders `export KEY='value'` lines a POSIX shell can source.
func formatEnv(env []envVar) string {
	var b strings.Builder
	for _, e := range env {
		fmt.Fprintf(&b, "export %s=%s\n", e.key, shellQuote(e.value))
	}
	b.WriteString("# lakebase emulator ready\n")
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func identitiesView(st *state, px *proxy, pg *cluster, baseURL, caFile string) map[string]any {
	host, port := px.hostPort()
	sp := func(id *identity) map[string]string {
		return map[string]string{"client_id": id.ClientID, "client_secret": id.ClientSecret, "role": id.Role}
	}
	passwords := map[string]string{}
	for _, id := range st.identities() {
		passwords[id.Role] = id.DBPassword
	}
	return map[string]any{
		"workspace_url":           baseURL,
		"ca_file":                 caFile,
		"service_principal":       sp(st.sp1),
		"other_service_principal": sp(st.sp2),
		"user":                    map[string]string{"email": st.user.Email, "pat": st.user.PAT, "role": st.user.Role},
		"endpoint":                endpointName,
		"instance":                instanceName,
		"database":                databaseName,
		"proxy":                   map[string]any{"host": host, "port": port},
		"direct":                  map[string]any{"host": "127.0.0.1", "port": pg.port, "passwords": passwords},
	}
}

// writeFileAtomic writes next to path and renames, so a reader never sees
// a half-written file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".env-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
