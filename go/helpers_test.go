package lakebase_test

import (
	"testing"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

// emulatorConfig is service principal #1 of the emulator, minting for the
// Autoscaling endpoint and logging in through the TLS login proxy.
func emulatorConfig(t *testing.T) (lakebase.Config, emulator.Env) {
	env := emulator.Require(t)
	return lakebase.Config{
		"config.use_environment": "false",
		"workspace.host":         env["DATABRICKS_HOST"],
		"auth.client_id":         env["DATABRICKS_CLIENT_ID"],
		"auth.client_secret":     env["DATABRICKS_CLIENT_SECRET"],
		"http.ca_file":           env["LAKEBASE_CA_FILE"],
		"lakebase.endpoint":      env["LAKEBASE_ENDPOINT"],
		"pg.port":                env["EMULATOR_PROXY_PORT"],
		"pg.sslrootcert":         env["PGSSLROOTCERT"],
	}, env
}
