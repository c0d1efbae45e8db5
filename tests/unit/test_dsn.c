/* DSNs: both libpq forms map onto the pg.* keys, all or nothing, and no
 * message ever repeats the DSN's password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define SECRET "s3cr3t-DSN-pw"

static int setup(void **state) {
    lakebase_config *cfg = NULL;
    if (lakebase_config_new(&cfg, NULL) != 0)
        return -1;
    *state = cfg;
    return 0;
}

static int teardown(void **state) {
    lakebase_config_free(*state);
    return 0;
}

static const char *value(const lakebase_config *cfg, lb_key_id id) {
    return cfg->values[id];
}

static void expect_dsn_error(lakebase_config *cfg, const char *dsn,
                             const char *fragment) {
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_config_set_dsn(cfg, dsn, &err), LAKEBASE_ECONFIG);
    const char *m = lakebase_error_message(err);
    if (fragment && !strstr(m, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", m, fragment);
    if (strstr(m, SECRET))
        fail_msg("message \"%s\" repeats the password", m);
    lakebase_error_free(err);
}

static void test_url_form_sets_every_mapped_key(void **state) {
    lakebase_config *cfg = *state;
    assert_int_equal(
        lakebase_config_set_dsn(cfg,
                                "postgres://app%40corp:" SECRET
                                "@db.example.com:6543/my%20db?sslmode=verify-"
                                "full&application_name=svc&sslrootcert=/ca.pem"
                                "&hostaddr=10.0.0.7",
                                NULL),
        0);
    assert_string_equal(value(cfg, LB_KEY_PG_HOST), "db.example.com");
    assert_string_equal(value(cfg, LB_KEY_PG_PORT), "6543");
    assert_string_equal(value(cfg, LB_KEY_PG_DATABASE), "my db");
    assert_string_equal(value(cfg, LB_KEY_PG_USER), "app@corp");
    assert_string_equal(value(cfg, LB_KEY_PG_PASSWORD), SECRET);
    assert_string_equal(value(cfg, LB_KEY_PG_SSLMODE), "verify-full");
    assert_string_equal(value(cfg, LB_KEY_PG_APPLICATION_NAME), "svc");
    assert_string_equal(value(cfg, LB_KEY_PG_SSLROOTCERT), "/ca.pem");
    assert_string_equal(value(cfg, LB_KEY_PG_HOSTADDR), "10.0.0.7");
}

static void test_postgresql_scheme_is_accepted(void **state) {
    lakebase_config *cfg = *state;
    assert_int_equal(
        lakebase_config_set_dsn(cfg, "postgresql://h.example.com", NULL), 0);
    assert_string_equal(value(cfg, LB_KEY_PG_HOST), "h.example.com");
    assert_null(value(cfg, LB_KEY_PG_PORT));
}

static void test_key_value_form_with_quotes(void **state) {
    lakebase_config *cfg = *state;
    assert_int_equal(
        lakebase_config_set_dsn(cfg,
                                "host=db.example.com port=5433 dbname='my db' "
                                "user=bob password='" SECRET " x' "
                                "sslmode=require application_name=svc",
                                NULL),
        0);
    assert_string_equal(value(cfg, LB_KEY_PG_HOST), "db.example.com");
    assert_string_equal(value(cfg, LB_KEY_PG_PORT), "5433");
    assert_string_equal(value(cfg, LB_KEY_PG_DATABASE), "my db");
    assert_string_equal(value(cfg, LB_KEY_PG_USER), "bob");
    assert_string_equal(value(cfg, LB_KEY_PG_PASSWORD), SECRET " x");
    assert_string_equal(value(cfg, LB_KEY_PG_SSLMODE), "require");
}

static void test_dsn_leaves_unmentioned_keys_alone(void **state) {
    lakebase_config *cfg = *state;
    assert_int_equal(lakebase_config_set(cfg, "pg.user", "kept", NULL), 0);
    assert_int_equal(lakebase_config_set_dsn(cfg, "host=h", NULL), 0);
    assert_string_equal(value(cfg, LB_KEY_PG_USER), "kept");
    assert_int_equal(lakebase_config_set_dsn(cfg, "", NULL), 0);
    assert_string_equal(value(cfg, LB_KEY_PG_HOST), "h");
}

static void test_supported_libpq_option_we_do_not_map_is_named(void **state) {
    lakebase_config *cfg = *state;
    expect_dsn_error(cfg, "host=h connect_timeout=5", "\"connect_timeout\"");
    expect_dsn_error(cfg, "postgres://h/db?target_session_attrs=any",
                     "\"target_session_attrs\"");
    assert_null(value(cfg, LB_KEY_PG_HOST));
}

static void test_option_unknown_to_libpq_is_named(void **state) {
    lakebase_config *cfg = *state;
    expect_dsn_error(cfg, "host=h password=" SECRET " colour=blue",
                     "\"colour\"");
    expect_dsn_error(cfg, "postgres://u:" SECRET "@h/db?colour=blue",
                     "\"colour\"");
}

static void test_unparsable_dsn_never_repeats_the_password(void **state) {
    lakebase_config *cfg = *state;
    expect_dsn_error(cfg, "host=h password " SECRET, "DSN");
    expect_dsn_error(cfg, "host=h password='" SECRET, "DSN");
    expect_dsn_error(cfg, "postgres://u:" SECRET "%zz@h/db", "DSN");
    expect_dsn_error(cfg, "postgres://u:" SECRET "@[::1/db", "DSN");
    expect_dsn_error(cfg, "postgres://u@h/db?" SECRET, "DSN");
    assert_null(value(cfg, LB_KEY_PG_PASSWORD));
}

static void test_bad_value_applies_nothing(void **state) {
    lakebase_config *cfg = *state;
    expect_dsn_error(cfg, "user=bob password=" SECRET " port=54x", "pg.port");
    expect_dsn_error(cfg, "user=bob password=" SECRET " sslmode=bogus",
                     "pg.sslmode");
    assert_null(value(cfg, LB_KEY_PG_USER));
    assert_null(value(cfg, LB_KEY_PG_PASSWORD));
}

static const char *no_env(void *ctx, const char *name) {
    (void)ctx;
    (void)name;
    return NULL;
}

static void test_dsn_alone_resolves_to_static_mode(void **state) {
    lakebase_config *cfg = *state;
    assert_int_equal(
        lakebase_config_set_dsn(
            cfg, "postgres://app:" SECRET "@db.example.com/appdb", NULL),
        0);
    lb_resolved_config rc;
    lakebase_error *err = NULL;
    assert_int_equal(lb_config_resolve_env(cfg, no_env, NULL, &rc, &err), 0);
    assert_false(lb_config_is_minting(&rc));
    assert_string_equal(rc.pg_host, "db.example.com");
    assert_string_equal(rc.pg_user, "app");
    assert_string_equal(rc.pg_database, "appdb");
    assert_string_equal(rc.pg_password, SECRET);
    assert_int_equal(rc.pg_port, 5432);
    lb_resolved_config_clear(&rc);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_url_form_sets_every_mapped_key),
        T(test_postgresql_scheme_is_accepted),
        T(test_key_value_form_with_quotes),
        T(test_dsn_leaves_unmentioned_keys_alone),
        T(test_supported_libpq_option_we_do_not_map_is_named),
        T(test_option_unknown_to_libpq_is_named),
        T(test_unparsable_dsn_never_repeats_the_password),
        T(test_bad_value_applies_nothing),
        T(test_dsn_alone_resolves_to_static_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
