// Code generated from core/workspace_api.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* One authenticated call to the workspace REST API: bearer from lb_auth,
 * non-2xx answers turned into classified errors carrying the API's
 * error_code and message, one retry after a 401 on a cached OAuth token. */
#ifndef LB_WORKSPACE_API_H
#define LB_WORKSPACE_API_H

#include "auth.h"
#include "http.h"

typedef struct lb_workspace_api {
    const char *host; /* "https://..." */
    lb_auth *auth;
    lb_http_send_fn send;
    void *send_ctx;
    long timeout_ms;
} lb_workspace_api;

/* Performs METHOD host+path with an optional JSON body. Returns 0 with the
 * 2xx answer in *resp (caller clears it), or a negative code with *err set;
 * *retry_hint_ms gets Retry-After / RetryInfo (or -1). */
int lb_workspace_call(const lb_workspace_api *api, const char *method,
                      const char *path, const char *json_body,
                      lb_http_response *resp, int64_t *retry_hint_ms,
                      lakebase_error **err);

#endif
