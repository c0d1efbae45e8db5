/* Statements through the pool against the emulator: typed results,
 * command tags, transactions on a leased connection, statement timeout,
 * cancel from another thread, acquire timeout, static mode and
 * lakebase_connect. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"

static lakebase_result *must_query(lakebase_pool *pool, const char *sql, int n,
                                   const char *const *values) {
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_query(pool, sql, n, values, &res, &err), err, sql);
    return res;
}

static int setup(void **state) {
    emu_reset(NULL);
    *state = emu_pool(emu_config_minting(NULL));
    return 0;
}

static int teardown(void **state) {
    lakebase_pool_free(*state);
    return 0;
}

static void test_typed_getters_convert_every_supported_type(void **state) {
    lakebase_result *res = must_query(
        *state,
        "SELECT 32767::int2, 2147483647::int4, (-9223372036854775807 - "
        "1)::int8,"
        " 4294967295::oid, 1.5::float4, -2.25::float8, "
        "12345.678901234567890::numeric, true AS flag, false, 'héllo'::text, "
        "'x'::varchar, '{\"a\": [1, 2]}'::json, '{\"b\": 1}'::jsonb, "
        "'2024-02-29'::date, '1999-12-31 23:59:59.999999'::timestamp, "
        "'2024-02-29 12:00:00+05:30'::timestamptz, "
        "'0044-03-15 12:00:00 BC'::timestamp, '12:34:56'::time, "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, ARRAY[1, NULL, 3], "
        "'\\x00ff10'::bytea, ''::bytea, NULL::int4",
        0, NULL);
    assert_int_equal(lakebase_result_rows(res), 1);
    assert_int_equal(lakebase_result_columns(res), 23);
    int64_t i;
    double d;
    int b;
    assert_int_equal(lakebase_result_int64(res, 0, 0, &i), 0);
    assert_int_equal(i, 32767);
    assert_int_equal(lakebase_result_int64(res, 0, 1, &i), 0);
    assert_int_equal(i, 2147483647);
    assert_int_equal(lakebase_result_int64(res, 0, 2, &i), 0);
    assert_true(i == INT64_MIN);
    assert_int_equal(lakebase_result_int64(res, 0, 3, &i), 0);
    assert_true(i == 4294967295LL);
    assert_int_equal(lakebase_result_double(res, 0, 4, &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(lakebase_result_double(res, 0, 5, &d), 0);
    assert_true(d == -2.25);
    assert_int_equal(lakebase_result_double(res, 0, 6, &d), 0);
    assert_true(d > 12345.6789 && d < 12345.679);
    assert_string_equal(lakebase_result_text(res, 0, 6, NULL),
                        "12345.678901234567890");
    assert_int_equal(lakebase_result_double(res, 0, 1, &d), 0); /* int4 */
    assert_true(d == 2147483647.0);
    assert_int_equal(lakebase_result_bool(res, 0, 7, &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(lakebase_result_bool(res, 0, 8, &b), 0);
    assert_int_equal(b, 0);
    size_t len = 0;
    assert_string_equal(lakebase_result_text(res, 0, 9, &len), "héllo");
    assert_int_equal(len, 6);
    assert_int_equal(lakebase_result_column_type(res, 9), LAKEBASE_TYPE_TEXT);
    assert_int_equal(lakebase_result_column_type(res, 10),
                     LAKEBASE_TYPE_VARCHAR);
    assert_string_equal(lakebase_result_text(res, 0, 11, NULL),
                        "{\"a\": [1, 2]}");
    assert_int_equal(lakebase_result_column_type(res, 12), LAKEBASE_TYPE_JSONB);
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 13, &i), 0);
    assert_true(i == 1709164800LL * 1000000);
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 14, &i), 0);
    assert_true(i == 946684799999999LL);
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 15, &i), 0);
    assert_true(i == (1709208000LL - 19800) * 1000000);
    /* The session runs in UTC, so the server prints it at +00. */
    assert_string_equal(lakebase_result_text(res, 0, 15, NULL),
                        "2024-02-29 06:30:00+00");
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 16, &i), 0);
    assert_true(i < -62000000000LL * 1000000);
    assert_int_equal(lakebase_result_column_type(res, 17), LAKEBASE_TYPE_TIME);
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 17, &i),
                     LAKEBASE_EINVAL);
    assert_string_equal(lakebase_result_text(res, 0, 18, NULL),
                        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assert_string_equal(lakebase_result_text(res, 0, 19, NULL), "{1,NULL,3}");
    unsigned char *bytes = NULL;
    assert_int_equal(lakebase_result_bytea(res, 0, 20, &bytes, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(bytes, "\x00\xff\x10", 3);
    lakebase_free(bytes);
    assert_int_equal(lakebase_result_bytea(res, 0, 21, &bytes, &len), 0);
    assert_int_equal(len, 0);
    lakebase_free(bytes);
    /* NULL, wrong type and out of range are EINVAL, never a crash. */
    assert_int_equal(lakebase_result_is_null(res, 0, 22), 1);
    assert_null(lakebase_result_text(res, 0, 22, &len));
    assert_int_equal(lakebase_result_int64(res, 0, 22, &i), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_int64(res, 0, 9, &i), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_bool(res, 0, 0, &b), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_int64(res, 1, 0, &i), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_int64(res, 0, 99, &i), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_is_null(res, 5, 0), 1);
    assert_string_equal(lakebase_result_column_name(res, 7), "flag");
    lakebase_result_free(res);
}

static void test_infinity_and_out_of_range_values_are_einval(void **state) {
    lakebase_result *res =
        must_query(*state,
                   "SELECT 'infinity'::timestamptz, '-infinity'::date, "
                   "'1e400'::numeric, 'NaN'::float8, 'Infinity'::float8",
                   0, NULL);
    int64_t i;
    double d;
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 0, &i),
                     LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_timestamp_us(res, 0, 1, &i),
                     LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_double(res, 0, 2, &d), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_result_double(res, 0, 3, &d), 0);
    assert_true(d != d);
    assert_int_equal(lakebase_result_double(res, 0, 4, &d), 0);
    assert_true(d > 1e308);
    lakebase_result_free(res);
}

