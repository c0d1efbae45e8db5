/* A 429/503 storm while the background refresh runs: the cached token is
 * still valid, so connections keep opening with it, no query fails, and
 * the provider reports itself degraded until a refresh succeeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"
#include "load.h"

static void test_refresh_storm_fails_no_query_and_recovers(void **state) {
    (void)state;
    emu_reset("{\"ttl_seconds\": 20}");
    /* Refresh at half life (10 s) leaves 10 s of valid token for retries;
     * 2 s connection lifetimes keep new logins happening meanwhile. */
    const char *const extra[] = {"credential.refresh_fraction",
                                 "0.5",
                                 "pool.max_lifetime_seconds",
                                 "2",
                                 "pool.min_size",
                                 "2",
                                 NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    emu_post("/emulator/knobs",
             "{\"mint_failures\": [{\"status\": 429, \"retry_after\": 1, "
             "\"count\": 1}, {\"status\": 503, \"count\": 1}]}");
    load l;
    load_start(&l, pool, 4);
    int seen_degraded = 0, recovered = 0;
    long long end = emu_now_ms() + 19000;
    while (emu_now_ms() < end && !recovered) {
        lakebase_credential_stats st = emu_credential_stats(pool);
        if (st.degraded_since_unix_ms != 0)
            seen_degraded = 1;
        else if (seen_degraded && st.mints_ok >= 2)
            recovered = 1;
        usleep(100 * 1000);
    }
    load_stop(&l);
    load_report(&l);
    lakebase_pool_stats st = emu_pool_stats(pool);
    lakebase_credential_stats cst = emu_credential_stats(pool);
    lakebase_pool_free(pool);
    fprintf(stderr, "mints ok %llu failed %llu, connects %llu\n",
            (unsigned long long)cst.mints_ok,
            (unsigned long long)cst.mints_failed,
            (unsigned long long)st.connects_ok);
    assert_true(seen_degraded);
    assert_true(recovered);
    assert_int_equal(atomic_load(&l.failed), 0);
    assert_true(atomic_load(&l.ok) > 100);
    assert_int_equal(emu_stat("mints.failed"), 2);
    assert_true(cst.mints_failed >= 2);
    assert_int_equal(emu_refused_logins(), 0);
    assert_true(st.connects_ok >= 4); /* logins happened during the storm */
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refresh_storm_fails_no_query_and_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
