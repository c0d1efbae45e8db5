#include "fake_workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "rfc3339.h"

void fake_workspace_init(fake_workspace *fw, fake_clock *clock) {
    memset(fw, 0, sizeof *fw);
    pthread_mutex_init(&fw->mu, NULL);
    fw->clock = clock;
    fw->ttl_s = 3600;
    fw->oauth_ttl_s = 3600;
}

void fake_workspace_fail_next(fake_workspace *fw, long status,
                              int64_t retry_after_s, int count) {
    pthread_mutex_lock(&fw->mu);
    for (int i = 0; i < count && fw->failures_len < FAKE_MAX_FAILURES; i++)
        fw->failures[fw->failures_len++] =
            (fake_failure){status, retry_after_s, NULL};
    pthread_mutex_unlock(&fw->mu);
}

int fake_workspace_mints(fake_workspace *fw) {
    pthread_mutex_lock(&fw->mu);
    int n = fw->mints;
    pthread_mutex_unlock(&fw->mu);
    return n;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void answer(lb_http_response *resp, long status, const char *body) {
    resp->status = status;
    resp->body = strdup(body);
    resp->body_len = strlen(body);
    resp->retry_after_ms = -1;
}

static int64_t now_wall(fake_workspace *fw) {
    return fw->clock ? lb_wall_ms(&fw->clock->clock) : 1790000000000LL;
}

/* Called with fw->mu held. */
static int mint(fake_workspace *fw, const lb_http_request *req,
                lb_http_response *resp, lakebase_error **err, int provisioned) {
    fw->mint_requests++;
    snprintf(fw->last_mint_body, sizeof fw->last_mint_body, "%.*s",
             (int)req->body_len, req->body ? req->body : "");
    if (fw->failures_pos < fw->failures_len) {
        fake_failure f = fw->failures[fw->failures_pos++];
        if (f.status == 0)
            return lb_err(err, LAKEBASE_ENETWORK, "connection reset (fake)");
        const char *body = f.status == 404
                               ? "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\","
                                 "\"message\":\"endpoint not found\"}"
                               : "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\","
                                 "\"message\":\"fake failure\"}";
        answer(resp, f.status, f.body ? f.body : body);
        resp->retry_after_ms =
            f.retry_after_s >= 0 ? f.retry_after_s * 1000 : -1;
        return 0;
    }
    fw->mints++;
    char when[64];
    lb_rfc3339_format_ms(now_wall(fw) + fw->ttl_s * 1000, when, sizeof when);
    char body[512];
    snprintf(body, sizeof body, "{\"token\":\"dbcred-%d\",\"%s\":\"%s\"}",
             ++fw->next_token, provisioned ? "expiration_time" : "expire_time",
             when);
    answer(resp, 200, body);
    return 0;
}

int fake_workspace_send(void *ctx, const lb_http_request *req,
                        lb_http_response *resp, lakebase_error **err) {
    fake_workspace *fw = ctx;
    memset(resp, 0, sizeof *resp);
    int is_mint = ends_with(req->url, "/credentials");
    if (is_mint && fw->latency_us)
        usleep((useconds_t)fw->latency_us);
    pthread_mutex_lock(&fw->mu);
    int rc = 0;
    if (req->bearer)
        snprintf(fw->last_bearer, sizeof fw->last_bearer, "%s", req->bearer);
    if (ends_with(req->url, "/oidc/.well-known/oauth-authorization-server")) {
        fw->discoveries++;
        answer(resp, 200,
               "{\"token_endpoint\":\"https://fake.test/oidc/v1/token\"}");
    } else if (ends_with(req->url, "/oidc/v1/token")) {
        if (!req->basic_user || strcmp(req->basic_user, "sp-client") != 0 ||
            !req->basic_pass || strcmp(req->basic_pass, "sp-secret") != 0) {
            answer(resp, 401,
                   "{\"error\":\"invalid_client\","
                   "\"error_description\":\"bad client\"}");
        } else {
            char body[256];
            snprintf(body, sizeof body,
                     "{\"access_token\":\"oauth-%d\",\"token_type\":\"Bearer\","
                     "\"expires_in\":%lld}",
                     ++fw->oauth_tokens, (long long)fw->oauth_ttl_s);
            answer(resp, 200, body);
        }
    } else if (!req->bearer) {
        answer(resp, 401, "{\"error_code\":\"UNAUTHENTICATED\"}");
    } else if (ends_with(req->url, "/api/2.0/postgres/credentials")) {
        rc = mint(fw, req, resp, err, 0);
    } else if (ends_with(req->url, "/api/2.0/database/credentials")) {
        rc = mint(fw, req, resp, err, 1);
    } else if (strstr(req->url, "/api/2.0/postgres/projects/")) {
        fw->lookups++;
        answer(resp, 200,
               "{\"status\":{\"current_state\":\"ACTIVE\",\"hosts\":{"
               "\"host\":\"ep-fake.database.test\","
               "\"pooled_host\":\"ep-fake-pooler.database.test\"}}}");
    } else if (strstr(req->url, "/api/2.0/database/instances/")) {
        fw->lookups++;
        answer(resp, 200,
               "{\"state\":\"AVAILABLE\","
               "\"read_write_dns\":\"instance-rw.database.test\","
               "\"read_only_dns\":\"instance-ro.database.test\"}");
    } else if (ends_with(req->url, "/api/2.0/preview/scim/v2/Me")) {
        fw->scim_me++;
        answer(resp, 200, "{\"userName\":\"user@example.com\"}");
    } else {
        answer(resp, 404, "{\"error_code\":\"ENDPOINT_NOT_FOUND\"}");
    }
    pthread_mutex_unlock(&fw->mu);
    return rc;
}