static void test_parameters_are_text_and_null_is_sql_null(void **state) {
    const char *const values[] = {"41", NULL, "it's"};
    lakebase_result *res = must_query(
        *state, "SELECT $1::int + 1, $2::text IS NULL, $3::text", 3, values);
    int64_t i;
    int b;
    assert_int_equal(lakebase_result_int64(res, 0, 0, &i), 0);
    assert_int_equal(i, 42);
    assert_int_equal(lakebase_result_bool(res, 0, 1, &b), 0);
    assert_int_equal(b, 1);
    assert_string_equal(lakebase_result_text(res, 0, 2, NULL), "it's");
    lakebase_result_free(res);
}

static void test_command_tag_and_rows_affected(void **state) {
    lakebase_pool *pool = *state;
    /* Temp tables live per session: use one leased connection. */
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
    lakebase_result *res = NULL;
    emu_check(lakebase_conn_query(conn, "CREATE TEMP TABLE t (v int)", 0, NULL,
                                  &res, &err),
              err, "create");
    assert_string_equal(lakebase_result_command(res), "CREATE TABLE");
    assert_int_equal(lakebase_result_rows_affected(res), -1);
    lakebase_result_free(res);
    emu_check(lakebase_conn_query(conn,
                                  "INSERT INTO t SELECT generate_series(1, 3)",
                                  0, NULL, &res, &err),
              err, "insert");
    assert_string_equal(lakebase_result_command(res), "INSERT 0 3");
    assert_int_equal(lakebase_result_rows_affected(res), 3);
    assert_int_equal(lakebase_result_rows(res), 0);
    lakebase_result_free(res);
    emu_check(lakebase_conn_query(conn, "SELECT v FROM t ORDER BY v", 0, NULL,
                                  &res, &err),
              err, "select");
    assert_string_equal(lakebase_result_command(res), "SELECT 3");
    assert_int_equal(lakebase_result_rows_affected(res), 3);
    lakebase_result_free(res);
    emu_check(lakebase_conn_query(conn, "", 0, NULL, &res, &err), err, "empty");
    assert_int_equal(lakebase_result_rows_affected(res), -1);
    lakebase_result_free(res);
    lakebase_conn_release(conn);
}

static long count_rows(lakebase_pool *pool, const char *table) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    lakebase_result *res = must_query(pool, sql, 0, NULL);
    int64_t n = -1;
    lakebase_result_int64(res, 0, 0, &n);
    lakebase_result_free(res);
    return (long)n;
}

