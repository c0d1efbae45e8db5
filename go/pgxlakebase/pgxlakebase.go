// Package pgxlakebase connects pgx v5 pools to Databricks Lakebase: every
// new connection logs in with the current credential of the shared core
// credential provider (lakebase.Credentials), so a pgxpool and any
// lakebase.Pool of the same process share one cache and one mint in flight.
//
//	creds, _ := lakebase.NewCredentials(lakebase.Config{"lakebase.endpoint": ep})
//	defer creds.Close()
//	cfg, _ := pgxlakebase.NewPoolConfig(ctx, creds, "pool_max_conns=8")
//	pool, _ := pgxpool.NewWithConfig(ctx, cfg)
//
// It lives in its own module so the main module stays free of dependencies.
package pgxlakebase

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	lakebase "github.com/lakebase-connector/lakebase-go"
)

// MaxConnLifetime is what NewPoolConfig sets as pgxpool's MaxConnLifetime:
// the core's pool.max_lifetime_seconds default (2700 s), so connections
// are renewed well inside a credential's one-hour lifetime. A connection
// keeps working after its credential expires; only new logins need a valid
// one, and BeforeConnect always brings one.
const MaxConnLifetime = 45 * time.Minute

// BeforeConnect returns a hook for pgxpool.Config.BeforeConnect that sets
// the host, port, database, user and password of each new connection from
// creds' current credential (minting only when the cache has none usable).
func BeforeConnect(creds *lakebase.Credentials) func(context.Context, *pgx.ConnConfig) error {
	return func(ctx context.Context, cc *pgx.ConnConfig) error {
		cred, err := creds.Get(ctx)
		if err != nil {
			return err
		}
		if cc.TLSConfig != nil && cc.TLSConfig.ServerName != cred.Host {
			tlsConfig := cc.TLSConfig.Clone()
			tlsConfig.ServerName = cred.Host
			cc.TLSConfig = tlsConfig
		}
		cc.Host = cred.Host
		cc.Port = uint16(cred.Port)
		cc.Database = cred.Database
		cc.User = cred.User
		cc.Password = cred.Token
		return nil
	}
}

// NewPoolConfig returns a pgxpool configuration for where creds logs in
// (host, port, database, user and sslmode of its current credential), with
// options appended (libpq "key=value" settings and pgxpool's pool_*
// settings, e.g. "sslrootcert=/ca.pem pool_max_conns=8"), BeforeConnect
// installed and MaxConnLifetime set to 45 minutes. It gets a credential
// now, so a wrong identity or endpoint fails here.
func NewPoolConfig(ctx context.Context, creds *lakebase.Credentials, options string) (*pgxpool.Config, error) {
	cred, err := creds.Get(ctx)
	if err != nil {
		return nil, err
	}
	connString := fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=%s %s",
		quote(cred.Host), cred.Port, quote(cred.Database), quote(cred.User),
		quote(cred.SSLMode), options)
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	cfg.BeforeConnect = BeforeConnect(creds)
	cfg.MaxConnLifetime = MaxConnLifetime
	return cfg, nil
}

// quote makes a libpq connection-string value.
func quote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
