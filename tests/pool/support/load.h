/* Background query load for the pool tests: N threads alternating
 * `SELECT 1` and a parameterised `SELECT $1::int + 1` through
 * lakebase_pool_query, recording every failure with its time and code. */
#ifndef LB_TEST_LOAD_H
#define LB_TEST_LOAD_H

#include <pthread.h>
#include <stdatomic.h>

#include "lakebase.h"

#define LOAD_MAX_THREADS  64
#define LOAD_MAX_FAILURES 256

typedef struct load_failure {
    long long started_ms; /* when the failed query began (emu_now_ms) */
    int code;
    char message[200];
} load_failure;

/* Called after every query with its start and end (emu_now_ms) and its
 * code (0, a LAKEBASE_E* code, or -1000 for a wrong answer), from the
 * querying thread. */
typedef void (*load_observer)(void *ctx, long long started_ms,
                              long long ended_ms, int code);

typedef struct load {
    lakebase_pool *pool;
    load_observer observe; /* may be NULL */
    void *observe_ctx;
    int threads;
    atomic_int stop;
    atomic_long ok;
    atomic_long failed;
    pthread_mutex_t mu;
    load_failure failures[LOAD_MAX_FAILURES];
    int n_failures;
    pthread_t tids[LOAD_MAX_THREADS];
} load;

void load_start(load *l, lakebase_pool *pool, int threads);
/* load_start, reporting every query to `observe` as well. */
void load_start_observed(load *l, lakebase_pool *pool, int threads,
                         load_observer observe, void *ctx);
void load_stop(load *l);

/* Prints the recorded failures to stderr (for a failing test's log). */
void load_report(const load *l);

#endif
