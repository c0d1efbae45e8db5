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
 *    optional `err` out-parameter: pass NULL to ignore them, or the address
 *    of a pointer that is NULL. On success `*err` is left untouched; on
 *    failure it is set. A call given an `err` whose `*err` is not NULL (an
 *    earlier error not yet freed) does nothing and returns LAKEBASE_EINVAL,
 *    leaving that error to the caller: an error object always describes
 *    the call that returned it. The caller owns the object and frees it
 *    with lakebase_error_free(). There is no thread-local "last error".
 *  - Results returned through `**out` belong to the caller and have a _free.
 *  - String inputs are copied; the caller may free them after the call.
 *  - Every _free function accepts NULL.
 *  - Handles carry a type tag: a stale, freed-and-reused or foreign pointer is
 *    reported as LAKEBASE_EHANDLE where it can be detected, never silently
 * used.
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
#define LAKEBASE_VERSION_MINOR 3
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
/** Login refused (28P01, 28000, 3D000...): role, identity and sqlstate set. */
#define LAKEBASE_ELOGIN (-17)
/** The server reported an SQL error (sqlstate set). */
#define LAKEBASE_ESQL (-18)
/** The connection broke or could not be established. */
#define LAKEBASE_ECONNECTION (-19)
/** The statement was cancelled. */
#define LAKEBASE_ECANCELED (-20)

/**
 * A short, static English description of a code ("configuration error").
 * Unknown codes give "unknown error".
 *
 * **Ownership:** static string, never free it.
 * **Threading:** thread-safe, never blocks.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_strerror(int code);

/**
 * The name of a code, as its macro without the prefix: "ECONFIG" for
 * LAKEBASE_ECONFIG, "OK" for 0, "EUNKNOWN" for a code this library does
 * not know. Bindings name their error types from it (and the conformance
 * scenarios spell codes so), so no binding keeps a table of its own.
 *
 * **Ownership:** static string, never free it.
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API const char *lakebase_error_name(int code);

/**
 * The reverse of lakebase_error_name: sets `*code` to the code named
 * `name` ("ECONFIG") and returns 0, or returns LAKEBASE_EINVAL (and leaves
 * `*code` alone) for a name no code has, a NULL name or a NULL `code`.
 *
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_error_code_from_name(const char *name, int *code);

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
#define LAKEBASE_LOG_WARN  2
#define LAKEBASE_LOG_INFO  3
#define LAKEBASE_LOG_DEBUG 4

/**
 * Receives one log event of the handle (credentials, pool or direct
 * connection) made from the configuration that installed it: its own
 * events, and those of the credential provider it shares with other
 * handles (each handle sharing a provider receives them through its own
 * logger). `message` is one line without a trailing newline, never
 * containing a token or secret; it is borrowed for the call only.
 *
 * Runs with no lock of the library held, on whichever thread produced the
 * event: a caller's, or one of the library's own (its background thread or
 * a worker). It may call back into the library (read stats, for example);
 * it must not block for long and must not free the handle whose event it
 * receives. Once that handle is freed its logger and userdata are never
 * called again.
 * @since 0.1 (per handle, with no lock held, since 0.3)
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
 * after use. Called with no lock of the library held, on the thread that
 * needs a token (a caller's, or one of the library's worker threads; never
 * its background thread, which does not block), possibly from several
 * threads at once unless the caller serialises.
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
 * used when auth.type is "external", or when no other auth method is set;
 * with a PAT or client secret also configured, set auth.type to choose
 * (otherwise validation reports more than one authorization method).
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
 * Returns a usable credential. The cached token is served while more than
 * min(5 s, a tenth of its lifetime) of it is left; once less than the hard
 * margin is left (credential.hard_margin_seconds, 60 s by default, at most
 * a quarter of the lifetime) a refresh starts in the background, and the
 * cached token is still served meanwhile, so no caller waits on it. With
 * no usable token it mints (one mint in flight per key: concurrent callers
 * wait for it). While a cached token is still valid a failing API never
 * makes this fail: the token is served and the provider reports itself
 * degraded.
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
 * Completion of lakebase_credentials_get_async: exactly one of `cred` and
 * `err` is non-NULL; both belong to the callback (lakebase_credential_free,
 * lakebase_error_free).
 * @since 0.3
 */
typedef void (*lakebase_credential_fn)(void *userdata,
                                       lakebase_credential *cred,
                                       lakebase_error *err);

/**
 * lakebase_credentials_get without blocking: returns 0 with `*now` set
 * when a usable credential is cached (`done` is not called), or 1 when one
 * must be minted: `done` then runs exactly once, later, on one of the
 * library's worker threads, with the credential or the error of
 * lakebase_credentials_get. `creds` must stay alive until `done` has run.
 * Errors (returned; `done` is then never called): LAKEBASE_EINVAL,
 * LAKEBASE_EHANDLE, LAKEBASE_ENOMEM, LAKEBASE_EINTERNAL (no worker thread).
 * **Ownership:** `*now` belongs to the caller (lakebase_credential_free).
 * **Threading:** thread-safe; never blocks (an event loop may call it).
 * @since 0.3
 */
LAKEBASE_API int lakebase_credentials_get_async(lakebase_credentials *creds,
                                                lakebase_credential **now,
                                                lakebase_credential_fn done,
                                                void *userdata,
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
    uint64_t mints_ok;            /**< successful mints */
    uint64_t mints_failed;        /**< failed attempts (each retry counts) */
    int64_t last_mint_latency_us; /**< duration of the last successful mint */
    int64_t expire_time_unix_ms;  /**< expiry of the cached token, 0 if none */
    int64_t degraded_since_unix_ms; /**< first failure of the current failing
                                       run while a valid token is served; 0 if
                                       healthy */
    int last_error_code;        /**< LAKEBASE_E* of the last failure, or 0 */
    int last_error_http_status; /**< its HTTP status, or 0 */
    /** Message of the last failure ("" if none); never a secret. */
    char last_error_message[256];
    int64_t next_refresh_unix_ms; /**< planned background refresh, 0 if none */
} lakebase_credential_stats;

#define LAKEBASE_CREDENTIAL_STATS_VERSION 1
/** Declares a stats struct ready for lakebase_credentials_stats. @since 0.3 */
#define LAKEBASE_CREDENTIAL_STATS_INIT                                         \
    { LAKEBASE_CREDENTIAL_STATS_VERSION }

/**
 * Zeroes `*stats` and sets its version, for languages that cannot use
 * LAKEBASE_CREDENTIAL_STATS_INIT. `version` is the one the caller was
 * built with (LAKEBASE_CREDENTIAL_STATS_VERSION): the library accepts every
 * version from 1 to its own and fills the fields that version has, so a
 * program built against an older header keeps working with a newer
 * library. Errors: LAKEBASE_EINVAL (NULL, or a version newer than the
 * library's).
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int
lakebase_credential_stats_init(lakebase_credential_stats *stats,
                               unsigned int version);

/**
 * Copies the provider's counters into `*out`, whose version must be set
 * (LAKEBASE_CREDENTIAL_STATS_INIT or lakebase_credential_stats_init).
 * Errors: LAKEBASE_EINVAL (NULL, or a version the library does not know).
 * **Threading:** thread-safe, never blocks (not on the network, and not on
 *   a mint in flight); may be called from a log callback.
 * @since 0.1
 */
LAKEBASE_API int lakebase_credentials_stats(lakebase_credentials *creds,
                                            lakebase_credential_stats *out,
                                            lakebase_error **err);

/**
 * Releases the handle. Accepts NULL. When it was the last handle on its
 * provider (pools and lakebase_connect hold one too), the provider stops
 * refreshing but keeps its cached token while that token is usable: the
 * next handle for the same key within that time reuses it without minting
 * (so connecting and disconnecting in a loop mints once per token lifetime)
 * and restarts the refresh. A provider whose token is no longer usable is
 * freed; at most 16 unused providers are kept (the oldest goes first), and
 * their tokens are zeroed at process exit.
 * The handle's logger is never called again once this returns.
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
LAKEBASE_API const char *
lakebase_credential_token(const lakebase_credential *cred);

/**
 * Expiry of the token, Unix epoch milliseconds (server time, clamped by the
 * local issue time plus the requested ttl).
 * @since 0.1
 */
