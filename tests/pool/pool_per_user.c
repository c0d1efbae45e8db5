/* Per-user pool sets against the emulator: three identities (two service
 * principals by their OAuth workspace tokens, a user by a PAT), each
 * logging in as its own role, concurrently, with no credential or
 * connection crossing identities; the ttl, group_name and claims of the
 * set's configuration sent with every mint and checked by the emulator;
 * the bound on pools, idle eviction, and metrics per set. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"

#define CLAIMS                                                                 \
    "[{\"permission_set\": \"READ_ONLY\", \"resources\": [{\"table_name\": "   \
    "\"main.sales.orders\"}]}]"

typedef struct identity {
    const char *key;
    const char *role;
    char token[4096]; /* the workspace token a web handler would forward */
} identity;

static identity ids[3];

static void load_identities(void) {
    ids[0].key = "alice";
    ids[0].role = emu_env("DATABRICKS_CLIENT_ID");
    emu_oauth_token(ids[0].role, emu_env("DATABRICKS_CLIENT_SECRET"),
                    ids[0].token, sizeof ids[0].token);
    ids[1].key = "bob";
    ids[1].role = emu_env("EMULATOR_OTHER_CLIENT_ID");
    emu_oauth_token(ids[1].role, emu_env("EMULATOR_OTHER_CLIENT_SECRET"),
                    ids[1].token, sizeof ids[1].token);
    ids[2].key = "carol";
    ids[2].role = emu_env("EMULATOR_USER_EMAIL");
    snprintf(ids[2].token, sizeof ids[2].token, "%s",
             emu_env("EMULATOR_USER_TOKEN"));
}

/* ---- the set ------------------------------------------------------------- */

static lakebase_user_pools *new_set(int max_pools, int idle_evict_seconds) {
    const char *port = emu_env("EMULATOR_PROXY_PORT");
    const char *const pairs[] = {"config.use_environment",
                                 "false",
                                 "workspace.host",
                                 emu_env("DATABRICKS_HOST"),
                                 "http.ca_file",
                                 emu_env("LAKEBASE_CA_FILE"),
                                 "lakebase.endpoint",
                                 emu_env("LAKEBASE_ENDPOINT"),
                                 "lakebase.ttl_seconds",
                                 "900",
                                 "lakebase.group_name",
                                 "readers",
                                 "lakebase.claims",
                                 CLAIMS,
                                 "pg.sslrootcert",
                                 emu_env("LAKEBASE_CA_FILE"),
                                 "pg.sslmode",
                                 "verify-full",
                                 "pg.port",
                                 port ? port : "5432",
                                 "pool.max_size",
                                 "2",
                                 NULL};
    lakebase_config *cfg = NULL;
    emu_check(lakebase_config_new(&cfg, NULL), NULL, "config");
    emu_config_apply(cfg, pairs);
    lakebase_user_pools *set = NULL;
    lakebase_error *err = NULL;
    emu_check(
        lakebase_user_pools_new(&set, cfg, max_pools, idle_evict_seconds, &err),
        err, "lakebase_user_pools_new");
    lakebase_config_free(cfg);
    return set;
}

/* current_user on a connection of identity i's pool. */
static void expect_role(lakebase_user_pools *set, const identity *id) {
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    emu_check(
        lakebase_user_pools_acquire(set, id->key, id->token, -1, &conn, &err),
        err, "lakebase_user_pools_acquire");
    lakebase_result *res = NULL;
    emu_check(
        lakebase_conn_query(conn, "SELECT current_user", 0, NULL, &res, &err),
        err, "SELECT current_user");
    assert_string_equal(lakebase_result_text(res, 0, 0, NULL), id->role);
    lakebase_result_free(res);
    lakebase_conn_release(conn);
}

static lakebase_user_pools_stats set_stats(lakebase_user_pools *set) {
    lakebase_user_pools_stats st = LAKEBASE_USER_POOLS_STATS_INIT;
    emu_check(lakebase_user_pools_get_stats(set, &st, NULL), NULL, "stats");
    return st;
}

