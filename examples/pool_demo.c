/* A connection pool under sustained load across credential rotations: every
 * new connection logs in with the current Lakebase credential, connections
 * retire after a few seconds, and no query may fail. Configuration comes
 * from the environment (DATABRICKS_HOST, DATABRICKS_CLIENT_ID/SECRET,
 * LAKEBASE_ENDPOINT or LAKEBASE_INSTANCE, ...), as for the CLI.
 *
 *   pool_demo [seconds [max_lifetime_seconds]]     (default 20 and 3)
 *
 * Prints live pool and credential stats once a second, never a token.
 * Exits 1 if any query failed. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lakebase.h"

#define CALLERS 8

typedef struct load {
    lakebase_pool *pool;
    atomic_int stop;
    atomic_long done, failed;
} load;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_log(void *userdata, int level, const char *message) {
    (void)userdata;
    fprintf(stderr, "  [%s] %s\n", level <= LAKEBASE_LOG_WARN ? "warn" : "info",
            message);
}

static int fail(const char *what, lakebase_error *err) {
    fprintf(stderr, "pool_demo: %s: %s: %s\n", what,
            lakebase_strerror(lakebase_error_code(err)),
            lakebase_error_message(err));
    lakebase_error_free(err);
    return 1;
}

/* One caller: a parameterised query, checked, again and again. */
static void *caller(void *arg) {
    load *l = arg;
    for (int i = 0; !atomic_load(&l->stop); i++) {
        char param[16], want[16];
        snprintf(param, sizeof param, "%d", i);
        snprintf(want, sizeof want, "%d", i + 1);
        const char *values[] = {param};
        lakebase_result *res = NULL;
        lakebase_error *err = NULL;
        int rc = lakebase_pool_query(l->pool, "SELECT $1::int + 1", 1, values,
                                     &res, &err);
        const char *got = rc == 0 ? lakebase_result_text(res, 0, 0, NULL) : "";
        if (rc == 0 && got && strcmp(got, want) == 0) {
            atomic_fetch_add(&l->done, 1);
        } else {
            atomic_fetch_add(&l->failed, 1);
            fprintf(stderr, "pool_demo: query failed: %s\n",
                    rc ? lakebase_error_message(err) : "wrong answer");
        }
        lakebase_result_free(res);
        lakebase_error_free(err);
    }
    return NULL;
}

static int set(lakebase_config *cfg, const char *key, const char *value) {
    lakebase_error *err = NULL;
    return lakebase_config_set(cfg, key, value, &err) == 0 ? 0 : fail(key, err);
}

static void print_stats(const load *l, int64_t t0) {
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lakebase_credential_stats credential = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_pool_get_stats(l->pool, &st, NULL);
    lakebase_pool_credential_stats(l->pool, &credential, NULL);
    const lakebase_credential_stats *cr = &credential;
    char refresh[64] = "ok";
    if (cr->degraded_since_unix_ms)
        snprintf(refresh, sizeof refresh, "DEGRADED for %" PRId64 " s",
                 (now_ms() - cr->degraded_since_unix_ms) / 1000);
    printf("%3" PRId64 " s  queries %7ld  failed %ld  conns %d (idle %d, in "
           "use %d)  connects %" PRIu64 "  recycled %" PRIu64 "  mints %" PRIu64
           "  token expires in %2" PRId64 " s  refresh %s\n",
           (now_ms() - t0) / 1000, atomic_load(&l->done),
           atomic_load(&l->failed), st.total, st.idle, st.in_use,
           st.connects_ok, st.recycled, cr->mints_ok,
           cr->expire_time_unix_ms ? (cr->expire_time_unix_ms - now_ms()) / 1000
                                   : 0,
           refresh);
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 20;
    const char *lifetime = argc > 2 ? argv[2] : "3";
    setvbuf(stdout, NULL, _IOLBF, 0); /* interleave with log lines */
    lakebase_error *err = NULL;
    lakebase_config *cfg = NULL;
    if (lakebase_config_new(&cfg, &err) != 0)
        return fail("config", err);
    lakebase_config_set_logger(cfg, on_log, NULL, LAKEBASE_LOG_WARN, NULL);
    if (set(cfg, "pool.min_size", "2") || set(cfg, "pool.max_size", "8") ||
        set(cfg, "pool.max_lifetime_seconds", lifetime)) {
        lakebase_config_free(cfg);
        return 1;
    }
    load l = {0};
    int code = lakebase_pool_new(&l.pool, cfg, &err);
    lakebase_config_free(cfg);
    if (code != 0)
        return fail("configuration", err);
    if (lakebase_pool_open(l.pool, 1, &err) != 0) {
        lakebase_pool_free(l.pool);
        return fail("open", err);
    }

    printf("liblakebase %s: %d callers for %d s, pool of 2..8 connections "
           "retired after ~%s s\n",
           lakebase_version(), CALLERS, seconds, lifetime);
    pthread_t tids[CALLERS];
    int started = 0;
    while (started < CALLERS &&
           pthread_create(&tids[started], NULL, caller, &l) == 0)
        started++;
    int64_t t0 = now_ms(), end = t0 + (int64_t)seconds * 1000;
    while (now_ms() < end) {
        struct timespec second = {1, 0};
        nanosleep(&second, NULL);
        print_stats(&l, t0);
    }
    atomic_store(&l.stop, 1);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);

    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lakebase_credential_stats credential = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_pool_get_stats(l.pool, &st, NULL);
    lakebase_pool_credential_stats(l.pool, &credential, NULL);
    lakebase_pool_free(l.pool);
    long done = atomic_load(&l.done), failed = atomic_load(&l.failed);
    printf("done: %ld queries, %ld failed, %" PRIu64 " connects, %" PRIu64
           " recycled, %" PRIu64 " mints\n",
           done, failed, st.connects_ok, st.recycled, credential.mints_ok);
    return failed == 0 && done > 0 && started == CALLERS ? 0 : 1;
}