LAKEBASE_API int64_t
lakebase_credential_expire_time_ms(const lakebase_credential *cred);

/**
 * The Postgres role to log in as (the identity that minted the token).
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *
lakebase_credential_user(const lakebase_credential *cred);

/**
 * The Postgres host (pg.host, or discovered from the endpoint or instance).
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *
lakebase_credential_host(const lakebase_credential *cred);

/** The Postgres port (default 5432). @since 0.1 */
LAKEBASE_API int lakebase_credential_port(const lakebase_credential *cred);

/**
 * The database name (default "databricks_postgres").
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *
lakebase_credential_database(const lakebase_credential *cred);

/**
 * The sslmode to use (default "require").
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.1
 */
LAKEBASE_API const char *
lakebase_credential_sslmode(const lakebase_credential *cred);

/**
 * The rest of what a client passes to its driver to log in the way the
 * library does: the CA bundle that verifies the server (pg.sslrootcert;
 * needed with sslmode verify-ca / verify-full), the address to connect to
 * instead of resolving the host (pg.hostaddr), and the application name
 * (pg.application_name). Each is NULL when not configured.
 * **Ownership:** borrowed; valid until lakebase_credential_free(cred).
 * @since 0.3
 */
LAKEBASE_API const char *
lakebase_credential_sslrootcert(const lakebase_credential *cred);
LAKEBASE_API const char *
lakebase_credential_hostaddr(const lakebase_credential *cred);
LAKEBASE_API const char *
lakebase_credential_application_name(const lakebase_credential *cred);

/**
 * Frees a credential, zeroing the token first. Accepts NULL.
 * **Threading:** do not use `cred` concurrently.
 * @since 0.1
 */
LAKEBASE_API void lakebase_credential_free(lakebase_credential *cred);

/* ------------------------------------------------------------------------ */
/* Connection pool                                                           */
/* ------------------------------------------------------------------------ */

/**
 * A pool of PostgreSQL connections, each logged in with the current
 * credential of the shared provider when it is opened, recycled after
 * pool.max_lifetime_seconds (with per-connection jitter fixed at birth,
 * only while idle). Configured by the pool.* keys (docs/configuration.md).
 *
 * Background work (warm-up, replacement connects, recycling, trimming,
 * timeouts of waiting requests) runs on the library's one background
 * thread, shared by every pool and provider of the process; anything that
 * blocks (an HTTPS mint, a cancel request) on a few worker threads, also
 * shared. A pool costs no thread of its own (docs/threading.md).
 */
typedef struct lakebase_pool lakebase_pool;

/** A connection leased from a pool (or a single direct connection). */
typedef struct lakebase_conn lakebase_conn;

/** The result of one statement. Immutable. */
typedef struct lakebase_result lakebase_result;

/**
 * Creates a pool from `cfg` (validated like lakebase_credentials_new). Lazy:
 * no connection is opened until lakebase_pool_open or the first acquire.
 * **Ownership:** `*out` belongs to the caller; free with lakebase_pool_free.
 * **Threading:** thread-safe; never blocks on the network.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_new(lakebase_pool **out,
                                   const lakebase_config *cfg,
                                   lakebase_error **err);

/**
 * Opens the pool: starts warming pool.min_size connections, up to
 * pool.max_connecting at once, in the background. With `wait`
 * non-zero, blocks until max(1, min_size) connections are ready, failing
 * fast (no retries) on a wrong credential, role or database, so a service
 * fails at startup rather than on its first request.
 * Errors: any credential error; LAKEBASE_ELOGIN (message names role and
 * identity, sqlstate set); LAKEBASE_ETIMEOUT; LAKEBASE_ECLOSED.
 * **Threading:** thread-safe; blocks when `wait` (network). Not on the host
 *   thread of an attached pool: use lakebase_pool_open_async there.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_open(lakebase_pool *pool, int wait,
                                    lakebase_error **err);

/**
 * Completion of an asynchronous open: `err` is NULL once max(1,
 * pool.min_size) connections are ready, else the first connect error (as
 * lakebase_pool_open reports it) and it belongs to the callback.
 * @since 0.3
 */
typedef void (*lakebase_open_fn)(void *userdata, lakebase_error *err);

/**
 * lakebase_pool_open(wait) without blocking: `done` runs exactly once,
 * later — on the host thread for an attached pool (from
 * lakebase_pool_socket_ready or lakebase_pool_timer_expired), otherwise on
 * the library's background thread or the thread that opened the last
 * connection needed. Never from inside this call.
 * Errors (returned; `done` is then never called): LAKEBASE_ECLOSED,
 * LAKEBASE_EINVAL (an open already under way on an attached pool),
 * LAKEBASE_ENOMEM.
 * **Threading:** thread-safe (the host thread for an attached pool); never
 *   blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_open_async(lakebase_pool *pool,
                                          lakebase_open_fn done, void *userdata,
                                          lakebase_error **err);

/**
 * Leases a connection, waiting up to pool.acquire_timeout_ms (FIFO among
 * waiters). A connection idle for more than pool.validate_after_idle_ms is
 * checked with a round trip first; broken ones are discarded, never handed
 * out. When the pool has room it may open the connection on the calling
 * thread.
 * Errors: LAKEBASE_ETIMEOUT, LAKEBASE_ECLOSED, connect errors.
 * **Ownership:** `*out` is leased: return it with lakebase_conn_release.
 * **Threading:** thread-safe; blocks while the pool is exhausted or a
 *   connection is being opened.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_acquire(lakebase_pool *pool, lakebase_conn **out,
                                       lakebase_error **err);

/**
 * lakebase_pool_acquire with a timeout of the caller's own instead of
 * pool.acquire_timeout_ms: waits at most `timeout_ms` (0: take an idle
 * connection, or a free slot to connect, or fail at once with
 * LAKEBASE_ETIMEOUT; -1: the pool's setting). The same errors.
 * **Ownership:** `*out` is leased: return it with lakebase_conn_release.
 * **Threading:** thread-safe; blocks up to `timeout_ms` (plus a connect
 *   the call started, bounded by pool.connect_timeout_ms).
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_acquire_timeout(lakebase_pool *pool,
                                               long timeout_ms,
                                               lakebase_conn **out,
                                               lakebase_error **err);

/**
 * Completion of lakebase_pool_acquire_async: exactly one of `conn` (a
 * connection leased to the caller alone) and `err` (LAKEBASE_ETIMEOUT when
 * none was free within the timeout, LAKEBASE_ECLOSED, connect errors) is
 * non-NULL.
 * **Ownership:** `conn` is leased: return it with lakebase_conn_release;
 *   `err` belongs to the callback.
 * @since 0.2
 */
typedef void (*lakebase_lease_fn)(void *userdata, lakebase_conn *conn,
                                  lakebase_error *err);

