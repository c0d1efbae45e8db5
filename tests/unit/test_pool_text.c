/* Parsing PostgreSQL's text output: timestamps (ISO, UTC), integers,
 * doubles, booleans and bytea hex. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_text.h"

static int64_t ts(const char *s) {
    int64_t v = 0;
    assert_int_equal(lb_pg_parse_timestamp_us(s, &v), 0);
    return v;
}

static void test_timestamps_are_microseconds_since_epoch(void **state) {
    (void)state;
    assert_true(ts("1970-01-01") == 0);
    assert_true(ts("1970-01-01 00:00:00") == 0);
    assert_true(ts("1970-01-01 00:00:00+00") == 0);
    assert_true(ts("2024-02-29") == 1709164800LL * 1000000);
    assert_true(ts("2024-02-29 12:34:56.5") ==
                (1709164800LL + 45296) * 1000000 + 500000);
    assert_true(ts("1999-12-31 23:59:59.999999") == 946684799999999LL);
    assert_true(ts("1969-12-31 23:59:59.999999") == -1);
    assert_true(ts("2024-02-29 12:00:00+05:30") ==
                (1709208000LL - 19800) * 1000000);
    assert_true(ts("2024-02-29 12:00:00-03:30:15") ==
                (1709208000LL + 12615) * 1000000);
    assert_true(ts("0001-01-01") == -62135596800LL * 1000000);
    assert_true(ts("0001-12-31 BC") == -62135683200LL * 1000000);
    assert_true(ts("10000-01-01") == 253402300800LL * 1000000);
}

static void test_bad_or_unrepresentable_timestamps_are_refused(void **state) {
    (void)state;
    static const char *const bad[] = {"infinity",
                                      "-infinity",
                                      "",
                                      "2024-02-30",
                                      "2023-02-29",
                                      "2024-13-01",
                                      "2024-1-01",
                                      "24-01-01",
                                      "2024-01-01 24:00:00",
                                      "2024-01-01 12:60:00",
                                      "2024-01-01 12:00",
                                      "2024-01-01 12:00:00.",
                                      "2024-01-01 12:00:00.1234567",
                                      "2024-01-01 12:00:00+",
                                      "2024-01-01 12:00:00+16",
                                      "2024-01-01x",
                                      "0000-01-01",
                                      "2024-01-01 AD",
                                      "5874897-12-31",
                                      "294277-01-01 00:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 42;
        if (lb_pg_parse_timestamp_us(bad[i], &v) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_true(v == 42);
    }
    int64_t v;
    assert_int_equal(lb_pg_parse_timestamp_us(NULL, &v), -1);
}

static void test_integers_must_fit_and_be_whole(void **state) {
    (void)state;
    int64_t v;
    assert_int_equal(lb_pg_parse_int64("-9223372036854775808", &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(lb_pg_parse_int64("9223372036854775808", &v), -1);
    assert_int_equal(lb_pg_parse_int64("12a", &v), -1);
    assert_int_equal(lb_pg_parse_int64(" 1", &v), -1);
    assert_int_equal(lb_pg_parse_int64("", &v), -1);
    assert_int_equal(lb_pg_parse_int64("-", &v), -1);
}

static void test_doubles_ignore_the_process_locale(void **state) {
    (void)state;
    double d;
    /* A comma-decimal locale, if the machine has one, must not matter. */
    setlocale(LC_NUMERIC, "de_DE.UTF-8");
    assert_int_equal(lb_pg_parse_double("1.5", &d), 0);
    assert_true(d == 1.5);
    setlocale(LC_NUMERIC, "C");
    assert_int_equal(lb_pg_parse_double("-Infinity", &d), 0);
    assert_true(isinf(d) && d < 0);
    assert_int_equal(lb_pg_parse_double("NaN", &d), 0);
    assert_true(isnan(d));
    assert_int_equal(lb_pg_parse_double("1e400", &d), -1);
    assert_int_equal(lb_pg_parse_double("1.5x", &d), -1);
    assert_int_equal(lb_pg_parse_double("", &d), -1);
}

static void test_booleans_are_t_or_f(void **state) {
    (void)state;
    int b;
    assert_int_equal(lb_pg_parse_bool("t", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(lb_pg_parse_bool("f", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(lb_pg_parse_bool("true", &b), -1);
    assert_int_equal(lb_pg_parse_bool("", &b), -1);
}

static void test_bytea_hex_decodes_and_rejects_bad_digits(void **state) {
    (void)state;
    unsigned char *out = NULL;
    size_t n = 99;
    assert_int_equal(lb_pg_parse_bytea_hex("\\x00FFa0", 8, &out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "\x00\xff\xa0", 3);
    free(out);
    assert_int_equal(lb_pg_parse_bytea_hex("\\x", 2, &out, &n), 0);
    assert_int_equal(n, 0);
    free(out);
    assert_int_equal(lb_pg_parse_bytea_hex("\\x0", 3, &out, &n), -1);
    assert_int_equal(lb_pg_parse_bytea_hex("\\xzz", 4, &out, &n), -1);
    assert_int_equal(lb_pg_parse_bytea_hex("\\000", 4, &out, &n), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamps_are_microseconds_since_epoch),
        cmocka_unit_test(test_bad_or_unrepresentable_timestamps_are_refused),
        cmocka_unit_test(test_integers_must_fit_and_be_whole),
        cmocka_unit_test(test_doubles_ignore_the_process_locale),
        cmocka_unit_test(test_booleans_are_t_or_f),
        cmocka_unit_test(test_bytea_hex_decodes_and_rejects_bad_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
