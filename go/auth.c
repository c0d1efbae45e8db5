// Code generated from core/auth.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_parse.h"
#include "error.h"
#include "retry.h"
#include "secret.h"

/* The SDKs treat an OAuth token as expired 40 s early. */
#define OAUTH_EARLY_EXPIRY_MS 40000
#define TOKEN_SOURCE_BUF      16384

struct lb_auth {
    lb_auth_type type;
    char *host;
    char *token; /* PAT, secret */
    char *client_id;
    char *client_secret; /* secret */
    lakebase_token_source_fn source;
    void *source_userdata;
    long timeout_ms;
    lb_http_send_fn send;
    void *send_ctx;
    const lb_clock *clock;
    char identity[160];

    /* Held across a token fetch: that is the single flight. Callers that
     * arrive meanwhile block here and then find the fresh token cached. */
    pthread_mutex_t mu;
    char *token_endpoint; /* from OIDC discovery, cached for good */
    char *cached;         /* secret: OAuth or token-source token */
    int64_t cached_until_mono;
};

static char *dup_str(const char *s) { return s ? strdup(s) : NULL; }

int lb_auth_new(lb_auth **out, const lb_resolved_config *rc,
                lb_http_send_fn send, void *send_ctx, const lb_clock *clock,
                lakebase_error **err) {
    lb_auth *a = calloc(1, sizeof *a);
    if (!a)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    a->type = rc->auth_type;
    a->host = dup_str(rc->host);
    a->token = dup_str(rc->token);
    a->client_id = dup_str(rc->client_id);
    a->client_secret = dup_str(rc->client_secret);
    a->source = rc->token_source;
    a->source_userdata = rc->token_source_userdata;
    a->timeout_ms = rc->http_timeout_ms;
    a->send = send;
    a->send_ctx = send_ctx;
    a->clock = clock;
    pthread_mutex_init(&a->mu, NULL);
    switch (a->type) {
    case LB_AUTH_PAT:
        snprintf(a->identity, sizeof a->identity, "personal access token");
        break;
    case LB_AUTH_OAUTH_M2M:
        snprintf(a->identity, sizeof a->identity, "service principal %s",
                 a->client_id ? a->client_id : "?");
        break;
    case LB_AUTH_EXTERNAL:
        snprintf(a->identity, sizeof a->identity, "caller-supplied token");
        break;
    default:
        snprintf(a->identity, sizeof a->identity, "no workspace identity");
        break;
    }
    if ((rc->host && !a->host) || (rc->token && !a->token) ||
        (rc->client_id && !a->client_id) ||
        (rc->client_secret && !a->client_secret)) {
        lb_auth_free(a);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    *out = a;
    return 0;
}

void lb_auth_free(lb_auth *a) {
    if (!a)
        return;
    free(a->host);
    lb_secret_free(a->token);
    free(a->client_id);
    lb_secret_free(a->client_secret);
    free(a->token_endpoint);
    lb_secret_free(a->cached);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

const char *lb_auth_identity(const lb_auth *a) { return a->identity; }

void lb_auth_invalidate(lb_auth *a) {
    pthread_mutex_lock(&a->mu);
    lb_secret_clear(&a->cached);
    a->cached_until_mono = 0;
    pthread_mutex_unlock(&a->mu);
}

/* Maps a non-2xx OAuth / discovery answer to an error. 429 and 5xx stay
 * retryable (ESERVER); anything else means the identity was refused. */
static int oauth_http_error(const char *what, const lb_http_response *resp,
                            int64_t *retry_hint_ms, lakebase_error **err) {
    lb_api_error ae;
    lb_parse_api_error(resp->body, resp->body_len, &ae);
    if (retry_hint_ms)
        *retry_hint_ms = resp->retry_after_ms >= 0 ? resp->retry_after_ms
                                                   : ae.retry_delay_ms;
    int code = lb_http_status_code(resp->status);
    if (code == LAKEBASE_EAPI || code == LAKEBASE_ENOTFOUND ||
        code == LAKEBASE_EPERM)
        code = LAKEBASE_EAUTH;
    return lb_err_http(err, code, (int)resp->status, ae.error_code,
                       "%s failed with HTTP %ld%s%s%s%s: check "
                       "DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET and "
                       "DATABRICKS_HOST",
                       what, resp->status, ae.error_code[0] ? " " : "",
                       ae.error_code, ae.message[0] ? ": " : "", ae.message);
}

static int discover_token_endpoint(lb_auth *a, int64_t *retry_hint_ms,
                                   lakebase_error **err) {
    if (a->token_endpoint)
        return 0;
    char url[2048];
    snprintf(url, sizeof url, "%s/oidc/.well-known/oauth-authorization-server",
             a->host);
    lb_http_request req = {
        .method = "GET", .url = url, .timeout_ms = a->timeout_ms};
    lb_http_response resp = {0};
    int rc = a->send(a->send_ctx, &req, &resp, err);
    if (rc == 0 && (resp.status < 200 || resp.status > 299))
        rc = oauth_http_error("OAuth discovery", &resp, retry_hint_ms, err);
    else if (rc == 0)
        rc = lb_parse_oidc_discovery(resp.body, resp.body_len,
                                     &a->token_endpoint, err);
    lb_http_response_clear(&resp);
    return rc;
}

static int fetch_oauth_token(lb_auth *a, int64_t *retry_hint_ms,
                             lakebase_error **err) {
    int rc = discover_token_endpoint(a, retry_hint_ms, err);
    if (rc != 0)
        return rc;
    static const char form[] = "grant_type=client_credentials&scope=all-apis";
    lb_http_request req = {.method = "POST",
                           .url = a->token_endpoint,
                           .body = form,
                           .body_len = sizeof form - 1,
                           .content_type = "application/x-www-form-urlencoded",
                           .basic_user = a->client_id,
                           .basic_pass = a->client_secret,
                           .timeout_ms = a->timeout_ms};
    lb_http_response resp = {0};
    rc = a->send(a->send_ctx, &req, &resp, err);
    if (rc == 0 && (resp.status < 200 || resp.status > 299)) {
        rc = oauth_http_error("OAuth token request", &resp, retry_hint_ms, err);
    } else if (rc == 0) {
        char *token = NULL;
        int64_t expires_in_s = 0;
        rc = lb_parse_oauth_token(resp.body, resp.body_len, &token,
                                  &expires_in_s, err);
        if (rc == 0) {
            lb_secret_free(a->cached);
            a->cached = token;
            a->cached_until_mono = lb_mono_ms(a->clock) + expires_in_s * 1000 -
                                   OAUTH_EARLY_EXPIRY_MS;
        }
    }
    lb_http_response_clear(&resp);
    return rc;
}

static int call_token_source(lb_auth *a, lakebase_error **err) {
    char *buf = calloc(1, TOKEN_SOURCE_BUF);
    if (!buf)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int64_t expires_at = 0;
    int rc = a->source(a->source_userdata, buf, TOKEN_SOURCE_BUF, &expires_at);
    buf[TOKEN_SOURCE_BUF - 1] = '\0';
    if (rc != 0 || buf[0] == '\0') {
        lb_memzero(buf, TOKEN_SOURCE_BUF);
        free(buf);
        return lb_err(err, LAKEBASE_ECALLBACK,
                      "the token source callback %s (returned %d)",
                      rc != 0 ? "failed" : "returned an empty token", rc);
    }
    lb_secret_free(a->cached);
    a->cached = strdup(buf);
    lb_memzero(buf, TOKEN_SOURCE_BUF);
    free(buf);
    if (!a->cached)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    /* Convert the wall-clock expiry into our monotonic timeline; unknown
     * expiry means "ask again next time". */
    a->cached_until_mono = expires_at > 0
                               ? lb_mono_ms(a->clock) +
                                     (expires_at - lb_wall_ms(a->clock)) -
                                     OAUTH_EARLY_EXPIRY_MS
                               : 0;
    return 0;
}

int lb_auth_bearer(lb_auth *a, char **out, int *from_cache,
                   int64_t *retry_hint_ms, lakebase_error **err) {
    *out = NULL;
    *from_cache = 0;
    if (retry_hint_ms)
        *retry_hint_ms = -1;
    if (a->type == LB_AUTH_PAT) {
        *out = strdup(a->token);
        return *out ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    if (a->type != LB_AUTH_OAUTH_M2M && a->type != LB_AUTH_EXTERNAL)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "no workspace authentication configured: set "
                      "DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and "
                      "DATABRICKS_CLIENT_SECRET");

    pthread_mutex_lock(&a->mu);
    int rc = 0;
    if (a->cached && lb_mono_ms(a->clock) < a->cached_until_mono) {
        *from_cache = 1;
    } else if (a->type == LB_AUTH_OAUTH_M2M) {
        rc = fetch_oauth_token(a, retry_hint_ms, err);
    } else {
        rc = call_token_source(a, err);
    }
    if (rc == 0) {
        *out = strdup(a->cached);
        if (!*out)
            rc = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}
