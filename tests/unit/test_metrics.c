/* The metric and span tables served through the ABI, the one mapping from
 * counters to points, and the books for connect and mint durations and
 * connect failures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lakebase.h"
#include "metric_books.h"
#include "metrics.h"

/* Every point a collection reported, flattened for assertions. */
#define MAX_POINTS 64
typedef struct seen_point {
    char name[64];
    char attrs[160]; /* "k=v;k=v" */
    double value;
    uint64_t count;
    double sum;
    int has_sum;
    size_t buckets;
    uint64_t bucket_counts[16];
} seen_point;

typedef struct seen {
    int n;
    seen_point p[MAX_POINTS];
} seen;

static void record(void *userdata, const lakebase_metric_point *pt) {
    seen *s = userdata;
    assert_true(s->n < MAX_POINTS);
    seen_point *o = &s->p[s->n++];
    assert_int_equal(pt->version, LAKEBASE_METRIC_POINT_VERSION);
    const char *name = NULL;
    assert_int_equal(
        lakebase_metric_at(pt->metric, &name, NULL, NULL, NULL, NULL), 0);
    assert_string_equal(name, pt->name);
    snprintf(o->name, sizeof o->name, "%s", pt->name);
    for (size_t i = 0; i < pt->attribute_count; i++) {
        size_t len = strlen(o->attrs);
        snprintf(o->attrs + len, sizeof o->attrs - len, "%s%s=%s", i ? ";" : "",
                 pt->attribute_keys[i], pt->attribute_values[i]);
    }
    o->value = pt->value;
    o->count = pt->count;
    o->sum = pt->sum;
    o->has_sum = pt->has_sum;
    o->buckets = pt->bucket_count;
    for (size_t i = 0; i < pt->bucket_count && i < 16; i++)
        o->bucket_counts[i] = pt->bucket_counts[i];
}

static const seen_point *find(const seen *s, const char *name,
                              const char *attrs) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->p[i].name, name) == 0 &&
            strcmp(s->p[i].attrs, attrs) == 0)
            return &s->p[i];
    fail_msg("no point %s {%s}", name, attrs);
    return NULL;
}

static int count_named(const seen *s, const char *name) {
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += strcmp(s->p[i].name, name) == 0;
    return n;
}

static void test_every_metric_and_span_is_described_once(void **state) {
    (void)state;
    size_t n = 0;
    const char *names[64];
    const char *name, *unit, *description, *attributes;
    int kind;
    while (lakebase_metric_at(n, &name, &kind, &unit, &description,
                              &attributes) == 0) {
        assert_true(n < 64);
        assert_true(strncmp(name, "lakebase.", 9) == 0 ||
                    strncmp(name, "db.client.", 10) == 0);
        assert_true(kind >= LAKEBASE_METRIC_COUNTER &&
                    kind <= LAKEBASE_METRIC_HISTOGRAM);
        assert_true(unit[0] != '\0' && description[0] != '\0');
        assert_non_null(attributes);
        for (size_t i = 0; i < n; i++)
            assert_string_not_equal(names[i], name);
        names[n++] = name;
    }
    assert_int_equal(n, LB_METRIC_COUNT);
    assert_int_equal(lakebase_metric_at(n, NULL, NULL, NULL, NULL, NULL),
                     LAKEBASE_ERANGE);
    /* Out-parameters may be NULL. */
    assert_int_equal(lakebase_metric_at(0, NULL, NULL, NULL, NULL, NULL), 0);

    assert_int_equal(lakebase_span_at(0, &name, &description, &attributes), 0);
    assert_string_equal(name, "lakebase.credential.mint");
    assert_int_equal(lakebase_span_at(1, &name, &description, &attributes), 0);
    assert_string_equal(name, "lakebase.connect");
    assert_non_null(strstr(attributes, "db.system.name"));
    assert_int_equal(lakebase_span_at(LB_SPAN_COUNT, &name, NULL, NULL),
                     LAKEBASE_ERANGE);
}

