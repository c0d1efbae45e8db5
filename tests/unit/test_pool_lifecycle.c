/* The pool's one connection lifecycle on a fake clock, with fake
 * connections and the background driven by hand (lb_pool_maintain): hours
 * of lifetimes in milliseconds, no sleeps, no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "error.h"
#include "fake_clock.h"
#include "login.h"
#include "pool.h"
#include "pool_life.h"

#define LIFETIME_S 2700
#define STEP_MS    (10 * 1000)
#define MAX_CONNS  64

/* Fake connections: what the pool opened, checked and closed, and when. */
typedef struct fake_conns {
    fake_clock *clock;
    int opened, closed, validated, resets;
    int fail_validation; /* the next validation says broken */
    struct {
        lb_pg_conn *c;
        int64_t opened_ms, closed_ms;
    } log[MAX_CONNS * 8];
    int n;
} fake_conns;

static int fake_connect(void *ctx, lb_login *login, const atomic_int *stop,
                        lb_pg_conn **out, lakebase_error **err) {
    (void)login;
    (void)stop;
    (void)err;
    fake_conns *f = ctx;
    lb_pg_conn *c = calloc(1, sizeof *c);
    assert_non_null(c);
    assert_true(f->n < (int)(sizeof f->log / sizeof f->log[0]));
    f->log[f->n].c = c;
    f->log[f->n].opened_ms = f->clock->mono_ms;
    f->log[f->n].closed_ms = -1;
    f->n++;
    f->opened++;
    *out = c;
    return 0;
}

static int fake_validate(void *ctx, lb_pg_conn *c) {
    (void)c;
    fake_conns *f = ctx;
    f->validated++;
    if (f->fail_validation) {
        f->fail_validation = 0;
        return 0;
    }
    return 1;
}

static int fake_reset(void *ctx, lb_pg_conn *c) {
    fake_conns *f = ctx;
    f->resets++;
    return c->broken ? -1 : 0;
}

static void fake_close(void *ctx, lb_pg_conn *c) {
    fake_conns *f = ctx;
    for (int i = 0; i < f->n; i++)
        if (f->log[i].c == c && f->log[i].closed_ms < 0)
            f->log[i].closed_ms = f->clock->mono_ms;
    f->closed++;
    free(c);
}

static const lb_pool_conn_ops FAKE_OPS = {fake_connect, fake_validate,
                                          fake_reset, fake_close};

typedef struct fixture {
    fake_clock clock;
    fake_conns conns;
    lb_login *login;
    lb_pool *pool;
    lb_pool_settings s;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    fake_clock_init(&f->clock, 1790000000000LL);
    f->conns.clock = &f->clock;
    lb_resolved_config rc = {0};
    rc.pg_password = (char *)"static";
    rc.pg_host = (char *)"localhost";
    rc.pg_user = (char *)"app";
    rc.pg_database = (char *)"db";
    rc.pg_sslmode = (char *)"disable";
    assert_int_equal(lb_login_new(&f->login, &rc, NULL), 0);
    f->s = (lb_pool_settings){.min_size = 2,
                              .max_size = 4,
                              .max_idle = 4,
                              .idle_timeout_s = 600,
                              .max_lifetime_s = LIFETIME_S,
                              .lifetime_jitter = 0.1,
                              .acquire_timeout_ms = 1000,
                              .connect_timeout_ms = 1000,
                              .max_connecting = 4,
                              .validate_after_idle_ms = 1000};
    *state = f;
    return 0;
}

static void start(fixture *f) {
    lb_pool_deps deps = {&f->clock.clock, &FAKE_OPS, &f->conns, 1};
    assert_int_equal(lb_pool_create(&f->pool, &f->s, f->login, &deps, NULL), 0);
    assert_int_equal(lb_pool_open(f->pool, 1, NULL), 0);
}

static int teardown(void **state) {
    fixture *f = *state;
    lb_pool_destroy(f->pool);
    lb_login_free(f->login);
    free(f);
    return 0;
}

static lakebase_pool_stats stats(fixture *f) {
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lb_pool_get_stats(f->pool, &st);
    return st;
}

/* Advances the clock by `ms` in steps, running the background work each
 * step (as the reactor's timer would). */
static void run_for(fixture *f, int64_t ms) {
    for (int64_t t = 0; t < ms; t += STEP_MS) {
        fake_clock_advance(&f->clock, STEP_MS);
        lb_pool_maintain(f->pool);
    }
}

static void use_one(fixture *f) {
    lb_pg_conn *c = NULL;
    assert_int_equal(lb_pool_acquire(f->pool, 0, &c, NULL), 0);
    lb_pool_release(f->pool, c);
}

