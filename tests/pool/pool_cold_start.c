/* Scale to zero: a 3 s cold start (listener refusing connections, or 57P03
 * answers) while the pool opens, and while it replaces a retired
 * connection. Connects retry inside pool.connect_timeout_ms; no query
 * fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"

static void start_cold(const char *mode) {
    char knobs[128];
    snprintf(knobs, sizeof knobs,
             "{\"cold_start\": {\"seconds\": 3, \"mode\": \"%s\"}}", mode);
    emu_post("/emulator/knobs", knobs);
}

static void must_select_one(lakebase_pool *pool) {
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_query(pool, "SELECT 1", 0, NULL, &res, &err), err,
              "SELECT 1");
    lakebase_result_free(res);
}

static void open_waits_out_cold_start(const char *mode) {
    emu_reset(NULL);
    lakebase_pool *pool = emu_pool(emu_config_minting(NULL));
    /* Mint first, so the connect (not the API) meets the cold start. */
    start_cold(mode);
    lakebase_error *err = NULL;
    long long t0 = emu_now_ms();
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open during cold start");
    long long took = emu_now_ms() - t0;
    fprintf(stderr, "%s: open took %lld ms\n", mode, took);
    assert_true(took >= 2000); /* it really met the cold start */
    must_select_one(pool);
    lakebase_pool_stats st = emu_pool_stats(pool);
    assert_int_equal(st.connects_failed, 0); /* retries inside one connect */
    lakebase_pool_free(pool);
}

static void test_open_waits_out_a_refusing_cold_start(void **state) {
    (void)state;
    open_waits_out_cold_start("refuse");
}

static void test_open_waits_out_a_57p03_cold_start(void **state) {
    (void)state;
    open_waits_out_cold_start("57P03");
    assert_true(emu_stat("logins.refused.cold_start") >= 1);
}

/* The only connection retires during the cold start; the next query's
 * acquire reconnects through it. */
static void reconnect_waits_out_cold_start(const char *mode) {
    emu_reset(NULL);
    const char *const extra[] = {"pool.max_lifetime_seconds", "1",
                                 "pool.lifetime_jitter", "0", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    must_select_one(pool);
    start_cold(mode);
    usleep(1200 * 1000); /* the connection is past its lifetime now */
    long long t0 = emu_now_ms();
    must_select_one(pool);
    long long took = emu_now_ms() - t0;
    fprintf(stderr, "%s: reconnecting query took %lld ms\n", mode, took);
    assert_true(took >= 1000);
    lakebase_pool_stats st = emu_pool_stats(pool);
    assert_true(st.recycled >= 1);
    assert_int_equal(st.connects_failed, 0);
    assert_true(st.connects_ok >= 2);
    lakebase_pool_free(pool);
}

static void test_reconnect_waits_out_a_refusing_cold_start(void **state) {
    (void)state;
    reconnect_waits_out_cold_start("refuse");
}

static void test_reconnect_waits_out_a_57p03_cold_start(void **state) {
    (void)state;
    reconnect_waits_out_cold_start("57P03");
}

static void test_cold_start_longer_than_budget_is_etimeout(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *const extra[] = {"pool.connect_timeout_ms", "1000", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    start_cold("57P03");
    lakebase_error *err = NULL;
    long long t0 = emu_now_ms();
    assert_int_equal(lakebase_pool_open(pool, 1, &err), LAKEBASE_ETIMEOUT);
    long long took = emu_now_ms() - t0;
    fprintf(stderr, "timeout: %s\n", lakebase_error_message(err));
    assert_true(took < 2500);
    lakebase_error_free(err);
    lakebase_pool_free(pool);
    emu_post("/emulator/knobs", "{\"cold_start\": {\"seconds\": 0}}");
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_waits_out_a_refusing_cold_start),
        cmocka_unit_test(test_open_waits_out_a_57p03_cold_start),
        cmocka_unit_test(test_reconnect_waits_out_a_refusing_cold_start),
        cmocka_unit_test(test_reconnect_waits_out_a_57p03_cold_start),
        cmocka_unit_test(test_cold_start_longer_than_budget_is_etimeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