static void test_no_attribute_is_high_cardinality(void **state) {
    (void)state;
    const char *attributes;
    static const char *const forbidden[] = {
        "db.query.text", "db.user", "user", "role", "server.address", NULL};
    for (size_t i = 0;
         lakebase_metric_at(i, NULL, NULL, NULL, NULL, &attributes) == 0; i++)
        for (const char *const *f = forbidden; *f; f++) {
            char padded[200], word[64];
            snprintf(padded, sizeof padded, ",%s,", attributes);
            snprintf(word, sizeof word, ",%s,", *f);
            assert_null(strstr(padded, word));
        }
}

static void test_pool_and_credential_counters_become_points(void **state) {
    (void)state;
    lakebase_pool_stats ps = LAKEBASE_POOL_STATS_INIT;
    ps.total = 6;
    ps.idle = 3;
    ps.in_use = 2;
    ps.connecting = 1;
    ps.waiting = 4;
    ps.connects_ok = 7;
    ps.connects_failed = 2;
    ps.recycled = 5;
    ps.discarded = 1;
    ps.trimmed = 3;
    ps.acquires = 40;
    ps.acquire_timeouts = 2;
    uint64_t hist[7] = {10, 20, 5, 3, 1, 1, 0};
    memcpy(ps.wait_histogram, hist, sizeof hist);
    lakebase_credential_stats cs = LAKEBASE_CREDENTIAL_STATS_INIT;
    cs.mints_ok = 3;
    cs.mints_failed = 1;
    cs.expire_time_unix_ms = 1000000 + 90500;
    cs.degraded_since_unix_ms = 999000;

    seen s = {0};
    lb_metric_sources src = {.pool = &ps,
                             .cred = &cs,
                             .pool_name = "orders",
                             .now_wall_ms = 1000000};
    lb_metrics_collect(&src, record, &s);
    const char *pn = "db.client.connection.pool.name=orders";
    char a[128];
#define ATTRS(extra) (snprintf(a, sizeof a, "%s%s", pn, extra), a)
    assert_true(find(&s, "db.client.connection.count",
                     ATTRS(";db.client.connection.state=idle"))
                    ->value == 3);
    assert_true(find(&s, "db.client.connection.count",
                     ATTRS(";db.client.connection.state=used"))
                    ->value == 2);
    assert_true(find(&s, "db.client.connection.count",
                     ATTRS(";db.client.connection.state=connecting"))
                    ->value == 1);
    assert_true(
        find(&s, "db.client.connection.pending_requests", ATTRS(""))->value ==
        4);
    assert_true(find(&s, "lakebase.pool.connects", ATTRS(";lakebase.result=ok"))
                    ->value == 7);
    assert_true(
        find(&s, "lakebase.pool.connects", ATTRS(";lakebase.result=failed"))
            ->value == 2);
    assert_true(find(&s, "lakebase.pool.connections.closed",
                     ATTRS(";lakebase.close.reason=recycled"))
                    ->value == 5);
    assert_true(find(&s, "lakebase.pool.connections.closed",
                     ATTRS(";lakebase.close.reason=trimmed"))
                    ->value == 3);
    assert_true(find(&s, "db.client.connection.timeouts", ATTRS(""))->value ==
                2);
    assert_true(find(&s, "lakebase.pool.acquires", ATTRS(""))->value == 40);
    const seen_point *wait =
        find(&s, "db.client.connection.wait_time", ATTRS(""));
    assert_int_equal(wait->count, 40);
    assert_int_equal(wait->buckets, 7);
    assert_int_equal(wait->has_sum, 0);
    assert_memory_equal(wait->bucket_counts, hist, sizeof hist);
    assert_true(
        find(&s, "lakebase.credential.mints", ATTRS(";lakebase.result=ok"))
            ->value == 3);
    assert_true(
        find(&s, "lakebase.credential.mints", ATTRS(";lakebase.result=failed"))
            ->value == 1);
    assert_true(
        fabs(find(&s, "lakebase.credential.expires_in", ATTRS(""))->value -
             90.5) < 1e-9);
    assert_true(
        find(&s, "lakebase.credential.refresh.degraded", ATTRS(""))->value ==
        1);
    /* Books not kept by these sources: no points of theirs. */
    assert_int_equal(count_named(&s, "db.client.connection.create_time"), 0);
    assert_int_equal(count_named(&s, "lakebase.credential.mint.duration"), 0);
#undef ATTRS
}

