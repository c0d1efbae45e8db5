/* Connections leased without blocking from a pool driven by the host's
 * event loop (lakebase_pool_acquire_async): transactions commit, one left
 * open is rolled back when the lease comes back, a pipelined pool drains a
 * connection for a queued lease, a lease waits its turn and times out, and
 * a close while a lease is held leaves a handle that fails cleanly. */
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

/* ---- callbacks that record what happened ----------------------------------
 */

typedef struct lease_slot {
    int calls;
    int code; /* 0 or the error's code */
    lakebase_conn *conn;
} lease_slot;

static void on_lease(void *ud, lakebase_conn *conn, lakebase_error *err) {
    lease_slot *s = ud;
    s->calls++;
    s->conn = conn;
    s->code = err ? lakebase_error_code(err) : 0;
    lakebase_error_free(err);
}

typedef struct stmt_slot {
    int calls;
    int code;
    long long value; /* first column of the only row, or -1 */
} stmt_slot;

static void on_stmt(void *ud, lakebase_result *res, lakebase_error *err) {
    stmt_slot *s = ud;
    s->calls++;
    s->code = err ? lakebase_error_code(err) : 0;
    s->value = -1;
    if (res && lakebase_result_rows(res) == 1) {
        int64_t v = -1;
        if (lakebase_result_int64(res, 0, 0, &v) == 0)
            s->value = v;
    }
    lakebase_error_free(err);
    lakebase_result_free(res);
}

static lakebase_conn *lease_now(host *h) {
    lease_slot s = {0};
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_acquire_async(h->pool, -1, on_lease, &s,
                                                 NULL, NULL, &err),
                     1);          /* pending: done comes later */
    assert_int_equal(s.calls, 0); /* never from inside the call */
    host_run_until_idle(h, 10000);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.code, 0);
    assert_non_null(s.conn);
    return s.conn;
}

/* Runs one statement on a leased connection to completion. */
static stmt_slot on_conn(host *h, lakebase_conn *conn, const char *sql) {
    stmt_slot s = {0};
    lakebase_error *err = NULL;
    emu_check(lakebase_conn_query_async(conn, sql, 0, NULL, on_stmt, &s, &err),
              err, sql);
    long long end = emu_now_ms() + 10000;
    while (s.calls == 0 && emu_now_ms() < end)
        host_turn(h);
    assert_int_equal(s.calls, 1);
    return s;
}

static stmt_slot on_pool(host *h, const char *sql) {
    stmt_slot s = {0};
    lakebase_error *err = NULL;
    emu_check(
        lakebase_pool_query_async(h->pool, sql, 0, NULL, on_stmt, &s, &err),
        err, sql);
    host_run_until_idle(h, 10000);
    assert_int_equal(s.calls, 1);
    return s;
}

static void make_table(host *h, const char *name) {
    char sql[200];
    snprintf(sql, sizeof sql,
             "DROP TABLE IF EXISTS %s; CREATE TABLE %s (v int)", name, name);
    assert_int_equal(on_pool(h, sql).code, 0);
}

/* ---- tests ----------------------------------------------------------------
 */

static void test_leased_transaction_commits(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "2", NULL};
    async_pool(&h, extra, 1);
    make_table(&h, "lease_commit");
    lakebase_conn *conn = lease_now(&h);
    /* Three statements queued at once run in order on the one connection. */
    stmt_slot a = {0}, b = {0}, c = {0};
    lakebase_error *err = NULL;
    const char *one[] = {"7"};
    emu_check(
        lakebase_conn_query_async(conn, "BEGIN", 0, NULL, on_stmt, &a, &err),
        err, "BEGIN");
    emu_check(lakebase_conn_query_async(
                  conn, "INSERT INTO lease_commit VALUES ($1::int)", 1, one,
                  on_stmt, &b, &err),
              err, "INSERT");
    emu_check(
        lakebase_conn_query_async(conn, "COMMIT", 0, NULL, on_stmt, &c, &err),
        err, "COMMIT");
    host_run_until_idle(&h, 10000);
    assert_int_equal(a.calls + b.calls + c.calls, 3);
    assert_int_equal(a.code | b.code | c.code, 0);
    lakebase_conn_release(conn);
    assert_int_equal(on_pool(&h, "SELECT sum(v) FROM lease_commit").value, 7);
    /* A lease counts as an acquire with its wait, in the histogram too. */
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    uint64_t waits = 0;
    for (size_t i = 0; i < sizeof st.wait_histogram / sizeof *st.wait_histogram;
         i++)
        waits += st.wait_histogram[i];
    assert_true(st.acquires >= 1);
    assert_true(waits == st.acquires);
    lakebase_pool_free(h.pool);
}