/**
 * Leases a connection of the caller's own without blocking, for a
 * transaction or session state, waiting at most `timeout_ms` (-1: the
 * pool's pool.acquire_timeout_ms).
 *
 * Without an event loop attached (multi-threaded hosts: Go, JVM callers):
 * returns 0 with `*now` set when an idle connection needs no check (`done`
 * is not called); otherwise returns 1, and `done` runs exactly once,
 * later, on the thread that frees a connection (another caller's
 * lakebase_conn_release) or on the library's background thread (a
 * connection it opened or checked, or the timeout). `*ticket` then names
 * the request for lakebase_pool_acquire_cancel.
 *
 * With an event loop attached: always returns 1 (`*now` NULL, `*ticket`
 * 0) and `done` runs on the host thread, from lakebase_pool_socket_ready or
 * lakebase_pool_timer_expired; with pool.pipeline the least loaded shared
 * connection stops taking new statements and is handed over once drained.
 * Run statements on the connection with lakebase_conn_query_async and give
 * it back with lakebase_conn_release on the host thread (a transaction
 * left open is then rolled back without blocking). If the pool is closed
 * while the lease is held, the connection is closed; the handle stays valid
 * (its statements fail with LAKEBASE_ECLOSED) until released.
 *
 * Errors (returned; `done` is then never called): LAKEBASE_EINVAL,
 * LAKEBASE_ENOMEM, LAKEBASE_ECLOSED.
 * **Ownership:** `*now` is leased (lakebase_conn_release); `userdata` is
 *   passed back. `now` and `ticket` may be NULL only for an attached pool.
 * **Threading:** thread-safe (the host thread for an attached pool); never
 *   blocks.
 * @since 0.2 (timeout, immediate lease and ticket since 0.3)
 */
LAKEBASE_API int
lakebase_pool_acquire_async(lakebase_pool *pool, long timeout_ms,
                            lakebase_lease_fn done, void *userdata,
                            lakebase_conn **now, uint64_t *ticket,
                            lakebase_error **err);

/**
 * Withdraws a waiting lakebase_pool_acquire_async request (a context
 * cancelled, a caller gone): returns 0 when it was still waiting — its
 * `done` will never run — or 1 when it is too late: `done` has run or is
 * about to (with the connection, which the caller must then release), or
 * the ticket is unknown.
 * **Threading:** thread-safe; never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_acquire_cancel(lakebase_pool *pool,
                                              uint64_t ticket);

/**
 * Returns a leased connection (or closes a direct one). A connection left in
 * a transaction is rolled back (or discarded if that fails); a broken or
 * expired one, or one with a cancel request still on its way, is closed.
 * Accepts NULL. Afterwards the handle is dead: a pooled connection reused
 * by someone else reports LAKEBASE_EHANDLE to the old holder instead of
 * running its statements.
 * **Threading:** call from one thread at a time per connection; may block
 *   briefly for a rollback. A connection from an attached pool's
 *   lakebase_pool_acquire_async must be released on the host thread, and
 *   never blocks (off it, it is not released: a leak).
 * @since 0.1
 */
LAKEBASE_API void lakebase_conn_release(lakebase_conn *conn);

/**
 * Runs one statement with `nparams` text parameters ($1..$n; a NULL value is
 * SQL NULL). With `nparams` 0 the text may hold several statements
 * separated by ';' (the last one's result is returned). COPY is refused
 * (LAKEBASE_EINVAL). Errors: LAKEBASE_ESQL (sqlstate and server message
 * set), LAKEBASE_ECONNECTION (the connection broke; it will be discarded),
 * LAKEBASE_ECANCELED (lakebase_conn_cancel, or cancelled by the server),
 * LAKEBASE_ETIMEOUT (pool.statement_timeout_ms), LAKEBASE_EINVAL for a
 * connection from an attached pool (use lakebase_conn_query_async),
 * LAKEBASE_ECLOSED when its pool was closed.
 * **Ownership:** `*out` belongs to the caller; free with lakebase_result_free.
 * **Threading:** one thread at a time per connection; blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_conn_query(lakebase_conn *conn, const char *sql,
                                     int nparams, const char *const *values,
                                     lakebase_result **out,
                                     lakebase_error **err);

/**
 * Asks the server to cancel the statement running on `conn`. The request
 * (a short connection of its own) goes out from one of the library's
 * worker threads; the running statement then fails with
 * LAKEBASE_ECANCELED, unless it finished first. A connection released
 * while the request may still be on its way is closed, not reused.
 * Errors: LAKEBASE_ECLOSED (the connection is gone), LAKEBASE_ECONNECTION
 * (no worker thread could take the request).
 * **Threading:** thread-safe and never blocks: meant to be called from
 *   another thread (or an event loop) while `conn` is still leased (the
 *   caller must not release it concurrently).
 * @since 0.1 (non-blocking since 0.3)
 */
LAKEBASE_API int lakebase_conn_cancel(lakebase_conn *conn,
                                      lakebase_error **err);

/**
 * Sends one statement on a leased connection without waiting for its
 * result, for a multi-threaded host that waits on sockets with its own
 * poller (Go's netpoller), so no thread of its waits inside the library:
 * after it returns 1, wait until `*fd` is ready for `*events`
 * (LAKEBASE_WATCH_* bits) and call lakebase_conn_advance; repeat while it
 * returns 1. Parameters and the simple protocol as lakebase_conn_query.
 * Returns 1 (wait), 0 (done already: `*out` set) or the statement's error
 * (those of lakebase_conn_query; LAKEBASE_EINVAL also when a statement is
 * still under way on `conn`, or for a connection of an attached pool).
 * While a statement is under way the connection must not be released
 * (a release then closes it) or used otherwise; lakebase_conn_cancel asks
 * the server to end it, and the advance that follows reports
 * LAKEBASE_ECANCELED.
 * **Ownership:** `sql` and `values` are copied; `*out` belongs to the
 *   caller (lakebase_result_free). `*fd` stays the library's: never close it;
 *   a host that registers it with its poller (a dup) drops that
 *   registration when the pool's close callback names the connection.
 * **Threading:** one thread at a time per connection; never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_conn_send(lakebase_conn *conn, const char *sql,
                                    int nparams, const char *const *values,
                                    int *fd, int *events, lakebase_result **out,
                                    lakebase_error **err);

/**
 * Reads what has arrived for the statement lakebase_conn_send sent (and
 * sends output still pending): 0 when it is done (`*out` set), 1 when the
 * caller must wait for `*events` on `*fd` again, or the statement's error.
 * It returns 1 only once nothing more can be read without waiting (the
 * socket and TLS's buffer are drained), so an edge-triggered poller that
 * reports readiness once never waits for input already in.
 * **Ownership:** `*out` belongs to the caller.
 * **Threading:** one thread at a time per connection; never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_conn_advance(lakebase_conn *conn, int *fd,
                                       int *events, lakebase_result **out,
                                       lakebase_error **err);

/**
 * A number naming the physical connection behind `conn` for as long as it
 * is open, never reused in the process (0 for a NULL or dead handle): a
 * host caches per-connection state under it (its poller's registration of
 * the socket).
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API uint64_t lakebase_conn_id(const lakebase_conn *conn);

/** A connection of the pool is about to close. @since 0.3 */
typedef void (*lakebase_conn_closed_fn)(void *userdata, uint64_t conn_id);

/**
 * Registers (or with `fn` NULL removes) the callback a pool calls when one
 * of its connections is about to be closed — for age, broken, trimmed or
 * because the pool closes — with the connection's lakebase_conn_id, so a
 * host drops what it cached for it. Runs with no lock of the library held,
 * on the thread that closes the connection (a caller's release, the
 * library's background thread, a close); it must not call into the pool.
 * Register it before the pool is used.
 * **Ownership:** `userdata` is borrowed until removed or the pool is freed.
 * **Threading:** not thread-safe against the pool's use: call it first.
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_set_close_callback(lakebase_pool *pool,
                                                  lakebase_conn_closed_fn fn,
                                                  void *userdata,
                                                  lakebase_error **err);

/**
 * Acquire + query + release in one call (errors of both). Never pipelined:
 * pool.pipeline applies to lakebase_pool_query_async only.
 * **Ownership:** `*out` belongs to the caller; free with lakebase_result_free.
 * **Threading:** thread-safe; blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_query(lakebase_pool *pool, const char *sql,
                                     int nparams, const char *const *values,
                                     lakebase_result **out,
                                     lakebase_error **err);

/**
 * Closes the pool: later acquires fail with LAKEBASE_ECLOSED, waiters are
 * woken with it, idle connections are closed. Leased connections finish
 * their work and are closed on release, or with `cancel_inflight` their
 * running statements are cancelled. Blocks until every connection is closed.
 * With an event loop attached it also ends every asynchronous statement
 * before it returns: queued ones fail with LAKEBASE_ECLOSED, sent ones
 * finish (with `cancel_inflight`: are cancelled, and dropped
 * if still running 5 s later), and their done callbacks run inside this
 * call; then it stops every watch and the timer. A host that must not
 * block uses lakebase_pool_close_async.
 * **Threading:** thread-safe (the host thread only when a loop is
 *   attached); blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_close(lakebase_pool *pool, int cancel_inflight,
                                     lakebase_error **err);

/** Completion of lakebase_pool_close_async. @since 0.3 */
typedef void (*lakebase_closed_fn)(void *userdata);

