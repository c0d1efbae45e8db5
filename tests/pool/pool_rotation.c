/* Credential rotation under sustained load: 4-second tokens, connections
 * retired after ~3 s, 8 threads querying for 15 s. No query may fail, no
 * login may be refused (every connection used an unexpired credential),
 * and mints stay near one per token lifetime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"
#include "load.h"

#define TOKEN_TTL_S 4
#define RUN_MS      15000

static void test_rotation_under_load_fails_no_query(void **state) {
    (void)state;
    emu_reset("{\"ttl_seconds\": 4}");
    const char *const extra[] = {"pool.max_lifetime_seconds", "3",
                                 "pool.min_size", "2", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    load l;
    long long t0 = emu_now_ms();
    load_start(&l, pool, 8);
    usleep(RUN_MS * 1000);
    load_stop(&l);
    long long elapsed = emu_now_ms() - t0;
    lakebase_pool_stats st = emu_pool_stats(pool);
    lakebase_credential_stats cst = emu_credential_stats(pool);
    lakebase_pool_free(pool);

    load_report(&l);
    long mints = emu_stat("mints.autoscaling");
    fprintf(stderr,
            "mints %ld, connects %llu, recycled %llu, discarded %llu, "
            "refused %ld\n",
            mints, (unsigned long long)st.connects_ok,
            (unsigned long long)st.recycled, (unsigned long long)st.discarded,
            emu_refused_logins());
    assert_int_equal(atomic_load(&l.failed), 0);
    assert_true(atomic_load(&l.ok) > 1000);
    assert_int_equal(emu_refused_logins(), 0);
    assert_true(st.recycled >= 8); /* connections really rotated */
    /* A refresh at 75 % of the lifetime: one mint per 3 s, plus the first. */
    long per_lifetime_ms = TOKEN_TTL_S * 1000 * 3 / 4;
    assert_true(mints >= 2);
    assert_true(mints <= elapsed / per_lifetime_ms + 2);
    assert_int_equal(cst.mints_failed, 0);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotation_under_load_fails_no_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
