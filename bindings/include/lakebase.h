/*
 * lakebase.h — the whole public contract of liblakebase.
 *
 * liblakebase mints Databricks Lakebase database credentials (Autoscaling and
 * Provisioned), caches them process-wide and keeps them fresh. Everything a
 * binding or an application may rely on is declared here; if it is not in this
 * header it is not API.
 *
 * Conventions (apply to every declaration below):
 *  - Functions return 0 on success or a negative LAKEBASE_E* code.
 *  - Details of a failure come back as a lakebase_error object through an
 *    optional `err` out-parameter (pass NULL to ignore). On success `*err` is
 *    left untouched. The caller owns the object and frees it with
 *    lakebase_error_free(). There is no thread-local "last error".
 *  - Results returned through `**out` belong to the caller and have a _free.
 *  - String inputs are copied; the caller may free them after the call.
 *  - Every _free function accepts NULL.
 *  - Handles carry a type tag: a stale, freed-and-reused or foreign pointer is
 *    reported as LAKEBASE_EHANDLE where it can be detected, never silently used.
 *  - No function ever logs, prints or puts a token or secret in an error.
 */
#ifndef LAKEBASE_H
#define LAKEBASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define LAKEBASE_API __declspec(dllexport)
#elif defined(__GNUC__)
#define LAKEBASE_API __attribute__((visibility("default")))
#else
#define LAKEBASE_API
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

#define LAKEBASE_VERSION_MAJOR 0
#define LAKEBASE_VERSION_MINOR 1
#define LAKEBASE_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH. @since 0.1 */
#define LAKEBASE_VERSION_NUMBER                                                \
    (LAKEBASE_VERSION_MAJOR * 10000 + LAKEBASE_VERSION_MINOR * 100 +           \
     LAKEBASE_VERSION_PATCH)

/**
 * The library's version as "MAJOR.MINOR.PATCH".
 *
 * **Ownership:** static string, never free it.
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_version(void);

/**
 * The library's LAKEBASE_VERSION_NUMBER as built (compare with the header's
 * to detect a mismatched shared library).
 *
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_version_number(void);

/* ------------------------------------------------------------------------ */
/* Error codes (append-only: values are never reused or renumbered)          */
/* ------------------------------------------------------------------------ */

#define LAKEBASE_OK 0
/** An argument is NULL, empty or out of range. */
#define LAKEBASE_EINVAL (-1)
/** Out of memory. */
#define LAKEBASE_ENOMEM (-2)
/** Configuration invalid or incomplete; the message names the key and fix. */
#define LAKEBASE_ECONFIG (-3)
/** Workspace authentication failed (HTTP 401, OAuth error, bad token). */
#define LAKEBASE_EAUTH (-4)
/** The identity lacks permission (HTTP 403). */
#define LAKEBASE_EPERM (-5)
/** The endpoint, instance or API does not exist (HTTP 404). */
#define LAKEBASE_ENOTFOUND (-6)
/** The API rejected the request (HTTP 400, 409 or another 4xx). */
#define LAKEBASE_EAPI (-7)
/** Network or TLS failure talking to the workspace. */
#define LAKEBASE_ENETWORK (-8)
/** The API kept answering 429 or 5xx until the deadline ran out. */
#define LAKEBASE_ESERVER (-9)
/** A deadline ran out. */
#define LAKEBASE_ETIMEOUT (-10)
/** A response could not be understood (malformed or oversized body). */
#define LAKEBASE_EPROTOCOL (-11)
/** The object was closed. */
#define LAKEBASE_ECLOSED (-12)
/** A handle is NULL, freed, or of another type. */
#define LAKEBASE_EHANDLE (-13)
/** A caller-supplied token source failed. */
#define LAKEBASE_ECALLBACK (-14)
/** A buffer given by the caller is too small. */
#define LAKEBASE_ERANGE (-15)
/** An internal invariant failed (a bug: please report it). */
#define LAKEBASE_EINTERNAL (-16)