static void
test_three_lifetimes_recycle_every_connection_inside_its_jitter(void **s) {
    fixture *f = *s;
    start(f);
    assert_int_equal(stats(f).total, 2);
    /* Three full lifetimes, used now and then: every connection leaves
     * between 90 % and 100 % of max_lifetime, replacements keep min_size. */
    for (int round = 0; round < 3 * LIFETIME_S * 1000 / (60 * 1000); round++) {
        run_for(f, 60 * 1000);
        use_one(f);
        lakebase_pool_stats st = stats(f);
        assert_true(st.total >= f->s.min_size);
        assert_true(st.total <= f->s.max_size);
    }
    int recycled = 0;
    for (int i = 0; i < f->conns.n; i++) {
        if (f->conns.log[i].closed_ms < 0)
            continue;
        int64_t lived = f->conns.log[i].closed_ms - f->conns.log[i].opened_ms;
        assert_true(lived >= (int64_t)(LIFETIME_S * 900) - STEP_MS);
        assert_true(lived <= (int64_t)LIFETIME_S * 1000 + STEP_MS);
        recycled++;
    }
    assert_true(recycled >= 4); /* each of the two, at least twice */
    assert_int_equal(stats(f).recycled, (uint64_t)recycled);
    /* Jitter fixed at birth: not every connection left at the same age. */
    int64_t first_age = -1;
    int differ = 0;
    for (int i = 0; i < f->conns.n; i++) {
        if (f->conns.log[i].closed_ms < 0)
            continue;
        int64_t age = f->conns.log[i].closed_ms - f->conns.log[i].opened_ms;
        if (first_age < 0)
            first_age = age;
        else if (age != first_age)
            differ = 1;
    }
    assert_true(differ);
}

static void test_idle_timeout_trims_down_to_min_size_only(void **s) {
    fixture *f = *s;
    start(f);
    lb_pg_conn *held[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(lb_pool_acquire(f->pool, 0, &held[i], NULL), 0);
    for (int i = 0; i < 4; i++)
        lb_pool_release(f->pool, held[i]);
    assert_int_equal(stats(f).idle, 4);
    run_for(f, 590 * 1000);
    assert_int_equal(stats(f).idle, 4);
    run_for(f, 20 * 1000);
    lakebase_pool_stats st = stats(f);
    assert_int_equal(st.idle, 2); /* min_size stays */
    assert_int_equal(st.trimmed, 2);
    run_for(f, 3600 * 1000 - LIFETIME_S * 1000);
    assert_int_equal(stats(f).trimmed, 2);
}

static void test_max_idle_closes_what_comes_back_beyond_it(void **s) {
    fixture *f = *s;
    f->s.min_size = 1;
    f->s.max_idle = 1;
    start(f);
    lb_pg_conn *held[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(lb_pool_acquire(f->pool, 0, &held[i], NULL), 0);
    for (int i = 0; i < 3; i++)
        lb_pool_release(f->pool, held[i]);
    lakebase_pool_stats st = stats(f);
    assert_int_equal(st.idle, 1);
    assert_int_equal(st.total, 1);
    assert_int_equal(st.trimmed, 2);
}

static void test_max_idle_below_min_size_keeps_min_size(void **s) {
    fixture *f = *s;
    f->s.max_idle = 1; /* min_size 2 wins: no open-and-trim churn */
    start(f);
    run_for(f, 60 * 1000);
    lakebase_pool_stats st = stats(f);
    assert_int_equal(st.total, 2);
    assert_int_equal(st.trimmed, 0);
    assert_int_equal(f->conns.opened, 2);
}

static void test_a_connection_idle_past_the_threshold_is_checked(void **s) {
    fixture *f = *s;
    start(f);
    use_one(f);
    assert_int_equal(f->conns.validated, 0); /* fresh: no round trip */
    fake_clock_advance(&f->clock, 1500);
    f->conns.fail_validation = 1;
    use_one(f); /* the first one it takes is broken: discarded */
    assert_int_equal(f->conns.validated, 2);
    assert_int_equal(stats(f).discarded, 1);
}

static void test_a_broken_connection_is_discarded_on_release(void **s) {
    fixture *f = *s;
    start(f);
    lb_pg_conn *c = NULL;
    assert_int_equal(lb_pool_acquire(f->pool, 0, &c, NULL), 0);
    c->broken = 1;
    lb_pool_release(f->pool, c);
    assert_int_equal(stats(f).discarded, 1);
    lb_pool_maintain(f->pool); /* replaced toward min_size */
    assert_int_equal(stats(f).total, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_three_lifetimes_recycle_every_connection_inside_its_jitter),
        T(test_idle_timeout_trims_down_to_min_size_only),
        T(test_max_idle_closes_what_comes_back_beyond_it),
        T(test_max_idle_below_min_size_keeps_min_size),
        T(test_a_connection_idle_past_the_threshold_is_checked),
        T(test_a_broken_connection_is_discarded_on_release),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
