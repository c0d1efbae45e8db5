#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfc3339.h"

#define NS INT64_C(1000000000)

static int parse(const char *s, int64_t *out) {
    return lb_rfc3339_parse(s, strlen(s), out);
}

static int64_t parse_ok(const char *s) {
    int64_t ns = -1;
    if (parse(s, &ns) != 0)
        fail_msg("expected \"%s\" to parse", s);
    return ns;
}

static void test_utc_z_is_epoch_seconds(void **state) {
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2026-02-06T17:07:00Z"),
                     INT64_C(1770397620) * NS);
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"),
                     INT64_C(1709164800) * NS);
}

static void test_offsets_shift_to_utc(void **state) {
    (void)state;
    int64_t utc = parse_ok("2026-02-06T17:07:00Z");
    assert_int_equal(parse_ok("2026-02-06T22:37:00+05:30"), utc);
    assert_int_equal(parse_ok("2026-02-06T09:07:00-08:00"), utc);
    assert_int_equal(parse_ok("2026-02-06T17:07:00+00:00"), utc);
    assert_int_equal(parse_ok("2026-02-06T17:07:00-00:00"), utc);
}

static void test_offset_can_cross_midnight_and_year(void **state) {
    (void)state;
    assert_int_equal(parse_ok("2025-12-31T23:30:00-01:00"),
                     parse_ok("2026-01-01T00:30:00Z"));
}

static void test_fraction_digits_are_exact_at_every_length(void **state) {
    (void)state;
    int64_t base = INT64_C(1795474770) * NS;
    assert_int_equal(parse_ok("2026-11-23T22:59:30.291763Z"), base + 291763000);
    assert_int_equal(parse_ok("2026-11-23T22:59:30.291763000Z"),
                     parse_ok("2026-11-23T22:59:30.291763Z"));
    assert_int_equal(parse_ok("2026-11-23T22:59:30.1Z"), base + 100000000);
    assert_int_equal(parse_ok("2026-11-23T22:59:30.12Z"), base + 120000000);
    assert_int_equal(parse_ok("2026-11-23T22:59:30.123Z"), base + 123000000);
    assert_int_equal(parse_ok("2026-11-23T22:59:30.000000001Z"), base + 1);
    assert_int_equal(parse_ok("2026-11-23T22:59:30.999999999Z"),
                     base + 999999999);
    assert_int_equal(parse_ok("2026-11-23T22:59:30.0Z"), base);
}

static void test_lowercase_t_z_and_space_separator_accepted(void **state) {
    (void)state;
    int64_t want = parse_ok("2026-02-06T17:07:00Z");
    assert_int_equal(parse_ok("2026-02-06t17:07:00z"), want);
    assert_int_equal(parse_ok("2026-02-06 17:07:00Z"), want);
}

static void test_leap_second_clamps_to_end_of_minute(void **state) {
    (void)state;
    int64_t last = parse_ok("2016-12-31T23:59:59Z");
    assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), last + NS - 1);
    assert_int_equal(parse_ok("2016-12-31T23:59:60.5Z"), last + NS - 1);
    assert_true(parse_ok("2016-12-31T23:59:60Z") <
                parse_ok("2017-01-01T00:00:00Z"));
}

