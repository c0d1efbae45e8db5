// Code generated from core/config_resolve.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Resolution: explicit values > environment > config-file profile >
 * defaults, then the cross-key rules, into one lb_resolved_config. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "handle.h"
#include "secret.h"

/* The winning value of each key, borrowed from the config, the environment,
 * the profile or the table; NULL when unset. */
typedef struct layers {
    const char *value[LB_KEY_COUNT];
    lb_key_origin *origin; /* NULL: not traced */
} layers;

static void note_origin(layers *L, size_t id, const char *where) {
    if (L->origin)
        snprintf(L->origin[id].where, sizeof L->origin[id].where, "%s", where);
}

typedef struct env_source {
    lb_getenv_fn fn;
    void *ctx;
} env_source;

/* An empty variable counts as unset, as in the Databricks SDKs. */
static const char *env_get(const env_source *env, const char *name) {
    const char *v = env->fn ? env->fn(env->ctx, name) : NULL;
    return v && v[0] ? v : NULL;
}

/* The value of the first variable in the key's list that is set, with its
 * name in `name`; NULL when none is. */
static const char *from_environment(const env_source *env, lb_key_id id,
                                    char name[64]) {
    for (const char *p = lb_key_table()[id].env; *p;) {
        size_t n = strcspn(p, ",");
        snprintf(name, 64, "%.*s", (int)n, p);
        const char *v = env_get(env, name);
        if (v)
            return v;
        p += n + (p[n] == ',');
    }
    return NULL;
}

static int use_environment(const lakebase_config *cfg) {
    const char *v = cfg->values[LB_KEY_CONFIG_USE_ENVIRONMENT];
    int on = 1;
    if (v)
        lb_value_parse_bool(v, &on);
    return on;
}

/* Keys that make one choice between them — where the password comes
 * from: minted for an endpoint (Autoscaling) or an instance (Provisioned),
 * or static. Once any is set explicitly, the environment supplies none of
 * the others: a variable meant for another set-up (LAKEBASE_INSTANCE,
 * PGPASSWORD) never turns an explicit choice into a conflict. */
static const lb_key_id LOGIN_CHOICE[] = {
    LB_KEY_LAKEBASE_ENDPOINT, LB_KEY_LAKEBASE_INSTANCE, LB_KEY_PG_PASSWORD};
#define LOGIN_CHOICES (sizeof LOGIN_CHOICE / sizeof LOGIN_CHOICE[0])

/* 1 when `id` belongs to the login choice and another member of it is set
 * explicitly. */
static int choice_made_elsewhere(const lakebase_config *cfg, lb_key_id id) {
    int member = 0, other = 0;
    for (size_t i = 0; i < LOGIN_CHOICES; i++) {
        if (LOGIN_CHOICE[i] == id)
            member = 1;
        else if (cfg->values[LOGIN_CHOICE[i]])
            other = 1;
    }
    return member && other;
}

/* Explicit values, then environment variables (checked: they were never
 * seen by lakebase_config_set). */
