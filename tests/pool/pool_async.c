/* The pool driven by a host's event loop: a minimal single-threaded
 * poll(2) host calls lakebase_pool_socket_ready / lakebase_pool_timer_expired
 * when what the pool asked it to watch fires. Statements from many "callers"
 * complete with the right results, pipelined or not; an error fails only
 * its own statement; rotation loses nothing; a close ends every statement
 * exactly once; a killed connection fails only what it carried. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"
#include "loop_host.h"

/* ---- statements and their outcomes ----------------------------------------
 */

#define MAX_STATEMENTS 4096

typedef struct outcome {
    int calls; /* done_fn calls: must end at exactly 1 */
    int code;  /* 0 or the error's code */
    long long value;
    char sqlstate[6];
    int order; /* completion rank */
} outcome;

typedef struct run {
    host *h;
    outcome out[MAX_STATEMENTS];
    int completed;
    int submitted;
    int total; /* statements each caller chain submits in all */
    const char *sql;
} run;

typedef struct ticket {
    run *r;
    int index;
} ticket;

static ticket tickets[MAX_STATEMENTS];

static void submit(run *r, int index);

static void on_done(void *ud, lakebase_result *res, lakebase_error *err) {
    ticket *t = ud;
    run *r = t->r;
    outcome *o = &r->out[t->index];
    o->calls++;
    o->order = r->completed++;
    if (err) {
        o->code = lakebase_error_code(err);
        const char *s = lakebase_error_sqlstate(err);
        if (s)
            snprintf(o->sqlstate, sizeof o->sqlstate, "%s", s);
        lakebase_error_free(err);
    } else {
        int64_t v = -1;
        if (lakebase_result_rows(res) == 1)
            lakebase_result_int64(res, 0, 0, &v);
        o->value = v;
        lakebase_result_free(res);
    }
    /* The caller's next statement, issued from inside the callback the way
     * a JavaScript caller awaiting each query would. */
    if (r->submitted < r->total)
        submit(r, r->submitted);
}

static void submit(run *r, int index) {
    char param[24];
    snprintf(param, sizeof param, "%d", index);
    const char *values[] = {param};
    tickets[index] = (ticket){r, index};
    r->submitted++;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_query_async(r->h->pool, r->sql, 1, values, on_done,
                                        &tickets[index], &err),
              err, "query_async");
}

/* `callers` chains of statements, `total` statements in all. */
static void run_callers(run *r, host *h, int callers, int total,
                        long long limit_ms) {
    memset(r, 0, sizeof *r);
    r->h = h;
    r->total = total;
    r->sql = "SELECT $1::int * 2";
    for (int i = 0; i < callers && i < total; i++)
        submit(r, i);
    /* Nothing completes inside query_async. */
    assert_int_equal(r->completed, 0);
    host_run_until_idle(h, limit_ms);
}

static void assert_all_doubled(const run *r) {
    assert_int_equal(r->completed, r->total);
    for (int i = 0; i < r->total; i++) {
        assert_int_equal(r->out[i].calls, 1);
        assert_int_equal(r->out[i].code, 0);
        assert_int_equal(r->out[i].value, 2LL * i);
    }
}

static run the_run;

/* ---- tests ----------------------------------------------------------------
 */

static void
test_async_queries_from_many_callers_complete_correctly(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "4", NULL};
    async_pool(&h, extra, 1);
    run_callers(&the_run, &h, 64, 1000, 30000);
    assert_all_doubled(&the_run);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    assert_true(st.total <= 4);
    lakebase_pool_free(h.pool);
    assert_int_equal(h.n, 0);         /* every watch stopped */
    assert_int_equal(h.timer_at, -1); /* and the timer */
}

/* Adaptive pipelining (the default): with connections idle, concurrent
 * statements each get one of their own — none is pipelined behind
 * another — which the backend pids show. */
static void test_statements_prefer_idle_connections_to_a_pipeline(void **s) {
    (void)s;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.min_size", "2", "pool.max_size", "2",
                                 NULL};
    async_pool(&h, extra, 1);
    assert_int_equal(emu_pool_stats(h.pool).idle, 2);
    run *r = &the_run;
    memset(r, 0, sizeof *r);
    r->h = &h;
    r->total = 2;
    r->sql = "SELECT pg_backend_pid() + 0 * $1::int FROM pg_sleep(0.2)";
    submit(r, 0);
    submit(r, 1);
    host_run_until_idle(&h, 10000);
    assert_int_equal(r->out[0].code, 0);
    assert_int_equal(r->out[1].code, 0);
    assert_true(r->out[0].value != r->out[1].value);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    assert_int_equal(st.total, 2);
    assert_int_equal(st.idle, 2); /* both back, counted idle again */
    assert_int_equal(st.in_use, 0);
    lakebase_pool_free(h.pool);
}

static void test_lazy_async_pool_connects_without_open(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    async_pool(&h, NULL, 0);
    run_callers(&the_run, &h, 8, 100, 30000);
    assert_all_doubled(&the_run);
    lakebase_pool_free(h.pool);
}