static void
test_rollback_and_release_inside_transaction_leave_nothing(void **state) {
    lakebase_pool *pool = *state;
    lakebase_result_free(must_query(
        pool, "CREATE TABLE IF NOT EXISTS pool_tx (v int)", 0, NULL));
    lakebase_result_free(must_query(pool, "TRUNCATE pool_tx", 0, NULL));
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    lakebase_result *res = NULL;
    emu_check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
    emu_check(lakebase_conn_query(conn, "BEGIN; INSERT INTO pool_tx VALUES (1)",
                                  0, NULL, &res, &err),
              err, "begin");
    lakebase_result_free(res);
    emu_check(lakebase_conn_query(conn, "ROLLBACK", 0, NULL, &res, &err), err,
              "rollback");
    lakebase_result_free(res);
    assert_int_equal(count_rows(pool, "pool_tx"), 0);

    /* Released mid-transaction: the pool rolls it back. */
    emu_check(lakebase_conn_query(conn, "BEGIN", 0, NULL, &res, &err), err,
              "begin");
    lakebase_result_free(res);
    emu_check(lakebase_conn_query(conn, "INSERT INTO pool_tx VALUES (2)", 0,
                                  NULL, &res, &err),
              err, "insert");
    lakebase_result_free(res);
    lakebase_conn_release(conn);
    assert_int_equal(count_rows(pool, "pool_tx"), 0);

    /* A failed transaction is rolled back too, and the connection reused. */
    emu_check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
    emu_check(lakebase_conn_query(conn, "BEGIN", 0, NULL, &res, &err), err,
              "begin");
    lakebase_result_free(res);
    int code = lakebase_conn_query(conn, "SELECT 1/0", 0, NULL, &res, &err);
    assert_int_equal(code, LAKEBASE_ESQL);
    assert_string_equal(lakebase_error_sqlstate(err), "22012");
    assert_non_null(strstr(lakebase_error_message(err), "division by zero"));
    lakebase_error_free(err);
    err = NULL;
    lakebase_conn_release(conn);
    /* The released handle is dead. */
    assert_int_equal(lakebase_conn_query(conn, "SELECT 1", 0, NULL, &res, &err),
                     LAKEBASE_EHANDLE);
    lakebase_error_free(err);
    assert_int_equal(count_rows(pool, "pool_tx"), 0);
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    emu_check(lakebase_pool_get_stats(pool, &st, NULL), NULL, "stats");
    assert_int_equal(st.discarded, 0);
    assert_int_equal(st.in_use, 0);
}

static void test_statement_timeout_is_etimeout(void **state) {
    (void)state;
    const char *const extra[] = {"pool.statement_timeout_ms", "200", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    int code =
        lakebase_pool_query(pool, "SELECT pg_sleep(5)", 0, NULL, &res, &err);
    assert_int_equal(code, LAKEBASE_ETIMEOUT);
    assert_string_equal(lakebase_error_sqlstate(err), "57014");
    assert_non_null(strstr(lakebase_error_message(err), "statement timeout"));
    lakebase_error_free(err);
    /* The connection is fine afterwards. */
    lakebase_result_free(must_query(pool, "SELECT 1", 0, NULL));
    lakebase_pool_free(pool);
}

typedef struct canceller {
    lakebase_conn *conn;
    int code;
} canceller;

static void *cancel_later(void *arg) {
    canceller *c = arg;
    usleep(300 * 1000);
    c->code = lakebase_conn_cancel(c->conn, NULL);
    return NULL;
}

static void test_cancel_from_another_thread_is_ecanceled(void **state) {
    lakebase_pool *pool = *state;
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
    canceller c = {conn, -99};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &c);
    lakebase_result *res = NULL;
    long long t0 = emu_now_ms();
    int code =
        lakebase_conn_query(conn, "SELECT pg_sleep(10)", 0, NULL, &res, &err);
    long long took = emu_now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(c.code, 0);
    assert_int_equal(code, LAKEBASE_ECANCELED);
    assert_string_equal(lakebase_error_sqlstate(err), "57014");
    assert_true(took < 5000);
    lakebase_error_free(err);
    err = NULL;
    emu_check(lakebase_conn_query(conn, "SELECT 1", 0, NULL, &res, &err), err,
              "after cancel");
    lakebase_result_free(res);
    lakebase_conn_release(conn);
    assert_true(emu_stat("cancel_requests") >= 1);
}

