/* Shared by the pool tests: the emulator's environment file, its control
 * API (libcurl, loopback, its own CA), and ready-made configurations. */
#ifndef LB_TEST_EMULATOR_H
#define LB_TEST_EMULATOR_H

#include <cjson/cJSON.h>

#include "lakebase.h"

/* Exit status ctest reads as "skipped". */
#define EMU_SKIP 77

/* Loads $LAKEBASE_EMULATOR_ENV_FILE; exits with EMU_SKIP when unset. */
void emu_load(void);

/* A value from the env file (NULL when absent). */
const char *emu_env(const char *key);

/* POSTs `json` (may be NULL) to the control API (EMULATOR_CONTROL_URL, else
 * EMULATOR_URL) + path; fails the test on a transport error or a non-2xx
 * answer. */
void emu_post(const char *path, const char *json);

/* emu_post, copying the answer's body (truncated to cap) into out. */
void emu_post_answer(const char *path, const char *json, char *out, size_t cap);

/* GET `path` of the control API, parsed (the caller deletes it); dies on
 * an error or an answer that is not JSON. */
cJSON *emu_get_json(const char *path);

/* A workspace OAuth token for the service principal (client credentials at
 * the emulator's token endpoint) into `out`; dies on an error. */
void emu_oauth_token(const char *client_id, const char *secret, char *out,
                     size_t cap);

/* A number in a JSON text by dotted path; -1 when absent. */
double emu_json_number(const char *json, const char *dotted);

/* POST /emulator/reset, then the knobs given (NULL for none). */
void emu_reset(const char *knobs_json);

/* One number from GET /emulator/stats by dotted path ("mints.autoscaling",
 * "logins.refused.expired"); -1 when absent. */
long emu_stat(const char *dotted);

/* Service principal #1 minting for the endpoint through the login proxy;
 * environment ignored. Extra key/value pairs (NULL-terminated) applied. */
lakebase_config *emu_config_minting(const char *const *extra);

/* Static mode: PostgreSQL directly with SP #1's password, sslmode disable. */
lakebase_config *emu_config_static(const char *const *extra);

/* Sets each key/value pair; aborts the test on an error. */
void emu_config_apply(lakebase_config *cfg, const char *const *pairs);

/* A pool made from cfg (which is freed); aborts on an error. */
lakebase_pool *emu_pool(lakebase_config *cfg);

/* The pool's counters; aborts on an error. */
lakebase_pool_stats emu_pool_stats(lakebase_pool *pool);
/* The pool's provider counters (all zero with a static password). */
lakebase_credential_stats emu_credential_stats(lakebase_pool *pool);

/* Sum of the login proxy's refusals over every reason. */
long emu_refused_logins(void);

/* Monotonic milliseconds. */
long long emu_now_ms(void);

/* Aborts with the error's code and message unless code is 0. */
void emu_check(int code, lakebase_error *err, const char *what);

#endif
