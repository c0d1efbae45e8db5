// Code generated from core/diagnose.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The walk of lakebase_diagnose and the steps about the configuration:
 * settings and where they came from, the traps visible in it, the role,
 * the credential. */
#include "diagnose.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diagnose_internal.h"
#include "error.h"
#include "rfc3339.h"
#include "secret.h"

int64_t lb_diag_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *lb_verdict_name(int verdict) {
    switch (verdict) {
    case LAKEBASE_VERDICT_OK: return "ok";
    case LAKEBASE_VERDICT_WARN: return "warn";
    case LAKEBASE_VERDICT_FAIL: return "fail";
    case LAKEBASE_VERDICT_SKIP: return "skip";
    default: return "unknown";
    }
}

void lb_diag_report(lb_diag *d, const char *name, int verdict,
                    int64_t started_us, int code, const char *fix,
                    const char *fmt, ...) {
    char detail[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (!fix)
        fix = "";
    if (verdict == LAKEBASE_VERDICT_FAIL && !d->first_code) {
        d->first_code = code ? code : LAKEBASE_EINTERNAL;
        lb_err(&d->first_err, d->first_code, "%s: %s%s%s", name, detail,
               fix[0] ? "; fix: " : "", fix);
    }
    lakebase_diagnosis_step step = {
        .version = LAKEBASE_DIAGNOSIS_STEP_VERSION,
        .name = name,
        .verdict = verdict,
        .duration_us = started_us ? lb_diag_now_us() - started_us : 0,
        .detail = detail,
        .fix = fix,
        .code = code};
    d->fn(d->userdata, &step);
}

const char *lb_diag_getenv(const lb_diag *d, const char *name) {
    if (!d->getenv_fn)
        return NULL;
    const char *v = d->getenv_fn(d->env_ctx, name);
    return v && v[0] ? v : NULL;
}

const char *lb_diag_origin(const lb_diag *d, lb_key_id key) {
    return d->origins[key].where[0] ? d->origins[key].where : "not set";
}

/* The value of a key as its origin gives it (borrowed), or NULL when it
 * came from a profile (not kept) or is unset. */
static const char *origin_value(const lb_diag *d, lb_key_id key) {
    const char *where = d->origins[key].where;
    if (strcmp(where, "set explicitly") == 0)
        return d->cfg->values[key];
    if (strncmp(where, "from ", 5) == 0 && strncmp(where, "from profile", 12))
        return lb_diag_getenv(d, where + 5);
    if (strcmp(where, "default") == 0)
        return lb_key_table()[key].default_value;
    return NULL;
}

/* ---- settings ------------------------------------------------------------ */

void lb_diag_resolve(lb_diag *d) {
    d->resolve_started_us = lb_diag_now_us();
    d->resolve_code = lb_config_resolve_traced(
        d->cfg, d->getenv_fn, d->env_ctx, &d->rc, d->origins, &d->resolve_err);
    d->resolved = d->resolve_code == 0;
}

void lb_diag_settings(lb_diag *d) {
    int64_t t0 = d->resolve_started_us;
    lakebase_error *e = d->resolve_err;
    int rc = d->resolve_code;
    d->resolve_err = NULL;
    char lines[1800] = "";
    size_t len = 0;
    for (size_t i = 0; i < LB_KEY_COUNT; i++) {
        const char *where = d->origins[i].where;
        if (!where[0] || strcmp(where, "default") == 0)
            continue;
        const lb_key_def *k = &lb_key_table()[i];
        const char *v = origin_value(d, (lb_key_id)i);
        const char *shown = k->kind == LB_KIND_SECRET ? "(secret, not shown)"
                            : v                       ? v
                                                      : "(in the profile)";
        len += (size_t)snprintf(lines + len, sizeof lines - len,
                                "%s%s = %.200s (%s)", len ? "\n" : "", k->name,
                                shown, where);
        if (len >= sizeof lines)
            break;
    }
    if (d->cfg->token_source)
        len += (size_t)snprintf(
            lines + len, len < sizeof lines ? sizeof lines - len : 0,
            "%sworkspace token source (set by the program)", len ? "\n" : "");
    if (!lines[0])
        snprintf(lines, sizeof lines, "nothing is set");
    if (rc != 0) {
        char detail[2048];
        snprintf(detail, sizeof detail, "%s\n%s", lines, lb_err_message(e));
        lb_diag_report(d, "settings", LAKEBASE_VERDICT_FAIL, t0, rc,
                       "change the setting the message names (explicit "
                       "values win over the environment, which wins over "
                       "the profile)",
                       "%s", detail);
    } else {
        lb_diag_report(d, "settings", LAKEBASE_VERDICT_OK, t0, 0, NULL, "%s",
                       lines);
    }
    lb_err_destroy(e);
}

/* ---- traps visible in the configuration ---------------------------------- */

/* A personal access token ("dapi..."), or an OAuth access token (a JWT:
 * three base64url parts, the first "eyJ"). */
static const char *workspace_token_kind(const char *s) {
    if (!s)
        return NULL;
    if (strncmp(s, "dapi", 4) == 0 && strlen(s) >= 20)
        return "a personal access token (dapi...)";
    if (strncmp(s, "eyJ", 3) == 0) {
        const char *dot1 = strchr(s, '.');
        if (dot1 && strchr(dot1 + 1, '.'))
            return "an OAuth workspace access token (a JWT)";
    }
    return NULL;
}

/* What kind of workspace token `password` is, or NULL. */
static const char *as_workspace_token(const lb_diag *d, const char *password) {
    const char *kind = workspace_token_kind(password);
    const char *pat = d->resolved ? d->rc.token : NULL;
    if (!kind && password && pat && strcmp(password, pat) == 0)
        kind = "the workspace token of auth.token";
    return kind;
}

/* pg.password (the library's static password) and PGPASSWORD (what psql
 * and every libpq program started from this environment send; the library
 * never reads it) must never be a workspace token. */
static void trap_workspace_token(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    const char *password =
        d->resolved ? d->rc.pg_password : origin_value(d, LB_KEY_PG_PASSWORD);
    const char *env_password = lb_diag_getenv(d, "PGPASSWORD");
    const char *kind = as_workspace_token(d, password);
    const char *env_kind = as_workspace_token(d, env_password);
    if (kind || env_kind) {
        char where[480];
        if (kind)
            snprintf(where, sizeof where, "pg.password (%s)",
                     lb_diag_origin(d, LB_KEY_PG_PASSWORD));
        else
            snprintf(where, sizeof where,
                     "PGPASSWORD (what psql and other libpq programs send; "
                     "the library never reads it)");
        lb_diag_report(
            d, "password_is_workspace_token", LAKEBASE_VERDICT_FAIL, t0,
            LAKEBASE_ELOGIN,
            "never use a workspace token as the password: unset PGPASSWORD "
            "(and pg.password), set lakebase.endpoint (LAKEBASE_ENDPOINT) or "
            "lakebase.instance (LAKEBASE_INSTANCE) so a database credential "
            "is minted, and give psql one with `lakebase psql` or "
            "eval \"$(lakebase env)\"",
            "%s is %s: that is a workspace token, not a database credential, "
            "and Lakebase refuses it at login (28P01)",
            where, kind ? kind : env_kind);
        return;
    }
    lb_diag_report(d, "password_is_workspace_token", LAKEBASE_VERDICT_OK, t0, 0,
                   NULL, "%s",
                   password || env_password
                       ? "no password set looks like a workspace token"
                       : "no static password: database credentials are "
                         "minted");
}

static void trap_pgpassword(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    const char *env_password = lb_diag_getenv(d, "PGPASSWORD");
    int minting = d->resolved ? lb_config_is_minting(&d->rc)
                              : origin_value(d, LB_KEY_LAKEBASE_ENDPOINT) ||
                                    origin_value(d, LB_KEY_LAKEBASE_INSTANCE);
    if (env_password && minting) {
        int ignored = d->resolved && !d->rc.pg_password;
        lb_diag_report(
            d, "pgpassword_beside_minting",
            ignored ? LAKEBASE_VERDICT_WARN : LAKEBASE_VERDICT_FAIL, t0,
            LAKEBASE_ECONFIG,
            "unset PGPASSWORD: with lakebase.endpoint or lakebase.instance "
            "the password is a minted credential",
            "PGPASSWORD is set in the environment beside minting (%s%s): %s",
            d->origins[LB_KEY_LAKEBASE_ENDPOINT].where[0]
                ? "lakebase.endpoint "
                : "lakebase.instance ",
            d->origins[LB_KEY_LAKEBASE_ENDPOINT].where[0]
                ? lb_diag_origin(d, LB_KEY_LAKEBASE_ENDPOINT)
                : lb_diag_origin(d, LB_KEY_LAKEBASE_INSTANCE),
            ignored ? "the library ignores it, but psql and other tools "
                      "started from this environment send it instead of a "
                      "credential"
                    : "it conflicts with minting");
        return;
    }
    lb_diag_report(d, "pgpassword_beside_minting", LAKEBASE_VERDICT_OK, t0, 0,
                   NULL, "%s",
                   env_password ? "PGPASSWORD is set and used as a static "
                                  "password (no minting configured)"
                                : "PGPASSWORD is not set");
}

static int weaker_than_require(const char *m) {
    return m && (strcmp(m, "disable") == 0 || strcmp(m, "allow") == 0 ||
                 strcmp(m, "prefer") == 0);
}

static void trap_sslmode(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    const char *mode =
        d->resolved ? d->rc.pg_sslmode : origin_value(d, LB_KEY_PG_SSLMODE);
    if (weaker_than_require(mode)) {
        lb_diag_report(d, "sslmode", LAKEBASE_VERDICT_FAIL, t0,
                       LAKEBASE_ECONFIG,
                       "set pg.sslmode (PGSSLMODE) to require, or verify-full "
                       "with pg.sslrootcert to also check the server",
                       "pg.sslmode is %s (%s): Lakebase requires TLS, and a "
                       "mode weaker than require may send the credential "
                       "unencrypted",
                       mode, lb_diag_origin(d, LB_KEY_PG_SSLMODE));
        return;
    }
    int verifies = mode && strncmp(mode, "verify-", 7) == 0;
    lb_diag_report(d, "sslmode", LAKEBASE_VERDICT_OK, t0, 0,
                   verifies ? NULL
                            : "verify-full with pg.sslrootcert also checks "
                              "the server's certificate",
                   "pg.sslmode is %s (%s)%s", mode ? mode : "require",
                   lb_diag_origin(d, LB_KEY_PG_SSLMODE),
                   verifies ? ": encrypted, server verified"
                            : ": encrypted, server not verified");
}

void lb_diag_traps_before(lb_diag *d) {
    trap_workspace_token(d);
    trap_pgpassword(d);
    trap_sslmode(d);
}

/* ---- role and credential ------------------------------------------------- */

void lb_diag_role(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    if (!d->resolved || !lb_config_is_minting(&d->rc)) {
        if (d->resolved && d->rc.pg_user)
            lb_diag_report(d, "role", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                           "%s (pg.user %s), with a static password",
                           d->rc.pg_user, lb_diag_origin(d, LB_KEY_PG_USER));
        else
            lb_diag_report(d, "role", LAKEBASE_VERDICT_SKIP, t0, 0, NULL, "%s",
                           d->resolved ? "no pg.user and no minting"
                                       : "the settings are invalid");
        return;
    }
    const char *user = d->rc.pg_user;
    const char *mints_for = d->identity_name;
    if (!mints_for && d->rc.auth_type == LB_AUTH_OAUTH_M2M)
        mints_for = d->rc.client_id;
    if (user && mints_for && !d->rc.group_name && strcmp(user, mints_for)) {
        lb_diag_report(
            d, "role", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ELOGIN,
            "unset pg.user (PGUSER) so the library logs in as the "
            "identity's own role, or mint with the identity whose role "
            "that is",
            "pg.user is %s (%s), but credentials are minted for %s (the "
            "workspace identity's role): Lakebase refuses that login (28P01)",
            user, lb_diag_origin(d, LB_KEY_PG_USER), mints_for);
        return;
    }
    if (user)
        lb_diag_report(d, "role", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "%s (pg.user %s)%s", user,
                       lb_diag_origin(d, LB_KEY_PG_USER),
                       mints_for ? ", the identity's own role" : "");
    else if (mints_for)
        lb_diag_report(d, "role", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "%s, the workspace identity's own role", mints_for);
    else
        lb_diag_report(d, "role", LAKEBASE_VERDICT_SKIP, t0, 0, NULL,
                       "the identity is unknown (see the steps above)");
}

static const char *fix_for(int code) {
    switch (code) {
    case LAKEBASE_EAUTH:
        return "check the workspace credentials (auth.token or "
               "auth.client_id / auth.client_secret)";
    case LAKEBASE_EPERM:
        return "grant the identity access to the Lakebase project or "
               "instance";
    case LAKEBASE_ENOTFOUND:
        return "check lakebase.endpoint (projects/P/branches/B/endpoints/E) "
               "or lakebase.instance";
    case LAKEBASE_ENETWORK:
    case LAKEBASE_ETIMEOUT:
        return "check workspace.host, the network and http.ca_file";
    case LAKEBASE_ESERVER:
        return "the workspace API is unavailable: retry later";
    default: return "see the message";
    }
}

void lb_diag_credential(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    if (!d->resolved) {
        lb_diag_report(d, "credential", LAKEBASE_VERDICT_SKIP, t0, 0, NULL,
                       "the settings are invalid");
        return;
    }
    int minting = lb_config_is_minting(&d->rc);
    if (minting && !d->identity_ok) {
        lb_diag_report(d, "credential", LAKEBASE_VERDICT_SKIP, t0, 0, NULL,
                       "the workspace identity could not be checked");
        return;
    }
    lakebase_error *e = NULL;
    int rc = lb_login_new(&d->login, &d->rc, &e);
    if (rc == 0)
        rc = lb_login_get(d->login, &d->cred, &e);
    if (rc != 0) {
        lb_diag_report(d, "credential", LAKEBASE_VERDICT_FAIL, t0, rc,
                       fix_for(rc), "%s", lb_err_message(e));
        lb_err_destroy(e);
        return;
    }
    d->pg_host = d->cred->host;
    if (!minting) {
        lb_diag_report(d, "credential", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "a static password (pg.password %s): nothing is "
                       "minted",
                       lb_diag_origin(d, LB_KEY_PG_PASSWORD));
        return;
    }
    char when[40];
    lb_rfc3339_format_ms(d->cred->expire_time_ms, when, sizeof when);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t left_s = (d->cred->expire_time_ms -
                      ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000)) /
                     1000;
    lb_diag_report(d, "credential", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                   "minted a database credential for role %s on %s:%d, "
                   "expires %s (in %" PRId64 " s)",
                   d->cred->user, d->cred->host, d->cred->port, when, left_s);
}

