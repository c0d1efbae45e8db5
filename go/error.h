// Code generated from core/error.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Internal error objects: construction helpers behind lakebase_error. */
#ifndef LB_ERROR_H
#define LB_ERROR_H

#include "lakebase.h"

struct lakebase_error {
    int code;
    int http_status;
    char *message;
    char *api_code; /* never NULL once built: "" when absent */
    char *sqlstate; /* never NULL once built: "" when absent */
};

/* Builds an error into *err (if err is non-NULL and *err is NULL; an existing
 * error is kept, the first cause wins) and returns `code`, so callers can
 * write `return lb_err(err, LAKEBASE_ECONFIG, "...", ...)`.
 * The formatted message must never contain a secret. */
int lb_err(lakebase_error **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with the HTTP status and the API's error_code (may be NULL). */
int lb_err_http(lakebase_error **err, int code, int http_status,
                const char *api_code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Same, with a SQLSTATE (may be NULL). */
int lb_err_sql(lakebase_error **err, int code, const char *sqlstate,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Frees an error object (NULL accepted). */
void lb_err_destroy(lakebase_error *e);

/* Deep copy (NULL on allocation failure). */
lakebase_error *lb_err_clone(const lakebase_error *src);

/* Readers that accept NULL (code LAKEBASE_EINVAL, strings ""). */
static inline int lb_err_code(const lakebase_error *e) {
    return e ? e->code : LAKEBASE_EINVAL;
}
static inline const char *lb_err_message(const lakebase_error *e) {
    return e && e->message ? e->message : "";
}
static inline int lb_err_http_status(const lakebase_error *e) {
    return e ? e->http_status : 0;
}
static inline const char *lb_err_api_code(const lakebase_error *e) {
    return e && e->api_code ? e->api_code : "";
}
static inline const char *lb_err_sqlstate(const lakebase_error *e) {
    return e && e->sqlstate ? e->sqlstate : "";
}

/* The code table: "ECONFIG" ("EUNKNOWN" for a code not in it), the short
 * description ("configuration error"), and the code named `name` (0, or
 * LAKEBASE_EINVAL when no code has that name). */
const char *lb_err_name(int code);
const char *lb_err_describe(int code);
int lb_err_code_named(const char *name, int *code);

#endif
