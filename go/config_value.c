// Code generated from core/config_value.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The checks every configuration value passes by kind, and the parsers that
 * turn checked text into numbers and booleans. Parsing is by hand so the
 * host application's locale (a ',' decimal point) never changes a value. */
#include "config_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "api_parse.h"
#include "error.h"

/* Enough digits for any range we use, few enough to never overflow. */
#define MAX_DIGITS 15

int lb_value_parse_long(const char *s, long *out) {
    long v = 0;
    size_t n = 0;
    for (; isdigit((unsigned char)s[n]); n++) {
        if (n == MAX_DIGITS)
            return -1;
        v = v * 10 + (s[n] - '0');
    }
    if (n == 0 || s[n] != '\0')
        return -1;
    *out = v;
    return 0;
}

int lb_value_parse_number(const char *s, double *out) {
    long long mantissa = 0;
    long long scale = 1;
    size_t digits = 0;
    int seen_point = 0;
    for (; *s; s++) {
        if (*s == '.' && !seen_point) {
            seen_point = 1;
            continue;
        }
        if (!isdigit((unsigned char)*s) || ++digits > MAX_DIGITS)
            return -1;
        mantissa = mantissa * 10 + (*s - '0');
        if (seen_point)
            scale *= 10;
    }
    if (digits == 0)
        return -1;
    *out = (double)mantissa / (double)scale;
    return 0;
}

int lb_value_parse_bool(const char *s, int *out) {
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int check_int(const lb_key_def *key, const char *value,
                     const char *where, lakebase_error **err) {
    long v;
    if (lb_value_parse_long(value, &v) != 0)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): \"%.64s\" is not a whole number; use an "
                      "integer from %ld to %ld",
                      key->name, where, value, (long)key->min, (long)key->max);
    if (v < (long)key->min || v > (long)key->max)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): %ld is out of range; use an integer from %ld "
                      "to %ld",
                      key->name, where, v, (long)key->min, (long)key->max);
    return 0;
}

static int check_number(const lb_key_def *key, const char *value,
                        const char *where, lakebase_error **err) {
    double v;
    if (lb_value_parse_number(value, &v) != 0)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): \"%.64s\" is not a decimal number; use a "
                      "number from %g to %g (with a '.' decimal point)",
                      key->name, where, value, key->min, key->max);
    if (v < key->min || v > key->max)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): %g is out of range; use a number from %g to %g",
                      key->name, where, v, key->min, key->max);
    return 0;
}

static int check_enum(const lb_key_def *key, const char *value,
                      const char *where, lakebase_error **err) {
    char valid[256] = "";
    for (const char *const *c = key->choices; *c; c++) {
        if (strcmp(value, *c) == 0)
            return 0;
        size_t used = strlen(valid);
        snprintf(valid + used, sizeof valid - used, "%s%s",
                 c == key->choices ? "" : ", ", *c);
    }
    return lb_err(err, LAKEBASE_ECONFIG,
                  "%s (%s): \"%.64s\" is not valid; use one of: %s", key->name,
                  where, value, valid);
}

static int check_json_array(const lb_key_def *key, const char *value,
                            const char *where, lakebase_error **err) {
    cJSON *doc = lb_json_parse_exact(value, strlen(value));
    int is_array = cJSON_IsArray(doc);
    cJSON_Delete(doc);
    if (!is_array)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): not a JSON array; expected e.g. "
                      "[{\"permission_set\": \"READ_ONLY\", \"resources\": "
                      "[{\"table_name\": \"catalog.schema.table\"}]}]",
                      key->name, where);
    return 0;
}

/* JSON may span lines; no other value has a reason to hold a control
 * character, and one in a host or header would be an injection. */
static int has_control_char(const char *s, lb_key_kind kind) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (kind == LB_KIND_JSON && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (c < 0x20 || c == 0x7f)
            return 1;
    }
    return 0;
}

int lb_key_check(const lb_key_def *key, const char *value, const char *where,
                 lakebase_error **err) {
    size_t len = strnlen(value, LB_CONFIG_MAX_VALUE + 1);
    if (len == 0)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): the value is empty; unset the key instead",
                      key->name, where);
    if (len > LB_CONFIG_MAX_VALUE)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): the value is longer than %d bytes", key->name,
                      where, LB_CONFIG_MAX_VALUE);
    if (has_control_char(value, key->kind))
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): the value contains a control character "
                      "(newline, tab, ...); remove it",
                      key->name, where);
    int rc = 0;
    switch (key->kind) {
    case LB_KIND_STRING:
    case LB_KIND_SECRET: break;
    case LB_KIND_INT: rc = check_int(key, value, where, err); break;
    case LB_KIND_NUMBER: rc = check_number(key, value, where, err); break;
    case LB_KIND_BOOL: {
        int b;
        if (lb_value_parse_bool(value, &b) != 0)
            rc = lb_err(err, LAKEBASE_ECONFIG,
                        "%s (%s): \"%.64s\" is not a boolean; use true or "
                        "false (also 1/0, yes/no, on/off)",
                        key->name, where, value);
        break;
    }
    case LB_KIND_ENUM: rc = check_enum(key, value, where, err); break;
    case LB_KIND_JSON: rc = check_json_array(key, value, where, err); break;
    }
    if (rc == 0 && key->validate)
        rc = key->validate(key, value, where, err);
    return rc;
}