/**
 * lakebase_pool_close without blocking: new work is refused at once
 * (queued asynchronous statements and waiting acquires fail with
 * LAKEBASE_ECLOSED, idle connections close); work under way finishes, and
 * `cancel_after_ms` after this call (-1: never; 0: at once) what still runs
 * is asked to cancel — on an attached pool, connections still busy 5 s
 * after that are dropped, failing their statements with LAKEBASE_ECLOSED.
 * `done` runs exactly once, when every connection is closed: on the host
 * thread for an attached pool (from lakebase_pool_socket_ready or
 * lakebase_pool_timer_expired; the pool has then stopped every watch and
 * its timer), otherwise on the thread that released the last connection or
 * the library's background thread. Never from inside this call. Free the
 * pool afterwards with lakebase_pool_free.
 * Errors (returned; `done` is then never called): LAKEBASE_ECLOSED (already
 * closing), LAKEBASE_ENOMEM.
 * **Threading:** thread-safe (the host thread for an attached pool); never
 *   blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_close_async(lakebase_pool *pool,
                                           long cancel_after_ms,
                                           lakebase_closed_fn done,
                                           void *userdata,
                                           lakebase_error **err);

/**
 * Closes (as lakebase_pool_close with cancel_inflight) and frees. Accepts
 * NULL. Every leased connection must have been released. The pool's logger
 * is never called again once this returns.
 * @since 0.1
 */
LAKEBASE_API void lakebase_pool_free(lakebase_pool *pool);

/**
 * Pool counters; fill with lakebase_pool_get_stats(). Connections are
 * counted by state, whichever front end (synchronous callers, an attached
 * event loop) holds them, so total = idle + in_use + connecting.
 */
typedef struct lakebase_pool_stats {
    /** Set by LAKEBASE_POOL_STATS_INIT / lakebase_pool_stats_init. */
    unsigned int version;
    int total;      /**< open or opening connections */
    int idle;       /**< open and not in use */
    int in_use;     /**< leased, or running asynchronous statements */
    int connecting; /**< connects in flight */
    int waiting;    /**< acquires (blocking or asynchronous) and asynchronous
                       statements waiting for a connection */
    uint64_t connects_ok;
    uint64_t connects_failed;
    uint64_t recycled;  /**< closed for age (pool.max_lifetime_seconds) */
    uint64_t discarded; /**< closed because broken or failed validation */
    uint64_t trimmed;   /**< closed as surplus (pool.idle_timeout_seconds,
                           pool.max_idle) */
    uint64_t acquires;  /**< leases, blocking and asynchronous */
    /** Leases and asynchronous statements that got no connection within
     * their timeout. */
    uint64_t acquire_timeouts;
    /** Acquire wait time histogram: <10us, <100us, <1ms, <10ms, <100ms,
     * <1s, >=1s. */
    uint64_t wait_histogram[7];
} lakebase_pool_stats;

/** Version 2 (0.3): the credential counters moved to
 * lakebase_pool_credential_stats; `trimmed` added. */
#define LAKEBASE_POOL_STATS_VERSION 2
/** Declares a stats struct ready for lakebase_pool_get_stats. @since 0.3 */
#define LAKEBASE_POOL_STATS_INIT                                               \
    { LAKEBASE_POOL_STATS_VERSION }

/**
 * Zeroes `*stats` and sets its version (see
 * lakebase_credential_stats_init): the library accepts every version from
 * 2 to its own. Errors: LAKEBASE_EINVAL.
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_stats_init(lakebase_pool_stats *stats,
                                          unsigned int version);

/**
 * Copies the pool's counters into `*out`, whose version must be set.
 * Errors: LAKEBASE_EHANDLE, LAKEBASE_EINVAL (NULL, or a version the
 * library does not know).
 * **Threading:** thread-safe, never blocks.
 * @since 0.1 (version 2 of the struct since 0.3)
 */
LAKEBASE_API int lakebase_pool_get_stats(lakebase_pool *pool,
                                         lakebase_pool_stats *out,
                                         lakebase_error **err);

/**
 * Copies the counters of the pool's credential provider into `*out` (all
 * zero for a pool with a static password), as lakebase_credentials_stats.
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_credential_stats(lakebase_pool *pool,
                                                lakebase_credential_stats *out,
                                                lakebase_error **err);

/* ------------------------------------------------------------------------ */
/* Observability: one table of metric and span names                         */
/* ------------------------------------------------------------------------ */

/*
 * The library names its metrics and spans once, here, for every binding:
 * an exporter (OpenTelemetry, Micrometer) reads the names, kinds, units and
 * attribute keys with lakebase_metric_at and lakebase_span_at, and the
 * values as data points from lakebase_pool_metrics,
 * lakebase_credentials_metrics or lakebase_metrics_from_stats. Names follow
 * OpenTelemetry's database client conventions where one exists
 * (db.client.connection.*) and are lakebase.* otherwise. Attributes are
 * low-cardinality by design: never SQL text, a user or role name, a host or
 * a token. Every point collected through a pool also carries
 * db.client.connection.pool.name when the caller names the pool.
 */

/** A monotonic, cumulative count (an OpenTelemetry Counter). */
#define LAKEBASE_METRIC_COUNTER 1
/** A count that goes up and down (an UpDownCounter): connections, waiters. */
#define LAKEBASE_METRIC_UPDOWN_COUNTER 2
/** A value sampled when read (a Gauge): seconds to expiry, degraded. */
#define LAKEBASE_METRIC_GAUGE 3
/** A cumulative histogram with explicit bucket bounds. */
#define LAKEBASE_METRIC_HISTOGRAM 4

/** The attribute every point collected through a named pool carries. */
#define LAKEBASE_ATTRIBUTE_POOL_NAME "db.client.connection.pool.name"

/**
 * Describes the metric at `index` (0-based): its name
 * ("db.client.connection.count"), kind (LAKEBASE_METRIC_*), unit (UCUM, as
 * OpenTelemetry writes it: "s", "{connection}"), one line of description,
 * and the keys of the attributes its points carry, comma-separated ("" for
 * none; LAKEBASE_ATTRIBUTE_POOL_NAME is not listed). Any out-parameter may
 * be NULL. Returns LAKEBASE_ERANGE past the last metric. Metrics are only
 * ever appended.
 * **Ownership:** the strings are static; never free them.
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_metric_at(size_t index, const char **name, int *kind,
                                    const char **unit, const char **description,
                                    const char **attributes);

/**
 * Describes the span at `index` (0-based): its name
 * ("lakebase.credential.mint"), one line of description and its attribute
 * keys, comma-separated. Returns LAKEBASE_ERANGE past the last span.
 * **Ownership:** the strings are static; never free them.
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_span_at(size_t index, const char **name,
                                  const char **description,
                                  const char **attributes);

/**
 * One finished span: a credential mint attempt or a connect, as the span
 * listener receives it. The binding turns it into its tracer's span with
 * the given start and end times. Everything it points to is borrowed for
 * the call only.
 */
