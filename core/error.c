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
