/* The server side drops every connection mid-load: the statements running
 * then fail with LAKEBASE_ECONNECTION, broken connections are discarded,
 * never handed out again, and the queries after that succeed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"
#include "load.h"

static void test_killed_connections_are_discarded_and_replaced(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *const extra[] = {"pool.max_size", "4", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    load l;
    load_start(&l, pool, 4);
    usleep(1000 * 1000);
    long long killed_at = emu_now_ms();
    emu_post("/emulator/kill-connections", NULL);
    long killed = emu_stat("killed_connections");
    usleep(2000 * 1000);
    long ok_before_stop = atomic_load(&l.ok);
    load_stop(&l);
    load_report(&l);
    lakebase_pool_stats st = emu_pool_stats(pool);
    lakebase_pool_free(pool);
    assert_true(killed >= 1);
    assert_true(st.discarded > 0);
    assert_true(ok_before_stop > 100);
    /* Only statements in flight at the kill (or on a connection broken by
     * it, before anyone noticed) may fail, and only as ECONNECTION. */
    for (int i = 0; i < l.n_failures; i++) {
        assert_int_equal(l.failures[i].code, LAKEBASE_ECONNECTION);
        assert_true(l.failures[i].started_ms < killed_at + 1000);
    }
    assert_true(atomic_load(&l.failed) <= 8);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_connections_are_discarded_and_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
