#include "load.h"

#include <stdio.h>
#include <string.h>

#include "emulator.h"

static void record(load *l, long long started, int code, lakebase_error *err) {
    atomic_fetch_add(&l->failed, 1);
    pthread_mutex_lock(&l->mu);
    if (l->n_failures < LOAD_MAX_FAILURES) {
        load_failure *f = &l->failures[l->n_failures++];
        f->started_ms = started;
        f->code = code;
        snprintf(f->message, sizeof f->message, "%s",
                 err ? lakebase_error_message(err) : "wrong answer");
    }
    pthread_mutex_unlock(&l->mu);
}

static void *worker(void *arg) {
    load *l = arg;
    const char *const values[] = {"41"};
    for (unsigned i = 0; !atomic_load(&l->stop); i++) {
        int with_param = i % 2;
        lakebase_result *res = NULL;
        lakebase_error *err = NULL;
        long long started = emu_now_ms();
        int code = lakebase_pool_query(
            l->pool, with_param ? "SELECT $1::int + 1" : "SELECT 1", with_param,
            with_param ? values : NULL, &res, &err);
        int64_t v = 0;
        if (code == 0 && (lakebase_result_int64(res, 0, 0, &v) != 0 ||
                          v != (with_param ? 42 : 1)))
            code = -1000;
        if (l->observe)
            l->observe(l->observe_ctx, started, emu_now_ms(), code);
        if (code == 0)
            atomic_fetch_add(&l->ok, 1);
        else
            record(l, started, code, err);
        lakebase_error_free(err);
        lakebase_result_free(res);
    }
    return NULL;
}

void load_start(load *l, lakebase_pool *pool, int threads) {
    load_start_observed(l, pool, threads, NULL, NULL);
}

void load_start_observed(load *l, lakebase_pool *pool, int threads,
                         load_observer observe, void *ctx) {
    memset(l, 0, sizeof *l);
    l->pool = pool;
    l->observe = observe;
    l->observe_ctx = ctx;
    l->threads = threads < LOAD_MAX_THREADS ? threads : LOAD_MAX_THREADS;
    pthread_mutex_init(&l->mu, NULL);
    for (int i = 0; i < l->threads; i++)
        pthread_create(&l->tids[i], NULL, worker, l);
}

void load_stop(load *l) {
    atomic_store(&l->stop, 1);
    for (int i = 0; i < l->threads; i++)
        pthread_join(l->tids[i], NULL);
    pthread_mutex_destroy(&l->mu);
}

void load_report(const load *l) {
    fprintf(stderr, "load: %ld ok, %ld failed\n", atomic_load(&l->ok),
            atomic_load(&l->failed));
    for (int i = 0; i < l->n_failures && i < 20; i++)
        fprintf(stderr, "  at %lld: %d %s\n", l->failures[i].started_ms,
                l->failures[i].code, l->failures[i].message);
}
