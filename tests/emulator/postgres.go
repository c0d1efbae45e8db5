package main

// The throwaway PostgreSQL cluster behind the proxy: initdb, pg_ctl, and
// the roles that mirror the workspace identities.

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	databaseName = "databricks_postgres"
	superuser    = "postgres"
	// A unix socket path must fit in sun_path (108 bytes with the NUL).
	maxSocketPath = 100
)

type cluster struct {
	bindir  string
	dataDir string
	sockDir string
	logFile string
	port    int
	// runAs is set when we are root: initdb refuses to run as root, so the
	// server tools run as the postgres OS user.
	runAs *syscall.Credential
	// created lists what start made, for stop to remove.
	created []string
}

// findPGBinDir prefers pg_config, then the highest Debian versioned
// directory, then PATH; the directory must hold initdb.
func findPGBinDir() (string, error) {
	hasInitdb := func(dir string) bool {
		st, err := os.Stat(filepath.Join(dir, "initdb"))
		return err == nil && !st.IsDir()
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); hasInitdb(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgDirVersion(dirs[i]) > pgDirVersion(dirs[j]) })
	for _, dir := range dirs {
		if hasInitdb(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries found (install the postgresql package)")
}

func pgDirVersion(bindir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(bindir)), 64)
	return v
}