static void test_released_open_transaction_is_rolled_back(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "1", NULL};
    async_pool(&h, extra, 1);
    make_table(&h, "lease_rollback");
    lakebase_conn *conn = lease_now(&h);
    /* Several commands in one string: the simple protocol. */
    assert_int_equal(
        on_conn(&h, conn, "BEGIN; INSERT INTO lease_rollback VALUES (1)").code,
        0);
    lakebase_conn_release(conn);
    /* The only connection is shared again, outside any transaction. */
    assert_int_equal(on_pool(&h, "SELECT count(*) FROM lease_rollback").value,
                     0);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    assert_int_equal(st.discarded, 0);
    assert_int_equal(st.connects_ok, 1);
    lakebase_pool_free(h.pool);
}

static void test_sync_query_on_async_lease_is_refused(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    async_pool(&h, NULL, 1);
    lakebase_conn *conn = lease_now(&h);
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_conn_query(conn, "SELECT 1", 0, NULL, &res, &err),
                     LAKEBASE_EINVAL);
    assert_non_null(strstr(lakebase_error_message(err), "async"));
    lakebase_error_free(err);
    assert_int_equal(on_conn(&h, conn, "SELECT 41 + 1").value, 42);
    lakebase_conn_release(conn);
    /* The handle is dead once released. */
    err = NULL;
    assert_int_equal(lakebase_conn_query_async(conn, "SELECT 1", 0, NULL,
                                               on_stmt, NULL, &err),
                     LAKEBASE_EHANDLE);
    lakebase_error_free(err);
    lakebase_pool_free(h.pool);
}

/* Pipelined statements keep the one connection busy; a lease queued among
 * them still gets it once it drains, and the statements after it wait. */
static void test_pipelined_pool_drains_a_connection_for_a_lease(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.pipeline", "true", "pool.max_size", "1",
                                 NULL};
    async_pool(&h, extra, 1);
    enum { N = 40 };
    stmt_slot before[N], after[N];
    memset(before, 0, sizeof before);
    memset(after, 0, sizeof after);
    lease_slot lease = {0};
    lakebase_error *err = NULL;
    for (int i = 0; i < N; i++)
        emu_check(lakebase_pool_query_async(h.pool, "SELECT 1", 0, NULL,
                                            on_stmt, &before[i], &err),
                  err, "before");
    assert_int_equal(lakebase_pool_acquire_async(h.pool, -1, on_lease, &lease,
                                                 NULL, NULL, &err),
                     1); /* pending: done comes later */
    for (int i = 0; i < N; i++)
        emu_check(lakebase_pool_query_async(h.pool, "SELECT 2", 0, NULL,
                                            on_stmt, &after[i], &err),
                  err, "after");
    long long end = emu_now_ms() + 10000;
    while (lease.calls == 0 && emu_now_ms() < end)
        host_turn(&h);
    assert_int_equal(lease.calls, 1);
    assert_int_equal(lease.code, 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(before[i].calls, 1);
        assert_int_equal(after[i].calls, 0); /* the lease holds the only one */
    }
    assert_int_equal(on_conn(&h, lease.conn, "SELECT 3").value, 3);
    lakebase_conn_release(lease.conn);
    host_run_until_idle(&h, 10000);
    for (int i = 0; i < N; i++) {
        assert_int_equal(after[i].calls, 1);
        assert_int_equal(after[i].value, 2);
    }
    lakebase_pool_free(h.pool);
}

