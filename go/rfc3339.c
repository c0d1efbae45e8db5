// Code generated from core/rfc3339.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "rfc3339.h"

#include <stdbool.h>
#include <stdio.h>

#define NS_PER_SEC   INT64_C(1000000000)
#define SECS_PER_DAY INT64_C(86400)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). Computed here rather than with timegm() so the result
 * never depends on the process time zone or locale. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m) {
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n ASCII digits at s[*pos], bounded by len. */
static bool read_digits(const char *s, size_t len, size_t *pos, int n,
                        int *out) {
    if (len - *pos < (size_t)n)
        return false;
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = s[*pos + (size_t)i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return true;
}

static bool expect_char(const char *s, size_t len, size_t *pos,
                        const char *accepted) {
    if (*pos >= len)
        return false;
    for (const char *a = accepted; *a; a++) {
        if (s[*pos] == *a) {
            (*pos)++;
            return true;
        }
    }
    return false;
}

/* Optional ".f{1,9}": the fraction as nanoseconds, digits scaled exactly
 * (".1" is 100 ms, ".291763" equals ".291763000"). */
static bool read_fraction(const char *s, size_t len, size_t *pos,
                          int64_t *frac_ns) {
    *frac_ns = 0;
    if (*pos >= len || s[*pos] != '.')
        return true;
    (*pos)++;
    int digits = 0;
    int64_t v = 0;
    while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
        if (++digits > 9)
            return false;
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
    }
    if (digits == 0)
        return false;
    for (int i = digits; i < 9; i++)
        v *= 10;
    *frac_ns = v;
    return true;
}

/* "Z" or "±HH:MM", returned as seconds east of UTC. */
static bool read_offset(const char *s, size_t len, size_t *pos,
                        int64_t *offset_s) {
    if (expect_char(s, len, pos, "Zz")) {
        *offset_s = 0;
        return true;
    }
    if (*pos >= len || (s[*pos] != '+' && s[*pos] != '-'))
        return false;
    int sign = s[*pos] == '-' ? -1 : 1;
    (*pos)++;
    int hh, mm;
    if (!read_digits(s, len, pos, 2, &hh) || !expect_char(s, len, pos, ":") ||
        !read_digits(s, len, pos, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *offset_s = sign * (hh * 3600 + mm * 60);
    return true;
}

int lb_rfc3339_parse(const char *s, size_t len, int64_t *out_unix_ns) {
    if (!s || !out_unix_ns)
        return -1;
    size_t pos = 0;
    int year, month, day, hour, minute, second;
    int64_t frac_ns, offset_s;
    if (!read_digits(s, len, &pos, 4, &year) ||
        !expect_char(s, len, &pos, "-") ||
        !read_digits(s, len, &pos, 2, &month) ||
        !expect_char(s, len, &pos, "-") ||
        !read_digits(s, len, &pos, 2, &day) ||
        !expect_char(s, len, &pos, "Tt ") ||
        !read_digits(s, len, &pos, 2, &hour) ||
        !expect_char(s, len, &pos, ":") ||
        !read_digits(s, len, &pos, 2, &minute) ||
        !expect_char(s, len, &pos, ":") ||
        !read_digits(s, len, &pos, 2, &second) ||
        !read_fraction(s, len, &pos, &frac_ns) ||
        !read_offset(s, len, &pos, &offset_s) || pos != len)
        return -1;
    if (year < 1970 || year > 2262 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hour > 23 || minute > 59 ||
        second > 60)
        return -1;
    if (second == 60) {
        /* POSIX time has no leap seconds: keep the instant inside the
         * minute it names rather than rolling into the next one. */
        second = 59;
        frac_ns = NS_PER_SEC - 1;
    }
    int64_t secs = days_from_civil(year, month, day) * SECS_PER_DAY +
                   hour * 3600 + minute * 60 + second - offset_s;
    /* Late 2262 no longer fits int64 nanoseconds. */
    if (secs > (INT64_MAX - frac_ns) / NS_PER_SEC)
        return -1;
    *out_unix_ns = secs * NS_PER_SEC + frac_ns;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int lb_rfc3339_format_ms(int64_t unix_ms, char *buf, size_t cap) {
    /* Four-digit years only; this bound also keeps the arithmetic below
     * far from int64 overflow. */
    const int64_t ms_per_day = SECS_PER_DAY * 1000;
    if (!buf || cap < 25 || unix_ms < days_from_civil(0, 1, 1) * ms_per_day ||
        unix_ms >= days_from_civil(10000, 1, 1) * ms_per_day)
        return -1;
    int64_t days = floor_div(unix_ms, ms_per_day);
    int64_t ms_of_day = unix_ms - days * ms_per_day;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)year, month,
             day, (int)(ms_of_day / 3600000), (int)(ms_of_day / 60000 % 60),
             (int)(ms_of_day / 1000 % 60), (int)(ms_of_day % 1000));
    return 0;
}
