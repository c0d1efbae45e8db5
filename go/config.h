// Code generated from core/config.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Configuration: the key table, explicit values, environment, the
 * ~/.databrickscfg profile, DSNs, and validation into one resolved struct. */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config_keys.h"
#include "lakebase.h"

/* The object behind the public lakebase_config handle: explicit values only;
 * environment and profile are read when it is resolved. */
struct lakebase_config {
    uint32_t tag;               /* LB_TAG_CONFIG while alive (core/handle.h) */
    char *values[LB_KEY_COUNT]; /* heap-owned, NULL when unset */
    lakebase_token_source_fn token_source;
    void *token_source_userdata;
    lakebase_log_fn log_fn;
    void *log_userdata;
    int log_level;
    lakebase_span_fn span_fn;
    void *span_userdata;
    /* Set by a pool set (pool_set.h): every identity logs in as its own
     * role, so pg.user is never taken from the environment (PGUSER, which
     * Databricks Apps set to the app's service principal). */
    int role_from_identity;
};

/* A new empty configuration (tag set), or NULL when out of memory. */
lakebase_config *lb_config_create(void);

/* A deep copy (values, callbacks, flags), or NULL when out of memory. */
lakebase_config *lb_config_clone(const lakebase_config *src);

/* Zeroes every value, marks the handle dead and frees it. Accepts NULL. */
void lb_config_destroy(lakebase_config *cfg);

/* Sets (value != NULL, checked and copied) or unsets `key`. Unknown key or a
 * bad value: LAKEBASE_ECONFIG naming the key; the config is unchanged. */
int lb_config_set(lakebase_config *cfg, const char *key, const char *value,
                  lakebase_error **err);

/* Sets n keys at once: all are checked before any changes, so a bad value
 * leaves the config as it was. Values may not be NULL. `where` says where
 * they came from in messages ("from the DSN"). */
int lb_config_set_many(lakebase_config *cfg, const char *const *keys,
                       const char *const *values, size_t n, const char *where,
                       lakebase_error **err);

/* Applies a libpq key=value DSN or postgres:// URL to the pg.* keys, all or
 * nothing. Messages never repeat the DSN text (it may hold a password). */
int lb_config_apply_dsn(lakebase_config *cfg, const char *dsn,
                        lakebase_error **err);

typedef enum lb_auth_type {
    LB_AUTH_NONE = 0,  /* static mode (pg.password) needs no workspace auth */
    LB_AUTH_PAT,       /* auth.token, "pat" */
    LB_AUTH_OAUTH_M2M, /* auth.client_id + auth.client_secret, "oauth-m2m" */
    LB_AUTH_EXTERNAL   /* caller-supplied token source, "external" */
} lb_auth_type;

/* The pool.* keys, resolved (max_idle already defaulted to max_size). */
typedef struct lb_pool_settings {
    int min_size;
    int max_size;
    int max_idle;
    int idle_timeout_s;
    int max_lifetime_s; /* 0 = never retire for age */
    double lifetime_jitter;
    long acquire_timeout_ms;
    long connect_timeout_ms;
    long statement_timeout_ms; /* 0 = none */
    int prepare_threshold;     /* 0 = never prepare */
    int max_connecting;
    long validate_after_idle_ms;
    int pipeline; /* async statements share connections (pipeline mode) */
} lb_pool_settings;

/* Everything a provider needs, after precedence, defaults and validation.
 * Strings are heap-owned (NULL when unset, unless a default applies);
 * lb_resolved_config_clear zeroes secrets and frees everything. */
