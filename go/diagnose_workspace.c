// Code generated from core/diagnose_workspace.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The diagnosis steps that talk to the workspace: reachable over verified
 * TLS (and its clock), the auth method and why, the identity, the
 * endpoint or instance and its state, the pooled-host trap. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_parse.h"
#include "clock.h"
#include "diagnose_internal.h"
#include "error.h"
#include "secret.h"

/* A clock this far from the workspace's is worth a warning; farther, a
 * failure (token expiry and refresh timing are read against it). */
#define SKEW_WARN_MS 5000
#define SKEW_FAIL_MS 60000

static int minting(const lb_diag *d) {
    return d->resolved && lb_config_is_minting(&d->rc);
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void skip(lb_diag *d, const char *name, const char *why) {
    lb_diag_report(d, name, LAKEBASE_VERDICT_SKIP, 0, 0, NULL, "%s", why);
}

static const char *why_skipped(const lb_diag *d) {
    if (!d->resolved)
        return "the settings are invalid";
    return "no minting (a static password): the workspace is not used";
}

static void clock_skew(lb_diag *d, int64_t date_ms, int64_t sent_ms,
                       int64_t received_ms) {
    int64_t t0 = lb_diag_now_us();
    if (!date_ms) {
        lb_diag_report(d, "clock_skew", LAKEBASE_VERDICT_SKIP, t0, 0, NULL,
                       "the workspace sent no Date header");
        return;
    }
    /* The Date header has a one-second resolution and was stamped while
     * the request was under way. */
    int64_t local = sent_ms + (received_ms - sent_ms) / 2;
    int64_t skew = local - date_ms;
    int64_t off = skew < 0 ? -skew : skew;
    const char *way = skew > 0 ? "ahead of" : "behind";
    if (off > SKEW_FAIL_MS || off > SKEW_WARN_MS) {
        int fail = off > SKEW_FAIL_MS;
        lb_diag_report(
            d, "clock_skew",
            fail ? LAKEBASE_VERDICT_FAIL : LAKEBASE_VERDICT_WARN, t0,
            LAKEBASE_ECONFIG,
            "synchronise this machine's clock (NTP: timedatectl "
            "set-ntp true, or chrony)",
            "this machine's clock is %" PRId64 " s %s the workspace's (its "
            "Date header): credential expiry and refresh times are read "
            "against the local clock, so tokens look valid when they are "
            "not, or expired early",
            off / 1000, way);
        return;
    }
    lb_diag_report(d, "clock_skew", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                   "within %" PRId64 " ms of the workspace's clock (Date "
                   "header, 1 s resolution)",
                   off);
}

void lb_diag_workspace(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    if (!minting(d)) {
        skip(d, "workspace", why_skipped(d));
        skip(d, "clock_skew", why_skipped(d));
        return;
    }
    lakebase_error *e = NULL;
    lb_http_global_init();
    int rc = lb_http_client_new(&d->http, d->rc.ca_file, &e);
    if (rc != 0) {
        lb_diag_report(d, "workspace", LAKEBASE_VERDICT_FAIL, t0, rc,
                       "point http.ca_file (LAKEBASE_CA_FILE) at a readable "
                       "PEM bundle",
                       "%s", lb_err_message(e));
        lb_err_destroy(e);
        skip(d, "clock_skew", "the workspace was not reached");
        return;
    }
    char url[1200];
    snprintf(url, sizeof url, "%s/oidc/.well-known/oauth-authorization-server",
             d->rc.host);
    lb_http_request req = {
        .method = "GET", .url = url, .timeout_ms = d->rc.http_timeout_ms};
    lb_http_response resp = {0};
    int64_t sent = wall_ms();
    rc = lb_http_send(d->http, &req, &resp, &e);
    int64_t received = wall_ms();
    if (rc != 0) {
        const char *msg = lb_err_message(e);
        int tls = strstr(msg, "SSL") || strstr(msg, "certificate") ||
                  strstr(msg, "TLS");
        char fix[600];
        if (tls)
            snprintf(fix, sizeof fix,
                     "the workspace's TLS certificate is not trusted here: "
                     "set http.ca_file (LAKEBASE_CA_FILE) to the CA bundle "
                     "that signed it (a corporate proxy's, the emulator's "
                     "ca.pem)%s",
                     d->rc.ca_file ? "; the one set now does not verify it"
                                   : "");
        else
            snprintf(fix, sizeof fix,
                     "check workspace.host (%s) and that this machine "
                     "reaches it (proxy, firewall, VPN)",
                     lb_diag_origin(d, LB_KEY_WORKSPACE_HOST));
        lb_diag_report(d, "workspace", LAKEBASE_VERDICT_FAIL, t0, rc, fix,
                       "%s is not reachable%s: %s", d->rc.host,
                       tls ? " over verified TLS" : "", msg);
        lb_err_destroy(e);
        skip(d, "clock_skew", "the workspace was not reached");
        return;
    }
    d->workspace_ok = 1;
    lb_diag_report(d, "workspace", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                   "%s answered HTTP %ld over verified TLS%s", d->rc.host,
                   resp.status, d->rc.ca_file ? " (CA from http.ca_file)" : "");
    clock_skew(d, resp.date_unix_ms, sent, received);
    lb_http_response_clear(&resp);
}

/* ---- auth ---------------------------------------------------------------- */

static void auth_why(const lb_diag *d, char *buf, size_t cap) {
    const char *forced = d->origins[LB_KEY_AUTH_TYPE].where;
    char because[420] = "";
    if (forced[0] && strcmp(forced, "default"))
        snprintf(because, sizeof because, "; auth.type %s", forced);
    switch (d->rc.auth_type) {
    case LB_AUTH_PAT:
        snprintf(buf, cap,
                 "personal access token: auth.token %s is the only method "
                 "configured%s",
                 lb_diag_origin(d, LB_KEY_AUTH_TOKEN), because);
        break;
    case LB_AUTH_OAUTH_M2M:
        snprintf(buf, cap,
                 "OAuth M2M as service principal %s: auth.client_id %s and "
                 "auth.client_secret %s%s",
                 d->rc.client_id, lb_diag_origin(d, LB_KEY_AUTH_CLIENT_ID),
                 lb_diag_origin(d, LB_KEY_AUTH_CLIENT_SECRET), because);
        break;
    case LB_AUTH_EXTERNAL:
        snprintf(buf, cap,
                 "a token source set by the program (on-behalf-of-user)%s",
                 because);
        break;
    default: snprintf(buf, cap, "none"); break;
    }
}

static const char *auth_fix(const lb_diag *d) {
    switch (d->rc.auth_type) {
    case LB_AUTH_PAT:
        return "the personal access token was refused (expired, revoked or "
               "of another workspace): make a new one and set it in "
               "auth.token (DATABRICKS_TOKEN)";
    case LB_AUTH_OAUTH_M2M:
        return "the workspace refused the service principal's client id or "
               "secret: check auth.client_secret (DATABRICKS_CLIENT_SECRET) "
               "or generate a new OAuth secret for the service principal";
    default:
        return "the program's token source failed or returned a token the "
               "workspace refused";
    }
}

void lb_diag_auth(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    if (!d->workspace_ok) {
        skip(d, "auth",
             minting(d) ? "the workspace was not reached" : why_skipped(d));
        return;
    }
    char why[900];
    auth_why(d, why, sizeof why);
    lakebase_error *e = NULL;
    int rc = lb_auth_new(&d->auth, &d->rc, lb_http_send, d->http,
                         lb_clock_system(), &e);
    char *bearer = NULL;
    int cached = 0;
    int64_t hint = -1;
    if (rc == 0)
        rc = lb_auth_bearer(d->auth, &bearer, &cached, &hint, &e);
    lb_secret_free(bearer);
    if (rc != 0) {
        lb_diag_report(d, "auth", LAKEBASE_VERDICT_FAIL, t0, rc, auth_fix(d),
                       "%s; getting a workspace token failed: %s", why,
                       lb_err_message(e));
        lb_err_destroy(e);
        return;
    }
    d->api = (lb_workspace_api){d->rc.host, d->auth, lb_http_send, d->http,
                                d->rc.http_timeout_ms};
    lb_diag_report(d, "auth", LAKEBASE_VERDICT_OK, t0, 0, NULL, "%s", why);
}

void lb_diag_identity(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    if (!d->api.auth) {
        skip(d, "identity", minting(d) ? "no workspace token" : why_skipped(d));
        return;
    }
    lb_http_response resp = {0};
    lakebase_error *e = NULL;
    int64_t hint = -1;
    int rc = lb_workspace_call(&d->api, "GET", "/api/2.0/preview/scim/v2/Me",
                               NULL, &resp, &hint, &e);
    if (rc == 0)
        rc = lb_parse_scim_me(resp.body, resp.body_len, &d->identity_name, &e);
    lb_http_response_clear(&resp);
    if (rc != 0) {
        lb_diag_report(d, "identity", LAKEBASE_VERDICT_FAIL, t0, rc,
                       rc == LAKEBASE_EAUTH ? auth_fix(d) : "see the message",
                       "the workspace did not say who %s is: %s",
                       lb_auth_identity(d->auth), lb_err_message(e));
        lb_err_destroy(e);
        return;
    }
    d->identity_ok = 1;
    lb_diag_report(d, "identity", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                   "%s, user name %s", lb_auth_identity(d->auth),
                   d->identity_name);
}

/* ---- endpoint or instance ------------------------------------------------ */

static int asleep(const char *state) {
    static const char *const states[] = {"IDLE",     "INIT",     "STARTING",
                                         "STOPPED",  "STOPPING", "SUSPENDED",
                                         "DELETING", NULL};
    for (const char *const *s = states; state && *s; s++)
        if (strcmp(state, *s) == 0)
            return 1;
    return 0;
}

/* status.hosts.pooled_host of an endpoint answer, or NULL. */
static char *pooled_host_of(const char *body, size_t len) {
    cJSON *root = lb_json_parse_exact(body, len);
    cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
    cJSON *hosts = cJSON_GetObjectItemCaseSensitive(status, "hosts");
    cJSON *pooled = cJSON_GetObjectItemCaseSensitive(hosts, "pooled_host");
    char *out = cJSON_IsString(pooled) && pooled->valuestring[0]
                    ? strdup(pooled->valuestring)
                    : NULL;
    cJSON_Delete(root);
    return out;
}

void lb_diag_resource(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    /* "endpoint" unless an instance is configured: a stable step name. */
    int endpoint = !(d->resolved && d->rc.instance);
    const char *name = endpoint ? "endpoint" : "instance";
    if (!d->api.auth) {
        skip(d, name, minting(d) ? "no workspace token" : why_skipped(d));
        return;
    }
    char *escaped = endpoint ? NULL : lb_url_escape(d->rc.instance);
    char path[1200];
    if (endpoint)
        snprintf(path, sizeof path, "/api/2.0/postgres/%s", d->rc.endpoint);
    else
        snprintf(path, sizeof path, "/api/2.0/database/instances/%s",
                 escaped ? escaped : "");
    free(escaped);
    lb_http_response resp = {0};
    lakebase_error *e = NULL;
    int64_t hint = -1;
    char *host = NULL;
    int rc = lb_workspace_call(&d->api, "GET", path, NULL, &resp, &hint, &e);
    if (rc == 0 && endpoint) {
        rc = lb_parse_endpoint(resp.body, resp.body_len, &host,
                               &d->resource_state, &e);
        d->pooled_host = pooled_host_of(resp.body, resp.body_len);
    } else if (rc == 0) {
        rc = lb_parse_instance(resp.body, resp.body_len, d->rc.read_only, &host,
                               &d->resource_state, &e);
    }
    lb_http_response_clear(&resp);
    const char *what = endpoint ? d->rc.endpoint : d->rc.instance;
    lb_key_id key =
        endpoint ? LB_KEY_LAKEBASE_ENDPOINT : LB_KEY_LAKEBASE_INSTANCE;
    if (rc != 0) {
        char fix[700];
        if (rc == LAKEBASE_ENOTFOUND)
            snprintf(fix, sizeof fix,
                     "%s (%s) names nothing this identity can see in %s: "
                     "copy the name from the Lakebase page of the workspace "
                     "(%s), and check workspace.host",
                     endpoint ? "lakebase.endpoint" : "lakebase.instance",
                     lb_diag_origin(d, key), d->rc.host,
                     endpoint ? "projects/<project>/branches/<branch>/"
                                "endpoints/<endpoint>"
                              : "the instance name");
        else if (rc == LAKEBASE_EPERM)
            snprintf(fix, sizeof fix,
                     "grant %s access to the Lakebase %s (CAN USE or more)",
                     lb_auth_identity(d->auth),
                     endpoint ? "project" : "instance");
        else
            snprintf(fix, sizeof fix, "see the message");
        lb_diag_report(d, name, LAKEBASE_VERDICT_FAIL, t0, rc, fix, "%s %s: %s",
                       name, what, lb_err_message(e));
        lb_err_destroy(e);
        free(host);
        return;
    }
    const char *state = d->resource_state ? d->resource_state : "unknown";
    d->scaled_to_zero = asleep(d->resource_state);
    if (d->scaled_to_zero)
        lb_diag_report(
            d, name, LAKEBASE_VERDICT_WARN, t0, LAKEBASE_ECONNECTION,
            "nothing to change if the next steps pass: a pool retries "
            "wake-ups within pool.connect_timeout_ms (raise it if wake-ups "
            "take longer)",
            "%s %s is scaled to zero or waking (state %s), host %s: the "
            "first connect wakes it, which takes from a few hundred ms to "
            "seconds; meanwhile connects are refused or answered 57P03",
            name, what, state, host ? host : "?");
    else
        lb_diag_report(d, name, LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "%s %s: state %s, host %s", name, what, state,
                       host ? host : "?");
    free(host);
}

void lb_diag_pooled_host(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    if (!minting(d) || !d->rc.pg_host) {
        lb_diag_report(d, "pooled_host", LAKEBASE_VERDICT_OK, t0, 0, NULL, "%s",
                       minting(d) ? "the host is discovered from the endpoint "
                                    "or instance (never its pooled host)"
                                  : "no minting: the pooler is not involved");
        return;
    }
    int pooled =
        (d->pooled_host && strcmp(d->rc.pg_host, d->pooled_host) == 0) ||
        strstr(d->rc.pg_host, "-pooler.") != NULL;
    if (pooled) {
        lb_diag_report(
            d, "pooled_host", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ECONFIG,
            "unset pg.host (PGHOST): the library then uses the endpoint's "
            "direct host (status.hosts.host)",
            "pg.host %s (%s) is the endpoint's pooled host: its built-in "
            "pooler accepts native Postgres passwords only, not OAuth "
            "database credentials",
            d->rc.pg_host, lb_diag_origin(d, LB_KEY_PG_HOST));
        return;
    }
    lb_diag_report(d, "pooled_host", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                   "pg.host %s (%s) is not the pooled host", d->rc.pg_host,
                   lb_diag_origin(d, LB_KEY_PG_HOST));
}
