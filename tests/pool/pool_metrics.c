/* The books behind the duration and failure metrics, recorded by a real
 * pool and provider against the emulator and read through the ABI: every
 * connect's duration (db.client.connection.create_time), every mint
 * attempt's (lakebase.credential.mint.duration), and a refused login
 * tallied by error class and SQLSTATE (lakebase.pool.connect.errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"

#define POOL_NAME "db.client.connection.pool.name=orders"

/* What one collection reported, flattened to "k=v;k=v" attributes. */
#define MAX_POINTS 64
typedef struct seen_point {
    char name[64];
    char attrs[200];
    double value;
    uint64_t count;
    double sum;
} seen_point;

typedef struct seen {
    int n;
    seen_point p[MAX_POINTS];
} seen;

static void record(void *userdata, const lakebase_metric_point *pt) {
    seen *s = userdata;
    assert_true(s->n < MAX_POINTS);
    seen_point *o = &s->p[s->n++];
    snprintf(o->name, sizeof o->name, "%s", pt->name);
    o->attrs[0] = '\0';
    for (size_t i = 0; i < pt->attribute_count; i++) {
        size_t len = strlen(o->attrs);
        snprintf(o->attrs + len, sizeof o->attrs - len, "%s%s=%s", i ? ";" : "",
                 pt->attribute_keys[i], pt->attribute_values[i]);
    }
    o->value = pt->value;
    o->count = pt->count;
    o->sum = pt->sum;
}

static const seen_point *find(const seen *s, const char *name,
                              const char *attrs) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->p[i].name, name) == 0 &&
            strcmp(s->p[i].attrs, attrs) == 0)
            return &s->p[i];
    for (int i = 0; i < s->n; i++)
        fprintf(stderr, "  %s {%s}\n", s->p[i].name, s->p[i].attrs);
    fail_msg("no point %s {%s}", name, attrs);
    return NULL;
}

/* A counter's value, or a histogram's count of observations. */
static double value_of(const seen *s, const char *name, const char *attrs) {
    return find(s, name, attrs)->value;
}

static double observations(const seen *s, const char *name, const char *attrs) {
    return (double)find(s, name, attrs)->count;
}

static int count_named(const seen *s, const char *name) {
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += strcmp(s->p[i].name, name) == 0;
    return n;
}

static void collect(lakebase_pool *pool, seen *s) {
    lakebase_error *err = NULL;
    memset(s, 0, sizeof *s);
    int code = lakebase_pool_metrics(pool, "orders", record, s, &err);
    emu_check(code, err, "lakebase_pool_metrics");
}