static void test_pipelined_results_complete_in_submission_order(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.pipeline", "true", "pool.max_size", "1",
                                 NULL};
    async_pool(&h, extra, 1);
    run_callers(&the_run, &h, 1000, 1000, 30000);
    assert_all_doubled(&the_run);
    /* One connection, one pipeline: results in the order sent. */
    for (int i = 0; i < the_run.total; i++)
        assert_int_equal(the_run.out[i].order, i);
    lakebase_pool_free(h.pool);
}

static void test_pipelined_error_fails_only_its_statement(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.pipeline", "true", "pool.max_size", "1",
                                 NULL};
    async_pool(&h, extra, 1);
    memset(&the_run, 0, sizeof the_run);
    the_run.h = &h;
    the_run.total = 20;
    /* 1 / ($1 - 7) divides by zero for statement 7 only. */
    the_run.sql =
        "SELECT (2 * $1::int) / (CASE WHEN $1::int = 7 THEN 0 ELSE 1 END)";
    for (int i = 0; i < 20; i++)
        submit(&the_run, i);
    host_run_until_idle(&h, 30000);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(the_run.out[i].calls, 1);
        if (i == 7) {
            assert_int_equal(the_run.out[i].code, LAKEBASE_ESQL);
            assert_string_equal(the_run.out[i].sqlstate, "22012");
        } else {
            assert_int_equal(the_run.out[i].code, 0);
            assert_int_equal(the_run.out[i].value, 2LL * i);
        }
    }
    lakebase_pool_free(h.pool);
}

static void test_rotation_under_async_load_fails_no_statement(void **state) {
    (void)state;
    emu_reset("{\"ttl_seconds\": 4}");
    host h;
    const char *const extra[] = {"pool.max_lifetime_seconds",
                                 "3",
                                 "pool.min_size",
                                 "2",
                                 "pool.max_size",
                                 "4",
                                 "pool.pipeline",
                                 "true",
                                 NULL};
    async_pool(&h, extra, 1);
    /* 64 callers for ~12 s: chains keep going until time runs out. */
    memset(&the_run, 0, sizeof the_run);
    the_run.h = &h;
    the_run.sql = "SELECT $1::int * 2";
    the_run.total = 64;
    for (int i = 0; i < 64; i++)
        submit(&the_run, i);
    long long end = emu_now_ms() + 12000;
    long ok = 0, failed = 0;
    while (emu_now_ms() < end) {
        host_turn(&h);
        /* Recycle tickets: a finished chain link starts over. */
        for (int i = 0; i < 64; i++) {
            if (the_run.out[i].calls == 0)
                continue;
            if (the_run.out[i].code == 0 && the_run.out[i].value == 2LL * i)
                ok++;
            else
                failed++;
            the_run.out[i] = (outcome){0};
            the_run.submitted = i;
            submit(&the_run, i);
        }
        the_run.submitted = 64;
    }
    host_run_until_idle(&h, 10000);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    lakebase_pool_free(h.pool);
    fprintf(stderr, "rotation: connects %llu discarded %llu\n",
            (unsigned long long)st.connects_ok,
            (unsigned long long)st.discarded);
    fprintf(stderr,
            "rotation: %ld ok, %ld failed, recycled %llu, refused %ld\n", ok,
            failed, (unsigned long long)st.recycled, emu_refused_logins());
    assert_int_equal(failed, 0);
    assert_true(ok > 1000);
    assert_true(st.recycled >= 4);
    assert_int_equal(emu_refused_logins(), 0);
}

static void test_close_ends_every_async_statement_exactly_once(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "2", NULL};
    async_pool(&h, extra, 1);
    memset(&the_run, 0, sizeof the_run);
    the_run.h = &h;
    the_run.total = 300;
    the_run.sql = "SELECT $1::int * 2 FROM pg_sleep(0.01)";
    for (int i = 0; i < 300; i++)
        submit(&the_run, i);
    while (the_run.completed < 20)
        host_turn(&h);
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_close(h.pool, 0, &err), err, "close");
    int closed = 0;
    for (int i = 0; i < 300; i++) {
        assert_int_equal(the_run.out[i].calls, 1);
        if (the_run.out[i].code == LAKEBASE_ECLOSED)
            closed++;
        else
            assert_int_equal(the_run.out[i].code, 0);
    }
    assert_true(closed > 0);
    assert_int_equal(lakebase_pool_busy(h.pool), 0);
    const char *values[] = {"1"};
    assert_int_equal(lakebase_pool_query_async(h.pool, "SELECT $1::int", 1,
                                               values, on_done, &tickets[0],
                                               NULL),
                     LAKEBASE_ECLOSED);
    assert_int_equal(h.n, 0);
    lakebase_pool_free(h.pool);
}

