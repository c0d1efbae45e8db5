/* Login failures fail fast with LAKEBASE_ELOGIN: the wrong role for the
 * credential (28P01 twice: one re-mint, then a message naming the role,
 * the identity and the fix), and a database that does not exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"

static void test_wrong_role_fails_fast_after_one_remint(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *other = emu_env("EMULATOR_OTHER_CLIENT_ID");
    const char *const extra[] = {"pg.user", other, NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    long long t0 = emu_now_ms();
    int code = lakebase_pool_open(pool, 1, &err);
    long long took = emu_now_ms() - t0;
    assert_int_equal(code, LAKEBASE_ELOGIN);
    const char *msg = lakebase_error_message(err);
    fprintf(stderr, "message: %s\n", msg);
    assert_string_equal(lakebase_error_sqlstate(err), "28P01");
    assert_non_null(strstr(msg, other));
    assert_non_null(strstr(msg, emu_env("DATABRICKS_CLIENT_ID")));
    assert_non_null(strstr(msg, "pg.user"));
    assert_non_null(strstr(msg, "databricks_postgres"));
    assert_true(took < 10000);
    lakebase_error_free(err);
    assert_int_equal(emu_stat("mints.autoscaling"), 2);
    assert_int_equal(emu_stat("logins.refused.wrong_identity"), 2);
    lakebase_pool_stats st = emu_pool_stats(pool);
    assert_int_equal(st.total, 0);
    assert_true(st.connects_failed >= 1);
    lakebase_pool_free(pool);
}

static void test_unknown_database_fails_fast_with_3d000(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *const extra[] = {"pg.database", "no_such_db", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    int code = lakebase_pool_open(pool, 1, &err);
    assert_int_equal(code, LAKEBASE_ELOGIN);
    assert_string_equal(lakebase_error_sqlstate(err), "3D000");
    assert_non_null(strstr(lakebase_error_message(err), "pg.database"));
    lakebase_error_free(err);
    assert_int_equal(emu_stat("mints.autoscaling"), 1);
    lakebase_pool_free(pool);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_role_fails_fast_after_one_remint),
        cmocka_unit_test(test_unknown_database_fails_fast_with_3d000),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
