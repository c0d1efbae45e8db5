package lakebase_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

// oauthToken fetches a workspace token for a service principal, as the
// platform would forward one for a user.
func oauthToken(t *testing.T, env emulator.Env, clientID, secret string) string {
	t.Helper()
	pem, err := os.ReadFile(env["LAKEBASE_CA_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"all-apis"}}
	req, _ := http.NewRequest("POST", env["DATABRICKS_HOST"]+"/oidc/v1/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("no token (HTTP %d): %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

type oboIdentity struct{ key, role, token string }

func TestPoolSetThreeIdentitiesNeverCross(t *testing.T) {
	env := emulator.Require(t)
	claims := `[{"permission_set": "READ_ONLY", "resources": [{"table_name": "main.sales.orders"}]}]`
	ctl := emulator.Reset(t, env, `{"expect_mint_request": {"ttl": "600s", "group_name": "readers", "claims": `+claims+`}}`)
	ids := []oboIdentity{
		{"alice", env["DATABRICKS_CLIENT_ID"], oauthToken(t, env, env["DATABRICKS_CLIENT_ID"], env["DATABRICKS_CLIENT_SECRET"])},
		{"bob", env["EMULATOR_OTHER_CLIENT_ID"], oauthToken(t, env, env["EMULATOR_OTHER_CLIENT_ID"], env["EMULATOR_OTHER_CLIENT_SECRET"])},
		{"carol", env["EMULATOR_USER_EMAIL"], env["EMULATOR_USER_TOKEN"]},
	}
	set, err := lakebase.NewPoolSet(lakebase.Config{
		"config.use_environment": "false",
		"workspace.host":         env["DATABRICKS_HOST"],
		"http.ca_file":           env["LAKEBASE_CA_FILE"],
		"lakebase.endpoint":      env["LAKEBASE_ENDPOINT"],
		"lakebase.ttl_seconds":   "600",
		"lakebase.group_name":    "readers",
		"lakebase.claims":        claims,
		"pg.port":                env["EMULATOR_PROXY_PORT"],
		"pg.sslrootcert":         env["PGSSLROOTCERT"],
		"pool.max_size":          "2",
	}, 3, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3*10)
	for _, id := range ids {
		wg.Add(1)
		go func(id oboIdentity) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				conn, err := set.Acquire(ctx, id.key, id.token)
				if err != nil {
					errs <- err
					return
				}
				var who string
				err = conn.QueryRow(ctx, "SELECT current_user").Scan(&who)
				conn.Release()
				if err != nil {
					errs <- err
					return
				}
				if who != id.role {
					errs <- errors.New(id.key + " logged in as " + who + ", not " + id.role)
				}
			}
		}(id)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := set.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Pools != 3 || st.PoolsCreated != 3 || st.Pool.Acquires != 30 || st.Pool.Credential.MintsOK != 3 {
		t.Errorf("stats %+v: want 3 pools, 30 acquires, one mint per identity", st)
	}
	stats, err := ctl.GetJSON("/emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	refused := stats.(map[string]any)["logins"].(map[string]any)["refused"].(map[string]any)
	for reason, n := range refused {
		if n.(float64) != 0 {
			t.Errorf("the login proxy refused %v logins (%s)", n, reason)
		}
	}
	reqs, err := ctl.GetJSON("/emulator/mint-requests")
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, r := range reqs.(map[string]any)["requests"].([]any) {
		m := r.(map[string]any)
		if m["ttl"] != "600s" || m["group_name"] != "readers" || m["claims"] == nil || m["refused"] != nil {
			t.Errorf("mint request %v", m)
		}
		roles[m["role"].(string)]++
	}
	for _, id := range ids {
		if roles[id.role] != 1 {
			t.Errorf("%s minted %d times, want once", id.role, roles[id.role])
		}
	}

	// A key with no pool yet needs its token.
	if _, err := set.Acquire(ctx, "dave", ""); !errors.Is(err, lakebase.ErrInvalid) {
		t.Errorf("a new key without a token: %v", err)
	}

	// With alice's pool full (pool.max_size 2), an acquire waits without
	// a thread parked in C: its context withdraws it, and Close ends it
	// with ErrClosed long before its deadline.
	held := make([]*lakebase.Conn, 2)
	for i := range held {
		if held[i], err = set.Acquire(ctx, "alice", ids[0].token); err != nil {
			t.Fatal(err)
		}
	}
	withdrawn, withdraw := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, withdraw)
	if _, err := set.Acquire(withdrawn, "alice", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("a withdrawn acquire: %v", err)
	}
	waited := make(chan error, 1)
	go func() {
		conn, err := set.Acquire(ctx, "alice", "")
		if conn != nil {
			conn.Release()
		}
		waited <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, err := set.Stats()
		if err != nil || st.Pool.Waiting == 1 || time.Now().After(deadline) {
			break
		}
	}
	closed := make(chan struct{})
	go func() {
		set.Close()
		close(closed)
	}()
	select {
	case err := <-waited:
		if !errors.Is(err, lakebase.ErrClosed) {
			t.Errorf("an acquire waiting at Close: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not end the waiting acquire")
	}
	for _, conn := range held {
		conn.Release()
	}
	<-closed

	// After Close nothing works.
	if _, err := set.Acquire(ctx, "alice", ids[0].token); !errors.Is(err, lakebase.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestPoolSetRefusesAConfigurationWithAnIdentity(t *testing.T) {
	cfg, _ := emulatorConfig(t)
	if _, err := lakebase.NewPoolSet(cfg, 3, time.Minute); !errors.Is(err, lakebase.ErrConfig) ||
		!strings.Contains(err.Error(), "auth.client_secret") {
		t.Fatalf("err = %v", err)
	}
}