static void test_no_expiry_point_without_a_cached_token(void **state) {
    (void)state;
    lakebase_credential_stats cs = LAKEBASE_CREDENTIAL_STATS_INIT;
    seen s = {0};
    lb_metric_sources src = {.cred = &cs, .now_wall_ms = 5};
    lb_metrics_collect(&src, record, &s);
    assert_int_equal(count_named(&s, "lakebase.credential.expires_in"), 0);
    assert_true(find(&s, "lakebase.credential.refresh.degraded", "")->value ==
                0);
    assert_int_equal(count_named(&s, "db.client.connection.count"), 0);
}

static void
test_connect_books_bucket_durations_and_tally_failures(void **state) {
    (void)state;
    lb_connect_books books;
    lb_connect_books_init(&books);
    lb_connect_books_record(&books, 800, 0, NULL);    /* <= 1 ms */
    lb_connect_books_record(&books, 30000, 0, NULL);  /* <= 50 ms */
    lb_connect_books_record(&books, 20000000, 0, ""); /* > 10 s */
    lb_connect_books_record(&books, 2000, LAKEBASE_ELOGIN, "28P01");
    lb_connect_books_record(&books, 2000, LAKEBASE_ELOGIN, "28P01");
    lb_connect_books_record(&books, 2000, LAKEBASE_ECONNECTION, NULL);
    lb_connect_books_record(&books, 2000, LAKEBASE_ELOGIN, "not-a-sqlstate");

    seen s = {0};
    lb_metric_sources src = {.connects = &books};
    lb_metrics_collect(&src, record, &s);
    const seen_point *d = find(&s, "db.client.connection.create_time", "");
    assert_int_equal(d->count, 7);
    assert_int_equal(d->buckets, LB_DURATION_BOUNDS + 1);
    assert_int_equal(d->bucket_counts[0], 1);
    assert_int_equal(d->bucket_counts[1], 4); /* the 2 ms failures */
    assert_int_equal(d->bucket_counts[3], 1);
    assert_int_equal(d->bucket_counts[LB_DURATION_BOUNDS], 1);
    assert_true(d->has_sum && fabs(d->sum - 20.0388) < 1e-9);
    assert_true(find(&s, "lakebase.pool.connect.errors",
                     "error.type=ELOGIN;db.response.status_code=28P01")
                    ->value == 2);
    assert_true(
        find(&s, "lakebase.pool.connect.errors", "error.type=ECONNECTION")
            ->value == 1);
    assert_true(
        find(&s, "lakebase.pool.connect.errors", "error.type=ELOGIN")->value ==
        1);
    lb_connect_books_destroy(&books);
}

static void test_connect_failure_kinds_stay_bounded(void **state) {
    (void)state;
    lb_connect_books books;
    lb_connect_books_init(&books);
    char sqlstate[6];
    for (int i = 0; i < 100; i++) {
        snprintf(sqlstate, sizeof sqlstate, "XX%03d", i);
        lb_connect_books_record(&books, 1000, LAKEBASE_ESQL, sqlstate);
    }
    seen s = {0};
    lb_metric_sources src = {.connects = &books};
    lb_metrics_collect(&src, record, &s);
    assert_int_equal(count_named(&s, "lakebase.pool.connect.errors"),
                     LB_CONNECT_FAILURE_KINDS);
    assert_true(find(&s, "lakebase.pool.connect.errors",
                     "error.type=ESQL;db.response.status_code=XX000")
                    ->value == 1);
    assert_true(
        find(&s, "lakebase.pool.connect.errors", "error.type=_OTHER")->value ==
        100 - (LB_CONNECT_FAILURE_KINDS - 1));
    lb_connect_books_destroy(&books);
}

