// Code generated from core/config_validate.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Rules that span configuration keys: which mode (minting or static
 * password), which workspace auth method, and combinations that cannot work.
 * Every message names the keys, their environment variables and the fix. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

/* "lakebase.endpoint (LAKEBASE_ENDPOINT or ENDPOINT_NAME)", or the bare name
 * for a key no variable feeds. */
static const char *label(lb_key_id id, char *buf, size_t cap) {
    const lb_key_def *k = &lb_key_table()[id];
    if (!k->env[0])
        return k->name;
    size_t used = (size_t)snprintf(buf, cap, "%s (", k->name);
    for (const char *p = k->env; *p && used + 6 < cap; p++) {
        if (*p == ',') {
            memcpy(buf + used, " or ", 4);
            used += 4;
        } else {
            buf[used++] = *p;
        }
    }
    snprintf(buf + used, cap - used, ")");
    return buf;
}

#define LABEL(id) label(id, (char[128]){0}, 128)

static int weaker_than_require(const char *sslmode) {
    return strcmp(sslmode, "disable") == 0 || strcmp(sslmode, "allow") == 0 ||
           strcmp(sslmode, "prefer") == 0;
}

static int m2m_complete(const char *const *v, lakebase_error **err) {
    lb_key_id missing = !v[LB_KEY_AUTH_CLIENT_ID] ? LB_KEY_AUTH_CLIENT_ID
                        : !v[LB_KEY_AUTH_CLIENT_SECRET]
                            ? LB_KEY_AUTH_CLIENT_SECRET
                            : LB_KEY_COUNT;
    if (missing == LB_KEY_COUNT)
        return 0;
    return lb_err(err, LAKEBASE_ECONFIG,
                  "OAuth M2M needs auth.client_id and auth.client_secret: %s "
                  "is not set",
                  LABEL(missing));
}

/* auth.type names the method; its settings must be present. */
static int forced_auth(const char *const *v, int has_source, lb_auth_type *auth,
                       lakebase_error **err) {
    const char *type = v[LB_KEY_AUTH_TYPE];
    if (strcmp(type, "pat") == 0) {
        *auth = LB_AUTH_PAT;
        if (!v[LB_KEY_AUTH_TOKEN])
            return lb_err(err, LAKEBASE_ECONFIG,
                          "auth.type is \"pat\" but %s is not set; set it to "
                          "a personal access token",
                          LABEL(LB_KEY_AUTH_TOKEN));
        return 0;
    }
    if (strcmp(type, "oauth-m2m") == 0) {
        *auth = LB_AUTH_OAUTH_M2M;
        return m2m_complete(v, err);
    }
    *auth = LB_AUTH_EXTERNAL;
    if (!has_source)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "auth.type is \"external\" but no token source is "
                      "installed; call lakebase_config_set_token_source");
    return 0;
}

static int choose_auth(const char *const *v, int has_source, lb_auth_type *auth,
                       lakebase_error **err) {
    if (v[LB_KEY_AUTH_TYPE])
        return forced_auth(v, has_source, auth, err);
    int has_pat = v[LB_KEY_AUTH_TOKEN] != NULL;
    /* The secret decides: a client id alone also names the Postgres role. */
    int has_m2m = v[LB_KEY_AUTH_CLIENT_SECRET] != NULL;
    if (has_pat + has_m2m + has_source > 1) {
        char methods[160] = "";
        const char *names[] = {has_pat ? "auth.token" : NULL,
                               has_m2m ? "auth.client_id/auth.client_secret"
                                       : NULL,
                               has_source ? "a token source" : NULL};
        const char *sep = "";
        for (size_t i = 0; i < 3; i++) {
            if (!names[i])
                continue;
            size_t used = strlen(methods);
            snprintf(methods + used, sizeof methods - used, "%s%s", sep,
                     names[i]);
            sep = " and ";
        }
        return lb_err(err, LAKEBASE_ECONFIG,
                      "more than one authorization method configured: %s; "
                      "set auth.type (DATABRICKS_AUTH_TYPE) to choose",
                      methods);
    }
    if (has_pat) {
        *auth = LB_AUTH_PAT;
        return 0;
    }
    if (has_m2m || v[LB_KEY_AUTH_CLIENT_ID]) {
        *auth = LB_AUTH_OAUTH_M2M;
        return m2m_complete(v, err);
    }
    if (has_source) {
        *auth = LB_AUTH_EXTERNAL;
        return 0;
    }
    return lb_err(
        err, LAKEBASE_ECONFIG,
        "no workspace authorization configured: set auth.token "
        "(DATABRICKS_TOKEN) for a personal access token, "
        "auth.client_id and auth.client_secret (DATABRICKS_CLIENT_ID, "
        "DATABRICKS_CLIENT_SECRET) for OAuth M2M, install a token "
        "source, or name a profile with auth.profile "
        "(DATABRICKS_CONFIG_PROFILE)");
}