/**
 * A short, static English description of a code ("configuration error").
 * Unknown codes give "unknown error".
 *
 * **Ownership:** static string, never free it.
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Error objects                                                             */
/* ------------------------------------------------------------------------ */

/** Details of one failure. Immutable once returned. */
typedef struct lakebase_error lakebase_error;

/**
 * The LAKEBASE_E* code of the error (LAKEBASE_EINVAL for a NULL error).
 * **Threading:** thread-safe (the object is immutable), never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_error_code(const lakebase_error *err);

/**
 * One line naming the cause and, where known, the fix. Never contains a
 * token or secret.
 * **Ownership:** borrowed; valid until lakebase_error_free(err).
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_error_message(const lakebase_error *err);

/**
 * HTTP status of the workspace API answer behind the error, or 0.
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_error_http_status(const lakebase_error *err);

/**
 * The API's `error_code` (e.g. "RESOURCE_DOES_NOT_EXIST"), or "" if none.
 * **Ownership:** borrowed; valid until lakebase_error_free(err).
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_error_api_code(const lakebase_error *err);

/**
 * The PostgreSQL SQLSTATE behind the error (e.g. "28P01"), or "" if none.
 * **Ownership:** borrowed; valid until lakebase_error_free(err).
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_error_sqlstate(const lakebase_error *err);

/**
 * Frees an error object. Accepts NULL.
 * **Threading:** do not use `err` from another thread concurrently.
 * @since 0.1
 */
LAKEBASE_API void lakebase_error_free(lakebase_error *err);

/* ------------------------------------------------------------------------ */
/* Logging                                                                   */
/* ------------------------------------------------------------------------ */

#define LAKEBASE_LOG_ERROR 1
#define LAKEBASE_LOG_WARN 2
#define LAKEBASE_LOG_INFO 3
#define LAKEBASE_LOG_DEBUG 4

/**
 * Receives one log event. `message` is one line without a trailing newline,
 * never containing a token or secret; it is borrowed for the call only.
 * Runs on whichever library or caller thread produced the event (including
 * the library's background refresh thread); it must not block for long and
 * must not free the object that logged.
 * @since 0.1
 */
typedef void (*lakebase_log_fn)(void *userdata, int level, const char *message);

/* ------------------------------------------------------------------------ */
/* Caller-supplied workspace token source                                    */
/* ------------------------------------------------------------------------ */

/**
 * Supplies a workspace access token (not a database credential): for
 * on-behalf-of-user requests (Databricks Apps' x-forwarded-access-token) and
 * for bindings that own their own auth.
 *
 * Write the token into `buf` (capacity `cap`, NUL-terminated) and return 0;
 * set `*expires_at_unix_ms` to its expiry or leave it at 0 when unknown (the
 * library then calls again before every API request). Return a negative value
 * to fail; the library reports LAKEBASE_ECALLBACK. The library zeroes `buf`
 * after use. Called on the thread that needs a token (a caller or the
 * library's refresh thread), possibly from several threads at once unless the
 * caller serialises.
 * @since 0.1
 */
typedef int (*lakebase_token_source_fn)(void *userdata, char *buf, size_t cap,
                                        int64_t *expires_at_unix_ms);

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

/**
 * A set of string keys and values. The keys, their environment variables,
 * profile keys and defaults are listed in docs/configuration.md (generated
 * from the same table the library uses) and by lakebase_config_key_at().
 *
 * Precedence when a provider is created: values set here > environment >
 * ~/.databrickscfg profile > defaults.
 */
typedef struct lakebase_config lakebase_config;