typedef struct lb_resolved_config {
    /* workspace */
    char *host; /* "https://..." normalised, no trailing '/' */
    lb_auth_type auth_type;
    char *token; /* secret (PAT) */
    char *client_id;
    char *client_secret;  /* secret */
    char *profile;        /* profile used, NULL if none */
    char *ca_file;        /* http.ca_file: CA bundle for the API */
    long http_timeout_ms; /* http.timeout_ms, default 30000 */
    lakebase_token_source_fn token_source;
    void *token_source_userdata;

    /* lakebase */
    char *endpoint;    /* projects/p/branches/b/endpoints/e */
    char *instance;    /* provisioned instance name */
    int ttl_seconds;   /* 0 = server default */
    char *claims_json; /* validated JSON array text, or NULL */
    char *group_name;
    int read_only; /* lakebase.read_only: read_only_dns */

    /* credential timing */
    double refresh_fraction; /* credential.refresh_fraction, default 0.25 */
    int hard_margin_seconds; /* credential.hard_margin_seconds, default 60 */
    long mint_timeout_ms;    /* credential.mint_timeout_ms, default 30000 */

    /* postgres */
    char *pg_host; /* NULL => discovered */
    char *pg_hostaddr;
    int pg_port;       /* default 5432 */
    char *pg_database; /* default "databricks_postgres" */
    char *pg_user;     /* NULL => client id or SCIM Me */
    char *pg_sslmode;  /* default "require" */
    char *pg_sslrootcert;
    char *pg_application_name;
    char *pg_password; /* secret: static mode when set */

    lb_pool_settings pool;

    /* logging and tracing */
    lakebase_log_fn log_fn;
    void *log_userdata;
    int log_level;
    lakebase_span_fn span_fn;
    void *span_userdata;
} lb_resolved_config;

/* Where the environment comes from (a seam: unit tests pass a fake). */
typedef const char *(*lb_getenv_fn)(void *ctx, const char *name);

/* Resolves cfg with the process environment (getenv) and HOME. */
int lb_config_resolve(const lakebase_config *cfg, lb_resolved_config *out,
                      lakebase_error **err);

/* Same with an explicit environment source. */
int lb_config_resolve_env(const lakebase_config *cfg, lb_getenv_fn getenv_fn,
                          void *env_ctx, lb_resolved_config *out,
                          lakebase_error **err);

/* Where a key's value came from: "set explicitly", "from DATABRICKS_HOST",
 * "from profile [p] in /path", "default", or "" when unset. */
typedef struct lb_key_origin {
    char where[400];
} lb_key_origin;

/* lb_config_resolve_env that also records where each key came from (the
 * origins are filled even when validation then fails). */
int lb_config_resolve_traced(const lakebase_config *cfg, lb_getenv_fn getenv_fn,
                             void *env_ctx, lb_resolved_config *out,
                             lb_key_origin origins[LB_KEY_COUNT],
                             lakebase_error **err);

void lb_resolved_config_clear(lb_resolved_config *rc);

/* The rules that span keys, over values after precedence and defaults
 * (values[id] NULL when unset). On success *auth is the workspace auth
 * method to use (LB_AUTH_NONE in static mode). LAKEBASE_ECONFIG names the
 * keys, their environment variables and the fix. */
int lb_config_validate(const char *const values[LB_KEY_COUNT],
                       int has_token_source, lb_auth_type *auth,
                       lakebase_error **err);

/* True when minting (endpoint or instance set); false in static mode. */
int lb_config_is_minting(const lb_resolved_config *rc);

/* One profile (INI section) of a .databrickscfg. Fields heap-owned or NULL. */
typedef struct lb_profile {
    char *host, *token, *client_id, *client_secret, *auth_type;
    char *name; /* the section used; NULL when no profile applies */
} lb_profile;

/* Parses INI text of exactly len bytes and extracts section `name` (NULL =>
 * [__settings__] default_profile, else [DEFAULT]). Returns 0 and fills out;
 * LAKEBASE_ENOTFOUND when the named section is absent (message names file and
 * profile); LAKEBASE_ECONFIG for malformed text (line number in message).
 * With name NULL and neither default_profile nor [DEFAULT], returns 0 with
 * an empty profile (name NULL). Keys are case-sensitive, the last duplicate
 * wins, empty values count as unset. `origin` names the file in messages. */
int lb_profile_parse(const char *text, size_t len, const char *name,
                     const char *origin, lb_profile *out, lakebase_error **err);
void lb_profile_clear(lb_profile *p);

/* The value of profile key `key` ("host", "token", ...) or NULL. */
const char *lb_profile_value(const lb_profile *p, const char *key);

/* Reads `path` (at most LB_PROFILE_MAX_FILE bytes) and parses it as above.
 * A missing file is an empty profile unless `name` is set (then
 * LAKEBASE_ECONFIG naming the profile and the file). A named profile that is
 * absent, whether named by `name` or by default_profile, is LAKEBASE_ECONFIG.
 */
int lb_profile_load(const char *path, const char *name, lb_profile *out,
                    lakebase_error **err);

/* Largest config file we read. */
#define LB_PROFILE_MAX_FILE (256 * 1024)

#endif
