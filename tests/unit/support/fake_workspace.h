/* An in-memory Databricks workspace behind the lb_http_send_fn seam, for
 * unit tests of auth and the credential provider. Integration tests use the
 * real emulator over real HTTPS instead. */
#ifndef LB_TEST_FAKE_WORKSPACE_H
#define LB_TEST_FAKE_WORKSPACE_H

#include <pthread.h>
#include <stdint.h>

#include "fake_clock.h"
#include "http.h"

#define FAKE_MAX_FAILURES 16

typedef struct fake_failure {
    long status;           /* HTTP status to answer; 0 = network error */
    int64_t retry_after_s; /* Retry-After header, -1 for none */
    const char *body;      /* NULL: a Databricks-shaped error body */
} fake_failure;

typedef struct fake_workspace {
    pthread_mutex_t mu;
    fake_clock *clock; /* expiry times come from it; may be NULL */
    int64_t ttl_s;     /* credential lifetime the server grants */
    int64_t oauth_ttl_s;
    int latency_us; /* real sleep inside each mint (single-flight) */
    /* Failures answered by the next mint requests, in order. */
    fake_failure failures[FAKE_MAX_FAILURES];
    int failures_len, failures_pos;
    /* Counters. */
    int mints, mint_requests, discoveries, oauth_tokens, scim_me, lookups;
    int next_token;
    char last_mint_body[1024];
    char last_bearer[256];
} fake_workspace;

void fake_workspace_init(fake_workspace *fw, fake_clock *clock);
void fake_workspace_fail_next(fake_workspace *fw, long status,
                              int64_t retry_after_s, int count);
int fake_workspace_mints(fake_workspace *fw);

/* lb_http_send_fn; ctx is the fake_workspace. */
int fake_workspace_send(void *ctx, const lb_http_request *req,
                        lb_http_response *resp, lakebase_error **err);

#endif