typedef struct lakebase_span {
    /** The version of this struct the library filled (1). */
    unsigned int version;
    /** The span's index for lakebase_span_at, and its name. */
    size_t span;
    const char *name;
    /** Wall-clock start and end, nanoseconds since the Unix epoch (the end
     * is the start plus the monotonic duration, so never before it). */
    int64_t start_unix_nanos;
    int64_t end_unix_nanos;
    /** 0 when the mint or connect succeeded; else its LAKEBASE_E* code,
     * and `error_message` says why (never a token or secret). */
    int error_code;
    const char *error_message;
    /** `attribute_count` attributes: key, value as text and, when
     * `attribute_is_int[i]`, the value as an integer in
     * `attribute_ints[i]` (server.port, http.response.status_code). Only
     * keys lakebase_span_at lists for this span; never SQL text or a
     * secret. */
    size_t attribute_count;
    const char *const *attribute_keys;
    const char *const *attribute_values;
    const int *attribute_is_int;
    const int64_t *attribute_ints;
} lakebase_span;

/** Version of lakebase_span this header describes. */
#define LAKEBASE_SPAN_VERSION 1

/**
 * Receives one finished span. Runs with no lock of the library held, on
 * the thread that finished the mint or connect (a caller's, the library's
 * background thread or a worker); it must not block for long and must not
 * free the handle whose span it receives. Like a logger, a credential
 * provider shared by several handles reports its mints to every handle's
 * listener, and once a handle is freed its listener and userdata are never
 * called again.
 * @since 0.3
 */
typedef void (*lakebase_span_fn)(void *userdata, const lakebase_span *span);

/**
 * Installs a span listener (NULL `fn`: none) on the handles made from
 * `cfg` afterwards: each credential mint attempt ("lakebase.credential.mint",
 * one per HTTPS call, so a retry is a span of its own) and each new
 * PostgreSQL connection ("lakebase.connect": credential, TCP, TLS and login,
 * wake-up retries included) is reported once it ends, failed or not. A
 * background connect abandoned because its pool was freed may report
 * nothing. `userdata` is borrowed and must
 * outlive every handle made from `cfg`.
 * Errors: LAKEBASE_EHANDLE.
 * **Threading:** not thread-safe on the same object; never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_config_set_span_listener(lakebase_config *cfg,
                                                   lakebase_span_fn fn,
                                                   void *userdata,
                                                   lakebase_error **err);

/**
 * One data point of a metric, as the collect functions report it. Counters
 * and histograms are cumulative since the handle (or its provider) was
 * made.
 */
typedef struct lakebase_metric_point {
    /** The version of this struct the library filled (1). */
    unsigned int version;
    /** The metric's index for lakebase_metric_at, and its name. */
    size_t metric;
    const char *name;
    /** `attribute_count` key/value pairs. */
    size_t attribute_count;
    const char *const *attribute_keys;
    const char *const *attribute_values;
    /** Counters, up-down counters and gauges: the value. */
    double value;
    /** Histograms: the number of observations, and their sum in the
     * metric's unit when `has_sum` (a histogram the library keeps without
     * a sum has `has_sum` 0). */
    uint64_t count;
    double sum;
    int has_sum;
    /** Histograms: `bucket_count` counts; bucket i holds observations at
     * most bounds[i] (and more than bounds[i-1]), the last one everything
     * above bounds[bucket_count - 2]. */
    size_t bucket_count;
    const double *bounds;
    const uint64_t *bucket_counts;
} lakebase_metric_point;

/** Version of lakebase_metric_point this header describes. */
#define LAKEBASE_METRIC_POINT_VERSION 1

/**
 * Receives one data point. Everything `point` refers to is borrowed for
 * the call only. Runs on the thread that called the collect function,
 * with no lock of the library held; it must not free the handle being
 * collected.
 * @since 0.3
 */
typedef void (*lakebase_metric_fn)(void *userdata,
                                   const lakebase_metric_point *point);

/**
 * Reports the current points of every metric a pool has — its
 * connections by state, waiters, connects, closes, acquire wait, and its
 * credential provider's mints, expiry and refresh state (zero mints and
 * no expiry with a static password) — calling `fn` once per point. `pool_name`
 * (may be NULL: no pool name attribute) names the pool in every point; keep it
 * low-cardinality: one name per pool in the program, never a user's.
 * Errors: LAKEBASE_EHANDLE, LAKEBASE_EINVAL (NULL fn).
 * **Threading:** thread-safe; never blocks (reads counters only).
 * @since 0.3
 */
LAKEBASE_API int lakebase_pool_metrics(lakebase_pool *pool,
                                       const char *pool_name,
                                       lakebase_metric_fn fn, void *userdata,
                                       lakebase_error **err);

/**
 * Reports the current points of the credential provider's metrics (mints
 * by result, seconds to expiry, refresh degraded), as
 * lakebase_pool_metrics.
 * **Threading:** thread-safe; never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_credentials_metrics(lakebase_credentials *creds,
                                              lakebase_metric_fn fn,
                                              void *userdata,
                                              lakebase_error **err);

/**
 * The same points made from counters a binding already holds (a pool's
 * and its provider's, either may be NULL; their versions must be set), for
 * a binding whose exporter reads stats through its own language's API.
 * Seconds to expiry are counted from the library's clock now.
 * Errors: LAKEBASE_EINVAL (NULL fn, a stats version the library does not
 * know).
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int
lakebase_metrics_from_stats(const lakebase_pool_stats *pool,
                            const lakebase_credential_stats *cred,
                            const char *pool_name, lakebase_metric_fn fn,
                            void *userdata, lakebase_error **err);

/* ------------------------------------------------------------------------ */
/* Per-user pools (on-behalf-of-user apps)                                   */
/* ------------------------------------------------------------------------ */

/**
 * A keyed set of pools, one per identity, for a web handler that acts on
 * behalf of each user: Databricks Apps forward the user's workspace token
 * (x-forwarded-access-token) with every request, and each user must log in
 * with a database credential minted with their own token, as their own
 * role, on connections no other user gets.
 *
 * Every pool of a set is made from the set's configuration with the
 * identity's token as its workspace token source (auth.type "external"),
 * and logs in as the role the workspace names for that identity (SCIM Me):
 * pg.user is never read from the environment for them. Each identity has
 * its own credential provider, so no credential and no connection crosses
 * identities. The set holds at most `max_pools` pools; a pool idle (no
 * connection leased, nobody waiting) for `idle_evict_seconds` is closed and
 * freed by the library's background work, and when the set is full the
 * least recently used idle pool makes room. Counters are per set, never
 * per user (lakebase_user_pools_get_stats, lakebase_user_pools_metrics).
 */
typedef struct lakebase_user_pools lakebase_user_pools;

/**
 * Makes a pool set from `cfg` (copied): the endpoint or instance, the
 * workspace host, the pool.* keys and the credential keys (ttl, claims,
 * group) every identity's pool uses. `cfg` must not choose an identity:
 * no pg.user, no pg.password, no auth.token or client secret set
 * explicitly (those in the environment are ignored for the set's pools).
 * Errors: LAKEBASE_ECONFIG (the message names the key and the fix),
 * LAKEBASE_EINVAL (max_pools < 1, idle_evict_seconds < 1), LAKEBASE_ENOMEM.
 * **Ownership:** `*out` belongs to the caller; free with
 *   lakebase_user_pools_free.
 * **Threading:** thread-safe; never blocks on the network.
 * @since 0.3
 */
LAKEBASE_API int lakebase_user_pools_new(lakebase_user_pools **out,
                                         const lakebase_config *cfg,
                                         int max_pools, int idle_evict_seconds,
                                         lakebase_error **err);

/**
 * Leases a connection from the pool of the identity `key` (a stable,
 * non-secret name of the user: their user name or id, never the token),
 * making that pool when the set has none for it. `workspace_token` is the
 * identity's current workspace token (the forwarded user token): it is
 * copied, replaces the one given before for `key` (tokens of forwarded
 * requests are refreshed by the platform), and is what the identity's
 * credential provider presents to mint; it may be NULL for a key whose
 * pool exists. Waits up to `timeout_ms` (-1: pool.acquire_timeout_ms) as
 * lakebase_pool_acquire_timeout. Release the connection with
 * lakebase_conn_release; the pool is never evicted while a connection of
 * it is leased.
 * Errors: those of lakebase_pool_acquire; LAKEBASE_EINVAL (NULL or empty
 * key, no token for a new identity); LAKEBASE_ETIMEOUT also when the set
 * holds max_pools pools and none is idle; LAKEBASE_ECLOSED after free
 * began.
 * **Ownership:** `*out` is leased (lakebase_conn_release).
 * **Threading:** thread-safe; blocks as lakebase_pool_acquire.
 * @since 0.3
 */
