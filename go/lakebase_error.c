// Code generated from bindings/src/lakebase_error.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Public accessors for error objects, versions and code descriptions. */
#include "lakebase.h"

#include "error.h"

#define LB_STR2(x) #x
#define LB_STR(x)  LB_STR2(x)

const char *lakebase_version(void) {
    return LB_STR(LAKEBASE_VERSION_MAJOR) "." LB_STR(
        LAKEBASE_VERSION_MINOR) "." LB_STR(LAKEBASE_VERSION_PATCH);
}

int lakebase_version_number(void) { return LAKEBASE_VERSION_NUMBER; }

const char *lakebase_strerror(int code) { return lb_err_describe(code); }

const char *lakebase_error_name(int code) { return lb_err_name(code); }

int lakebase_error_code_from_name(const char *name, int *code) {
    if (!code)
        return LAKEBASE_EINVAL;
    return lb_err_code_named(name, code);
}

int lakebase_error_code(const lakebase_error *err) { return lb_err_code(err); }

const char *lakebase_error_message(const lakebase_error *err) {
    return lb_err_message(err);
}

int lakebase_error_http_status(const lakebase_error *err) {
    return lb_err_http_status(err);
}

const char *lakebase_error_api_code(const lakebase_error *err) {
    return lb_err_api_code(err);
}

const char *lakebase_error_sqlstate(const lakebase_error *err) {
    return lb_err_sqlstate(err);
}

void lakebase_error_free(lakebase_error *err) { lb_err_destroy(err); }
