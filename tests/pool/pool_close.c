/* Closing a busy pool: without cancel_inflight it waits for the running
 * statement and wakes waiters with LAKEBASE_ECLOSED; with it, the running
 * statement is cancelled. Later acquires fail with LAKEBASE_ECLOSED. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"

typedef struct job {
    lakebase_pool *pool;
    int acquire_code;
    int query_code;
} job;

/* Leases a connection, sleeps 2 s in SQL, releases. */
static void *sleeper(void *arg) {
    job *j = arg;
    lakebase_conn *conn = NULL;
    j->acquire_code = lakebase_pool_acquire(j->pool, &conn, NULL);
    if (j->acquire_code != 0)
        return NULL;
    lakebase_result *res = NULL;
    j->query_code =
        lakebase_conn_query(conn, "SELECT pg_sleep(2)", 0, NULL, &res, NULL);
    lakebase_result_free(res);
    lakebase_conn_release(conn);
    return NULL;
}

static void *waiter(void *arg) {
    job *j = arg;
    lakebase_conn *conn = NULL;
    j->acquire_code = lakebase_pool_acquire(j->pool, &conn, NULL);
    lakebase_conn_release(conn);
    return NULL;
}

static lakebase_pool *one_connection_pool(void) {
    emu_reset(NULL);
    const char *const extra[] = {"pool.max_size", "1", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    return pool;
}

static void test_close_waits_for_running_statement(void **state) {
    (void)state;
    lakebase_pool *pool = one_connection_pool();
    job busy = {pool, -99, -99}, queued = {pool, -99, -99};
    pthread_t a, b;
    pthread_create(&a, NULL, sleeper, &busy);
    usleep(300 * 1000);
    pthread_create(&b, NULL, waiter, &queued);
    usleep(200 * 1000);
    assert_int_equal(emu_pool_stats(pool).waiting, 1);
    long long t0 = emu_now_ms();
    emu_check(lakebase_pool_close(pool, 0, NULL), NULL, "close");
    long long took = emu_now_ms() - t0;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert_int_equal(busy.acquire_code, 0);
    assert_int_equal(busy.query_code, 0);
    assert_int_equal(queued.acquire_code, LAKEBASE_ECLOSED);
    assert_true(took >= 1000); /* it waited for pg_sleep(2) */
    lakebase_pool_stats st = emu_pool_stats(pool);
    assert_int_equal(st.total, 0);
    lakebase_conn *conn = NULL;
    assert_int_equal(lakebase_pool_acquire(pool, &conn, NULL),
                     LAKEBASE_ECLOSED);
    assert_int_equal(lakebase_pool_open(pool, 1, NULL), LAKEBASE_ECLOSED);
    lakebase_pool_free(pool);
}

static void test_close_with_cancel_inflight_cancels_statement(void **state) {
    (void)state;
    lakebase_pool *pool = one_connection_pool();
    job busy = {pool, -99, -99};
    pthread_t a;
    pthread_create(&a, NULL, sleeper, &busy);
    usleep(300 * 1000);
    long long t0 = emu_now_ms();
    emu_check(lakebase_pool_close(pool, 1, NULL), NULL, "close");
    long long took = emu_now_ms() - t0;
    pthread_join(a, NULL);
    assert_int_equal(busy.acquire_code, 0);
    assert_int_equal(busy.query_code, LAKEBASE_ECANCELED);
    assert_true(took < 1500);
    assert_int_equal(emu_pool_stats(pool).total, 0);
    lakebase_pool_free(pool);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_waits_for_running_statement),
        cmocka_unit_test(test_close_with_cancel_inflight_cancels_statement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
