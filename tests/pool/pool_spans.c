/* Spans through a pool's span listener, against the emulator: a mint
 * attempt per HTTPS call (a refused one and its retry), each connect with
 * the server it reached, a refused login with its class and SQLSTATE, and
 * no call once the pool is freed. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "emulator.h"

#define MAX_SPANS 32
typedef struct seen_span {
    char name[64];
    char attrs[400]; /* "k=v;k=v", integers marked "k=#v" */
    int error_code;
    int64_t start, end;
} seen_span;

typedef struct spans {
    pthread_mutex_t mu; /* spans arrive on the library's threads */
    int n, after_free;
    int freed;
    seen_span s[MAX_SPANS];
} spans;

static void on_span(void *userdata, const lakebase_span *sp) {
    spans *all = userdata;
    pthread_mutex_lock(&all->mu);
    if (all->freed)
        all->after_free++;
    if (all->n < MAX_SPANS) {
        seen_span *o = &all->s[all->n++];
        snprintf(o->name, sizeof o->name, "%s", sp->name);
        o->attrs[0] = '\0';
        for (size_t i = 0; i < sp->attribute_count; i++) {
            size_t len = strlen(o->attrs);
            if (sp->attribute_is_int[i])
                snprintf(o->attrs + len, sizeof o->attrs - len, "%s%s=#%lld",
                         i ? ";" : "", sp->attribute_keys[i],
                         (long long)sp->attribute_ints[i]);
            else
                snprintf(o->attrs + len, sizeof o->attrs - len, "%s%s=%s",
                         i ? ";" : "", sp->attribute_keys[i],
                         sp->attribute_values[i]);
        }
        o->error_code = sp->error_code;
        o->start = sp->start_unix_nanos;
        o->end = sp->end_unix_nanos;
        assert_int_equal(sp->version, LAKEBASE_SPAN_VERSION);
        assert_true((sp->error_code == 0) == (sp->error_message == NULL));
        const char *name = NULL;
        assert_int_equal(lakebase_span_at(sp->span, &name, NULL, NULL), 0);
        assert_string_equal(name, sp->name);
    }
    pthread_mutex_unlock(&all->mu);
}

/* The spans named `name` that ended with `error_code` (-1: any failure)
 * whose attributes hold every "k=v" in `want` (';'-separated). */
static int count_spans(spans *all, const char *name, const char *want,
                       int error_code) {
    int n = 0;
    pthread_mutex_lock(&all->mu);
    for (int i = 0; i < all->n; i++) {
        const seen_span *sp = &all->s[i];
        if (strcmp(sp->name, name) != 0 ||
            (error_code < 0 ? sp->error_code == 0
                            : sp->error_code != error_code))
            continue;
        char copy[400];
        snprintf(copy, sizeof copy, "%s", want);
        int all_there = 1;
        for (char *save = NULL, *kv = strtok_r(copy, ";", &save); kv;
             kv = strtok_r(NULL, ";", &save)) {
            char needle[200];
            snprintf(needle, sizeof needle, ";%s;", kv);
            char hay[420];
            snprintf(hay, sizeof hay, ";%s;", sp->attrs);
            all_there &= strstr(hay, needle) != NULL;
        }
        n += all_there;
    }
    pthread_mutex_unlock(&all->mu);
    return n;
}

static void dump(spans *all) {
    for (int i = 0; i < all->n; i++)
        fprintf(stderr, "  %s [%d] {%s}\n", all->s[i].name,
                all->s[i].error_code, all->s[i].attrs);
}

static lakebase_pool *traced_pool(lakebase_config *cfg, spans *all) {
    lakebase_error *err = NULL;
    emu_check(lakebase_config_set_span_listener(cfg, on_span, all, &err), err,
              "lakebase_config_set_span_listener");
    return emu_pool(cfg);
}