static int explicit_and_env(const lakebase_config *cfg, const env_source *env,
                            layers *L, lakebase_error **err) {
    for (size_t i = 0; i < LB_KEY_COUNT; i++) {
        L->value[i] = cfg->values[i];
        if (L->value[i])
            note_origin(L, i, "set explicitly");
        if (L->value[i] || !env || choice_made_elsewhere(cfg, (lb_key_id)i) ||
            (cfg->role_from_identity && i == LB_KEY_PG_USER))
            continue;
        char name[64], where[80];
        L->value[i] = from_environment(env, (lb_key_id)i, name);
        if (!L->value[i])
            continue;
        snprintf(where, sizeof where, "from %s", name);
        note_origin(L, i, where);
        int rc = lb_key_check(&lb_key_table()[i], L->value[i], where, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The config file path, "~/" expanded; *path NULL when there is none to
 * read (no HOME for the default path and no profile named). */
static int config_path(const layers *L, const env_source *env, int named,
                       char **path, lakebase_error **err) {
    const char *p = L->value[LB_KEY_AUTH_CONFIG_FILE];
    int required = named || p;
    if (!p)
        p = lb_key_table()[LB_KEY_AUTH_CONFIG_FILE].default_value;
    *path = NULL;
    if (strncmp(p, "~/", 2) != 0) {
        *path = strdup(p);
    } else {
        const char *home = env ? env_get(env, "HOME") : NULL;
        if (!home && !required)
            return 0;
        if (!home)
            return lb_err(err, LAKEBASE_ECONFIG,
                          "the config file %.300s cannot be found: HOME is "
                          "not set (or config.use_environment is false); set "
                          "auth.config_file to its full path",
                          p);
        size_t n = strlen(home) + strlen(p);
        *path = malloc(n);
        if (*path)
            snprintf(*path, n, "%s%s", home, p + 1);
    }
    return *path ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

/* The SDKs' rule: without a named profile, a host or credential set in code
 * or the environment means the config file is not read at all. */
static int profile_skipped(const layers *L, const lakebase_config *cfg) {
    if (L->value[LB_KEY_AUTH_PROFILE])
        return 0;
    return L->value[LB_KEY_WORKSPACE_HOST] || L->value[LB_KEY_AUTH_TOKEN] ||
           L->value[LB_KEY_AUTH_CLIENT_ID] ||
           L->value[LB_KEY_AUTH_CLIENT_SECRET] || cfg->token_source;
}

static int from_profile(const lakebase_config *cfg, const env_source *env,
                        layers *L, lb_profile *prof, lakebase_error **err) {
    if (profile_skipped(L, cfg))
        return 0;
    const char *name = L->value[LB_KEY_AUTH_PROFILE];
    char *path;
    int rc = config_path(L, env, name != NULL, &path, err);
    if (rc != 0 || !path)
        return rc;
    rc = lb_profile_load(path, name, prof, err);
    for (size_t i = 0; i < LB_KEY_COUNT && rc == 0 && prof->name; i++) {
        const lb_key_def *k = &lb_key_table()[i];
        const char *v =
            k->profile_key ? lb_profile_value(prof, k->profile_key) : NULL;
        if (L->value[i] || !v)
            continue;
        char where[400];
        snprintf(where, sizeof where, "from profile [%.100s] in %.250s",
                 prof->name, path);
        note_origin(L, i, where);
        rc = lb_key_check(k, v, where, err);
        L->value[i] = v;
    }
    free(path);
    return rc;
}

static void defaults(layers *L) {
    for (size_t i = 0; i < LB_KEY_COUNT; i++)
        if (!L->value[i]) {
            L->value[i] = lb_key_table()[i].default_value;
            if (L->value[i])
                note_origin(L, i, "default");
        }
}

/* --- the resolved struct ---------------------------------------------------
 */

static char *copy(const char *s, int *oom) {
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static long as_long(const char *s) {
    long v = 0;
    if (s)
        lb_value_parse_long(s, &v);
    return v;
}

static int build(const layers *L, const lakebase_config *cfg, lb_auth_type auth,
                 const lb_profile *prof, lb_resolved_config *rc,
                 lakebase_error **err) {
    const char *const *v = L->value;
    int oom = 0;
    if (v[LB_KEY_WORKSPACE_HOST]) {
        rc->host = lb_value_normalize_host(v[LB_KEY_WORKSPACE_HOST]);
        oom |= rc->host == NULL;
    }
    rc->auth_type = auth;
    rc->token = copy(v[LB_KEY_AUTH_TOKEN], &oom);
    rc->client_id = copy(v[LB_KEY_AUTH_CLIENT_ID], &oom);
    rc->client_secret = copy(v[LB_KEY_AUTH_CLIENT_SECRET], &oom);
    rc->profile = copy(prof->name, &oom);
    rc->ca_file = copy(v[LB_KEY_HTTP_CA_FILE], &oom);
    rc->http_timeout_ms = as_long(v[LB_KEY_HTTP_TIMEOUT_MS]);
    rc->token_source = cfg->token_source;
    rc->token_source_userdata = cfg->token_source_userdata;

    rc->endpoint = copy(v[LB_KEY_LAKEBASE_ENDPOINT], &oom);
    rc->instance = copy(v[LB_KEY_LAKEBASE_INSTANCE], &oom);
    rc->ttl_seconds = (int)as_long(v[LB_KEY_LAKEBASE_TTL_SECONDS]);
    rc->claims_json = copy(v[LB_KEY_LAKEBASE_CLAIMS], &oom);
    rc->group_name = copy(v[LB_KEY_LAKEBASE_GROUP_NAME], &oom);
    lb_value_parse_bool(v[LB_KEY_LAKEBASE_READ_ONLY], &rc->read_only);

    lb_value_parse_number(v[LB_KEY_CREDENTIAL_REFRESH_FRACTION],
                          &rc->refresh_fraction);
    rc->hard_margin_seconds =
        (int)as_long(v[LB_KEY_CREDENTIAL_HARD_MARGIN_SECONDS]);
    rc->mint_timeout_ms = as_long(v[LB_KEY_CREDENTIAL_MINT_TIMEOUT_MS]);

    rc->pg_host = copy(v[LB_KEY_PG_HOST], &oom);
    rc->pg_hostaddr = copy(v[LB_KEY_PG_HOSTADDR], &oom);
    rc->pg_port = (int)as_long(v[LB_KEY_PG_PORT]);
    rc->pg_database = copy(v[LB_KEY_PG_DATABASE], &oom);
    rc->pg_user = copy(v[LB_KEY_PG_USER], &oom);
    rc->pg_sslmode = copy(v[LB_KEY_PG_SSLMODE], &oom);
    rc->pg_sslrootcert = copy(v[LB_KEY_PG_SSLROOTCERT], &oom);
    rc->pg_application_name = copy(v[LB_KEY_PG_APPLICATION_NAME], &oom);
    rc->pg_password = copy(v[LB_KEY_PG_PASSWORD], &oom);

    lb_pool_settings *pool = &rc->pool;
    pool->min_size = (int)as_long(v[LB_KEY_POOL_MIN_SIZE]);
    pool->max_size = (int)as_long(v[LB_KEY_POOL_MAX_SIZE]);
    pool->max_idle = v[LB_KEY_POOL_MAX_IDLE]
                         ? (int)as_long(v[LB_KEY_POOL_MAX_IDLE])
                         : pool->max_size;
    pool->idle_timeout_s = (int)as_long(v[LB_KEY_POOL_IDLE_TIMEOUT_SECONDS]);
    pool->max_lifetime_s = (int)as_long(v[LB_KEY_POOL_MAX_LIFETIME_SECONDS]);
    lb_value_parse_number(v[LB_KEY_POOL_LIFETIME_JITTER],
                          &pool->lifetime_jitter);
    pool->acquire_timeout_ms = as_long(v[LB_KEY_POOL_ACQUIRE_TIMEOUT_MS]);
    pool->connect_timeout_ms = as_long(v[LB_KEY_POOL_CONNECT_TIMEOUT_MS]);
    pool->statement_timeout_ms = as_long(v[LB_KEY_POOL_STATEMENT_TIMEOUT_MS]);
    pool->prepare_threshold = (int)as_long(v[LB_KEY_POOL_PREPARE_THRESHOLD]);
    pool->max_connecting = (int)as_long(v[LB_KEY_POOL_MAX_CONNECTING]);
    pool->validate_after_idle_ms =
        as_long(v[LB_KEY_POOL_VALIDATE_AFTER_IDLE_MS]);
    lb_value_parse_bool(v[LB_KEY_POOL_PIPELINE], &pool->pipeline);

    rc->log_fn = cfg->log_fn;
    rc->log_userdata = cfg->log_userdata;
    rc->log_level = cfg->log_fn ? cfg->log_level : 0;
    rc->span_fn = cfg->span_fn;
    rc->span_userdata = cfg->span_userdata;
    return oom ? lb_err(err, LAKEBASE_ENOMEM, "out of memory") : 0;
}

int lb_config_resolve_env(const lakebase_config *cfg, lb_getenv_fn getenv_fn,
                          void *env_ctx, lb_resolved_config *out,
                          lakebase_error **err) {
    return lb_config_resolve_traced(cfg, getenv_fn, env_ctx, out, NULL, err);
}

int lb_config_resolve_traced(const lakebase_config *cfg, lb_getenv_fn getenv_fn,
                             void *env_ctx, lb_resolved_config *out,
                             lb_key_origin origins[LB_KEY_COUNT],
                             lakebase_error **err) {
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "no place for the result");
    memset(out, 0, sizeof *out);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return lb_err(err, LAKEBASE_EHANDLE,
                      "the configuration handle is NULL, freed or of another "
                      "type");
    layers L;
    memset(&L, 0, sizeof L);
    L.origin = origins;
    if (origins)
        memset(origins, 0, LB_KEY_COUNT * sizeof *origins);
    env_source source = {getenv_fn, env_ctx};
    const env_source *env = use_environment(cfg) ? &source : NULL;
    lb_profile prof;
    memset(&prof, 0, sizeof prof);
    lb_auth_type auth = LB_AUTH_NONE;

    int rc = explicit_and_env(cfg, env, &L, err);
    /* The profile only supplies workspace auth, which minting alone needs. */
    int minting =
        L.value[LB_KEY_LAKEBASE_ENDPOINT] || L.value[LB_KEY_LAKEBASE_INSTANCE];
    if (rc == 0 && minting)
        rc = from_profile(cfg, env, &L, &prof, err);
    if (rc == 0) {
        defaults(&L);
        rc = lb_config_validate(L.value, cfg->token_source != NULL, &auth, err);
    }
    if (rc == 0)
        rc = build(&L, cfg, auth, &prof, out, err);
    lb_profile_clear(&prof);
    if (rc != 0)
        lb_resolved_config_clear(out);
    return rc;
}

static const char *process_getenv(void *ctx, const char *name) {
    (void)ctx;
    return getenv(name);
}

int lb_config_resolve(const lakebase_config *cfg, lb_resolved_config *out,
                      lakebase_error **err) {
    return lb_config_resolve_env(cfg, process_getenv, NULL, out, err);
}

void lb_resolved_config_clear(lb_resolved_config *rc) {
    if (!rc)
        return;
    char **strings[] = {
        &rc->host,
        &rc->token,
        &rc->client_id,
        &rc->client_secret,
        &rc->profile,
        &rc->ca_file,
        &rc->endpoint,
        &rc->instance,
        &rc->claims_json,
        &rc->group_name,
        &rc->pg_host,
        &rc->pg_hostaddr,
        &rc->pg_database,
        &rc->pg_user,
        &rc->pg_sslmode,
        &rc->pg_sslrootcert,
        &rc->pg_application_name,
        &rc->pg_password,
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        lb_secret_clear(strings[i]);
    lb_memzero(rc, sizeof *rc);
}

int lb_config_is_minting(const lb_resolved_config *rc) {
    return rc && (rc->endpoint || rc->instance);
}
