/* The provider registry against an in-memory workspace and a fake clock:
 * a provider whose last handle was released lingers, paused, while its
 * token is usable, so short-lived handles in a loop mint once per token
 * lifetime; expired or surplus lingering providers are freed. */
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
#include "provider_registry.h"

#define START_WALL_MS 1790000000000LL
#define HOUR_MS       (3600 * 1000LL)

typedef struct fixture {
    fake_clock clock;
    fake_workspace ws;
    lb_resolved_config rc;
    lb_provider_deps deps;
    char endpoint[64];
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    fake_clock_init(&f->clock, START_WALL_MS);
    fake_workspace_init(&f->ws, &f->clock);
    snprintf(f->endpoint, sizeof f->endpoint,
             "projects/p/branches/b/"
             "endpoints/e");
    f->rc.host = (char *)"https://fake.test";
    f->rc.auth_type = LB_AUTH_OAUTH_M2M;
    f->rc.client_id = (char *)"sp-client";
    f->rc.client_secret = (char *)"sp-secret";
    f->rc.endpoint = f->endpoint;
    f->rc.refresh_fraction = 0.25;
    f->rc.hard_margin_seconds = 60;
    f->rc.mint_timeout_ms = 30000;
    f->rc.http_timeout_ms = 10000;
    f->rc.pg_port = 5432;
    f->deps =
        (lb_provider_deps){fake_workspace_send, &f->ws, &f->clock.clock, 1};
    *state = f;
    return 0;
}

static lb_provider *acquire(fixture *f) {
    lb_provider *p = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lb_registry_acquire_with(&f->rc, &f->deps, &p, &err), 0);
    assert_null(err);
    return p;
}

/* Releases for good: without a token nothing lingers, so no provider using
 * this test's clock survives into the next test. */
static void release_for_good(lb_provider *p) {
    lb_provider_invalidate(p, NULL);
    lb_registry_release(p);
}

static int teardown(void **state) {
    free(*state);
    return 0;
}

/* Gets a credential and returns its token number ("dbcred-N" -> N). */
static int token_number(lb_provider *p) {
    lb_token_snapshot s;
    lakebase_error *err = NULL;
    if (lb_provider_get(p, &s, &err) != 0) {
        print_error("get failed: %s\n", lakebase_error_message(err));
        lb_err_destroy(err);
        return -1;
    }
    int n = atoi(s.token + strlen("dbcred-"));
    lb_token_snapshot_clear(&s);
    return n;
}

static void
test_sequential_handles_share_one_mint_while_token_is_usable(void **state) {
    fixture *f = *state;
    lb_provider *first = acquire(f);
    assert_int_equal(token_number(first), 1);
    lb_registry_release(first);

    fake_clock_advance(&f->clock, 30 * 60 * 1000);
    lb_provider *second = acquire(f);
    assert_ptr_equal(second, first);
    assert_int_equal(token_number(second), 1);
    assert_int_equal(fake_workspace_mints(&f->ws), 1);
    release_for_good(second);
}

static void test_lingering_provider_is_replaced_after_expiry(void **state) {
    fixture *f = *state;
    lb_provider *first = acquire(f);
    assert_int_equal(token_number(first), 1);
    lb_registry_release(first);

    fake_clock_advance(&f->clock, HOUR_MS);
    lb_provider *second = acquire(f);
    assert_int_equal(token_number(second), 2);
    assert_int_equal(fake_workspace_mints(&f->ws), 2);
    lakebase_credential_stats st = {.version = 1};
    lb_provider_stats(second, &st);
    assert_int_equal(st.mints_ok, 1); /* a new provider, fresh counters */
    release_for_good(second);
}

static void
test_lingering_provider_never_refreshes_until_reacquired(void **state) {
    fixture *f = *state;
    lb_provider *p = acquire(f);
    assert_int_equal(token_number(p), 1);
    lb_registry_release(p);

    /* Past the refresh point (75 % of the hour) but still usable. */
    fake_clock_advance(&f->clock, 50 * 60 * 1000);
    lb_provider_tick(p);
    assert_int_equal(f->ws.mint_requests, 1);

    assert_ptr_equal(acquire(f), p);
    lb_provider_tick(p); /* resumed: the overdue refresh runs */
    assert_int_equal(fake_workspace_mints(&f->ws), 2);
    assert_int_equal(token_number(p), 2);
    release_for_good(p);
}

static void test_provider_without_token_is_freed_on_release(void **state) {
    fixture *f = *state;
    lb_provider *p = acquire(f);
    lb_registry_release(p); /* never minted: nothing worth keeping */
    p = acquire(f);
    lakebase_credential_stats st = {.version = 1};
    assert_int_equal(token_number(p), 1);
    lb_provider_stats(p, &st);
    assert_int_equal(st.mints_ok, 1);
    release_for_good(p);
}

static void
test_at_most_sixteen_providers_linger_oldest_go_first(void **state) {
    fixture *f = *state;
    enum { KEYS = LB_REGISTRY_MAX_LINGERING + 1 };
    for (int i = 0; i < KEYS; i++) {
        snprintf(f->endpoint, sizeof f->endpoint,
                 "projects/p/branches/b/endpoints/e%d", i);
        lb_provider *p = acquire(f);
        assert_int_equal(token_number(p), i + 1);
        lb_registry_release(p);
    }
    /* The newest still lingers; the oldest was evicted and mints anew. */
    snprintf(f->endpoint, sizeof f->endpoint,
             "projects/p/branches/b/endpoints/e%d", KEYS - 1);
    lb_provider *newest = acquire(f);
    assert_int_equal(token_number(newest), KEYS);
    snprintf(f->endpoint, sizeof f->endpoint,
             "projects/p/branches/b/endpoints/e0");
    lb_provider *oldest = acquire(f);
    assert_int_equal(token_number(oldest), KEYS + 1);
    release_for_good(newest);
    release_for_good(oldest);
    for (int i = 1; i < KEYS - 1; i++) {
        snprintf(f->endpoint, sizeof f->endpoint,
                 "projects/p/branches/b/endpoints/e%d", i);
        release_for_good(acquire(f));
    }
    assert_int_equal(fake_workspace_mints(&f->ws), KEYS + 1);
}

static void
test_release_and_reuse_with_refresh_thread_mints_once(void **state) {
    fixture *f = *state;
    f->deps.no_background = 0; /* pause and resume a live refresh thread */
    for (int round = 0; round < 5; round++) {
        lb_provider *p = acquire(f);
        assert_int_equal(token_number(p), 1);
        lb_registry_release(p);
    }
    assert_int_equal(fake_workspace_mints(&f->ws), 1);
    release_for_good(acquire(f));
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_sequential_handles_share_one_mint_while_token_is_usable),
        T(test_lingering_provider_is_replaced_after_expiry),
        T(test_lingering_provider_never_refreshes_until_reacquired),
        T(test_provider_without_token_is_freed_on_release),
        T(test_at_most_sixteen_providers_linger_oldest_go_first),
        T(test_release_and_reuse_with_refresh_thread_mints_once),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
