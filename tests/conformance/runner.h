/* The C conformance runner: what its source files share. The scenario
 * format is specified in tests/conformance/README.md. */
#ifndef LAKEBASE_CONFORMANCE_RUNNER_H
#define LAKEBASE_CONFORMANCE_RUNNER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "lakebase.h"

/* Why a step failed: one line, filled by whoever noticed. */
typedef struct rn_why {
    char text[1024];
} rn_why;

/* Sets the reason and returns -1, so failures read `return rn_fail(...)`. */
int rn_fail(rn_why *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- the emulator's environment file (runner_env.c) ---------------------- */

typedef struct rn_env {
    size_t count;
    char **keys;
    char **values;
} rn_env;

/* Reads lines `export KEY='value'` (also KEY=value, double quotes and
 * backslash escapes as a POSIX shell reads them). */
int rn_env_load(rn_env *env, const char *path, rn_why *why);

/* The value of `key`, or NULL. */
const char *rn_env_get(const rn_env *env, const char *key);

/* Replaces ${NAME} and ${NAME:-default} in `text` with values from the
 * file; "$${" stands for a literal "${". Returns a malloc'd string, or NULL
 * when a variable without a default is undefined. */
char *rn_env_expand(const rn_env *env, const char *text, rn_why *why);

void rn_env_free(rn_env *env);

/* --- the emulator's control API (runner_emulator.c) ----------------------- */

/* POSTs a JSON body (NULL: none) to `path` under EMULATOR_URL. */
int rn_emulator_post(const rn_env *env, const char *path, const char *body,
                     rn_why *why);

/* GETs `path` and parses the JSON answer; the caller deletes it. */
cJSON *rn_emulator_get_json(const rn_env *env, const char *path, rn_why *why);

/* --- logging in with libpq (runner_login.c) ------------------------------- */

typedef struct rn_login_params {
    const char *host, *port, *user, *password, *database, *sslmode;
    const char *sslrootcert; /* NULL: libpq's default */
} rn_login_params;

typedef struct rn_login_result {
    int ok;                 /* logged in and ran SELECT current_user */
    char sqlstate[6];       /* of the failure, "" if unknown */
    char message[1024];     /* of the failure */
    char current_user[256]; /* when ok */
} rn_login_result;

void rn_login(const rn_login_params *p, rn_login_result *out);

/* --- scenario state and step helpers (runner.c) --------------------------- */

#define MAX_PROVIDERS    16
#define MAX_SAVED_TOKENS 16

typedef struct provider_slot {
    char *id;
    lakebase_credentials *creds; /* NULL once the step `free` ran */
    lakebase_credential *latest; /* last credential a get returned */
} provider_slot;

typedef struct saved_token {
    char *name;
    char *token;
} saved_token;

struct rn_pools; /* runner_pool.c */

typedef struct scenario {
    const rn_env *env;
    int verbose;
    provider_slot providers[MAX_PROVIDERS];
    size_t provider_count;
    saved_token saved[MAX_SAVED_TOKENS];
    size_t saved_count;
    struct rn_pools *pools; /* NULL until the first pool step */
} scenario;

/* The outcome of one library call. */
typedef struct outcome {
    int rc;
    lakebase_error *err;
    lakebase_credential *cred; /* get only */
} outcome;

void rn_outcome_clear(outcome *o);

/* "EINVAL" for LAKEBASE_EINVAL, "" for 0. */
const char *rn_error_name(int code);

void rn_sleep_ms(long ms);
long long rn_now_ms(void);

/* Fails on a key of `obj` outside `allowed` (comma-separated). */
int rn_check_keys(const cJSON *obj, const char *allowed, const char *what,
                  rn_why *why);

/* The string at `key`, or NULL. */
const char *rn_string_field(const cJSON *obj, const char *key);

/* The value at `key` as text, ${VAR} expanded (numbers and booleans as
 * their JSON text); NULL on failure. Free the result. */
char *rn_expanded_field(const scenario *sc, const cJSON *obj, const char *key,
                        rn_why *why);

/* Checks a call's outcome against `expect` (absent: success). `extra_keys`
 * (comma-separated, may be "") are further expect keys the caller checks
 * itself. */
int rn_check_outcome(const scenario *sc, const cJSON *expect, const outcome *o,
                     const char *extra_keys, rn_why *why);

/* Sets config.use_environment=false, then every key of `config` in order,
 * then the logger when verbose; the first failing call is left in `o`.
 * Returns -1 only when a value could not be expanded. */
int rn_set_config(const scenario *sc, lakebase_config *cfg, const cJSON *config,
                  outcome *o, rn_why *why);

/* Compares every key of `want` (except `skip_key`) with the item at that
 * dot path of `actual`: a number (exact), {"min","max"}, bool or string. */
int rn_match_all(const scenario *sc, const char *where, const cJSON *want,
                 const cJSON *actual, const char *skip_key, rn_why *why);

/* A provider's counters as JSON, named as in README.md. */
cJSON *rn_credential_stats_json(const lakebase_credential_stats *st);

/* --- pool steps (runner_pool.c) ------------------------------------------- */

typedef int (*rn_op_fn)(scenario *sc, const cJSON *step, rn_why *why);

int rn_op_pool(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_pool_open(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_pool_query(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_pool_close(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_pool_load_start(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_pool_load_stop(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_conn_acquire(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_conn_query(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_conn_wait(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_conn_cancel(scenario *sc, const cJSON *step, rn_why *why);
int rn_op_conn_release(scenario *sc, const cJSON *step, rn_why *why);

/* Checks the `pool` expectations of a stats or wait_for step. */
int rn_check_pool_stats(scenario *sc, const cJSON *want, rn_why *why);

/* Stops loads and background queries, releases connections, frees pools. */
void rn_pools_clear(scenario *sc);

#endif