static void test_acquire_times_out_when_pool_is_exhausted(void **state) {
    (void)state;
    const char *const extra[] = {"pool.max_size", "1",
                                 "pool.acquire_timeout_ms", "300", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_conn *held = NULL, *second = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_acquire(pool, &held, &err), err, "acquire");
    long long t0 = emu_now_ms();
    int code = lakebase_pool_acquire(pool, &second, &err);
    long long took = emu_now_ms() - t0;
    assert_int_equal(code, LAKEBASE_ETIMEOUT);
    assert_null(second);
    assert_true(took >= 250);
    assert_non_null(strstr(lakebase_error_message(err), "pool.max_size 1"));
    lakebase_error_free(err);
    err = NULL;
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    emu_check(lakebase_pool_get_stats(pool, &st, NULL), NULL, "stats");
    assert_int_equal(st.acquire_timeouts, 1);
    assert_int_equal(st.total, 1);
    assert_int_equal(st.in_use, 1);
    lakebase_conn_release(held);
    /* Released: the next acquire gets the same connection at once. */
    emu_check(lakebase_pool_acquire(pool, &second, &err), err, "reacquire");
    lakebase_conn_release(second);
    emu_check(lakebase_pool_get_stats(pool, &st, NULL), NULL, "stats");
    assert_int_equal(st.connects_ok, 1);
    assert_int_equal(st.acquires, 2);
    lakebase_pool_free(pool);
}

static void test_static_password_mode_queries_postgres_directly(void **state) {
    (void)state;
    lakebase_pool *pool = emu_pool(emu_config_static(NULL));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    lakebase_result *res = must_query(pool, "SELECT current_user", 0, NULL);
    assert_string_equal(lakebase_result_text(res, 0, 0, NULL),
                        emu_env("DATABRICKS_CLIENT_ID"));
    lakebase_result_free(res);
    assert_int_equal(emu_credential_stats(pool).mints_ok, 0);
    lakebase_pool_free(pool);
    assert_int_equal(emu_stat("mints.autoscaling"), 0);
}

static void test_wrong_static_password_is_elogin(void **state) {
    (void)state;
    const char *const extra[] = {"pg.password", "not-the-password", NULL};
    lakebase_pool *pool = emu_pool(emu_config_static(extra));
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_open(pool, 1, &err), LAKEBASE_ELOGIN);
    assert_string_equal(lakebase_error_sqlstate(err), "28P01");
    assert_null(strstr(lakebase_error_message(err), "not-the-password"));
    lakebase_error_free(err);
    lakebase_pool_free(pool);
}

static void test_direct_connection_runs_and_closes_on_release(void **state) {
    (void)state;
    lakebase_config *cfg = emu_config_minting(NULL);
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_connect(&conn, cfg, &err), err, "lakebase_connect");
    lakebase_config_free(cfg);
    lakebase_result *res = NULL;
    emu_check(lakebase_conn_query(conn, "SHOW TimeZone", 0, NULL, &res, &err),
              err, "show");
    assert_string_equal(lakebase_result_text(res, 0, 0, NULL), "UTC");
    lakebase_result_free(res);
    long open_before = emu_stat("open_connections");
    lakebase_conn_release(conn);
    for (int i = 0; i < 50 && emu_stat("open_connections") >= open_before; i++)
        usleep(20 * 1000);
    assert_true(emu_stat("open_connections") < open_before);
}

static void test_bad_arguments_and_handles_are_reported(void **state) {
    lakebase_pool *pool = *state;
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_query(NULL, "SELECT 1", 0, NULL, &res, &err),
                     LAKEBASE_EHANDLE);
    lakebase_error_free(err);
    err = NULL;
    assert_int_equal(lakebase_pool_query(pool, NULL, 0, NULL, &res, &err),
                     LAKEBASE_EINVAL);
    lakebase_error_free(err);
    err = NULL;
    assert_int_equal(
        lakebase_pool_query(pool, "SELECT $1", 1, NULL, &res, &err),
        LAKEBASE_EINVAL);
    lakebase_error_free(err);
    assert_int_equal(lakebase_result_rows(NULL), 0);
    assert_null(lakebase_result_command(NULL));
    lakebase_result_free(NULL);
    lakebase_conn_release(NULL);
    lakebase_pool_free(NULL);
    lakebase_pool_stats st = {.version = 999};
    err = NULL;
    assert_int_equal(lakebase_pool_get_stats(pool, &st, &err), LAKEBASE_EINVAL);
    lakebase_error_free(err);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_typed_getters_convert_every_supported_type, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_infinity_and_out_of_range_values_are_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parameters_are_text_and_null_is_sql_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_tag_and_rows_affected,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rollback_and_release_inside_transaction_leave_nothing, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_statement_timeout_is_etimeout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cancel_from_another_thread_is_ecanceled, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_acquire_times_out_when_pool_is_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_static_password_mode_queries_postgres_directly, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_wrong_static_password_is_elogin,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_direct_connection_runs_and_closes_on_release, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_bad_arguments_and_handles_are_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
