/* The credential provider against an in-memory workspace and a fake clock:
 * caching, single flight, the refresh schedule, degraded-but-valid serving,
 * classified retries and expiry clamping. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "credential.h"
#include "error.h"
#include "fake_clock.h"
#include "fake_workspace.h"

#define START_WALL_MS 1790000000000LL

typedef struct fixture {
    fake_clock clock;
    fake_workspace ws;
    lb_resolved_config rc;
    lb_provider *p;
} fixture;

static void base_config(lb_resolved_config *rc) {
    memset(rc, 0, sizeof *rc);
    rc->host = (char *)"https://fake.test";
    rc->auth_type = LB_AUTH_OAUTH_M2M;
    rc->client_id = (char *)"sp-client";
    rc->client_secret = (char *)"sp-secret";
    rc->endpoint = (char *)"projects/p/branches/b/endpoints/e";
    rc->refresh_fraction = 0.25;
    rc->hard_margin_seconds = 60;
    rc->mint_timeout_ms = 30000;
    rc->http_timeout_ms = 10000;
    rc->pg_port = 5432;
}

static void start(fixture *f) {
    lb_provider_deps deps = {fake_workspace_send, &f->ws, &f->clock.clock, 1};
    lakebase_error *err = NULL;
    assert_int_equal(lb_provider_new(&f->p, &f->rc, &deps, &err), 0);
    assert_null(err);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    fake_clock_init(&f->clock, START_WALL_MS);
    fake_workspace_init(&f->ws, &f->clock);
    base_config(&f->rc);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    lb_provider_free(f->p);
    free(f);
    return 0;
}

/* Gets a credential and returns its token number ("dbcred-N" -> N). */
static int get_token_number(fixture *f) {
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    int rc = lb_provider_get(f->p, &s, &err);
    if (rc != 0) {
        print_error("get failed: %s\n", lakebase_error_message(err));
        lb_err_destroy(err);
        return -1;
    }
    int n = atoi(s.token + strlen("dbcred-"));
    lb_token_snapshot_clear(&s);
    return n;
}

static void test_first_get_mints_once_then_serves_the_cache(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(fake_workspace_mints(&f->ws), 0); /* lazy: no network */
    assert_int_equal(get_token_number(f), 1);
    assert_int_equal(get_token_number(f), 1);
    fake_clock_advance(&f->clock, 30 * 60 * 1000);
    assert_int_equal(get_token_number(f), 1);
    assert_int_equal(fake_workspace_mints(&f->ws), 1);
}

static void
test_login_target_is_discovered_and_role_is_client_id(void **state) {
    fixture *f = *state;
    start(f);
    lb_token_snapshot s;
    assert_int_equal(lb_provider_get(f->p, &s, NULL), 0);
    assert_string_equal(s.host, "ep-fake.database.test"); /* never pooled */
    assert_string_equal(s.user, "sp-client");
    assert_int_equal(s.expire_wall_ms, START_WALL_MS + 3600 * 1000);
    lb_token_snapshot_clear(&s);
    /* The workspace bearer on the mint was the OAuth token, and the one
     * thing handed out as a password is the minted credential. */
    assert_string_equal(f->ws.last_bearer, "oauth-1");
}

static void
test_role_comes_from_scim_me_for_a_personal_access_token(void **state) {
    fixture *f = *state;
    f->rc.auth_type = LB_AUTH_PAT;
    f->rc.token = (char *)"dapi-secret";
    f->rc.client_id = NULL;
    f->rc.client_secret = NULL;
    start(f);
    lb_token_snapshot s;
    assert_int_equal(lb_provider_get(f->p, &s, NULL), 0);
    assert_string_equal(s.user, "user@example.com");
    assert_int_equal(f->ws.scim_me, 1);
    lb_token_snapshot_clear(&s);
    assert_int_equal(get_token_number(f), 1);
    assert_int_equal(f->ws.scim_me, 1); /* looked up once */
}

static void test_provisioned_mint_sends_instance_and_request_id(void **state) {
    fixture *f = *state;
    f->rc.endpoint = NULL;
    f->rc.instance = (char *)"my-instance";
    start(f);
    lb_token_snapshot s;
    assert_int_equal(lb_provider_get(f->p, &s, NULL), 0);
    assert_string_equal(s.host, "instance-rw.database.test");
    assert_int_equal(s.expire_wall_ms, START_WALL_MS + 3600 * 1000);
    lb_token_snapshot_clear(&s);
    assert_non_null(strstr(f->ws.last_mint_body, "\"instance_names\""));
    assert_non_null(strstr(f->ws.last_mint_body, "my-instance"));
    assert_non_null(strstr(f->ws.last_mint_body, "\"request_id\""));
}