// newCluster prepares directories under stateDir; nothing runs yet.
func newCluster(stateDir string) (*cluster, error) {
	bindir, err := findPGBinDir()
	if err != nil {
		return nil, err
	}
	c := &cluster{
		bindir:  bindir,
		dataDir: filepath.Join(stateDir, "pgdata"),
		logFile: filepath.Join(stateDir, "postgres.log"),
	}
	if os.Geteuid() == 0 {
		if c.runAs, err = postgresCredential(); err != nil {
			return nil, err
		}
		if err := makeTraversable(stateDir); err != nil {
			return nil, err
		}
	}
	c.removeStaleCluster()
	if err := c.makeOwnedDir(c.dataDir, 0o700); err != nil {
		return nil, err
	}
	c.sockDir = filepath.Join(stateDir, "sock")
	if len(c.sockDir)+len("/.s.PGSQL.65535") > maxSocketPath {
		if c.sockDir, err = os.MkdirTemp("", "lbe-sock-"); err != nil {
			return nil, err
		}
		c.created = append(c.created, c.sockDir)
		if err := c.chown(c.sockDir); err != nil {
			return nil, err
		}
	} else if err := c.makeOwnedDir(c.sockDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.logFile, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	f.Close()
	c.created = append(c.created, c.logFile)
	if err := c.chown(c.logFile); err != nil {
		return nil, err
	}
	return c, nil
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a 'postgres' OS user to run the server: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// makeTraversable lets the postgres user reach dir: every ancestor gets
// the search bit for others when it lacks it.
func makeTraversable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 == 0 {
			log.Printf("adding o+x to %s so the postgres user can reach the state directory", d)
			if err := os.Chmod(d, st.Mode().Perm()|0o001); err != nil {
				return err
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// removeStaleCluster clears what a killed emulator left in the state dir.
func (c *cluster) removeStaleCluster() {
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); err == nil {
		log.Printf("stopping a stale server left in %s", c.dataDir)
		_, _ = c.run(c.tool("pg_ctl"), "-D", c.dataDir, "-m", "immediate", "-w", "-t", "20", "stop")
	}
	_ = os.RemoveAll(c.dataDir)
}

func (c *cluster) makeOwnedDir(dir string, mode os.FileMode) error {
	_ = os.RemoveAll(dir)
	if err := os.Mkdir(dir, mode); err != nil {
		return err
	}
	c.created = append(c.created, dir)
	return c.chown(dir)
}

func (c *cluster) chown(path string) error {
	if c.runAs == nil {
		return nil
	}
	return os.Chown(path, int(c.runAs.Uid), int(c.runAs.Gid))
}

func (c *cluster) tool(name string) string { return filepath.Join(c.bindir, name) }

// run executes a server tool as the cluster owner, in its own process
// group so a terminal's Ctrl-C reaches only the emulator, which then stops
// the server in order.
func (c *cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dataDir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.runAs}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", filepath.Base(name), err, bytes.TrimSpace(out))
	}
	return out, nil
}

// serverEnv is our environment without PG* variables, which would steer
// initdb and pg_ctl elsewhere.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

// start runs initdb, configures the server for throwaway speed and starts it.
func (c *cluster) start() error {
	if _, err := c.run(c.tool("initdb"), "-D", c.dataDir, "-U", superuser, "-E", "UTF8",
		"--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	c.port = port
	conf := fmt.Sprintf(`
# --- lakebase emulator: a throwaway server, speed over durability ---
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 32MB
log_min_messages = warning
`, port, strings.ReplaceAll(c.sockDir, "'", "''"))
	f, err := os.OpenFile(filepath.Join(c.dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = c.run(c.tool("pg_ctl"), "-D", c.dataDir, "-l", c.logFile, "-w", "-t", "60", "start")
	return err
}

// socketPath is where the proxy and the bootstrap connect.
// restart stops the server the way an operator's restart does (fast:
// sessions are terminated) and starts it again on the same port.
func (c *cluster) restart() error {
	_, err := c.run(c.tool("pg_ctl"), "-D", c.dataDir, "-l", c.logFile, "-m", "fast", "-w", "-t", "60", "restart")
	return err
}

func (c *cluster) socketPath() string {
	return filepath.Join(c.sockDir, fmt.Sprintf(".s.PGSQL.%d", c.port))
}

// bootstrap creates the database and one LOGIN role per identity, each with
// a password for the direct TCP listener.
func (c *cluster) bootstrap(ids []*identity) error {
	var stmts []string
	stmts = append(stmts, "CREATE DATABASE "+quoteIdent(databaseName))
	for _, id := range ids {
		stmts = append(stmts,
			fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s", quoteIdent(id.Role), quoteLiteral(id.DBPassword)),
			fmt.Sprintf("GRANT ALL ON DATABASE %s TO %s", quoteIdent(databaseName), quoteIdent(id.Role)))
	}
	if err := c.exec("postgres", stmts); err != nil {
		return err
	}
	stmts = nil
	for _, id := range ids {
		stmts = append(stmts,
			fmt.Sprintf("GRANT ALL ON SCHEMA public TO %s", quoteIdent(id.Role)),
			fmt.Sprintf("GRANT CREATE ON SCHEMA public TO %s", quoteIdent(id.Role)))
	}
	return c.exec(databaseName, stmts)
}

// terminateBackends ends up to n randomly chosen client sessions (not the
// superuser's) with pg_terminate_backend and returns how many it ended.
func (c *cluster) terminateBackends(n int) (int, error) {
	conn, err := pgDial("unix", c.socketPath(), pgConfig{User: superuser, Database: "postgres"}, 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	rows, err := conn.Query(fmt.Sprintf(`SELECT count(*) FROM (
		SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND usename <> %s AND pid <> pg_backend_pid()
		ORDER BY random() LIMIT %d) AS chosen WHERE ended`, quoteLiteral(superuser), n))
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return 0, fmt.Errorf("unexpected answer %v", rows)
	}
	return strconv.Atoi(rows[0][0])
}

func (c *cluster) exec(database string, stmts []string) error {
	conn, err := pgDial("unix", c.socketPath(), pgConfig{User: superuser, Database: database}, 30*time.Second)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", database, err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.Query(s); err != nil {
			return fmt.Errorf("bootstrap statement failed: %w", err)
		}
	}
	return nil
}

// stop shuts the server down (fast, then immediate) and removes what
// newCluster created.
func (c *cluster) stop() {
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); err == nil {
		if _, err := c.run(c.tool("pg_ctl"), "-D", c.dataDir, "-m", "fast", "-w", "-t", "30", "stop"); err != nil {
			log.Printf("fast shutdown failed (%v); trying immediate", err)
			_, _ = c.run(c.tool("pg_ctl"), "-D", c.dataDir, "-m", "immediate", "-w", "-t", "30", "stop")
		}
	}
	for i := len(c.created) - 1; i >= 0; i-- {
		_ = os.RemoveAll(c.created[i])
	}
}

// logTail returns the last lines of the server log, for startup failures.
func (c *cluster) logTail(lines int) string {
	data, err := os.ReadFile(c.logFile)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
