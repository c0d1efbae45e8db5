// Code generated from core/resolve.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_parse.h"
#include "error.h"
#include "http.h"

int lb_resolve_host(const lb_workspace_api *api, const lb_resolved_config *rc,
                    char **host, int64_t *retry_hint_ms, lakebase_error **err) {
    *host = NULL;
    *retry_hint_ms = -1;
    if (rc->pg_host) {
        *host = strdup(rc->pg_host);
        return *host ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    char path[1024];
    if (rc->endpoint) {
        /* Endpoint names were validated to [a-z0-9-/]: safe in a path. */
        snprintf(path, sizeof path, "/api/2.0/postgres/%s", rc->endpoint);
    } else {
        char *name = lb_url_escape(rc->instance);
        if (!name)
            return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
        snprintf(path, sizeof path, "/api/2.0/database/instances/%s", name);
        free(name);
    }
    lb_http_response resp = {0};
    int r =
        lb_workspace_call(api, "GET", path, NULL, &resp, retry_hint_ms, err);
    if (r != 0)
        return r;
    char *state = NULL;
    if (rc->endpoint)
        r = lb_parse_endpoint(resp.body, resp.body_len, host, &state, err);
    else
        r = lb_parse_instance(resp.body, resp.body_len, rc->read_only, host,
                              &state, err);
    free(state);
    lb_http_response_clear(&resp);
    return r;
}

int lb_resolve_role(const lb_workspace_api *api, const lb_resolved_config *rc,
                    char **user, int64_t *retry_hint_ms, lakebase_error **err) {
    *user = NULL;
    *retry_hint_ms = -1;
    const char *known = rc->pg_user;
    if (!known && rc->auth_type == LB_AUTH_OAUTH_M2M)
        known = rc->client_id;
    if (known) {
        *user = strdup(known);
        return *user ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    lb_http_response resp = {0};
    int r = lb_workspace_call(api, "GET", "/api/2.0/preview/scim/v2/Me", NULL,
                              &resp, retry_hint_ms, err);
    if (r != 0)
        return r;
    r = lb_parse_scim_me(resp.body, resp.body_len, user, err);
    lb_http_response_clear(&resp);
    return r;
}
