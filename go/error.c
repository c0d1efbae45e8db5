// Code generated from core/error.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s) {
    const char *src = s ? s : "";
    size_t n = strlen(src) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, src, n);
    return d;
}

static void error_destroy(lakebase_error *e) {
    if (!e)
        return;
    free(e->message);
    free(e->api_code);
    free(e->sqlstate);
    free(e);
}

/* Allocation failure while reporting an error must not lose the code: a
 * static fallback object would be shared and freed, so on ENOMEM we return
 * the code and leave *err NULL. */
static int build(lakebase_error **err, int code, int http_status,
                 const char *api_code, const char *sqlstate, const char *fmt,
                 va_list ap) {
    if (!err || *err)
        return code;
    lakebase_error *e = calloc(1, sizeof *e);
    if (!e)
        return code;
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    e->code = code;
    e->http_status = http_status;
    e->message = dup_or_empty(buf);
    e->api_code = dup_or_empty(api_code);
    e->sqlstate = dup_or_empty(sqlstate);
    if (!e->message || !e->api_code || !e->sqlstate) {
        error_destroy(e);
        return code;
    }
    *err = e;
    return code;
}

int lb_err(lakebase_error **err, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = build(err, code, 0, NULL, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int lb_err_http(lakebase_error **err, int code, int http_status,
                const char *api_code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = build(err, code, http_status, api_code, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int lb_err_sql(lakebase_error **err, int code, const char *sqlstate,
               const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = build(err, code, 0, NULL, sqlstate, fmt, ap);
    va_end(ap);
    return rc;
}

lakebase_error *lb_err_clone(const lakebase_error *src) {
    if (!src)
        return NULL;
    lakebase_error *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->code = src->code;
    e->http_status = src->http_status;
    e->message = dup_or_empty(src->message);
    e->api_code = dup_or_empty(src->api_code);
    e->sqlstate = dup_or_empty(src->sqlstate);
    if (!e->message || !e->api_code || !e->sqlstate) {
        error_destroy(e);
        return NULL;
    }
    return e;
}

void lb_err_destroy(lakebase_error *e) { error_destroy(e); }

/* The one table of codes: bindings read names and descriptions from it
 * through lakebase_error_name / lakebase_strerror, never a copy of their
 * own. Append-only, like the codes. */
static const struct {
    int code;
    const char *name;
    const char *text;
} CODES[] = {
    {LAKEBASE_OK, "OK", "success"},
    {LAKEBASE_EINVAL, "EINVAL", "invalid argument"},
    {LAKEBASE_ENOMEM, "ENOMEM", "out of memory"},
    {LAKEBASE_ECONFIG, "ECONFIG", "configuration error"},
    {LAKEBASE_EAUTH, "EAUTH", "workspace authentication failed"},
    {LAKEBASE_EPERM, "EPERM", "permission denied"},
    {LAKEBASE_ENOTFOUND, "ENOTFOUND", "not found"},
    {LAKEBASE_EAPI, "EAPI", "request rejected by the API"},
    {LAKEBASE_ENETWORK, "ENETWORK", "network error"},
    {LAKEBASE_ESERVER, "ESERVER", "server unavailable"},
    {LAKEBASE_ETIMEOUT, "ETIMEOUT", "timed out"},
    {LAKEBASE_EPROTOCOL, "EPROTOCOL", "malformed response"},
    {LAKEBASE_ECLOSED, "ECLOSED", "closed"},
    {LAKEBASE_EHANDLE, "EHANDLE", "invalid handle"},
    {LAKEBASE_ECALLBACK, "ECALLBACK", "token source callback failed"},
    {LAKEBASE_ERANGE, "ERANGE", "buffer too small"},
    {LAKEBASE_EINTERNAL, "EINTERNAL", "internal error"},
    {LAKEBASE_ELOGIN, "ELOGIN", "login refused"},
    {LAKEBASE_ESQL, "ESQL", "SQL error"},
    {LAKEBASE_ECONNECTION, "ECONNECTION", "connection failed"},
    {LAKEBASE_ECANCELED, "ECANCELED", "statement cancelled"},
};
#define N_CODES (sizeof CODES / sizeof CODES[0])

const char *lb_err_name(int code) {
    for (size_t i = 0; i < N_CODES; i++)
        if (CODES[i].code == code)
            return CODES[i].name;
    return "EUNKNOWN";
}

const char *lb_err_describe(int code) {
    for (size_t i = 0; i < N_CODES; i++)
        if (CODES[i].code == code)
            return CODES[i].text;
    return "unknown error";
}

int lb_err_code_named(const char *name, int *code) {
    for (size_t i = 0; name && i < N_CODES; i++)
        if (strcmp(CODES[i].name, name) == 0) {
            *code = CODES[i].code;
            return 0;
        }
    return LAKEBASE_EINVAL;
}