/**
 * Creates an empty configuration.
 * **Ownership:** `*out` belongs to the caller; free with lakebase_config_free.
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_config_new(lakebase_config **out,
                                     lakebase_error **err);

/**
 * Sets `key` to `value` (copied). A NULL value unsets the key so the
 * environment or profile applies again. Unknown keys and values of the wrong
 * form fail with LAKEBASE_ECONFIG naming the key.
 * **Threading:** not thread-safe on the same object; never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_config_set(lakebase_config *cfg, const char *key,
                                     const char *value, lakebase_error **err);

/**
 * Applies a libpq-style DSN or postgres:// URL: host, port, dbname, user,
 * password, sslmode, application_name. Same as setting the pg.* keys.
 * **Threading:** not thread-safe on the same object; never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_config_set_dsn(lakebase_config *cfg, const char *dsn,
                                         lakebase_error **err);

/**
 * Installs a workspace token source (see lakebase_token_source_fn). It is
 * used when auth.type is "external", or when no other auth method is set.
 * `userdata` is borrowed and must outlive every provider made from `cfg`.
 * **Threading:** not thread-safe on the same object; never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_config_set_token_source(lakebase_config *cfg,
                                                  lakebase_token_source_fn fn,
                                                  void *userdata,
                                                  lakebase_error **err);

/**
 * Installs a log callback receiving events at `max_level` and more severe.
 * `userdata` is borrowed and must outlive every provider made from `cfg`.
 * **Threading:** not thread-safe on the same object; never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_config_set_logger(lakebase_config *cfg,
                                            lakebase_log_fn fn, void *userdata,
                                            int max_level,
                                            lakebase_error **err);

/**
 * Frees a configuration. Accepts NULL. Providers made from it keep working.
 * **Threading:** do not use `cfg` concurrently.
 * @since 0.1
 */
LAKEBASE_API void lakebase_config_free(lakebase_config *cfg);

/**
 * Describes the configuration key at `index` (0-based): its name, the
 * environment variables that feed it (comma-separated, may be ""), and one
 * line of documentation. Returns LAKEBASE_ERANGE past the last key.
 * **Ownership:** the strings are static; never free them.
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_config_key_at(size_t index, const char **name,
                                        const char **env_vars,
                                        const char **doc);

/* ------------------------------------------------------------------------ */
/* Credential provider                                                       */
/* ------------------------------------------------------------------------ */

/**
 * A handle on the process-wide credential provider for one key (workspace,
 * identity, endpoint or instance, claims, group, ttl). Handles created from
 * equal keys share one cache, one refresh schedule and one mint in flight.
 */
typedef struct lakebase_credentials lakebase_credentials;

/** One minted database credential plus where to log in with it. */
typedef struct lakebase_credential lakebase_credential;

/**
 * Resolves `cfg` (values > environment > profile > defaults), validates it
 * and returns a handle on the shared provider for its key. Does not call the
 * network: the first mint happens on first use or in lakebase_credentials_open.
 *
 * Errors: LAKEBASE_ECONFIG (message names the key and the fix).
 * **Ownership:** `*out` belongs to the caller; free with
 *   lakebase_credentials_free. `cfg` is not retained.
 * **Threading:** thread-safe; reads the environment and the config file.
 * @since 0.1
 */
LAKEBASE_API int lakebase_credentials_new(lakebase_credentials **out,
                                          const lakebase_config *cfg,
                                          lakebase_error **err);

/**
 * Returns a credential valid for at least the hard margin (default 60 s).
 * Serves the cache when it can; otherwise mints (one mint in flight per key:
 * concurrent callers wait for it). While a cached token is still valid a
 * failing API never makes this fail: the token is served and the provider
 * reports itself degraded.
 *
 * Errors: LAKEBASE_EAUTH, EPERM, ENOTFOUND, EAPI (fail fast, with the API's
 * error_code and message), ENETWORK / ESERVER / ETIMEOUT (after retries
 * inside the mint deadline), EPROTOCOL, ECALLBACK, ECONFIG.
 * **Ownership:** `*out` belongs to the caller; free with
 *   lakebase_credential_free (which zeroes the token).
 * **Threading:** thread-safe; blocks while a mint is needed (HTTPS call).
 * @since 0.1
 */
LAKEBASE_API int lakebase_credentials_get(lakebase_credentials *creds,
                                          lakebase_credential **out,
                                          lakebase_error **err);