static void
test_background_refresh_runs_when_a_quarter_of_life_is_left(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_clock_advance(&f->clock, 2699 * 1000);
    lb_provider_tick(f->p);
    assert_int_equal(fake_workspace_mints(&f->ws), 1);
    fake_clock_advance(&f->clock, 2 * 1000);
    lb_provider_tick(f->p);
    assert_int_equal(fake_workspace_mints(&f->ws), 2);
    assert_int_equal(get_token_number(f), 2);
}

static void test_refresh_keeps_valid_token_when_mint_fails(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_workspace_fail_next(&f->ws, 429, 2, 3);
    fake_workspace_fail_next(&f->ws, 503, -1, 2);
    fake_clock_advance(&f->clock, 2701 * 1000);

    lakebase_credential_stats st = {.version = 1};
    for (int i = 0; i < 5; i++) {
        lb_provider_tick(f->p);
        assert_int_equal(get_token_number(f), 1); /* still served */
        lb_provider_stats(f->p, &st);
        assert_true(st.degraded_since_unix_ms > 0);
        assert_int_equal(st.last_error_code, LAKEBASE_ESERVER);
        fake_clock_advance(&f->clock, 61 * 1000); /* past any backoff */
    }
    assert_int_equal(st.mints_failed, 5);
    lb_provider_tick(f->p);
    lb_provider_stats(f->p, &st);
    assert_int_equal(st.degraded_since_unix_ms, 0);
    assert_int_equal(st.last_error_code, 0);
    assert_int_equal(get_token_number(f), 2);
}

static void
test_failed_refresh_waits_for_backoff_and_retry_after(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_workspace_fail_next(&f->ws, 429, 7, 1);
    fake_clock_advance(&f->clock, 2701 * 1000);
    lb_provider_tick(f->p); /* fails, Retry-After 7 s */
    assert_int_equal(f->ws.mint_requests, 2);
    fake_clock_advance(&f->clock, 6900);
    lb_provider_tick(f->p);
    assert_int_equal(f->ws.mint_requests, 2); /* too early */
    fake_clock_advance(&f->clock, 60 * 1000);
    lb_provider_tick(f->p);
    assert_int_equal(f->ws.mint_requests, 3);
    assert_int_equal(get_token_number(f), 2);
}

static void
test_refresh_retries_forever_past_expiry_then_recovers(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_workspace_fail_next(&f->ws, 503, -1, FAKE_MAX_FAILURES - 1);
    fake_clock_advance(&f->clock, 2701 * 1000);
    for (int i = 0; i < FAKE_MAX_FAILURES - 1; i++) {
        lb_provider_tick(f->p);
        fake_clock_advance(&f->clock, 61 * 1000);
    }
    /* 15 minutes of failures: the token has expired, the chain goes on. */
    lb_provider_tick(f->p);
    assert_int_equal(fake_workspace_mints(&f->ws), 2);
    assert_int_equal(get_token_number(f), 2);
}

static void test_expired_token_is_replaced_by_a_synchronous_mint(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_clock_advance(&f->clock, 3600 * 1000);
    assert_int_equal(get_token_number(f), 2);
}

static void
test_lazy_refresh_inside_hard_margin_serves_current_token(void **state) {
    fixture *f = *state;
    f->rc.refresh_fraction = 0.01; /* background would be too late */
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_clock_advance(&f->clock, (3600 - 59) * 1000);
    /* The caller gets the still-valid token; the refresh runs in the same
     * call (no refresh thread in this test). */
    assert_int_equal(get_token_number(f), 1);
    assert_int_equal(fake_workspace_mints(&f->ws), 2);
    assert_int_equal(get_token_number(f), 2);
}

static void test_retry_429_honours_retry_after_then_succeeds(void **state) {
    fixture *f = *state;
    start(f);
    fake_workspace_fail_next(&f->ws, 429, 3, 2);
    assert_int_equal(get_token_number(f), 1);
    assert_int_equal(f->ws.mint_requests, 3);
    assert_true(f->clock.slept_ms >= 6000);
    lakebase_credential_stats st = {.version = 1};
    lb_provider_stats(f->p, &st);
    assert_int_equal(st.mints_failed, 2);
    assert_int_equal(st.mints_ok, 1);
}

