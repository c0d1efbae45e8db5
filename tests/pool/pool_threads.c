/* Threads stay constant in the number of pools and identities: 200 pools,
 * each with a token source of its own (one provider each, as an
 * on-behalf-of-user app has one per user), each used once and all kept
 * open, cost the process at most 8 threads in all — the library's one
 * background thread and its few workers, whatever the count. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"

#define POOLS       200
#define MAX_THREADS 8

static int threads_now(void) {
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Each pool's source is its own (its own userdata): its own provider. */
typedef struct user {
    int calls;
} user;

static int user_token(void *userdata, char *buf, size_t cap,
                      int64_t *expires_at_unix_ms) {
    user *u = userdata;
    u->calls++;
    snprintf(buf, cap, "%s", emu_env("EMULATOR_USER_TOKEN"));
    *expires_at_unix_ms = 0;
    return 0;
}

static lakebase_pool *user_pool(user *u) {
    const char *port = emu_env("EMULATOR_PROXY_PORT");
    const char *const pairs[] = {"config.use_environment", "false",
                                 "workspace.host", emu_env("DATABRICKS_HOST"),
                                 "auth.type", "external", "lakebase.endpoint",
                                 emu_env("LAKEBASE_ENDPOINT"), "http.ca_file",
                                 emu_env("LAKEBASE_CA_FILE"), "pg.sslrootcert",
                                 emu_env("LAKEBASE_CA_FILE"), "pg.sslmode",
                                 "verify-full", "pg.port", port ? port : "5432",
                                 /* Each pool keeps no idle connection, so
                                  * 200 pools do not hold 200 backends. */
                                 "pool.max_idle", "0", NULL};
    lakebase_config *cfg = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_config_new(&cfg, &err), err, "config");
    emu_config_apply(cfg, pairs);
    emu_check(lakebase_config_set_token_source(cfg, user_token, u, &err), err,
              "token source");
    return emu_pool(cfg);
}

static void test_two_hundred_identities_cost_a_constant_few_threads(void **s) {
    (void)s;
    emu_reset(NULL);
    static lakebase_pool *pools[POOLS];
    static user users[POOLS];
    int most = threads_now();
    for (int i = 0; i < POOLS; i++) {
        pools[i] = user_pool(&users[i]);
        lakebase_result *res = NULL;
        lakebase_error *err = NULL;
        emu_check(lakebase_pool_query(pools[i], "SELECT current_user", 0, NULL,
                                      &res, &err),
                  err, "query");
        lakebase_result_free(res);
        int now = threads_now();
        if (now > most)
            most = now;
    }
    fprintf(stderr, "%d pools and providers, at most %d threads\n", POOLS,
            most);
    assert_true(most <= MAX_THREADS);
    /* Each identity minted for itself: one provider per source. */
    assert_true(emu_stat("mints.autoscaling") >= POOLS);
    for (int i = 0; i < POOLS; i++) {
        assert_true(users[i].calls >= 1);
        lakebase_pool_free(pools[i]);
    }
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_two_hundred_identities_cost_a_constant_few_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
