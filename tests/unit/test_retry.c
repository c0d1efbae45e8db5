#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lakebase.h"
#include "retry.h"

static const lb_backoff refresh = {.floor_ms = 1000, .cap_ms = 60000};

static void test_transient_http_statuses_are_retried(void **state) {
    (void)state;
    static const long retried[] = {429, 500, 502, 503, 504};
    for (size_t i = 0; i < sizeof retried / sizeof retried[0]; i++) {
        if (lb_retry_classify(0, retried[i]) != LB_RETRY_YES)
            fail_msg("HTTP %ld should be retried", retried[i]);
    }
}

static void test_client_errors_fail_fast(void **state) {
    (void)state;
    static const long final[] = {200, 204, 301, 400, 401,
                                 403, 404, 409, 422, 501};
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++) {
        if (lb_retry_classify(0, final[i]) != LB_RETRY_NO)
            fail_msg("HTTP %ld should fail fast", final[i]);
    }
}

static void test_network_and_timeout_are_retried(void **state) {
    (void)state;
    assert_int_equal(lb_retry_classify(LAKEBASE_ENETWORK, 0), LB_RETRY_YES);
    assert_int_equal(lb_retry_classify(LAKEBASE_ETIMEOUT, 0), LB_RETRY_YES);
}

static void test_config_parse_and_auth_codes_fail_fast(void **state) {
    (void)state;
    static const int final[] = {LAKEBASE_ECONFIG,   LAKEBASE_EPROTOCOL,
                                LAKEBASE_EINVAL,    LAKEBASE_ENOMEM,
                                LAKEBASE_EAUTH,     LAKEBASE_EPERM,
                                LAKEBASE_ENOTFOUND, LAKEBASE_EAPI};
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++) {
        if (lb_retry_classify(final[i], 0) != LB_RETRY_NO)
            fail_msg("code %d should fail fast", final[i]);
    }
    /* A transport failure wins over whatever status is left over. */
    assert_int_equal(lb_retry_classify(LAKEBASE_EPROTOCOL, 503), LB_RETRY_NO);
}

