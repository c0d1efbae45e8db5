/* Pure pool policy: lifetime jitter fixed at birth and the acquire wait
 * histogram buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "pool_life.h"

static void test_lifetime_without_jitter_is_max_lifetime(void **state) {
    (void)state;
    assert_int_equal(lb_life_lifetime_ms(2700, 0.0, UINT32_MAX), 2700000);
    assert_int_equal(lb_life_lifetime_ms(2700, 0.1, 0), 2700000);
}

static void
test_lifetime_jitter_shortens_by_at_most_the_fraction(void **state) {
    (void)state;
    int64_t shortest = lb_life_lifetime_ms(2700, 0.1, UINT32_MAX);
    assert_true(shortest >= 2430000 && shortest < 2430100);
    int64_t middle = lb_life_lifetime_ms(2700, 0.1, UINT32_C(1) << 31);
    assert_int_equal(middle, 2565000);
    for (uint32_t r = 0; r < UINT32_MAX - 9999999; r += 10000000) {
        int64_t life = lb_life_lifetime_ms(3, 0.5, r);
        assert_true(life > 1500 && life <= 3000);
    }
}

static void test_zero_max_lifetime_means_never(void **state) {
    (void)state;
    assert_true(lb_life_lifetime_ms(0, 0.1, 12345) == INT64_MAX);
}

static void test_wait_buckets_split_at_powers_of_ten(void **state) {
    (void)state;
    assert_int_equal(lb_life_wait_bucket(0), 0);
    assert_int_equal(lb_life_wait_bucket(9), 0);
    assert_int_equal(lb_life_wait_bucket(10), 1);
    assert_int_equal(lb_life_wait_bucket(99), 1);
    assert_int_equal(lb_life_wait_bucket(100), 2);
    assert_int_equal(lb_life_wait_bucket(999), 2);
    assert_int_equal(lb_life_wait_bucket(1000), 3);
    assert_int_equal(lb_life_wait_bucket(9999), 3);
    assert_int_equal(lb_life_wait_bucket(10000), 4);
    assert_int_equal(lb_life_wait_bucket(99999), 4);
    assert_int_equal(lb_life_wait_bucket(100000), 5);
    assert_int_equal(lb_life_wait_bucket(999999), 5);
    assert_int_equal(lb_life_wait_bucket(1000000), 6);
    assert_int_equal(lb_life_wait_bucket(INT64_MAX), 6);
}

static const char *no_env(void *ctx, const char *name) {
    (void)ctx;
    (void)name;
    return NULL;
}

/* Resolves a static-mode config with the given pool keys. */
static int resolve_pool(const char *const *pairs, lb_resolved_config *rc,
                        lakebase_error **err) {
    lakebase_config *cfg = lb_config_create();
    assert_non_null(cfg);
    const char *const base[] = {"pg.host", "h",           "pg.user",
                                "u",       "pg.password", "p"};
    for (size_t i = 0; i < 6; i += 2)
        assert_int_equal(lb_config_set(cfg, base[i], base[i + 1], NULL), 0);
    for (size_t i = 0; pairs[i]; i += 2)
        assert_int_equal(lb_config_set(cfg, pairs[i], pairs[i + 1], NULL), 0);
    int code = lb_config_resolve_env(cfg, no_env, NULL, rc, err);
    lb_config_destroy(cfg);
    return code;
}

static void test_pool_keys_resolve_with_defaults(void **state) {
    (void)state;
    lb_resolved_config rc;
    const char *const none[] = {NULL};
    assert_int_equal(resolve_pool(none, &rc, NULL), 0);
    assert_int_equal(rc.pool.min_size, 0);
    assert_int_equal(rc.pool.max_size, 10);
    assert_int_equal(rc.pool.max_idle, 10); /* follows max_size */
    assert_int_equal(rc.pool.idle_timeout_s, 600);
    assert_int_equal(rc.pool.max_lifetime_s, 2700);
    assert_true(rc.pool.lifetime_jitter == 0.1);
    assert_int_equal(rc.pool.acquire_timeout_ms, 30000);
    assert_int_equal(rc.pool.connect_timeout_ms, 30000);
    assert_int_equal(rc.pool.statement_timeout_ms, 0);
    assert_int_equal(rc.pool.max_connecting, 4);
    assert_int_equal(rc.pool.validate_after_idle_ms, 1000);
    lb_resolved_config_clear(&rc);
    const char *const sized[] = {"pool.max_size", "4", NULL};
    assert_int_equal(resolve_pool(sized, &rc, NULL), 0);
    assert_int_equal(rc.pool.max_idle, 4);
    lb_resolved_config_clear(&rc);
}

static void test_pool_sizes_must_nest(void **state) {
    (void)state;
    lb_resolved_config rc;
    lakebase_error *err = NULL;
    const char *const inverted[] = {"pool.min_size", "5", "pool.max_size", "2",
                                    NULL};
    assert_int_equal(resolve_pool(inverted, &rc, &err), LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "pool.min_size (5)"));
    assert_non_null(strstr(lakebase_error_message(err), "pool.max_size (2)"));
    lakebase_error_free(err);
    err = NULL;
    const char *const idle[] = {"pool.min_size", "3", "pool.max_idle", "2",
                                NULL};
    assert_int_equal(resolve_pool(idle, &rc, &err), LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "pool.max_idle (2)"));
    lakebase_error_free(err);
    lakebase_config *cfg = lb_config_create();
    err = NULL;
    assert_int_equal(lb_config_set(cfg, "pool.max_size", "0", &err),
                     LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "pool.max_size"));
    lakebase_error_free(err);
    lb_config_destroy(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifetime_without_jitter_is_max_lifetime),
        cmocka_unit_test(test_lifetime_jitter_shortens_by_at_most_the_fraction),
        cmocka_unit_test(test_zero_max_lifetime_means_never),
        cmocka_unit_test(test_wait_buckets_split_at_powers_of_ten),
        cmocka_unit_test(test_pool_keys_resolve_with_defaults),
        cmocka_unit_test(test_pool_sizes_must_nest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
