// Code generated from core/workspace_api.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "workspace_api.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_parse.h"
#include "error.h"
#include "retry.h"
#include "secret.h"

static const char *fix_for(int code) {
    switch (code) {
    case LAKEBASE_EAUTH:
        return "check the workspace credentials (DATABRICKS_TOKEN or "
               "DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET) and "
               "DATABRICKS_HOST";
    case LAKEBASE_EPERM:
        return "grant this identity access to the Lakebase project or "
               "instance, or use an identity that has it";
    case LAKEBASE_ENOTFOUND:
        return "check LAKEBASE_ENDPOINT / LAKEBASE_INSTANCE and the workspace "
               "in DATABRICKS_HOST";
    case LAKEBASE_ESERVER:
        return "the service is throttling or unavailable; retried until the "
               "deadline";
    default: return "check the request options";
    }
}

static int status_error(const char *method, const char *path,
                        const lb_http_response *resp, int64_t *retry_hint_ms,
                        lakebase_error **err) {
    lb_api_error ae;
    lb_parse_api_error(resp->body, resp->body_len, &ae);
    *retry_hint_ms =
        resp->retry_after_ms >= 0 ? resp->retry_after_ms : ae.retry_delay_ms;
    int code = lb_http_status_code(resp->status);
    return lb_err_http(err, code, (int)resp->status, ae.error_code,
                       "%s %s: HTTP %ld%s%s%s%s; %s", method, path,
                       resp->status, ae.error_code[0] ? " " : "", ae.error_code,
                       ae.message[0] ? ": " : "", ae.message, fix_for(code));
}

static int call_once(const lb_workspace_api *api, const char *method,
                     const char *path, const char *json_body,
                     lb_http_response *resp, int64_t *retry_hint_ms,
                     int *bearer_was_cached, lakebase_error **err) {
    char *bearer = NULL;
    int rc = lb_auth_bearer(api->auth, &bearer, bearer_was_cached,
                            retry_hint_ms, err);
    if (rc != 0)
        return rc;
    char url[4096];
    int n = snprintf(url, sizeof url, "%s%s", api->host, path);
    if (n < 0 || (size_t)n >= sizeof url) {
        lb_secret_free(bearer);
        return lb_err(err, LAKEBASE_ECONFIG, "request URL too long: %s", path);
    }
    lb_http_request req = {.method = method,
                           .url = url,
                           .body = json_body,
                           .body_len = json_body ? strlen(json_body) : 0,
                           .content_type =
                               json_body ? "application/json" : NULL,
                           .bearer = bearer,
                           .timeout_ms = api->timeout_ms};
    rc = api->send(api->send_ctx, &req, resp, err);
    lb_secret_free(bearer);
    return rc;
}

/* A 2xx answer that is neither labelled nor shaped as JSON did not come
 * from the workspace API: a proxy, firewall or sign-in page answered in
 * its place. Naming that beats "the body is not valid JSON". */
static int foreign_answer(const char *method, const char *path,
                          const lb_http_response *resp, lakebase_error **err) {
    if (!resp->content_type[0] || strstr(resp->content_type, "json"))
        return 0;
    struct cJSON *json = lb_json_parse_exact(resp->body, resp->body_len);
    if (json) {
        cJSON_Delete(json);
        return 0;
    }
    lb_api_error summary; /* the page's title or first line */
    lb_parse_api_error(resp->body, resp->body_len, &summary);
    return lb_err_http(err, LAKEBASE_EPROTOCOL, (int)resp->status, "",
                       "%s %s answered HTTP %ld with Content-Type %s, not "
                       "JSON%s%s%s: something other than the workspace API "
                       "answered (a proxy, firewall or sign-in page?); check "
                       "DATABRICKS_HOST and the network path to it",
                       method, path, resp->status, resp->content_type,
                       summary.message[0] ? " (\"" : "", summary.message,
                       summary.message[0] ? "\")" : "");
}

int lb_workspace_call(const lb_workspace_api *api, const char *method,
                      const char *path, const char *json_body,
                      lb_http_response *resp, int64_t *retry_hint_ms,
                      lakebase_error **err) {
    *retry_hint_ms = -1;
    int cached = 0;
    int rc = call_once(api, method, path, json_body, resp, retry_hint_ms,
                       &cached, err);
    if (rc == 0 && resp->status == 401 && cached) {
        /* The cached workspace token may have been revoked or rotated:
         * fetch a fresh one once before reporting the identity refused. */
        lb_http_response_clear(resp);
        lb_auth_invalidate(api->auth);
        rc = call_once(api, method, path, json_body, resp, retry_hint_ms,
                       &cached, err);
    }
    if (rc != 0)
        return rc;
    if (resp->status < 200 || resp->status > 299)
        rc = status_error(method, path, resp, retry_hint_ms, err);
    else
        rc = foreign_answer(method, path, resp, err);
    if (rc != 0)
        lb_http_response_clear(resp);
    return rc;
}