static void test_statuses_map_to_error_codes(void **state) {
    (void)state;
    static const struct {
        long status;
        int code;
    } table[] = {
        {200, 0},
        {299, 0},
        {400, LAKEBASE_EAPI},
        {401, LAKEBASE_EAUTH},
        {403, LAKEBASE_EPERM},
        {404, LAKEBASE_ENOTFOUND},
        {409, LAKEBASE_EAPI},
        {418, LAKEBASE_EAPI},
        {429, LAKEBASE_ESERVER},
        {500, LAKEBASE_ESERVER},
        {501, LAKEBASE_ESERVER},
        {502, LAKEBASE_ESERVER},
        {503, LAKEBASE_ESERVER},
        {504, LAKEBASE_ESERVER},
        {302, LAKEBASE_EPROTOCOL},
        {0, LAKEBASE_EPROTOCOL},
        {700, LAKEBASE_EPROTOCOL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (lb_http_status_code(table[i].status) != table[i].code)
            fail_msg("HTTP %ld -> %d, want %d", table[i].status,
                     lb_http_status_code(table[i].status), table[i].code);
    }
}

static void test_backoff_lowest_draw_is_the_floor(void **state) {
    (void)state;
    for (int attempt = 1; attempt <= 20; attempt++)
        assert_int_equal(lb_backoff_ms(&refresh, attempt, -1, 0), 1000);
}

static void test_backoff_highest_draw_is_the_doubling_ceiling(void **state) {
    (void)state;
    static const int64_t want[] = {1000,  2000,  4000,  8000,
                                   16000, 32000, 60000, 60000};
    for (int attempt = 1; attempt <= 8; attempt++)
        assert_int_equal(lb_backoff_ms(&refresh, attempt, -1, UINT32_MAX),
                         want[attempt - 1]);
    assert_int_equal(lb_backoff_ms(&refresh, 1000000, -1, UINT32_MAX), 60000);
}

static void test_backoff_stays_between_floor_and_cap(void **state) {
    (void)state;
    uint32_t r = 12345;
    for (int attempt = 1; attempt <= 64; attempt++) {
        for (int k = 0; k < 50; k++) {
            r = r * 1664525u + 1013904223u;
            int64_t w = lb_backoff_ms(&refresh, attempt, -1, r);
            assert_in_range(w, 1000, 60000);
        }
    }
}

static void test_backoff_middle_draw_is_in_the_middle(void **state) {
    (void)state;
    /* attempt 3: [1000, 4000] */
    int64_t w = lb_backoff_ms(&refresh, 3, -1, UINT32_MAX / 2);
    assert_in_range(w, 2499, 2501);
}

static void test_backoff_honours_server_hint_up_to_cap(void **state) {
    (void)state;
    assert_int_equal(lb_backoff_ms(&refresh, 1, 7000, 0), 7000);
    assert_int_equal(lb_backoff_ms(&refresh, 1, 120000, 0), 60000);
    /* A hint shorter than the draw does not shorten it. */
    assert_int_equal(lb_backoff_ms(&refresh, 3, 1500, UINT32_MAX), 4000);
    /* A hint below the floor does not go under it. */
    assert_int_equal(lb_backoff_ms(&refresh, 1, 10, 0), 1000);
}

static void test_backoff_survives_odd_settings(void **state) {
    (void)state;
    const lb_backoff zero = {.floor_ms = 0, .cap_ms = 0};
    assert_int_equal(lb_backoff_ms(&zero, 5, -1, UINT32_MAX), 0);
    const lb_backoff inverted = {.floor_ms = 5000, .cap_ms = 100};
    assert_int_equal(lb_backoff_ms(&inverted, 3, -1, UINT32_MAX), 5000);
    const lb_backoff huge = {.floor_ms = INT64_MAX / 4, .cap_ms = INT64_MAX};
    assert_true(lb_backoff_ms(&huge, 62, -1, UINT32_MAX) >= INT64_MAX / 4);
    assert_int_equal(lb_backoff_ms(&refresh, 0, -1, UINT32_MAX), 1000);
    assert_int_equal(lb_backoff_ms(&refresh, -5, -1, UINT32_MAX), 1000);
}

static void *draw_many(void *arg) {
    uint32_t *acc = arg;
    for (int i = 0; i < 10000; i++)
        *acc ^= lb_random_u32();
    return NULL;
}

static void test_random_u32_varies_and_is_thread_safe(void **state) {
    (void)state;
    uint32_t first = lb_random_u32(), high = 0, low = UINT32_MAX;
    int distinct = 0;
    for (int i = 0; i < 256; i++) {
        uint32_t v = lb_random_u32();
        distinct += v != first;
        high = v > high ? v : high;
        low = v < low ? v : low;
    }
    assert_true(distinct > 250);
    assert_true(high > UINT32_MAX / 4 * 3);
    assert_true(low < UINT32_MAX / 4);
    pthread_t t[4];
    uint32_t acc[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, draw_many, &acc[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_not_equal(acc[i], 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transient_http_statuses_are_retried),
        cmocka_unit_test(test_client_errors_fail_fast),
        cmocka_unit_test(test_network_and_timeout_are_retried),
        cmocka_unit_test(test_config_parse_and_auth_codes_fail_fast),
        cmocka_unit_test(test_statuses_map_to_error_codes),
        cmocka_unit_test(test_backoff_lowest_draw_is_the_floor),
        cmocka_unit_test(test_backoff_highest_draw_is_the_doubling_ceiling),
        cmocka_unit_test(test_backoff_stays_between_floor_and_cap),
        cmocka_unit_test(test_backoff_middle_draw_is_in_the_middle),
        cmocka_unit_test(test_backoff_honours_server_hint_up_to_cap),
        cmocka_unit_test(test_backoff_survives_odd_settings),
        cmocka_unit_test(test_random_u32_varies_and_is_thread_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