typedef struct worker {
    lakebase_user_pools *set;
    const identity *id;
} worker;

static void *run_identity(void *arg) {
    worker *w = arg;
    for (int i = 0; i < 15; i++)
        expect_role(w->set, w->id);
    return NULL;
}

static void test_three_identities_each_log_in_as_their_own_role(void **state) {
    (void)state;
    emu_reset("{\"expect_mint_request\": {\"ttl\": \"900s\", \"group_name\": "
              "\"readers\", \"claims\": " CLAIMS "}}");
    load_identities();
    lakebase_user_pools *set = new_set(3, 600);
    pthread_t t[3];
    worker w[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (worker){set, &ids[i]};
        assert_int_equal(pthread_create(&t[i], NULL, run_identity, &w[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    lakebase_user_pools_stats st = set_stats(set);
    assert_int_equal(st.pools, 3);
    assert_int_equal(st.pools_created, 3);
    assert_int_equal(st.pool.acquires, 45);
    /* One credential per identity, each for its own role: the proxy
     * refused nothing (a credential of another role is wrong_identity). */
    assert_int_equal(st.credential.mints_ok, 3);
    assert_int_equal(emu_stat("mints.autoscaling"), 3);
    assert_int_equal(emu_refused_logins(), 0);
    assert_true(emu_stat("logins.accepted") >= 3);

    /* The emulator checked every mint (expect_mint_request) and recorded
     * one per role, with the set's ttl, group and claims. */
    cJSON *j = emu_get_json("/emulator/mint-requests");
    cJSON *reqs = cJSON_GetObjectItem(j, "requests");
    assert_int_equal(cJSON_GetArraySize(reqs), 3);
    for (int i = 0; i < 3; i++) {
        int seen = 0;
        cJSON *r;
        cJSON_ArrayForEach(r, reqs) {
            if (strcmp(cJSON_GetObjectItem(r, "role")->valuestring,
                       ids[i].role) != 0)
                continue;
            seen++;
            assert_string_equal(cJSON_GetObjectItem(r, "ttl")->valuestring,
                                "900s");
            assert_string_equal(
                cJSON_GetObjectItem(r, "group_name")->valuestring, "readers");
            cJSON *claims = cJSON_GetObjectItem(r, "claims");
            assert_true(cJSON_IsArray(claims));
            assert_string_equal(
                cJSON_GetObjectItem(cJSON_GetArrayItem(claims, 0),
                                    "permission_set")
                    ->valuestring,
                "READ_ONLY");
            assert_null(cJSON_GetObjectItem(r, "refused"));
        }
        assert_int_equal(seen, 1);
    }
    cJSON_Delete(j);
    lakebase_user_pools_free(set);
}

static void
test_a_token_the_workspace_refuses_reaches_nobody_else(void **state) {
    (void)state;
    emu_reset(NULL);
    load_identities();
    lakebase_user_pools *set = new_set(3, 600);
    expect_role(set, &ids[0]);
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    int code = lakebase_user_pools_acquire(set, "mallory", "dapi-not-a-token",
                                           2000, &conn, &err);
    assert_int_equal(code, LAKEBASE_EAUTH);
    assert_null(conn);
    assert_null(strstr(lakebase_error_message(err), "dapi-not-a-token"));
    lakebase_error_free(err);
    err = NULL;
    /* A key with no pool needs a token. */
    assert_int_equal(
        lakebase_user_pools_acquire(set, "dave", NULL, 1000, &conn, &err),
        LAKEBASE_EINVAL);
    lakebase_error_free(err);
    expect_role(set, &ids[0]);
    assert_int_equal(emu_stat("mints.autoscaling"), 1);
    lakebase_user_pools_free(set);
}

static void test_the_set_is_bounded_and_evicts_idle_pools(void **state) {
    (void)state;
    emu_reset(NULL);
    load_identities();
    lakebase_user_pools *set = new_set(2, 1);
    expect_role(set, &ids[0]);
    expect_role(set, &ids[1]);
    /* Full: the least recently used idle pool (alice's) makes room. */
    expect_role(set, &ids[2]);
    lakebase_user_pools_stats st = set_stats(set);
    assert_int_equal(st.pools, 2);
    assert_int_equal(st.evicted_full, 1);

    /* Full and every pool leased: refused, not waited for. */
    lakebase_conn *held[2] = {NULL, NULL};
    lakebase_error *err = NULL;
    emu_check(
        lakebase_user_pools_acquire(set, ids[1].key, NULL, -1, &held[0], &err),
        err, "bob");
    emu_check(
        lakebase_user_pools_acquire(set, ids[2].key, NULL, -1, &held[1], &err),
        err, "carol");
    lakebase_conn *refused = NULL;
    assert_int_equal(lakebase_user_pools_acquire(set, ids[0].key, ids[0].token,
                                                 -1, &refused, &err),
                     LAKEBASE_ETIMEOUT);
    assert_null(refused);
    assert_non_null(strstr(lakebase_error_message(err), "max_pools"));
    lakebase_error_free(err);
    err = NULL;
    /* Leased pools are never evicted, however long they are held. */
    sleep(2);
    assert_int_equal(set_stats(set).pools, 2);
    lakebase_conn_release(held[0]);
    lakebase_conn_release(held[1]);

    /* Idle for a second: both closed by the background thread. */
    long long deadline = emu_now_ms() + 15000;
    while (set_stats(set).pools > 0 && emu_now_ms() < deadline)
        usleep(100 * 1000);
    st = set_stats(set);
    assert_int_equal(st.pools, 0);
    assert_int_equal(st.evicted_idle, 2);
    assert_int_equal(st.rejected, 1);
    /* Counters of evicted pools stay in the set's. */
    assert_int_equal(st.pool.acquires, 5);
    assert_int_equal(st.credential.mints_ok, 3);
    /* An evicted identity comes back with a new pool, as its own role. */
    expect_role(set, &ids[1]);
    assert_int_equal(set_stats(set).pools_created, 4);
    lakebase_user_pools_free(set);
}

typedef struct points {
    int pools_points;
    double pools;
    int leaked_role;
} points;

static void on_point(void *ud, const lakebase_metric_point *pt) {
    points *p = ud;
    if (strcmp(pt->name, "lakebase.pool_set.pools") == 0) {
        p->pools_points++;
        p->pools = pt->value;
    }
    for (size_t i = 0; i < pt->attribute_count; i++)
        for (int k = 0; k < 3; k++)
            if (strstr(pt->attribute_values[i], ids[k].role) ||
                strstr(pt->attribute_values[i], ids[k].key))
                p->leaked_role = 1;
}

static void test_metrics_are_per_set_never_per_user(void **state) {
    (void)state;
    emu_reset(NULL);
    load_identities();
    lakebase_user_pools *set = new_set(3, 600);
    for (int i = 0; i < 3; i++)
        expect_role(set, &ids[i]);
    points p = {0};
    emu_check(lakebase_user_pools_metrics(set, "obo", on_point, &p, NULL), NULL,
              "metrics");
    assert_int_equal(p.pools_points, 1);
    assert_true(p.pools == 3);
    assert_int_equal(p.leaked_role, 0);
    lakebase_user_pools_free(set);
}

static void test_a_set_refuses_a_configuration_with_an_identity(void **state) {
    (void)state;
    emu_load();
    lakebase_config *cfg = emu_config_minting(NULL);
    lakebase_user_pools *set = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_user_pools_new(&set, cfg, 3, 60, &err),
                     LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "auth.client_secret"));
    assert_null(set);
    lakebase_error_free(err);
    lakebase_config_free(cfg);
}

/* ---- asynchronous acquires and freeing a set with waiters --------------- */

/* What an asynchronous acquire's callback got. */
typedef struct lease_box {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;
    lakebase_conn *conn;
    int code;
} lease_box;

static void on_lease(void *userdata, lakebase_conn *conn, lakebase_error *err) {
    lease_box *b = userdata;
    pthread_mutex_lock(&b->mu);
    b->calls++;
    b->conn = conn;
    b->code = err ? lakebase_error_code(err) : 0;
    lakebase_error_free(err);
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void wait_for_lease(lease_box *b) {
    pthread_mutex_lock(&b->mu);
    long long end = emu_now_ms() + 20000;
    while (b->calls == 0 && emu_now_ms() < end) {
        pthread_mutex_unlock(&b->mu);
        usleep(10 * 1000);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    assert_int_equal(b->calls, 1);
}

#define LEASE_BOX_INIT                                                         \
    { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, 0 }

/* Leases both connections of identity 0's pool (pool.max_size 2). */
static void fill_pool(lakebase_user_pools *set, lakebase_conn *held[2]) {
    lakebase_error *err = NULL;
    for (int i = 0; i < 2; i++)
        emu_check(lakebase_user_pools_acquire(set, ids[0].key, ids[0].token, -1,
                                              &held[i], &err),
                  err, "lakebase_user_pools_acquire");
}

static void
test_an_async_acquire_waits_for_a_release_or_is_cancelled(void **state) {
    (void)state;
    emu_reset(NULL);
    load_identities();
    lakebase_user_pools *set = new_set(3, 60);
    lakebase_conn *held[2];
    fill_pool(set, held);
    lakebase_error *err = NULL;
    lakebase_conn *now = NULL;
    uint64_t ticket = 0;

    /* Waits while both are leased; a release hands one over. */
    lease_box got = LEASE_BOX_INIT;
    assert_int_equal(lakebase_user_pools_acquire_async(set, ids[0].key, NULL,
                                                       10000, on_lease, &got,
                                                       &now, &ticket, &err),
                     1);
    assert_null(now);
    assert_true(ticket != 0);
    assert_int_equal(got.calls, 0);
    lakebase_conn_release(held[0]);
    wait_for_lease(&got);
    assert_int_equal(got.code, 0);
    assert_non_null(got.conn);
    held[0] = got.conn;

    /* A cancelled request's callback never runs; its ticket is spent. */
    lease_box never = LEASE_BOX_INIT;
    assert_int_equal(lakebase_user_pools_acquire_async(set, ids[0].key, NULL,
                                                       10000, on_lease, &never,
                                                       &now, &ticket, &err),
                     1);
    assert_int_equal(lakebase_user_pools_acquire_cancel(set, ticket), 0);
    assert_int_equal(lakebase_user_pools_acquire_cancel(set, ticket), 1);
    lakebase_conn_release(held[0]);
    lakebase_conn_release(held[1]);
    usleep(200 * 1000);
    assert_int_equal(never.calls, 0);

    /* A new identity without its token is refused at once. */
    assert_int_equal(lakebase_user_pools_acquire_async(set, "nobody", NULL, -1,
                                                       on_lease, &never, &now,
                                                       &ticket, &err),
                     LAKEBASE_EINVAL);
    lakebase_error_free(err);
    lakebase_user_pools_free(set);
    assert_int_equal(never.calls, 0);
}

/* A fresh set whose identity 0 has both connections leased (`held`) and an
 * asynchronous acquire waiting (into `waiting`) with a 60 s timeout. */
static lakebase_user_pools *set_with_a_waiting_acquire(lakebase_conn *held[2],
                                                       lease_box *waiting) {
    emu_reset(NULL);
    load_identities();
    lakebase_user_pools *set = new_set(3, 60);
    fill_pool(set, held);
    lakebase_conn *now = NULL;
    uint64_t ticket = 0;
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_user_pools_acquire_async(set, ids[0].key, NULL,
                                                       60000, on_lease, waiting,
                                                       &now, &ticket, &err),
                     1);
    return set;
}

typedef struct blocked_acquire {
    lakebase_user_pools *set;
    int code;
} blocked_acquire;

static void *acquire_blocking(void *arg) {
    blocked_acquire *b = arg;
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    b->code = lakebase_user_pools_acquire(b->set, ids[0].key, NULL, 60000,
                                          &conn, &err);
    lakebase_error_free(err);
    lakebase_conn_release(conn);
    return NULL;
}

static void *free_set(void *arg) {
    lakebase_user_pools_free(arg);
    return NULL;
}

static void test_freeing_a_set_ends_its_waiting_acquires(void **state) {
    (void)state;
    lakebase_conn *held[2];
    lease_box waiting = LEASE_BOX_INIT;
    lakebase_user_pools *set = set_with_a_waiting_acquire(held, &waiting);
    blocked_acquire blocked = {set, 1};
    pthread_t acquirer, freer;
    pthread_create(&acquirer, NULL, acquire_blocking, &blocked);
    long long until = emu_now_ms() + 10000;
    while (set_stats(set).pool.waiting < 2 && emu_now_ms() < until)
        usleep(10 * 1000);
    assert_int_equal(set_stats(set).pool.waiting, 2);

    /* Both end with ECLOSED long before their 60 s timeouts; the free
     * then waits for the leased connections. */
    pthread_create(&freer, NULL, free_set, set);
    wait_for_lease(&waiting);
    assert_int_equal(waiting.code, LAKEBASE_ECLOSED);
    assert_null(waiting.conn);
    pthread_join(acquirer, NULL);
    assert_int_equal(blocked.code, LAKEBASE_ECLOSED);
    lakebase_conn_release(held[0]);
    lakebase_conn_release(held[1]);
    pthread_join(freer, NULL);
}

static void
test_closing_a_set_ends_its_acquires_but_not_its_leases(void **state) {
    (void)state;
    lakebase_conn *held[2];
    lease_box waiting = LEASE_BOX_INIT;
    lakebase_user_pools *set = set_with_a_waiting_acquire(held, &waiting);
    lakebase_error *err = NULL;
    /* Returns once the waiting acquire's callback ran, leases held. */
    emu_check(lakebase_user_pools_close(set, &err), err,
              "lakebase_user_pools_close");
    assert_int_equal(waiting.calls, 1);
    assert_int_equal(waiting.code, LAKEBASE_ECLOSED);
    lakebase_conn *late = NULL;
    assert_int_equal(lakebase_user_pools_acquire(set, ids[1].key, ids[1].token,
                                                 -1, &late, &err),
                     LAKEBASE_ECLOSED);
    lakebase_error_free(err);
    err = NULL;
    lakebase_result *res = NULL;
    emu_check(lakebase_conn_query(held[0], "SELECT 1", 0, NULL, &res, &err),
              err, "a leased connection after close");
    lakebase_result_free(res);
    emu_check(lakebase_user_pools_close(set, &err), err, "a second close");
    lakebase_conn_release(held[0]);
    lakebase_conn_release(held[1]);
    lakebase_user_pools_free(set);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_identities_each_log_in_as_their_own_role),
        cmocka_unit_test(
            test_a_token_the_workspace_refuses_reaches_nobody_else),
        cmocka_unit_test(test_the_set_is_bounded_and_evicts_idle_pools),
        cmocka_unit_test(test_metrics_are_per_set_never_per_user),
        cmocka_unit_test(test_a_set_refuses_a_configuration_with_an_identity),
        cmocka_unit_test(
            test_an_async_acquire_waits_for_a_release_or_is_cancelled),
        cmocka_unit_test(test_freeing_a_set_ends_its_waiting_acquires),
        cmocka_unit_test(
            test_closing_a_set_ends_its_acquires_but_not_its_leases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