/**
 * Mints now if the cache is empty and waits for it: fails fast at startup
 * when the identity, endpoint or permissions are wrong.
 * **Threading:** thread-safe; blocks (HTTPS calls).
 * @since 0.1
 */
LAKEBASE_API int lakebase_credentials_open(lakebase_credentials *creds,
                                           lakebase_error **err);

/**
 * Drops the cached token if it is still `token` (pass NULL to drop whatever
 * is cached), so the next get mints anew. Used after a login refused with
 * 28P01. Never blocks on the network.
 * **Threading:** thread-safe.
 * @since 0.1
 */
LAKEBASE_API int lakebase_credentials_invalidate(lakebase_credentials *creds,
                                                 const char *token,
                                                 lakebase_error **err);

/** Provider counters; fill with lakebase_credentials_stats(). */
typedef struct lakebase_credential_stats {
    /** Set to LAKEBASE_CREDENTIAL_STATS_VERSION before the call. */
    unsigned int version;
    uint64_t mints_ok;           /**< successful mints */
    uint64_t mints_failed;       /**< failed attempts (each retry counts) */
    int64_t last_mint_latency_us; /**< duration of the last successful mint */
    int64_t expire_time_unix_ms; /**< expiry of the cached token, 0 if none */
    int64_t degraded_since_unix_ms; /**< first failure of the current failing
                                       run while a valid token is served; 0 if
                                       healthy */
    int last_error_code;         /**< LAKEBASE_E* of the last failure, or 0 */
    int last_error_http_status;  /**< its HTTP status, or 0 */
    /** Message of the last failure ("" if none); never a secret. */
    char last_error_message[256];
    int64_t next_refresh_unix_ms; /**< planned background refresh, 0 if none */
} lakebase_credential_stats;

#define LAKEBASE_CREDENTIAL_STATS_VERSION 1

/**
 * Copies the provider's counters into `*out` (`out->version` must be set).
 * **Threading:** thread-safe, never blocks on the network.
 * @since 0.1
 */
LAKEBASE_API int lakebase_credentials_stats(lakebase_credentials *creds,
                                            lakebase_credential_stats *out,
                                            lakebase_error **err);

/**
 * Releases the handle. The shared provider (cache, refresh timer) stops when
 * its last handle is freed. Accepts NULL.
 * **Threading:** thread-safe; may wait for an in-flight mint of this key to
 * finish (bounded by the HTTP timeout).
 * @since 0.1
 */
LAKEBASE_API void lakebase_credentials_free(lakebase_credentials *creds);

/**
 * The database credential (the Postgres password). Never log it.
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * **Threading:** thread-safe (immutable), never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_credential_token(
    const lakebase_credential *cred);

/**
 * Expiry of the token, Unix epoch milliseconds (server time, clamped by the
 * local issue time plus the requested ttl).
 * @since 0.1
 */
LAKEBASE_API int64_t lakebase_credential_expire_time_ms(
    const lakebase_credential *cred);

/**
 * The Postgres role to log in as (the identity that minted the token).
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_credential_user(
    const lakebase_credential *cred);

/**
 * The Postgres host (pg.host, or discovered from the endpoint or instance).
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_credential_host(
    const lakebase_credential *cred);

/** The Postgres port (default 5432). @since 0.1 */
LAKEBASE_API int lakebase_credential_port(const lakebase_credential *cred);

/**
 * The database name (default "databricks_postgres").
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_credential_database(
    const lakebase_credential *cred);

/**
 * The sslmode to use (default "require").
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_credential_sslmode(
    const lakebase_credential *cred);

/**
 * Frees a credential, zeroing the token first. Accepts NULL.
 * **Threading:** do not use `cred` concurrently.
 * @since 0.1
 */
LAKEBASE_API void lakebase_credential_free(lakebase_credential *cred);

#ifdef __cplusplus
}
#endif

#endif /* LAKEBASE_H */