static int64_t wall_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
test_a_refused_mint_its_retry_and_the_connect_are_spans(void **state) {
    (void)state;
    emu_reset("{\"mint_failures\": [{\"status\": 503, \"count\": 1}]}");
    spans all = {.mu = PTHREAD_MUTEX_INITIALIZER};
    const char *const extra[] = {"pool.min_size", "1", NULL};
    lakebase_pool *pool = traced_pool(emu_config_minting(extra), &all);
    int64_t before = wall_nanos();
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "lakebase_pool_open");
    int64_t after = wall_nanos();

    const char *mint = "lakebase.credential.mint";
    if (count_spans(&all, mint,
                    "lakebase.credential.api=postgres;"
                    "http.response.status_code=#503",
                    -1) != 1 ||
        count_spans(&all, mint,
                    "lakebase.credential.api=postgres;"
                    "http.response.status_code=#200",
                    0) != 1) {
        dump(&all);
        fail_msg("want one refused mint attempt and one that minted");
    }
    if (count_spans(
            &all, "lakebase.connect",
            "db.system.name=postgresql;db.namespace=databricks_postgres",
            0) != 1) {
        dump(&all);
        fail_msg("want one connect span");
    }
    pthread_mutex_lock(&all.mu);
    for (int i = 0; i < all.n; i++) {
        if (strcmp(all.s[i].name, "lakebase.connect") == 0) {
            assert_non_null(strstr(all.s[i].attrs, "server.address="));
            assert_non_null(strstr(all.s[i].attrs, "server.port=#"));
        }
        if (all.s[i].error_code != 0)
            assert_non_null(strstr(all.s[i].attrs, "error.type=E"));
        assert_true(all.s[i].start >= before - 1000000); /* 1 ms slack */
        assert_true(all.s[i].start <= all.s[i].end);
        assert_true(all.s[i].end <= after + 1000000);
        assert_null(strstr(all.s[i].attrs, "dbcred-")); /* no token */
    }
    pthread_mutex_unlock(&all.mu);

    /* A credentials handle sharing the pool's provider outlives the pool:
     * its mints never reach the freed pool's listener. */
    lakebase_config *cfg = emu_config_minting(NULL);
    lakebase_credentials *creds = NULL;
    emu_check(lakebase_credentials_new(&creds, cfg, &err), err,
              "lakebase_credentials_new");
    lakebase_config_free(cfg);
    lakebase_pool_free(pool);
    pthread_mutex_lock(&all.mu);
    all.freed = 1;
    pthread_mutex_unlock(&all.mu);
    emu_check(lakebase_credentials_invalidate(creds, NULL, &err), err,
              "lakebase_credentials_invalidate");
    lakebase_credential *cred = NULL;
    emu_check(lakebase_credentials_get(creds, &cred, &err), err,
              "lakebase_credentials_get");
    lakebase_credential_free(cred);
    lakebase_credentials_free(creds);
    assert_int_equal(all.after_free, 0);
}

static void test_a_refused_login_is_a_failed_connect_span(void **state) {
    (void)state;
    emu_reset("{\"reject_logins\": true}");
    spans all = {.mu = PTHREAD_MUTEX_INITIALIZER};
    const char *const extra[] = {"pool.min_size", "1", NULL};
    lakebase_pool *pool = traced_pool(emu_config_minting(extra), &all);
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_open(pool, 1, &err), LAKEBASE_ELOGIN);
    lakebase_error_free(err);
    lakebase_pool_free(pool);
    if (count_spans(&all, "lakebase.connect",
                    "error.type=ELOGIN;db.response.status_code=28P01",
                    LAKEBASE_ELOGIN) < 1) {
        dump(&all);
        fail_msg("want a refused connect span");
    }
    emu_reset(NULL);
}

static void
test_a_static_password_pool_reports_connects_and_no_mint(void **state) {
    (void)state;
    emu_reset(NULL);
    spans all = {.mu = PTHREAD_MUTEX_INITIALIZER};
    lakebase_pool *pool = traced_pool(emu_config_static(NULL), &all);
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_acquire(pool, &conn, &err), err,
              "lakebase_pool_acquire");
    lakebase_conn_release(conn);
    lakebase_pool_free(pool);
    assert_true(count_spans(&all, "lakebase.connect",
                            "db.system.name=postgresql", 0) >= 1);
    assert_int_equal(count_spans(&all, "lakebase.credential.mint", "", 0), 0);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_a_refused_mint_its_retry_and_the_connect_are_spans),
        cmocka_unit_test(test_a_refused_login_is_a_failed_connect_span),
        cmocka_unit_test(
            test_a_static_password_pool_reports_connects_and_no_mint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