/* ---- the walk ------------------------------------------------------------ */

int lb_diagnose(const lakebase_config *cfg, lb_getenv_fn getenv_fn,
                void *env_ctx, lakebase_diagnosis_fn fn, void *userdata,
                lakebase_error **err) {
    lb_diag d = {.fn = fn,
                 .userdata = userdata,
                 .cfg = cfg,
                 .getenv_fn = getenv_fn,
                 .env_ctx = env_ctx};
    /* The classic traps first: when one is sprung it is the cause. */
    lb_diag_resolve(&d);
    lb_diag_traps_before(&d);
    lb_diag_settings(&d);
    lb_diag_workspace(&d);
    lb_diag_auth(&d);
    lb_diag_identity(&d);
    lb_diag_resource(&d);
    lb_diag_pooled_host(&d);
    lb_diag_role(&d);
    lb_diag_credential(&d);
    lb_diag_postgres(&d);

    lb_credential_free(d.cred);
    lb_login_free(d.login);
    free(d.identity_name);
    free(d.resource_state);
    free(d.pooled_host);
    lb_auth_free(d.auth);
    lb_http_client_free(d.http);
    lb_err_destroy(d.resolve_err);
    if (d.resolved)
        lb_resolved_config_clear(&d.rc);
    if (d.first_code) {
        if (err && !*err)
            *err = d.first_err;
        else
            lb_err_destroy(d.first_err);
    }
    return d.first_code;
}
