package conformance

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

const loginTimeout = 15 * time.Second

type loginResult struct {
	ok          bool
	sqlstate    string
	message     string
	currentUser string
}

// login makes one Postgres login the way an application using this binding
// would: a direct connection (lakebase.Connect) with a static password,
// then SELECT current_user.
func (sc *scenario) login(p map[string]string) loginResult {
	cfg := lakebase.Config{
		"config.use_environment": "false",
		"pg.host":                p["host"],
		"pg.port":                p["port"],
		"pg.user":                p["user"],
		"pg.password":            p["password"],
		"pg.database":            p["database"],
		"pg.sslmode":             p["sslmode"],
		"pg.application_name":    "lakebase-conformance",
	}
	if ca, ok := sc.r.Env["PGSSLROOTCERT"]; ok {
		cfg.Set("pg.sslrootcert", ca)
	}
	ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
	defer cancel()
	conn, err := lakebase.Connect(ctx, cfg)
	if err == nil {
		defer conn.Release()
		var user string
		if err = conn.QueryRow(ctx, "SELECT current_user").Scan(&user); err == nil {
			return loginResult{ok: true, currentUser: user}
		}
	}
	var e *lakebase.Error
	if errors.As(err, &e) {
		return loginResult{sqlstate: e.SQLState, message: e.Message}
	}
	return loginResult{message: err.Error()}
}

func (sc *scenario) opLogin(step map[string]any) error {
	var cred *lakebase.Credential
	if _, ok := step["provider"]; ok {
		slot, err := sc.stepProvider(step, false)
		if err != nil {
			return err
		}
		if slot.latest == nil {
			return fmt.Errorf("provider %q has no credential yet", step["provider"])
		}
		cred = slot.latest
	}
	params := map[string]string{}
	for _, key := range []string{"host", "port", "user", "password", "database", "sslmode"} {
		if v, ok := step[key]; ok {
			s, err := sc.text(v, key)
			if err != nil {
				return err
			}
			params[key] = s
			continue
		}
		switch {
		case cred != nil:
			params[key] = map[string]string{
				"host": cred.Host, "port": strconv.Itoa(cred.Port), "user": cred.User,
				"password": cred.Token, "database": cred.Database, "sslmode": cred.SSLMode,
			}[key]
		case key == "database":
			params[key] = "databricks_postgres"
		case key == "sslmode":
			params[key] = "require"
		default:
			return fmt.Errorf("%q is required without a provider credential", key)
		}
	}
	return sc.checkLogin(step["expect"], sc.login(params))
}

func (sc *scenario) checkLogin(expectV any, r loginResult) error {
	expect, _ := expectV.(map[string]any)
	if expectV != nil {
		if expect == nil {
			return errors.New(`"expect" must be an object`)
		}
		if err := checkKeys(expect, "ok,role,sqlstate,message_contains,message_not_contains", "expect"); err != nil {
			return err
		}
	}
	okV, hasOK := expect["ok"]
	sqlstate, hasState := expect["sqlstate"].(string)
	if expect == nil || okV == true || (!hasOK && !hasState) {
		if !r.ok {
			return fmt.Errorf("expected login to succeed, got [%s] %s", r.sqlstate, r.message)
		}
		roleV, ok := expect["role"]
		if !ok {
			return nil
		}
		role, err := sc.text(roleV, "role")
		if err != nil {
			return err
		}
		if role != r.currentUser {
			return fmt.Errorf("current_user is %q, expected %q", r.currentUser, role)
		}
		return nil
	}
	if r.ok {
		with := ""
		if hasState {
			with = " with " + sqlstate
		}
		return fmt.Errorf("expected login to fail%s, it succeeded as %q", with, r.currentUser)
	}
	if hasState && sqlstate != r.sqlstate {
		return fmt.Errorf("expected SQLSTATE %s, got [%s] %s", sqlstate, r.sqlstate, r.message)
	}
	if err := sc.checkContains(expect["message_contains"], r.message, true); err != nil {
		return err
	}
	return sc.checkContains(expect["message_not_contains"], r.message, false)
}