static void test_network_errors_and_gateway_errors_are_retried(void **state) {
    fixture *f = *state;
    start(f);
    fake_workspace_fail_next(&f->ws, 0, -1, 1);
    fake_workspace_fail_next(&f->ws, 502, -1, 1);
    fake_workspace_fail_next(&f->ws, 504, -1, 1);
    assert_int_equal(get_token_number(f), 1);
    assert_int_equal(f->ws.mint_requests, 4);
    assert_true(f->clock.slept_ms >= 3000); /* the 1 s floor each time */
}

static void test_fail_fast_on_404_with_api_error_code(void **state) {
    fixture *f = *state;
    start(f);
    fake_workspace_fail_next(&f->ws, 404, -1, 1);
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    assert_int_equal(lb_provider_get(f->p, &s, &err), LAKEBASE_ENOTFOUND);
    assert_int_equal(f->ws.mint_requests, 1);
    assert_int_equal(lakebase_error_http_status(err), 404);
    assert_string_equal(lakebase_error_api_code(err),
                        "RESOURCE_DOES_NOT_EXIST");
    assert_non_null(strstr(lakebase_error_message(err), "endpoint not found"));
    lb_err_destroy(err);
}

static void test_gives_up_at_the_mint_deadline_saying_so(void **state) {
    fixture *f = *state;
    f->rc.mint_timeout_ms = 10000;
    start(f);
    fake_workspace_fail_next(&f->ws, 503, -1, FAKE_MAX_FAILURES);
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    assert_int_equal(lb_provider_get(f->p, &s, &err), LAKEBASE_ESERVER);
    assert_true(f->ws.mint_requests >= 2);
    assert_true(f->ws.mint_requests < FAKE_MAX_FAILURES);
    assert_true(f->clock.slept_ms <= 10000);
    assert_non_null(strstr(lakebase_error_message(err), "gave up after"));
    lb_err_destroy(err);
}

static void test_bad_client_secret_fails_fast_as_auth_error(void **state) {
    fixture *f = *state;
    f->rc.client_secret = (char *)"wrong-secret-value";
    start(f);
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    assert_int_equal(lb_provider_get(f->p, &s, &err), LAKEBASE_EAUTH);
    assert_int_equal(f->ws.oauth_tokens, 0);
    assert_null(strstr(lakebase_error_message(err), "wrong-secret-value"));
    assert_non_null(strstr(lakebase_error_message(err), "invalid_client"));
    lb_err_destroy(err);
}

static void test_expiry_is_clamped_by_the_requested_ttl(void **state) {
    fixture *f = *state;
    f->rc.ttl_seconds = 900;
    f->ws.ttl_s = 7200; /* a server (or clock) claiming too much */
    start(f);
    lb_token_snapshot s;
    assert_int_equal(lb_provider_get(f->p, &s, NULL), 0);
    assert_int_equal(s.expire_wall_ms, START_WALL_MS + 900 * 1000);
    lb_token_snapshot_clear(&s);
    assert_non_null(strstr(f->ws.last_mint_body, "\"900s\""));
}

static void test_oauth_token_is_reused_until_40s_before_expiry(void **state) {
    fixture *f = *state;
    f->ws.ttl_s = 600;
    f->ws.oauth_ttl_s = 1800;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    fake_clock_advance(&f->clock, 600 * 1000);
    assert_int_equal(get_token_number(f), 2);
    assert_int_equal(f->ws.oauth_tokens, 1);
    assert_int_equal(f->ws.discoveries, 1);
    fake_clock_advance(&f->clock, (1800 - 600 - 40) * 1000);
    f->ws.ttl_s = 3600;
    fake_clock_advance(&f->clock, 600 * 1000);
    assert_int_equal(get_token_number(f), 3);
    assert_int_equal(f->ws.oauth_tokens, 2);
    assert_int_equal(f->ws.discoveries, 1); /* discovery cached for good */
}

static void test_invalidate_drops_the_token_and_next_get_mints(void **state) {
    fixture *f = *state;
    start(f);
    assert_int_equal(get_token_number(f), 1);
    lb_provider_invalidate(f->p, "dbcred-99"); /* not ours: kept */
    assert_int_equal(get_token_number(f), 1);
    lb_provider_invalidate(f->p, "dbcred-1");
    assert_int_equal(get_token_number(f), 2);
}

typedef struct racer {
    fixture *f;
    int token;
} racer;