LAKEBASE_API int
lakebase_user_pools_acquire(lakebase_user_pools *set, const char *key,
                            const char *workspace_token, long timeout_ms,
                            lakebase_conn **out, lakebase_error **err);

/**
 * lakebase_user_pools_acquire without blocking, for hosts that must not
 * park a thread while an identity's pool has no free connection (Node's
 * event loop, Go's goroutines): as lakebase_pool_acquire_async without an
 * event loop, it returns 0 with `*now` leased when a connection is idle
 * (`done` is not called), or 1 when the request waits: `done` then runs
 * exactly once, later, on the thread that frees a connection of that pool
 * or on the library's background thread (a connection it opened, or the
 * timeout: LAKEBASE_ETIMEOUT, or the set being freed: LAKEBASE_ECLOSED),
 * and `*ticket` names the request for lakebase_user_pools_acquire_cancel.
 * The identity's pool is never evicted while a request of it waits.
 * Errors (returned; `done` is then never called): those of
 * lakebase_user_pools_acquire that need no wait (LAKEBASE_EINVAL,
 * LAKEBASE_ETIMEOUT for a full set, LAKEBASE_ECLOSED), LAKEBASE_ENOMEM.
 * **Ownership:** `*now` and the callback's `conn` are leased
 *   (lakebase_conn_release); the callback's `err` belongs to it.
 * **Threading:** thread-safe; never blocks on the network.
 * @since 0.3
 */
LAKEBASE_API int lakebase_user_pools_acquire_async(
    lakebase_user_pools *set, const char *key, const char *workspace_token,
    long timeout_ms, lakebase_lease_fn done, void *userdata,
    lakebase_conn **now, uint64_t *ticket, lakebase_error **err);

/**
 * Withdraws a waiting lakebase_user_pools_acquire_async request: 0 when it
 * was still waiting (its `done` will never run), 1 when it is too late
 * (`done` has run or is about to, with a connection to release) or the
 * ticket is unknown.
 * **Threading:** thread-safe; never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_user_pools_acquire_cancel(lakebase_user_pools *set,
                                                    uint64_t ticket);

/**
 * Closes the set without freeing it: new acquires fail with
 * LAKEBASE_ECLOSED, acquires still waiting in its pools (blocking ones on
 * other threads, asynchronous ones) end with LAKEBASE_ECLOSED, and it
 * returns once none is under way (their callbacks have run). Leased
 * connections stay usable until released; lakebase_user_pools_free then
 * closes the pools. Idempotent. For a binding that must not free a handle
 * while its own calls are inside it: close first, wait for them, then free.
 * Errors: LAKEBASE_EHANDLE.
 * **Threading:** thread-safe; blocks only until the waiting acquires have
 *   returned (never on the network).
 * @since 0.3
 */
LAKEBASE_API int lakebase_user_pools_close(lakebase_user_pools *set,
                                           lakebase_error **err);

/**
 * Frees the set: acquires still waiting in its pools (blocking or
 * asynchronous, on other threads) end with LAKEBASE_ECLOSED, and it waits
 * until they have returned and their callbacks have run; then it closes
 * every pool (as lakebase_pool_free). Every connection leased from it must
 * have been released. Accepts NULL. The handle must not be used once this
 * began (an acquire that began earlier is fine).
 * **Threading:** blocks until every pool is closed.
 * @since 0.3 (waking waiting acquires since 0.3)
 */
LAKEBASE_API void lakebase_user_pools_free(lakebase_user_pools *set);

/** A pool set's counters; fill with lakebase_user_pools_get_stats(). */
typedef struct lakebase_user_pools_stats {
    /** Set by LAKEBASE_USER_POOLS_STATS_INIT. */
    unsigned int version;
    int pools;              /**< pools (identities) open now */
    uint64_t pools_created; /**< since the set was made */
    uint64_t evicted_idle;  /**< closed after idle_evict_seconds idle */
    uint64_t evicted_full;  /**< closed to make room for another identity */
    uint64_t rejected;      /**< acquires refused: full, and none idle */
    /** The sum of every pool's counters (those of pools evicted since
     * included, so counts never go back). */
    lakebase_pool_stats pool;
    /** The providers' counters summed; the soonest expiry of a token
     * cached now; degraded since the earliest degraded provider's. */
    lakebase_credential_stats credential;
} lakebase_user_pools_stats;

#define LAKEBASE_USER_POOLS_STATS_VERSION 1
/** Declares a stats struct ready for lakebase_user_pools_get_stats. */
#define LAKEBASE_USER_POOLS_STATS_INIT                                         \
    {                                                                          \
        LAKEBASE_USER_POOLS_STATS_VERSION, 0, 0, 0, 0, 0,                      \
            {LAKEBASE_POOL_STATS_VERSION}, {                                   \
            LAKEBASE_CREDENTIAL_STATS_VERSION                                  \
        }                                                                      \
    }

/**
 * Copies the set's counters into `*out` (version set).
 * Errors: LAKEBASE_EHANDLE, LAKEBASE_EINVAL (NULL, unknown version).
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_user_pools_get_stats(lakebase_user_pools *set,
                                               lakebase_user_pools_stats *out,
                                               lakebase_error **err);

/**
 * Reports the set's points as lakebase_pool_metrics does for one pool —
 * its pools' counters summed — plus the set's own: pools open, evictions
 * by reason, rejected acquires. Never one series per user: `name` names
 * the set.
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int lakebase_user_pools_metrics(lakebase_user_pools *set,
                                             const char *name,
                                             lakebase_metric_fn fn,
                                             void *userdata,
                                             lakebase_error **err);

/**
 * lakebase_user_pools_metrics from a set's counters a binding already holds
 * (see lakebase_metrics_from_stats). Errors: LAKEBASE_EINVAL (NULL, a
 * version the library does not know).
 * **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API int
lakebase_user_pools_metrics_from_stats(const lakebase_user_pools_stats *stats,
                                       const char *name, lakebase_metric_fn fn,
                                       void *userdata, lakebase_error **err);

/* ------------------------------------------------------------------------ */
/* Diagnosis: lakebase doctor                                                */
/* ------------------------------------------------------------------------ */

/** A step passed. */
#define LAKEBASE_VERDICT_OK 0
/** A step passed, with something the user should know or change. */
#define LAKEBASE_VERDICT_WARN 1
/** A step failed: its detail names the cause and its fix what to do. */
#define LAKEBASE_VERDICT_FAIL 2
/** A step was not run (an earlier one failed, or it does not apply). */
#define LAKEBASE_VERDICT_SKIP 3

/** One step of lakebase_diagnose, as it is reported. */
typedef struct lakebase_diagnosis_step {
    /** The version of this struct the library filled (1). */
    unsigned int version;
    /** The step's stable name ("settings", "workspace", "auth",
     * "identity", "endpoint" (or "instance" for Provisioned), "role",
     * "credential", "dns", "tcp", "tls",
     * "login", "query", and the traps: "password_is_workspace_token",
     * "pgpassword_beside_minting", "pooled_host", "sslmode",
     * "clock_skew"). */
    const char *name;
    /** LAKEBASE_VERDICT_*. */
    int verdict;
    /** How long the step took, in microseconds. */
    int64_t duration_us;
    /** What was found, for a person to read (may hold several lines
     * separated by '\n'); never a token or secret. */
    const char *detail;
    /** What to do about it ("" when nothing). */
    const char *fix;
    /** The LAKEBASE_E* code of a failure (or of a warning's risk), else 0. */
    int code;
} lakebase_diagnosis_step;

