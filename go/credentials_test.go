package lakebase_test

import (
	"context"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

func TestCredentialsGetMintsForTheServicePrincipal(t *testing.T) {
	cfg, env := emulatorConfig(t)
	creds, err := lakebase.NewCredentials(cfg)
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
	if cred.Token == "" || cred.User != env["DATABRICKS_CLIENT_ID"] ||
		cred.Host != env["EMULATOR_PROXY_HOST"] || cred.Database != "databricks_postgres" ||
		cred.SSLMode != "require" || !cred.ExpireTime.After(time.Now()) {
		t.Fatalf("credential = {user %q host %q port %d db %q sslmode %q expires %v}",
			cred.User, cred.Host, cred.Port, cred.Database, cred.SSLMode, cred.ExpireTime)
	}
	again, err := creds.Get(ctx)
	if err != nil || again.Token != cred.Token {
		t.Fatalf("second Get: %v (same token: %v)", err, again.Token == cred.Token)
	}
	st, err := creds.Stats()
	if err != nil || st.ExpireTime.IsZero() || st.MintsOK < 1 || st.LastErrorCode != 0 {
		t.Fatalf("stats = %+v, %v", st, err)
	}
}
