/* The rules the header states for every function, checked through the
 * public API alone: the `err` out-parameter, the code-name table bindings
 * read, and versioned stats structs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lakebase.h"

static lakebase_config *bad_config_error(lakebase_error **err) {
    lakebase_config *cfg = NULL;
    assert_int_equal(lakebase_config_new(&cfg, NULL), 0);
    assert_int_equal(lakebase_config_set(cfg, "no.such.key", "x", err),
                     LAKEBASE_ECONFIG);
    assert_non_null(*err);
    return cfg;
}

static void test_a_reused_error_pointer_is_refused_untouched(void **state) {
    (void)state;
    lakebase_error *err = NULL;
    lakebase_config *cfg = bad_config_error(&err);
    lakebase_error *first = err;
    char message[256];
    snprintf(message, sizeof message, "%s", lakebase_error_message(err));
    /* A second failing call with the same, unfreed error: nothing done. */
    assert_int_equal(lakebase_config_set(cfg, "pool.max_size", "lots", &err),
                     LAKEBASE_EINVAL);
    assert_ptr_equal(err, first);
    assert_string_equal(lakebase_error_message(err), message);
    assert_int_equal(lakebase_error_code(err), LAKEBASE_ECONFIG);
    /* ... not even a call that would succeed. */
    assert_int_equal(lakebase_config_set(cfg, "pool.max_size", "5", &err),
                     LAKEBASE_EINVAL);
    lakebase_credentials *creds = NULL;
    assert_int_equal(lakebase_credentials_new(&creds, cfg, &err),
                     LAKEBASE_EINVAL);
    assert_null(creds);
    lakebase_error_free(err);
    err = NULL;
    /* Freed and reset: calls work again, NULL is always accepted. */
    assert_int_equal(lakebase_config_set(cfg, "pool.max_size", "5", &err), 0);
    assert_null(err);
    assert_int_equal(lakebase_config_set(cfg, "pool.max_size", "x", NULL),
                     LAKEBASE_ECONFIG);
    lakebase_config_free(cfg);
}

static void test_every_code_has_a_name_and_back(void **state) {
    (void)state;
    assert_string_equal(lakebase_error_name(0), "OK");
    for (int code = LAKEBASE_EINVAL; code >= LAKEBASE_ECANCELED; code--) {
        const char *name = lakebase_error_name(code);
        assert_true(name[0] == 'E' && strcmp(name, "EUNKNOWN") != 0);
        int back = 0;
        assert_int_equal(lakebase_error_code_from_name(name, &back), 0);
        assert_int_equal(back, code);
        assert_string_not_equal(lakebase_strerror(code), "unknown error");
    }
    assert_string_equal(lakebase_error_name(LAKEBASE_ECONFIG), "ECONFIG");
    assert_string_equal(lakebase_error_name(-999), "EUNKNOWN");
    int untouched = 7;
    assert_int_equal(lakebase_error_code_from_name("ENOPE", &untouched),
                     LAKEBASE_EINVAL);
    assert_int_equal(untouched, 7);
    assert_int_equal(lakebase_error_code_from_name(NULL, &untouched),
                     LAKEBASE_EINVAL);
    assert_int_equal(lakebase_error_code_from_name("EINVAL", NULL),
                     LAKEBASE_EINVAL);
}

