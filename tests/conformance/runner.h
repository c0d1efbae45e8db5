/* The C conformance runner: what its source files share. The scenario
 * format is specified in tests/conformance/README.md. */
#ifndef LAKEBASE_CONFORMANCE_RUNNER_H
#define LAKEBASE_CONFORMANCE_RUNNER_H

#include <stddef.h>

#include <cjson/cJSON.h>

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

#endif
