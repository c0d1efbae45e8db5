/* Prepared statements on a connection (pool.prepare_threshold), against the
 * emulator's PostgreSQL: what the server's own pg_prepared_statements shows
 * after each run of a text on one leased connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"

#define ADD_ONE "SELECT $1::int + 1"

static lakebase_conn *lease(lakebase_pool *pool) {
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
    return conn;
}

/* The text of column 0, row 0 of `sql` run on `conn` (NULL for SQL NULL),
 * copied; aborts on an error. */
static char *value_of(lakebase_conn *conn, const char *sql, int n,
                      const char *const *values) {
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_conn_query(conn, sql, n, values, &res, &err), err, sql);
    const char *text = lakebase_result_text(res, 0, 0, NULL);
    char *copy = text ? strdup(text) : NULL;
    lakebase_result_free(res);
    return copy;
}

/* How many statements the session has prepared with the text `sql`, and
 * (when `name` is given) the name of one of them. */
static int prepared_as(lakebase_conn *conn, const char *sql, char *name,
                       size_t cap) {
    const char *const v[] = {sql};
    char *count = value_of(
        conn,
        "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", 1,
        v);
    int n = atoi(count);
    free(count);
    if (name && n > 0) {
        char *first = value_of(conn,
                               "SELECT min(name) FROM pg_prepared_statements "
                               "WHERE statement = $1",
                               1, v);
        snprintf(name, cap, "%s", first);
        free(first);
    }
    return n;
}

static void check_value(lakebase_conn *conn, const char *sql, int n,
                        const char *const *values, const char *want) {
    char *got = value_of(conn, sql, n, values);
    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
    free(got);
}

static lakebase_pool *one_connection_pool(const char *threshold) {
    emu_reset(NULL);
    const char *const extra[] = {"pool.max_size", "1", "pool.prepare_threshold",
                                 threshold, NULL};
    return emu_pool(emu_config_static(extra));
}

static void test_second_run_prepares_and_later_runs_use_it(void **state) {
    (void)state;
    lakebase_pool *pool = one_connection_pool("2");
    lakebase_conn *conn = lease(pool);
    const char *const one[] = {"1"}, *const fortyone[] = {"41"},
                      *const null[] = {NULL};
    check_value(conn, ADD_ONE, 1, one, "2");
    assert_int_equal(prepared_as(conn, ADD_ONE, NULL, 0), 0);
    check_value(conn, ADD_ONE, 1, fortyone, "42");
    char name[64] = "";
    assert_int_equal(prepared_as(conn, ADD_ONE, name, sizeof name), 1);
    assert_int_equal(strncmp(name, "lb_", 3), 0);
    check_value(conn, ADD_ONE, 1, null, NULL);
    /* Named statements outlive a rolled-back transaction. */
    check_value(conn, "BEGIN; SELECT 'in'", 0, NULL, "in");
    check_value(conn, ADD_ONE, 1, one, "2");
    check_value(conn, "ROLLBACK; SELECT 'out'", 0, NULL, "out");
    check_value(conn, ADD_ONE, 1, fortyone, "42");
    char again[64] = "";
    assert_int_equal(prepared_as(conn, ADD_ONE, again, sizeof again), 1);
    assert_string_equal(again, name);
    lakebase_conn_release(conn);
    lakebase_pool_free(pool);
}

static void test_threshold_zero_never_prepares(void **state) {
    (void)state;
    lakebase_pool *pool = one_connection_pool("0");
    lakebase_conn *conn = lease(pool);
    const char *const one[] = {"1"};
    for (int i = 0; i < 3; i++)
        check_value(conn, ADD_ONE, 1, one, "2");
    assert_int_equal(prepared_as(conn, ADD_ONE, NULL, 0), 0);
    lakebase_conn_release(conn);
    lakebase_pool_free(pool);
}

static void test_several_statements_in_one_text_run_unprepared(void **state) {
    (void)state;
    lakebase_pool *pool = one_connection_pool("2");
    lakebase_conn *conn = lease(pool);
    const char *sql = "SELECT 1; SELECT 'last'";
    for (int i = 0; i < 3; i++)
        check_value(conn, sql, 0, NULL, "last");
    assert_int_equal(prepared_as(conn, sql, NULL, 0), 0);
    lakebase_conn_release(conn);
    lakebase_pool_free(pool);
}

static void test_a_statement_the_server_lost_is_prepared_anew(void **state) {
    (void)state;
    lakebase_pool *pool = one_connection_pool("2");
    lakebase_conn *conn = lease(pool);
    const char *const one[] = {"1"};
    check_value(conn, ADD_ONE, 1, one, "2");
    check_value(conn, ADD_ONE, 1, one, "2");
    char before[64] = "";
    assert_int_equal(prepared_as(conn, ADD_ONE, before, sizeof before), 1);
    check_value(conn, "DEALLOCATE ALL", 0, NULL, NULL);
    /* The run that finds it gone fails (it never ran: no side effect) and
     * says why; the text is prepared again from its next runs. */
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    int code = lakebase_conn_query(conn, ADD_ONE, 1, one, &res, &err);
    assert_int_not_equal(code, 0);
    assert_string_equal(lakebase_error_sqlstate(err), "26000");
    lakebase_error_free(err);
    check_value(conn, ADD_ONE, 1, one, "2");
    check_value(conn, ADD_ONE, 1, one, "2");
    char after[64] = "";
    assert_int_equal(prepared_as(conn, ADD_ONE, after, sizeof after), 1);
    assert_string_not_equal(after, before);
    lakebase_conn_release(conn);
    lakebase_pool_free(pool);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_run_prepares_and_later_runs_use_it),
        cmocka_unit_test(test_threshold_zero_never_prepares),
        cmocka_unit_test(test_several_statements_in_one_text_run_unprepared),
        cmocka_unit_test(test_a_statement_the_server_lost_is_prepared_anew),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