static int validate_static(const char *const *v, lakebase_error **err) {
    lb_key_id missing = !v[LB_KEY_PG_HOST]   ? LB_KEY_PG_HOST
                        : !v[LB_KEY_PG_USER] ? LB_KEY_PG_USER
                                             : LB_KEY_COUNT;
    if (missing == LB_KEY_COUNT)
        return 0;
    return lb_err(err, LAKEBASE_ECONFIG,
                  "a static password (pg.password) needs pg.host and pg.user: "
                  "%s is not set",
                  LABEL(missing));
}

static long value_or_default(const char *const *v, lb_key_id id) {
    const char *s = v[id] ? v[id] : lb_key_table()[id].default_value;
    long n = 0;
    if (s)
        lb_value_parse_long(s, &n);
    return n;
}

/* Pool sizes must nest: min_size <= max_idle <= max_size. */
static int validate_pool(const char *const *v, lakebase_error **err) {
    long min = value_or_default(v, LB_KEY_POOL_MIN_SIZE);
    long max = value_or_default(v, LB_KEY_POOL_MAX_SIZE);
    if (min > max)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "pool.min_size (%ld) is larger than pool.max_size "
                      "(%ld); lower pool.min_size or raise pool.max_size",
                      min, max);
    if (!v[LB_KEY_POOL_MAX_IDLE])
        return 0;
    long idle = value_or_default(v, LB_KEY_POOL_MAX_IDLE);
    if (idle < min || idle > max)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "pool.max_idle (%ld) must be between pool.min_size "
                      "(%ld) and pool.max_size (%ld)",
                      idle, min, max);
    return 0;
}

int lb_config_validate(const char *const values[LB_KEY_COUNT],
                       int has_token_source, lb_auth_type *auth,
                       lakebase_error **err) {
    const char *const *v = values;
    *auth = LB_AUTH_NONE;
    int pool_rc = validate_pool(v, err);
    if (pool_rc != 0)
        return pool_rc;
    const char *endpoint = v[LB_KEY_LAKEBASE_ENDPOINT];
    const char *instance = v[LB_KEY_LAKEBASE_INSTANCE];
    if (endpoint && instance)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "lakebase.endpoint and lakebase.instance are both set "
                      "(LAKEBASE_ENDPOINT, LAKEBASE_INSTANCE): set only one; "
                      "endpoint for Autoscaling, instance for Provisioned");
    if (!endpoint && !instance) {
        if (v[LB_KEY_PG_PASSWORD])
            return validate_static(v, err);
        return lb_err(err, LAKEBASE_ECONFIG,
                      "nothing to log in with: set lakebase.endpoint "
                      "(LAKEBASE_ENDPOINT) for Autoscaling, lakebase.instance "
                      "(LAKEBASE_INSTANCE) for Provisioned, or pg.password "
                      "for a static password");
    }
    const char *mint_key = endpoint ? "lakebase.endpoint" : "lakebase.instance";
    if (v[LB_KEY_PG_PASSWORD])
        return lb_err(err, LAKEBASE_ECONFIG,
                      "pg.password and %s are both set: a minted credential "
                      "replaces the password; unset pg.password, or unset %s "
                      "to log in with the static password",
                      mint_key, mint_key);
    if (instance && v[LB_KEY_LAKEBASE_TTL_SECONDS])
        return lb_err(err, LAKEBASE_ECONFIG,
                      "lakebase.ttl_seconds is set with lakebase.instance: "
                      "Provisioned credentials take no ttl; unset "
                      "lakebase.ttl_seconds");
    const char *sslmode = v[LB_KEY_PG_SSLMODE];
    if (sslmode && weaker_than_require(sslmode))
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s is \"%s\" but Lakebase requires TLS; use require, "
                      "verify-ca or verify-full",
                      LABEL(LB_KEY_PG_SSLMODE), sslmode);
    if (!v[LB_KEY_WORKSPACE_HOST])
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s is not set: minting a credential for %s needs the "
                      "workspace URL, e.g. https://<workspace host>",
                      LABEL(LB_KEY_WORKSPACE_HOST), mint_key);
    return choose_auth(v, has_token_source, auth, err);
}