static void test_stats_structs_are_versioned(void **state) {
    (void)state;
    lakebase_pool_stats ps;
    memset(&ps, 0xab, sizeof ps);
    assert_int_equal(lakebase_pool_stats_init(&ps, LAKEBASE_POOL_STATS_VERSION),
                     0);
    assert_int_equal(ps.version, LAKEBASE_POOL_STATS_VERSION);
    assert_int_equal(ps.total, 0);
    assert_int_equal(ps.trimmed, 0);
    /* Version 1 nested the credential counters: refused, as is a version
     * newer than the library's. */
    assert_int_equal(lakebase_pool_stats_init(&ps, 1), LAKEBASE_EINVAL);
    assert_int_equal(
        lakebase_pool_stats_init(&ps, LAKEBASE_POOL_STATS_VERSION + 1),
        LAKEBASE_EINVAL);
    assert_int_equal(lakebase_pool_stats_init(NULL, 2), LAKEBASE_EINVAL);
    lakebase_credential_stats cs = LAKEBASE_CREDENTIAL_STATS_INIT;
    assert_int_equal(cs.version, LAKEBASE_CREDENTIAL_STATS_VERSION);
    assert_int_equal(lakebase_credential_stats_init(&cs, 1), 0);
    assert_int_equal(lakebase_credential_stats_init(
                         &cs, LAKEBASE_CREDENTIAL_STATS_VERSION + 1),
                     LAKEBASE_EINVAL);

    /* A pool (static password: no network) fills a v2 struct and refuses
     * one that was never initialised, naming the macro to use. */
    lakebase_config *cfg = NULL;
    assert_int_equal(lakebase_config_new(&cfg, NULL), 0);
    assert_int_equal(
        lakebase_config_set_dsn(cfg,
                                "host=localhost user=app password=pw dbname=db "
                                "sslmode=disable",
                                NULL),
        0);
    assert_int_equal(
        lakebase_config_set(cfg, "config.use_environment", "false", NULL), 0);
    lakebase_pool *pool = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_pool_new(&pool, cfg, &err), 0);
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    assert_int_equal(lakebase_pool_get_stats(pool, &st, &err), 0);
    assert_int_equal(st.total, 0);
    lakebase_pool_stats raw;
    memset(&raw, 0, sizeof raw);
    assert_int_equal(lakebase_pool_get_stats(pool, &raw, &err),
                     LAKEBASE_EINVAL);
    assert_non_null(
        strstr(lakebase_error_message(err), "LAKEBASE_POOL_STATS_INIT"));
    lakebase_error_free(err);
    lakebase_pool_free(pool);
    lakebase_config_free(cfg);
}

static void test_a_credential_says_how_to_log_in(void **state) {
    (void)state;
    lakebase_config *cfg = NULL;
    assert_int_equal(lakebase_config_new(&cfg, NULL), 0);
    assert_int_equal(
        lakebase_config_set_dsn(cfg,
                                "host=db.example.com hostaddr=127.0.0.1 "
                                "user=app password=pw dbname=db "
                                "sslmode=verify-full sslrootcert=/etc/ca.pem "
                                "application_name=billing",
                                NULL),
        0);
    assert_int_equal(
        lakebase_config_set(cfg, "config.use_environment", "false", NULL), 0);
    lakebase_credentials *creds = NULL;
    lakebase_credential *cred = NULL;
    assert_int_equal(lakebase_credentials_new(&creds, cfg, NULL), 0);
    assert_int_equal(lakebase_credentials_get(creds, &cred, NULL), 0);
    assert_string_equal(lakebase_credential_host(cred), "db.example.com");
    assert_string_equal(lakebase_credential_hostaddr(cred), "127.0.0.1");
    assert_string_equal(lakebase_credential_sslmode(cred), "verify-full");
    assert_string_equal(lakebase_credential_sslrootcert(cred), "/etc/ca.pem");
    assert_string_equal(lakebase_credential_application_name(cred), "billing");
    lakebase_credential_free(cred);
    lakebase_credentials_free(creds);
    /* Unset: NULL. */
    assert_int_equal(lakebase_config_set(cfg, "pg.sslrootcert", NULL, NULL), 0);
    assert_int_equal(lakebase_credentials_new(&creds, cfg, NULL), 0);
    assert_int_equal(lakebase_credentials_get(creds, &cred, NULL), 0);
    assert_null(lakebase_credential_sslrootcert(cred));
    lakebase_credential_free(cred);
    lakebase_credentials_free(creds);
    lakebase_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_reused_error_pointer_is_refused_untouched),
        cmocka_unit_test(test_every_code_has_a_name_and_back),
        cmocka_unit_test(test_stats_structs_are_versioned),
        cmocka_unit_test(test_a_credential_says_how_to_log_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