static void
test_an_open_pool_reports_its_connect_and_mint_durations(void **state) {
    (void)state;
    emu_reset(NULL);
    const char *const extra[] = {"pool.min_size", "1", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    int code = lakebase_pool_open(pool, 1, &err);
    emu_check(code, err, "lakebase_pool_open");
    seen s;
    collect(pool, &s);

    /* One duration per connect the pool finished (min_size 1: no other
     * connect runs once the open returned), and they took time. */
    const char *ok = POOL_NAME ";lakebase.result=ok";
    const char *failed = POOL_NAME ";lakebase.result=failed";
    double create =
        observations(&s, "db.client.connection.create_time", POOL_NAME);
    assert_true(create >= 1);
    assert_true(create == value_of(&s, "lakebase.pool.connects", ok) +
                              value_of(&s, "lakebase.pool.connects", failed));
    assert_true(find(&s, "db.client.connection.create_time", POOL_NAME)->sum >
                0);
    assert_int_equal(count_named(&s, "lakebase.pool.connect.errors"), 0);

    /* One duration per mint attempt of the pool's provider, by result. */
    double minted = observations(&s, "lakebase.credential.mint.duration", ok);
    assert_true(minted >= 1);
    assert_true(minted == value_of(&s, "lakebase.credential.mints", ok));
    assert_true(find(&s, "lakebase.credential.mint.duration", ok)->sum > 0);
    assert_true(observations(&s, "lakebase.credential.mint.duration", failed) ==
                value_of(&s, "lakebase.credential.mints", failed));

    /* With the warm connection leased, the next acquire connects on the
     * caller's own thread: timed as well. */
    lakebase_conn *warm = NULL, *fresh = NULL;
    code = lakebase_pool_acquire(pool, &warm, &err);
    emu_check(code, err, "lakebase_pool_acquire");
    code = lakebase_pool_acquire(pool, &fresh, &err);
    emu_check(code, err, "lakebase_pool_acquire");
    collect(pool, &s);
    assert_true(observations(&s, "db.client.connection.create_time",
                             POOL_NAME) == create + 1);
    assert_true(value_of(&s, "lakebase.pool.connects", ok) == create + 1);
    lakebase_conn_release(fresh);
    lakebase_conn_release(warm);
    lakebase_pool_free(pool);
}

static void
test_a_refused_login_is_tallied_by_class_and_sqlstate(void **state) {
    (void)state;
    emu_reset("{\"reject_logins\": true}");
    const char *const extra[] = {"pool.min_size", "1", NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_open(pool, 1, &err), LAKEBASE_ELOGIN);
    char sqlstate[6];
    snprintf(sqlstate, sizeof sqlstate, "%s", lakebase_error_sqlstate(err));
    lakebase_error_free(err);
    assert_string_equal(sqlstate, "28P01");
    seen s;
    collect(pool, &s);
    char attrs[200];
    snprintf(attrs, sizeof attrs,
             POOL_NAME ";error.type=ELOGIN;db.response.status_code=%s",
             sqlstate);
    double refused = value_of(&s, "lakebase.pool.connect.errors", attrs);
    assert_true(refused >= 1);
    /* Failed connects are timed too. */
    assert_true(observations(&s, "db.client.connection.create_time",
                             POOL_NAME) >= refused);
    lakebase_pool_free(pool);
    emu_reset(NULL);
}

static void
test_a_static_password_pool_times_connects_but_never_mints(void **state) {
    (void)state;
    emu_reset(NULL);
    lakebase_pool *pool = emu_pool(emu_config_static(NULL));
    lakebase_error *err = NULL;
    int code = lakebase_pool_open(pool, 1, &err);
    emu_check(code, err, "lakebase_pool_open");
    seen s;
    collect(pool, &s);
    assert_true(
        observations(&s, "db.client.connection.create_time", POOL_NAME) >= 1);
    assert_int_equal(count_named(&s, "lakebase.credential.mint.duration"), 0);
    lakebase_pool_free(pool);
}

static void test_a_credentials_handle_reports_its_mint_durations(void **state) {
    (void)state;
    emu_reset(NULL);
    lakebase_config *cfg = emu_config_minting(NULL);
    lakebase_credentials *creds = NULL;
    lakebase_error *err = NULL;
    int code = lakebase_credentials_new(&creds, cfg, &err);
    emu_check(code, err, "lakebase_credentials_new");
    lakebase_config_free(cfg);
    lakebase_credential *cred = NULL;
    code = lakebase_credentials_get(creds, &cred, &err);
    emu_check(code, err, "lakebase_credentials_get");
    lakebase_credential_free(cred);
    seen s = {0};
    code = lakebase_credentials_metrics(creds, record, &s, &err);
    emu_check(code, err, "lakebase_credentials_metrics");
    const char *ok = "lakebase.result=ok";
    double minted = observations(&s, "lakebase.credential.mint.duration", ok);
    assert_true(minted >= 1);
    assert_true(minted == value_of(&s, "lakebase.credential.mints", ok));
    assert_int_equal(count_named(&s, "db.client.connection.create_time"), 0);
    lakebase_credentials_free(creds);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_an_open_pool_reports_its_connect_and_mint_durations),
        cmocka_unit_test(test_a_refused_login_is_tallied_by_class_and_sqlstate),
        cmocka_unit_test(
            test_a_static_password_pool_times_connects_but_never_mints),
        cmocka_unit_test(test_a_credentials_handle_reports_its_mint_durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