static void *race_get(void *arg) {
    racer *r = arg;
    r->token = get_token_number(r->f);
    return NULL;
}

static void test_hundred_threads_cause_exactly_one_mint(void **state) {
    fixture *f = *state;
    f->ws.latency_us = 100 * 1000;
    start(f);
    enum { N = 100 };
    pthread_t threads[N];
    racer racers[N];
    for (int i = 0; i < N; i++) {
        racers[i] = (racer){f, 0};
        assert_int_equal(
            pthread_create(&threads[i], NULL, race_get, &racers[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(racers[i].token, 1);
    }
    assert_int_equal(fake_workspace_mints(&f->ws), 1);
    assert_int_equal(f->ws.oauth_tokens, 1);
}

typedef struct failing_racer {
    fixture *f;
    int code;
} failing_racer;

static void *race_get_failing(void *arg) {
    failing_racer *r = arg;
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    r->code = lb_provider_get(r->f->p, &s, &err);
    if (r->code == 0)
        lb_token_snapshot_clear(&s);
    lb_err_destroy(err);
    return NULL;
}

static void test_waiters_share_a_failed_mint_verdict(void **state) {
    fixture *f = *state;
    f->ws.latency_us = 100 * 1000;
    start(f);
    fake_workspace_fail_next(&f->ws, 403, -1, 1);
    enum { N = 20 };
    pthread_t threads[N];
    failing_racer racers[N];
    for (int i = 0; i < N; i++) {
        racers[i] = (failing_racer){f, 0};
        pthread_create(&threads[i], NULL, race_get_failing, &racers[i]);
    }
    int failed = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        failed += racers[i].code == LAKEBASE_EPERM;
    }
    /* Callers that joined the failing flight got its verdict; late callers
     * minted successfully. No caller saw anything else. */
    assert_true(failed >= 1);
    assert_true(f->ws.mint_requests <= 2);
}

static int external_calls;

static int external_source(void *userdata, char *buf, size_t cap,
                           int64_t *expires_at_unix_ms) {
    (void)userdata;
    external_calls++;
    snprintf(buf, cap, "obo-user-token");
    *expires_at_unix_ms = 0; /* unknown: ask before every request */
    return 0;
}

static int failing_source(void *userdata, char *buf, size_t cap,
                          int64_t *expires_at_unix_ms) {
    (void)userdata, (void)buf, (void)cap, (void)expires_at_unix_ms;
    return -7;
}

static void
test_caller_token_source_supplies_the_workspace_bearer(void **state) {
    fixture *f = *state;
    f->rc.auth_type = LB_AUTH_EXTERNAL;
    f->rc.client_id = NULL;
    f->rc.client_secret = NULL;
    f->rc.token_source = external_source;
    external_calls = 0;
    start(f);
    lb_token_snapshot s;
    assert_int_equal(lb_provider_get(f->p, &s, NULL), 0);
    assert_string_equal(f->ws.last_bearer, "obo-user-token");
    assert_string_equal(s.user, "user@example.com"); /* SCIM Me */
    lb_token_snapshot_clear(&s);
    assert_int_equal(external_calls, 3); /* lookup, SCIM Me, mint */
}

static void
test_failing_token_source_is_reported_as_callback_error(void **state) {
    fixture *f = *state;
    f->rc.auth_type = LB_AUTH_EXTERNAL;
    f->rc.token_source = failing_source;
    start(f);
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    assert_int_equal(lb_provider_get(f->p, &s, &err), LAKEBASE_ECALLBACK);
    assert_non_null(strstr(lakebase_error_message(err), "-7"));
    lb_err_destroy(err);
}

typedef struct log_sink {
    int events;
    int leaked;
} log_sink;

static void collect_log(void *userdata, int level, const char *message) {
    log_sink *sink = userdata;
    (void)level;
    sink->events++;
    if (strstr(message, "dbcred-") || strstr(message, "oauth-") ||
        strstr(message, "sp-secret"))
        sink->leaked++;
}

static lb_log_sub *subscribe(fixture *f, lakebase_log_fn fn, void *userdata) {
    lb_logger lg = {fn, userdata, LAKEBASE_LOG_DEBUG};
    lb_log_sub *sub = NULL;
    assert_int_equal(lb_provider_subscribe(f->p, &lg, NULL, &sub, NULL), 0);
    assert_non_null(sub);
    return sub;
}

static void test_log_events_never_carry_a_token_or_secret(void **state) {
    fixture *f = *state;
    log_sink sink = {0};
    start(f);
    lb_log_sub *sub = subscribe(f, collect_log, &sink);
    fake_workspace_fail_next(&f->ws, 503, -1, 2);
    assert_int_equal(get_token_number(f), 1);
    fake_workspace_fail_next(&f->ws, 429, 1, 2);
    fake_clock_advance(&f->clock, 2701 * 1000);
    for (int i = 0; i < 3; i++) {
        lb_provider_tick(f->p);
        fake_clock_advance(&f->clock, 61 * 1000);
    }
    lb_provider_invalidate(f->p, NULL);
    assert_int_equal(get_token_number(f), 3);
    assert_true(sink.events >= 6);
    assert_int_equal(sink.leaked, 0);
    lb_provider_unsubscribe(f->p, sub);
}

/* A log handler may call back into the provider: it runs with no lock. */
typedef struct reentrant_sink {
    lb_provider *p;
    int events, stats_calls;
} reentrant_sink;

static void log_and_read_stats(void *userdata, int level, const char *message) {
    (void)level;
    (void)message;
    reentrant_sink *sink = userdata;
    sink->events++;
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    lb_provider_stats(sink->p, &st);
    sink->stats_calls += st.version == LAKEBASE_CREDENTIAL_STATS_VERSION;
}

static void test_a_log_handler_may_read_the_provider_stats(void **state) {
    fixture *f = *state;
    start(f);
    reentrant_sink sink = {f->p, 0, 0};
    lb_log_sub *sub = subscribe(f, log_and_read_stats, &sink);
    assert_int_equal(get_token_number(f), 1); /* logs "minted ..." */
    fake_workspace_fail_next(&f->ws, 503, -1, 1);
    fake_clock_advance(&f->clock, 2701 * 1000);
    lb_provider_tick(f->p);             /* logs the failed refresh */
    lb_provider_invalidate(f->p, NULL); /* logs the drop */
    assert_true(sink.events >= 3);
    assert_int_equal(sink.stats_calls, sink.events);
    lb_provider_unsubscribe(f->p, sub);
}

static void
test_every_subscriber_gets_the_events_until_it_leaves(void **state) {
    fixture *f = *state;
    start(f);
    log_sink first = {0}, second = {0};
    lb_log_sub *a = subscribe(f, collect_log, &first);
    lb_log_sub *b = subscribe(f, collect_log, &second);
    assert_int_equal(get_token_number(f), 1);
    assert_true(first.events >= 1);
    assert_int_equal(first.events, second.events);
    lb_provider_unsubscribe(f->p, a);
    int before = first.events;
    lb_provider_invalidate(f->p, NULL);
    assert_int_equal(get_token_number(f), 2);
    assert_int_equal(first.events, before); /* never called again */
    assert_true(second.events > before);
    lb_provider_unsubscribe(f->p, b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_first_get_mints_once_then_serves_the_cache),
        T(test_login_target_is_discovered_and_role_is_client_id),
        T(test_role_comes_from_scim_me_for_a_personal_access_token),
        T(test_provisioned_mint_sends_instance_and_request_id),
        T(test_background_refresh_runs_when_a_quarter_of_life_is_left),
        T(test_refresh_keeps_valid_token_when_mint_fails),
        T(test_failed_refresh_waits_for_backoff_and_retry_after),
        T(test_refresh_retries_forever_past_expiry_then_recovers),
        T(test_expired_token_is_replaced_by_a_synchronous_mint),
        T(test_lazy_refresh_inside_hard_margin_serves_current_token),
        T(test_retry_429_honours_retry_after_then_succeeds),
        T(test_network_errors_and_gateway_errors_are_retried),
        T(test_fail_fast_on_404_with_api_error_code),
        T(test_gives_up_at_the_mint_deadline_saying_so),
        T(test_bad_client_secret_fails_fast_as_auth_error),
        T(test_expiry_is_clamped_by_the_requested_ttl),
        T(test_oauth_token_is_reused_until_40s_before_expiry),
        T(test_invalidate_drops_the_token_and_next_get_mints),
        T(test_hundred_threads_cause_exactly_one_mint),
        T(test_waiters_share_a_failed_mint_verdict),
        T(test_caller_token_source_supplies_the_workspace_bearer),
        T(test_failing_token_source_is_reported_as_callback_error),
        T(test_log_events_never_carry_a_token_or_secret),
        T(test_a_log_handler_may_read_the_provider_stats),
        T(test_every_subscriber_gets_the_events_until_it_leaves),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