/** Version of lakebase_diagnosis_step this header describes. */
#define LAKEBASE_DIAGNOSIS_STEP_VERSION 1

/**
 * Receives one step as soon as it has run. Everything `step` refers to is
 * borrowed for the call only. Runs on the thread that called
 * lakebase_diagnose, with no lock of the library held.
 * @since 0.3
 */
typedef void (*lakebase_diagnosis_fn)(void *userdata,
                                      const lakebase_diagnosis_step *step);

/**
 * Walks the whole chain from a configuration to a query and reports each
 * step through `fn`: where each setting came from (explicit, environment,
 * profile; secrets masked); the workspace host reachable over verified
 * TLS and its clock; the workspace auth method chosen and why; the
 * workspace identity; the endpoint or instance and its state (scaled to
 * zero or not); the role; a credential minted and its expiry; DNS, TCP,
 * TLS and login to PostgreSQL; `SELECT 1`. It names the classic traps: a
 * workspace token given as the Postgres password, PGPASSWORD set beside
 * minting, a pooled host with OAuth, an sslmode too weak, a clock skewed
 * against the workspace's. A failed step does not stop the walk where the
 * next steps can still tell something.
 *
 * Returns 0 when no step failed; otherwise the code of the first failed
 * step, with `*err` naming its cause and fix.
 * **Threading:** thread-safe; blocks (HTTPS calls, a mint, a PostgreSQL
 *   connection), each step bounded by the configured timeouts.
 * @since 0.3
 */
LAKEBASE_API int lakebase_diagnose(const lakebase_config *cfg,
                                   lakebase_diagnosis_fn fn, void *userdata,
                                   lakebase_error **err);

/**
 * The name of a verdict: "ok", "warn", "fail", "skip" ("unknown" for
 * another value).
 * **Ownership:** static string. **Threading:** thread-safe, never blocks.
 * @since 0.3
 */
LAKEBASE_API const char *lakebase_verdict_name(int verdict);

/* ------------------------------------------------------------------------ */
/* Driving a pool from the host's event loop                                 */
/* ------------------------------------------------------------------------ */

/*
 * For hosts that own an event loop (Node's libuv, an epoll server), in the
 * style of libcurl's multi-socket API: the pool tells the host which file
 * descriptors to watch and when to wake it (the callbacks registered with
 * lakebase_pool_attach_loop); the host calls in when they fire
 * (lakebase_pool_socket_ready, lakebase_pool_timer_expired). Statements
 * then run on the host's thread with non-blocking libpq and complete there,
 * with no thread hop per statement. What blocks (minting a credential over
 * HTTPS, connecting, a cancel request) happens on the library's background
 * and worker threads; each connection opened for the loop is handed over
 * through an eventfd the host watches like any other descriptor: one
 * wake-up per connection, never per statement. A connection that sat idle
 * longer than pool.validate_after_idle_ms makes a round trip on the host's
 * loop, without blocking, before it is used.
 *
 * The connections the loop holds stay in the pool's books: they count as
 * idle while nothing runs on them, and pool.max_idle, the idle timeout and
 * max_lifetime apply to them as to any other.
 *
 * "The host thread" below is the one thread that calls
 * lakebase_pool_attach_loop; every function of this section must be called
 * on it (others fail with LAKEBASE_EINVAL), and so must the open, close and
 * free of an attached pool. Synchronous calls (lakebase_pool_acquire,
 * lakebase_pool_query) remain usable from any thread, on connections of
 * their own.
 *
 * Naming: lakebase_user_pools_*_callback and lakebase_pool_attach_loop
 * register callbacks the library calls; lakebase_pool_socket_ready and
 * lakebase_pool_timer_expired are the host calling in.
 *
 * Keeping the host's loop alive is the host's decision: the pool keeps its
 * watches (the eventfd, idle connections, so a connection the server closes
 * is noticed at once) while idle. A host that wants its loop to exit when no
 * work is pending (Node) marks its watchers as not keeping the loop alive
 * whenever lakebase_pool_busy() is 0.
 */

/** Watch for readability (an `events` bit). */
#define LAKEBASE_WATCH_READ 1
/** Watch for writability (an `events` bit). */
#define LAKEBASE_WATCH_WRITE 2

/**
 * Asks the host to watch `fd` for `events` (LAKEBASE_WATCH_READ |
 * LAKEBASE_WATCH_WRITE), replacing what it watched for `fd` before; 0 means
 * stop watching `fd` (it is about to be closed). Called only on the host
 * thread, from inside the functions of this section and the open, close and
 * free of the attached pool. It must not call back into the pool.
 * @since 0.1
 */
typedef void (*lakebase_watch_fn)(void *userdata, int fd, int events);

/**
 * Asks the host to call lakebase_pool_timer_expired once, `delay_ms` from
 * now (0 = as soon as possible), replacing any timer set before; -1
 * cancels it. Called like lakebase_watch_fn.
 * @since 0.1
 */
typedef void (*lakebase_timer_fn)(void *userdata, long delay_ms);

/**
 * Completion of lakebase_pool_query_async: exactly one of `res` (success)
 * and `err` (failure: LAKEBASE_ESQL, LAKEBASE_ECONNECTION, LAKEBASE_ETIMEOUT
 * when no connection came within pool.acquire_timeout_ms, LAKEBASE_ECLOSED,
 * connect errors) is non-NULL.
 * **Ownership:** both belong to the callback (lakebase_result_free,
 *   lakebase_error_free).
 * **Threading:** runs on the host thread, from inside
 *   lakebase_pool_socket_ready or lakebase_pool_timer_expired (or a
 *   synchronous lakebase_pool_close / lakebase_pool_free for the
 *   statements a close ends), never from inside lakebase_pool_query_async.
 *   It may call lakebase_pool_query_async and the close functions, not
 *   lakebase_pool_free.
 * @since 0.1
 */
typedef void (*lakebase_done_fn)(void *userdata, lakebase_result *res,
                                 lakebase_error *err);

/**
 * Attaches the host's event loop to a pool that is not yet opened or used,
 * registering the callbacks through which the pool asks to watch
 * descriptors and to set a timer. Calls `watch` at once for the pool's
 * hand-over descriptor.
 * Errors: LAKEBASE_EINVAL (NULL callback, already attached, already
 * opened), LAKEBASE_ENOMEM.
 * **Ownership:** `userdata` is borrowed until the pool is closed.
 * **Threading:** the calling thread becomes the host thread; never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_attach_loop(lakebase_pool *pool,
                                           lakebase_watch_fn watch,
                                           lakebase_timer_fn timer,
                                           void *userdata,
                                           lakebase_error **err);

/**
 * Queues one statement (one SQL command, `nparams` text parameters $1..$n, a
 * NULL value is SQL NULL) for an attached pool. It is sent at once when a
 * connection is free (or, with pool.pipeline, on a shared connection in
 * libpq pipeline mode with its own sync point, so an error fails only this
 * statement); otherwise a connection is asked for. `done` is called exactly
 * once, later. Statements must be autocommit: one that leaves a transaction
 * open (BEGIN) gets its connection discarded; lease a connection with
 * lakebase_pool_acquire_async for transactions.
 * Errors (returned; `done` is then never called): LAKEBASE_EINVAL,
 * LAKEBASE_ENOMEM, LAKEBASE_ECLOSED.
 * **Ownership:** `sql` and `values` are copied; `userdata` is passed back.
 * **Threading:** host thread only; never blocks.
 * @since 0.1
 */
LAKEBASE_API int
lakebase_pool_query_async(lakebase_pool *pool, const char *sql, int nparams,
                          const char *const *values, lakebase_done_fn done,
                          void *userdata, lakebase_error **err);