static void test_range_ends_are_accepted(void **state) {
    (void)state;
    assert_int_equal(parse_ok("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
    /* Before the epoch by offset only. */
    assert_int_equal(parse_ok("1970-01-01T00:00:00+01:00"), -3600 * NS);
}

static void test_invalid_timestamps_are_rejected(void **state) {
    (void)state;
    static const char *bad[] = {
        "",
        "2025-02-29T00:00:00Z", /* not a leap year */
        "2100-02-29T00:00:00Z", /* century, not a leap year */
        "2024-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T23:60:00Z",
        "2026-01-01T23:59:61Z",
        "2026-01-01T00:00:00",             /* missing offset */
        "2026-01-01T00:00:00.1234567890Z", /* ten fraction digits */
        "2026-01-01T00:00:00.Z",           /* empty fraction */
        "2026-01-01T00:00:00,5Z",
        "2026-01-01T00:00:00Zjunk",
        "2026-01-01T00:00:00Z ",
        " 2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00+0530",
        "2026-01-01T00:00:00+05",
        "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00+05:60",
        "2026-01-01X00:00:00Z",
        "2026-1-01T00:00:00Z",
        "26-01-01T00:00:00Z",
        "+2026-01-01T00:00:00Z",
        "2026-01-01T0:00:00Z",
        "2026/01/01T00:00:00Z",
        "1969-12-31T23:59:59Z", /* before the supported range */
        "2263-01-01T00:00:00Z",
        "2262-04-11T23:47:16.854775808Z", /* one ns past int64 */
        "2262-12-31T23:59:59Z",
        "not a timestamp",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns = 42;
        if (parse(bad[i], &ns) == 0)
            fail_msg("\"%s\" should be rejected", bad[i]);
        assert_int_equal(ns, 42); /* output untouched on failure */
    }
}

static void test_every_truncation_of_a_valid_string_is_rejected(void **state) {
    (void)state;
    static const char *valid[] = {"2026-11-23T22:59:30.291763+05:30",
                                  "2026-11-23T22:59:30Z"};
    for (size_t v = 0; v < 2; v++) {
        size_t n = strlen(valid[v]);
        /* Exact-size heap copies so a sanitizer catches any read past len. */
        for (size_t len = 0; len < n; len++) {
            char *copy = malloc(len ? len : 1);
            assert_non_null(copy);
            memcpy(copy, valid[v], len);
            int64_t ns;
            if (lb_rfc3339_parse(copy, len, &ns) == 0)
                fail_msg("prefix of length %zu of \"%s\" parsed", len,
                         valid[v]);
            free(copy);
        }
        int64_t ns;
        assert_int_equal(lb_rfc3339_parse(valid[v], n, &ns), 0);
    }
}

static void test_embedded_nul_is_rejected(void **state) {
    (void)state;
    static const char with_nul[] = "2026-01-01T00:00:00Z\0garbage";
    int64_t ns;
    assert_int_equal(lb_rfc3339_parse(with_nul, sizeof with_nul - 1, &ns), -1);
    assert_int_equal(lb_rfc3339_parse(with_nul, strlen(with_nul), &ns), 0);
    static const char nul_inside[] = "2026-01-01T00:\0:00Z";
    assert_int_equal(lb_rfc3339_parse(nul_inside, sizeof nul_inside - 1, &ns),
                     -1);
}

static void test_null_arguments_are_rejected(void **state) {
    (void)state;
    int64_t ns;
    assert_int_equal(lb_rfc3339_parse(NULL, 0, &ns), -1);
    assert_int_equal(lb_rfc3339_parse("2026-01-01T00:00:00Z", 20, NULL), -1);
}

static void test_format_ms_writes_utc_with_milliseconds(void **state) {
    (void)state;
    char buf[25];
    assert_int_equal(lb_rfc3339_format_ms(0, buf, sizeof buf), 0);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    assert_int_equal(
        lb_rfc3339_format_ms(INT64_C(1795474770291), buf, sizeof buf), 0);
    assert_string_equal(buf, "2026-11-23T22:59:30.291Z");
    assert_int_equal(lb_rfc3339_format_ms(-1, buf, sizeof buf), 0);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
}

static void test_format_ms_rejects_small_buffer_and_huge_years(void **state) {
    (void)state;
    char buf[64];
    assert_int_equal(lb_rfc3339_format_ms(0, buf, 24), -1);
    assert_int_equal(lb_rfc3339_format_ms(INT64_MAX, buf, sizeof buf), -1);
    assert_int_equal(lb_rfc3339_format_ms(INT64_MIN, buf, sizeof buf), -1);
    assert_int_equal(
        lb_rfc3339_format_ms(INT64_C(253402300800000), buf, sizeof buf), -1);
    assert_int_equal(
        lb_rfc3339_format_ms(INT64_C(253402300799999), buf, sizeof buf), 0);
    assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
}

static void test_format_then_parse_round_trips(void **state) {
    (void)state;
    static const int64_t samples_ms[] = {
        0,
        1,
        999,
        86399999,
        951782400000 /* 2000-02-29 */,
        INT64_C(1709164800123),
        INT64_C(1795474770291),
        INT64_C(4102444799999),
        INT64_C(9223372036854), /* last whole ms before the int64-ns limit */
    };
    for (size_t i = 0; i < sizeof samples_ms / sizeof samples_ms[0]; i++) {
        char buf[25];
        assert_int_equal(lb_rfc3339_format_ms(samples_ms[i], buf, sizeof buf),
                         0);
        assert_int_equal(parse_ok(buf), samples_ms[i] * INT64_C(1000000));
    }
    /* A walk across many days, months and leap years. */
    for (int64_t ms = 0; ms < INT64_C(9000000000000);
         ms += INT64_C(7777777777)) {
        char buf[25];
        assert_int_equal(lb_rfc3339_format_ms(ms, buf, sizeof buf), 0);
        assert_int_equal(parse_ok(buf), ms * INT64_C(1000000));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc_z_is_epoch_seconds),
        cmocka_unit_test(test_offsets_shift_to_utc),
        cmocka_unit_test(test_offset_can_cross_midnight_and_year),
        cmocka_unit_test(test_fraction_digits_are_exact_at_every_length),
        cmocka_unit_test(test_lowercase_t_z_and_space_separator_accepted),
        cmocka_unit_test(test_leap_second_clamps_to_end_of_minute),
        cmocka_unit_test(test_range_ends_are_accepted),
        cmocka_unit_test(test_invalid_timestamps_are_rejected),
        cmocka_unit_test(test_every_truncation_of_a_valid_string_is_rejected),
        cmocka_unit_test(test_embedded_nul_is_rejected),
        cmocka_unit_test(test_null_arguments_are_rejected),
        cmocka_unit_test(test_format_ms_writes_utc_with_milliseconds),
        cmocka_unit_test(test_format_ms_rejects_small_buffer_and_huge_years),
        cmocka_unit_test(test_format_then_parse_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