static void test_mint_books_split_by_result(void **state) {
    (void)state;
    lb_mint_books books;
    lb_mint_books_init(&books);
    lb_mint_books_record(&books, 40000, 0);
    lb_mint_books_record(&books, 60000, 0);
    lb_mint_books_record(&books, 7000000, LAKEBASE_ESERVER);
    seen s = {0};
    lb_metric_sources src = {.mints = &books, .pool_name = "p"};
    lb_metrics_collect(&src, record, &s);
    const seen_point *ok =
        find(&s, "lakebase.credential.mint.duration",
             "db.client.connection.pool.name=p;lakebase.result=ok");
    assert_int_equal(ok->count, 2);
    assert_true(fabs(ok->sum - 0.1) < 1e-9);
    const seen_point *failed =
        find(&s, "lakebase.credential.mint.duration",
             "db.client.connection.pool.name=p;lakebase.result=failed");
    assert_int_equal(failed->count, 1);
    assert_int_equal(failed->bucket_counts[LB_DURATION_BOUNDS - 1], 1);
}

static void test_public_collect_checks_its_arguments(void **state) {
    (void)state;
    lakebase_error *err = NULL;
    seen s = {0};
    assert_int_equal(lakebase_pool_metrics(NULL, "p", record, &s, &err),
                     LAKEBASE_EHANDLE);
    lakebase_error_free(err);
    err = NULL;
    assert_int_equal(lakebase_credentials_metrics(NULL, record, &s, NULL),
                     LAKEBASE_EHANDLE);
    lakebase_pool_stats old = {1};
    assert_int_equal(
        lakebase_metrics_from_stats(&old, NULL, NULL, record, &s, &err),
        LAKEBASE_EINVAL);
    assert_non_null(strstr(lakebase_error_message(err), "version"));
    lakebase_error_free(err);
    assert_int_equal(
        lakebase_metrics_from_stats(NULL, NULL, NULL, NULL, NULL, NULL),
        LAKEBASE_EINVAL);
    assert_int_equal(s.n, 0);
}

static void test_a_pool_reports_its_points_through_the_abi(void **state) {
    (void)state;
    /* A static-password pool: no network until it is used. */
    lakebase_config *cfg = NULL;
    lakebase_pool *pool = NULL;
    assert_int_equal(lakebase_config_new(&cfg, NULL), 0);
    assert_int_equal(
        lakebase_config_set(cfg, "config.use_environment", "false", NULL), 0);
    assert_int_equal(
        lakebase_config_set_dsn(
            cfg, "postgres://u:p@127.0.0.1:1/db?sslmode=require", NULL),
        0);
    assert_int_equal(lakebase_pool_new(&pool, cfg, NULL), 0);
    seen s = {0};
    assert_int_equal(lakebase_pool_metrics(pool, "web", record, &s, NULL), 0);
    assert_true(find(&s, "db.client.connection.count",
                     "db.client.connection.pool.name=web;"
                     "db.client.connection.state=idle")
                    ->value == 0);
    assert_true(find(&s, "lakebase.credential.mints",
                     "db.client.connection.pool.name=web;lakebase.result=ok")
                    ->value == 0);
    lakebase_pool_free(pool);
    lakebase_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_metric_and_span_is_described_once),
        cmocka_unit_test(test_no_attribute_is_high_cardinality),
        cmocka_unit_test(test_pool_and_credential_counters_become_points),
        cmocka_unit_test(test_no_expiry_point_without_a_cached_token),
        cmocka_unit_test(
            test_connect_books_bucket_durations_and_tally_failures),
        cmocka_unit_test(test_connect_failure_kinds_stay_bounded),
        cmocka_unit_test(test_mint_books_split_by_result),
        cmocka_unit_test(test_public_collect_checks_its_arguments),
        cmocka_unit_test(test_a_pool_reports_its_points_through_the_abi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