static void test_killed_connection_fails_only_its_pipeline(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.pipeline", "true", "pool.max_size", "1",
                                 NULL};
    async_pool(&h, extra, 1);
    memset(&the_run, 0, sizeof the_run);
    the_run.h = &h;
    the_run.total = 10;
    the_run.sql = "SELECT $1::int * 2 FROM pg_sleep(0.2)";
    for (int i = 0; i < 10; i++)
        submit(&the_run, i);
    long long until = emu_now_ms() + 300;
    while (emu_now_ms() < until)
        host_turn(&h);
    emu_post("/emulator/kill-connections", NULL);
    host_run_until_idle(&h, 30000);
    int lost = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(the_run.out[i].calls, 1);
        if (the_run.out[i].code != 0) {
            assert_int_equal(the_run.out[i].code, LAKEBASE_ECONNECTION);
            lost++;
        }
    }
    assert_true(lost > 0);
    /* Later statements run on a new connection. */
    memset(&the_run, 0, sizeof the_run);
    run_callers(&the_run, &h, 10, 50, 30000);
    assert_all_doubled(&the_run);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    assert_true(st.discarded >= 1);
    lakebase_pool_free(h.pool);
}

static void on_begin_done(void *ud, lakebase_result *res, lakebase_error *err) {
    int *code = ud;
    *code = err ? lakebase_error_code(err) : 0;
    lakebase_error_free(err);
    lakebase_result_free(res);
}

static void test_async_begin_gets_its_connection_discarded(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "1", NULL};
    async_pool(&h, extra, 1);
    int begin_code = -99;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_query_async(h.pool, "BEGIN", 0, NULL, on_begin_done,
                                        &begin_code, &err),
              err, "BEGIN");
    host_run_until_idle(&h, 10000);
    assert_int_equal(begin_code, 0);
    /* Nobody else runs inside that transaction: the next statements get a
     * new connection. */
    run_callers(&the_run, &h, 4, 20, 30000);
    assert_all_doubled(&the_run);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    assert_int_equal(st.discarded, 1);
    assert_int_equal(st.connects_ok, 2);
    lakebase_pool_free(h.pool);
}

typedef struct refresh_seen {
    int calls;
    int off_host; /* calls on another thread: must stay 0 */
    uint64_t last_mints;
    int went_back; /* a call saw fewer mints than the one before */
    pthread_t host;
} refresh_seen;

static void on_refresh(void *ud, const lakebase_credential_stats *st) {
    refresh_seen *r = ud;
    r->calls++;
    if (!pthread_equal(r->host, pthread_self()))
        r->off_host++;
    if (st->mints_ok <= r->last_mints)
        r->went_back = 1;
    r->last_mints = st->mints_ok;
}

static void turn_for(host *h, long long ms) {
    long long end = emu_now_ms() + ms;
    while (emu_now_ms() < end)
        host_turn(h);
}

static void test_refresh_callback_reports_new_credentials(void **state) {
    (void)state;
    emu_reset("{\"ttl_seconds\": 3}");
    /* The process's provider for this key lingers from the tests before,
     * with a long-lived token: drop it so that 3 s credentials come. */
    lakebase_config *cfg = emu_config_minting(NULL);
    lakebase_credentials *creds = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_credentials_new(&creds, cfg, &err), err, "credentials");
    emu_check(lakebase_credentials_invalidate(creds, NULL, &err), err,
              "invalidate");
    host h;
    async_pool(&h, NULL, 0);
    lakebase_credentials_free(creds);
    lakebase_config_free(cfg);
    refresh_seen seen = {.host = pthread_self()};
    emu_check(
        lakebase_pool_set_refresh_callback(h.pool, on_refresh, &seen, &err),
        err, "on_refresh");
    emu_check(lakebase_pool_open(h.pool, 1, &err), err, "open");
    /* No statement at all: the mints alone wake the host. */
    turn_for(&h, 4500);
    lakebase_credential_stats st = emu_credential_stats(h.pool);
    assert_true(st.mints_ok >= 2);
    assert_true(seen.calls >= 2);
    assert_int_equal(seen.off_host, 0);
    assert_int_equal(seen.went_back, 0);
    assert_true(seen.last_mints >= st.mints_ok - 1);
    /* Removed: later mints call nothing. */
    emu_check(lakebase_pool_set_refresh_callback(h.pool, NULL, NULL, &err), err,
              "on_refresh off");
    int calls = seen.calls;
    turn_for(&h, 3000);
    assert_true(emu_credential_stats(h.pool).mints_ok > st.mints_ok);
    assert_int_equal(seen.calls, calls);
    lakebase_pool_free(h.pool);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_async_queries_from_many_callers_complete_correctly),
        cmocka_unit_test(test_statements_prefer_idle_connections_to_a_pipeline),
        cmocka_unit_test(test_lazy_async_pool_connects_without_open),
        cmocka_unit_test(test_pipelined_results_complete_in_submission_order),
        cmocka_unit_test(test_pipelined_error_fails_only_its_statement),
        cmocka_unit_test(test_close_ends_every_async_statement_exactly_once),
        cmocka_unit_test(test_killed_connection_fails_only_its_pipeline),
        cmocka_unit_test(test_async_begin_gets_its_connection_discarded),
        cmocka_unit_test(test_rotation_under_async_load_fails_no_statement),
        cmocka_unit_test(test_refresh_callback_reports_new_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