/**
 * Queues one statement on a connection from an attached pool's
 * lakebase_pool_acquire_async; it runs after the statements queued on it
 * before. With `nparams` 0 the text is sent with the simple protocol and
 * may hold several statements separated by ';' (the last one's result is
 * reported). `done` is called exactly once, later, never from inside this
 * call.
 * Errors (returned; `done` is then never called): LAKEBASE_EINVAL (also for
 * a connection from lakebase_pool_acquire or lakebase_connect),
 * LAKEBASE_ENOMEM, LAKEBASE_ECLOSED (the pool was closed), LAKEBASE_EHANDLE.
 * **Ownership:** `sql` and `values` are copied; `userdata` is passed back.
 * **Threading:** host thread only; never blocks.
 * @since 0.2
 */
LAKEBASE_API int
lakebase_conn_query_async(lakebase_conn *conn, const char *sql, int nparams,
                          const char *const *values, lakebase_done_fn done,
                          void *userdata, lakebase_error **err);

/**
 * The host calls in: it saw `events` (LAKEBASE_WATCH_* bits; report errors
 * and hang-ups as LAKEBASE_WATCH_READ) on a descriptor it watches for the
 * pool. Reads results, sends pending output, takes handed-over
 * connections, and calls the callbacks of completed work.
 * **Threading:** host thread only; never blocks.
 * @since 0.3 (was lakebase_pool_on_socket)
 */
LAKEBASE_API int lakebase_pool_socket_ready(lakebase_pool *pool, int fd,
                                            int events, lakebase_error **err);

/**
 * The host calls in: its timer fired. Fails work that waited for a
 * connection longer than its timeout, retires and trims idle connections,
 * drives a close's deadlines, calls pending callbacks, and sets the next
 * timer.
 * **Threading:** host thread only; never blocks.
 * @since 0.3 (was lakebase_pool_on_timer)
 */
LAKEBASE_API int lakebase_pool_timer_expired(lakebase_pool *pool,
                                             lakebase_error **err);

/**
 * A new credential was minted for the pool's provider (the first one, and
 * every refresh or re-mint after that): `stats` are the provider's counters
 * right after it (never the token). Several mints before the host thread
 * gets to run make one call.
 * **Ownership:** `stats` is borrowed for the call.
 * **Threading:** runs on the host thread, from inside
 *   lakebase_pool_socket_ready; it may call any function of this section.
 * @since 0.2
 */
typedef void (*lakebase_refresh_fn)(void *userdata,
                                    const lakebase_credential_stats *stats);

/**
 * Registers (or with `fn` NULL, removes) the callback of an attached pool
 * for new credentials, replacing any set before. A pool with a static
 * password never calls it. Errors: LAKEBASE_EINVAL (no loop attached, not
 * the host thread), LAKEBASE_ENOMEM.
 * **Ownership:** `userdata` is borrowed until removed or the pool closes.
 * **Threading:** host thread only; never blocks.
 * @since 0.3 (was lakebase_pool_on_refresh)
 */
LAKEBASE_API int lakebase_pool_set_refresh_callback(lakebase_pool *pool,
                                                    lakebase_refresh_fn fn,
                                                    void *userdata,
                                                    lakebase_error **err);

/**
 * The number of asynchronous statements and lease requests whose callback
 * has not run yet (0 when idle: the host may let its loop exit), or a
 * negative LAKEBASE_E* code (LAKEBASE_EHANDLE, LAKEBASE_EINVAL when no loop
 * is attached).
 * **Threading:** host thread only; never blocks.
 * @since 0.1
 */
LAKEBASE_API int lakebase_pool_busy(lakebase_pool *pool);

/**
 * Opens one direct connection (no pool) with the same configuration,
 * credentials and retry rules. Release it with lakebase_conn_release.
 * **Threading:** thread-safe; blocks (network).
 * @since 0.1
 */
LAKEBASE_API int lakebase_connect(lakebase_conn **out,
                                  const lakebase_config *cfg,
                                  lakebase_error **err);

/* ------------------------------------------------------------------------ */
/* Results                                                                   */
/* ------------------------------------------------------------------------ */

/* PostgreSQL type OIDs the result accessors know. */
#define LAKEBASE_TYPE_BOOL        16
#define LAKEBASE_TYPE_BYTEA       17
#define LAKEBASE_TYPE_INT8        20
#define LAKEBASE_TYPE_INT2        21
#define LAKEBASE_TYPE_INT4        23
#define LAKEBASE_TYPE_TEXT        25
#define LAKEBASE_TYPE_OID         26
#define LAKEBASE_TYPE_JSON        114
#define LAKEBASE_TYPE_FLOAT4      700
#define LAKEBASE_TYPE_FLOAT8      701
#define LAKEBASE_TYPE_VARCHAR     1043
#define LAKEBASE_TYPE_DATE        1082
#define LAKEBASE_TYPE_TIME        1083
#define LAKEBASE_TYPE_TIMESTAMP   1114
#define LAKEBASE_TYPE_TIMESTAMPTZ 1184
#define LAKEBASE_TYPE_NUMERIC     1700
#define LAKEBASE_TYPE_UUID        2950
#define LAKEBASE_TYPE_JSONB       3802

/** Number of rows (0 for commands without rows). @since 0.1 */
LAKEBASE_API int lakebase_result_rows(const lakebase_result *res);
/** Number of columns. @since 0.1 */
LAKEBASE_API int lakebase_result_columns(const lakebase_result *res);
/**
 * Column name. **Ownership:** borrowed until lakebase_result_free.
 * @since 0.1
 */
LAKEBASE_API const char *lakebase_result_column_name(const lakebase_result *res,
                                                     int col);
/** Column type OID (LAKEBASE_TYPE_* or another OID). @since 0.1 */
LAKEBASE_API uint32_t lakebase_result_column_type(const lakebase_result *res,
                                                  int col);
/**
 * The command tag ("SELECT 1", "INSERT 0 3").
 * **Ownership:** borrowed until lakebase_result_free. @since 0.1
 */
LAKEBASE_API const char *lakebase_result_command(const lakebase_result *res);
/** Rows affected by INSERT/UPDATE/DELETE/SELECT..., or -1. @since 0.1 */
LAKEBASE_API int64_t lakebase_result_rows_affected(const lakebase_result *res);
/** 1 if the value is SQL NULL (or out of range), else 0. @since 0.1 */
LAKEBASE_API int lakebase_result_is_null(const lakebase_result *res, int row,
                                         int col);
/**
 * The value in PostgreSQL's text form (numeric, date/time, json, arrays,
 * uuid: exactly as the server prints them); NULL for SQL NULL.
 * **Ownership:** borrowed until lakebase_result_free. @since 0.1
 */
LAKEBASE_API const char *lakebase_result_text(const lakebase_result *res,
                                              int row, int col, size_t *len);
/**
 * Typed getters. Each returns 0, or LAKEBASE_EINVAL for NULL / a value of
 * another type / out of range (int2/int4/int8/oid to int64; float4/float8/
 * numeric/ints to double; bool; date/timestamp/timestamptz to microseconds
 * since the Unix epoch, UTC).
 * @since 0.1
 */
LAKEBASE_API int lakebase_result_int64(const lakebase_result *res, int row,
                                       int col, int64_t *out);
LAKEBASE_API int lakebase_result_double(const lakebase_result *res, int row,
                                        int col, double *out);
LAKEBASE_API int lakebase_result_bool(const lakebase_result *res, int row,
                                      int col, int *out);
LAKEBASE_API int lakebase_result_timestamp_us(const lakebase_result *res,
                                              int row, int col, int64_t *out);
/**
 * A bytea value decoded to bytes.
 * **Ownership:** `*out` belongs to the caller; free with lakebase_free.
 * @since 0.1
 */
LAKEBASE_API int lakebase_result_bytea(const lakebase_result *res, int row,
                                       int col, unsigned char **out,
                                       size_t *len);
/** Frees a result. Accepts NULL. @since 0.1 */
LAKEBASE_API void lakebase_result_free(lakebase_result *res);
/** Frees memory the library returned with "free with lakebase_free". */
LAKEBASE_API void lakebase_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* LAKEBASE_H */
