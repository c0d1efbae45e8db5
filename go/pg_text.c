// Code generated from core/pg_text.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "pg_text.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int lb_pg_parse_int64(const char *s, int64_t *out) {
    if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
        return -1;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = (int64_t)v;
    return 0;
}

static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void make_c_numeric(void) {
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

int lb_pg_parse_double(const char *s, double *out) {
    if (!s || !s[0] || isspace((unsigned char)s[0]))
        return -1;
    /* The application may have set a locale whose decimal point is ','. */
    pthread_once(&c_numeric_once, make_c_numeric);
    if (c_numeric == (locale_t)0)
        return -1;
    locale_t previous = uselocale(c_numeric);
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    int saved = errno;
    uselocale(previous);
    if (end == s || *end != '\0')
        return -1;
    int named_infinity = strstr(s, "Infinity") != NULL;
    if (isinf(v) && !named_infinity)
        return -1;
    (void)saved; /* ERANGE on underflow still gives the nearest double */
    *out = v;
    return 0;
}

int lb_pg_parse_bool(const char *s, int *out) {
    if (s && s[0] && !s[1] && (s[0] == 't' || s[0] == 'f')) {
        *out = s[0] == 't';
        return 0;
    }
    return -1;
}

/* Exactly n digits at *p, advancing it. */
static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* "+HH", "+HH:MM" or "+HH:MM:SS" at *p: seconds east of UTC. */
static int parse_offset(const char **p, int64_t *seconds) {
    int sign = **p == '-' ? -1 : 1;
    (*p)++;
    int h, m = 0, s = 0;
    if (digits(p, 2, &h) != 0)
        return -1;
    if (**p == ':') {
        (*p)++;
        if (digits(p, 2, &m) != 0)
            return -1;
        if (**p == ':') {
            (*p)++;
            if (digits(p, 2, &s) != 0)
                return -1;
        }
    }
    if (h > 15 || m > 59 || s > 59)
        return -1;
    *seconds = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* Up to 6 fractional digits (more are refused: PostgreSQL prints at most
 * microseconds). */
static int parse_fraction(const char **p, int64_t *us) {
    int64_t v = 0;
    int n = 0;
    while (isdigit((unsigned char)**p)) {
        if (++n > 6)
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    if (n == 0)
        return -1;
    for (; n < 6; n++)
        v *= 10;
    *us = v;
    return 0;
}

int lb_pg_parse_timestamp_us(const char *s, int64_t *out) {
    if (!s)
        return -1;
    const char *p = s;
    int64_t year = 0;
    int ndigits = 0;
    while (isdigit((unsigned char)*p) && ndigits < 8) {
        year = year * 10 + (*p++ - '0');
        ndigits++;
    }
    int month, day, hh = 0, mm = 0, ss = 0;
    int64_t frac_us = 0, offset_s = 0;
    if (ndigits < 4 || *p++ != '-' || digits(&p, 2, &month) != 0 ||
        *p++ != '-' || digits(&p, 2, &day) != 0)
        return -1;
    if (*p == ' ' && isdigit((unsigned char)p[1])) {
        p++;
        if (digits(&p, 2, &hh) != 0 || *p++ != ':' || digits(&p, 2, &mm) != 0 ||
            *p++ != ':' || digits(&p, 2, &ss) != 0)
            return -1;
        if (*p == '.') {
            p++;
            if (parse_fraction(&p, &frac_us) != 0)
                return -1;
        }
        if ((*p == '+' || *p == '-') && parse_offset(&p, &offset_s) != 0)
            return -1;
    }
    if (year == 0) /* PostgreSQL prints 1 BC, never year 0 */
        return -1;
    if (strcmp(p, " BC") == 0) {
        year = 1 - year; /* 1 BC is year 0 */
        p += 3;
    }
    if (*p != '\0')
        return -1;
    if (month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hh > 23 || mm > 59 || ss > 59)
        return -1;
    int64_t days = days_from_civil(year, month, day);
    int64_t secs = (int64_t)hh * 3600 + mm * 60 + ss - offset_s;
    int64_t us;
    if (__builtin_mul_overflow(days, (int64_t)86400000000, &us) ||
        __builtin_add_overflow(us, secs * 1000000 + frac_us, &us))
        return -1;
    *out = us;
    return 0;
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int lb_pg_parse_bytea_hex(const char *s, size_t len, unsigned char **out,
                          size_t *out_len) {
    if (!s || len < 2 || s[0] != '\\' || s[1] != 'x' || (len - 2) % 2 != 0)
        return -1;
    size_t n = (len - 2) / 2;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value((unsigned char)s[2 + 2 * i]);
        int lo = hex_value((unsigned char)s[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return -1;
        }
        buf[i] = (unsigned char)(hi << 4 | lo);
    }
    *out = buf;
    *out_len = n;
    return 0;
}