static void test_second_lease_times_out_while_first_is_held(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "1",
                                 "pool.acquire_timeout_ms", "300", NULL};
    async_pool(&h, extra, 1);
    lakebase_conn *first = lease_now(&h);
    lease_slot second = {0};
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_acquire_async(h.pool, -1, on_lease, &second,
                                                 NULL, NULL, &err),
                     1); /* pending: done comes later */
    host_run_until_idle(&h, 5000);
    assert_int_equal(second.calls, 1);
    assert_int_equal(second.code, LAKEBASE_ETIMEOUT);
    assert_null(second.conn);
    lakebase_conn_release(first);
    lakebase_conn *third = lease_now(&h);
    lakebase_conn_release(third);
    lakebase_pool_free(h.pool);
}

static void test_close_while_leased_leaves_a_handle_that_fails(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    async_pool(&h, NULL, 1);
    lakebase_conn *conn = lease_now(&h);
    lease_slot queued = {0};
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_close(h.pool, 0, &err), err, "close");
    err = NULL;
    assert_int_equal(lakebase_pool_acquire_async(h.pool, -1, on_lease, &queued,
                                                 NULL, NULL, &err),
                     LAKEBASE_ECLOSED);
    lakebase_error_free(err);
    err = NULL;
    assert_int_equal(lakebase_conn_query_async(conn, "SELECT 1", 0, NULL,
                                               on_stmt, NULL, &err),
                     LAKEBASE_ECLOSED);
    lakebase_error_free(err);
    lakebase_pool_stats st = emu_pool_stats(h.pool);
    assert_int_equal(st.total, 0);
    lakebase_pool_free(h.pool);
    lakebase_conn_release(conn); /* after the pool is gone: frees it */
    assert_int_equal(h.n, 0);
}

static void
test_killed_lease_fails_and_leaves_a_handle_to_release(void **state) {
    (void)state;
    emu_reset(NULL);
    host h;
    const char *const extra[] = {"pool.max_size", "2", NULL};
    async_pool(&h, extra, 1);
    lakebase_conn *conn = lease_now(&h);
    stmt_slot sleeping = {0};
    lakebase_error *err = NULL;
    emu_check(lakebase_conn_query_async(conn, "SELECT pg_sleep(5)", 0, NULL,
                                        on_stmt, &sleeping, &err),
              err, "sleep");
    host_turn(&h);
    emu_post("/emulator/kill-connections", NULL);
    long long end = emu_now_ms() + 10000;
    while (sleeping.calls == 0 && emu_now_ms() < end)
        host_turn(&h);
    assert_int_equal(sleeping.calls, 1);
    assert_int_equal(sleeping.code, LAKEBASE_ECONNECTION);
    /* The handle is still the caller's: it fails cleanly until released. */
    err = NULL;
    assert_int_equal(lakebase_conn_query_async(conn, "SELECT 1", 0, NULL,
                                               on_stmt, NULL, &err),
                     LAKEBASE_ECLOSED);
    assert_non_null(strstr(lakebase_error_message(err), "release it"));
    lakebase_error_free(err);
    lakebase_conn_release(conn);
    /* The pool goes on with new connections. */
    assert_int_equal(on_pool(&h, "SELECT 5").value, 5);
    lakebase_conn *again = lease_now(&h);
    assert_int_equal(on_conn(&h, again, "SELECT 6").value, 6);
    lakebase_conn_release(again);
    assert_true(emu_pool_stats(h.pool).discarded >= 1);
    lakebase_pool_free(h.pool);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leased_transaction_commits),
        cmocka_unit_test(test_released_open_transaction_is_rolled_back),
        cmocka_unit_test(test_sync_query_on_async_lease_is_refused),
        cmocka_unit_test(test_pipelined_pool_drains_a_connection_for_a_lease),
        cmocka_unit_test(test_second_lease_times_out_while_first_is_held),
        cmocka_unit_test(test_close_while_leased_leaves_a_handle_that_fails),
        cmocka_unit_test(
            test_killed_lease_fails_and_leaves_a_handle_to_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
