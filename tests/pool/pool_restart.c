/* PostgreSQL restarts behind the proxy (POST /emulator/restart-postgres):
 * idle connections are found broken by validation and replaced without a
 * failed query; under load only statements caught by the restart fail
 * (LAKEBASE_ECONNECTION) and the pool recovers by itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"
#include "load.h"

static void test_idle_connections_broken_by_restart_are_replaced(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *const extra[] = {"pool.min_size", "2", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    emu_post("/emulator/restart-postgres", NULL);
    usleep(1200 * 1000); /* idle past pool.validate_after_idle_ms */
    for (int i = 0; i < 4; i++) {
        lakebase_result *res = NULL;
        emu_check(lakebase_pool_query(pool, "SELECT 1", 0, NULL, &res, &err),
                  err, "query after restart");
        lakebase_result_free(res);
    }
    lakebase_pool_stats st = emu_pool_stats(pool);
    assert_true(st.discarded >= 1);
    lakebase_pool_free(pool);
}

static void test_load_survives_restart(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *const extra[] = {"pool.max_size", "4", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    load l;
    load_start(&l, pool, 4);
    usleep(500 * 1000);
    long long restart_at = emu_now_ms();
    emu_post("/emulator/restart-postgres", NULL);
    long long back_at = emu_now_ms();
    long ok_at_restart = atomic_load(&l.ok);
    usleep(1500 * 1000);
    long ok_after = atomic_load(&l.ok) - ok_at_restart;
    load_stop(&l);
    load_report(&l);
    fprintf(stderr, "restart took %lld ms\n", back_at - restart_at);
    lakebase_pool_stats st = emu_pool_stats(pool);
    lakebase_pool_free(pool);
    assert_true(ok_after > 100);
    assert_true(st.discarded >= 1);
    for (int i = 0; i < l.n_failures; i++) {
        /* Connects retry through the restart; only statements caught by
         * it (or sent on a connection it broke) fail. */
        assert_int_equal(l.failures[i].code, LAKEBASE_ECONNECTION);
        assert_true(l.failures[i].started_ms < back_at + 1000);
    }
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_connections_broken_by_restart_are_replaced),
        cmocka_unit_test(test_load_survives_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
