/* Configuration: precedence of explicit values, environment, profile and
 * defaults; value checks; cross-key validation; the public API's handle
 * checks; and docs/configuration.md listing every key. The environment is
 * always a fake, so the real one never leaks in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "error.h"
#include "handle.h"
#include "temp_file.h"

#define ENDPOINT        "projects/my-proj/branches/main/endpoints/ep-1"
#define SECRET_TOKEN    "dapiTOPSECRETtoken0123"
#define SECRET_CLIENT   "doseCLIENTSECRET4567"
#define SECRET_PASSWORD "pw-VERYSECRET-89"

/* --- fixtures ----------------------------------------------------------------
 */

typedef struct fake_env {
    const char *vars[16][2];
} fake_env;

static const char *fake_getenv(void *ctx, const char *name) {
    const fake_env *env = ctx;
    for (size_t i = 0; i < 16 && env->vars[i][0]; i++)
        if (strcmp(env->vars[i][0], name) == 0)
            return env->vars[i][1];
    return NULL;
}

typedef struct fixture {
    lakebase_config *cfg;
    fake_env env;
    lb_resolved_config rc;
    lakebase_error *err;
    char *file; /* a temp config file, removed at teardown */
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    if (!f || lakebase_config_new(&f->cfg, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    lb_resolved_config_clear(&f->rc);
    lakebase_error_free(f->err);
    lakebase_config_free(f->cfg);
    if (f->file) {
        unlink(f->file);
        free(f->file);
    }
    free(f);
    return 0;
}

static void set(fixture *f, const char *key, const char *value) {
    lakebase_error *err = NULL;
    int rc = lakebase_config_set(f->cfg, key, value, &err);
    if (rc != 0)
        fail_msg("setting %s: %s", key, lakebase_error_message(err));
}

static void setenv_fake(fixture *f, const char *name, const char *value) {
    size_t i = 0;
    while (f->env.vars[i][0])
        i++;
    assert_true(i < 15);
    f->env.vars[i][0] = name;
    f->env.vars[i][1] = value;
}

static int resolve(fixture *f) {
    lb_resolved_config_clear(&f->rc);
    lakebase_error_free(f->err);
    f->err = NULL;
    return lb_config_resolve_env(f->cfg, fake_getenv, &f->env, &f->rc, &f->err);
}

static const char *msg(const fixture *f) {
    return lakebase_error_message(f->err);
}

/* Resolves, expects ECONFIG and each of the NULL-terminated fragments. */
static void expect_config_error(fixture *f, ...) {
    assert_int_equal(resolve(f), LAKEBASE_ECONFIG);
    va_list ap;
    va_start(ap, f);
    for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
        if (!strstr(msg(f), s))
            fail_msg("message \"%s\" lacks \"%s\"", msg(f), s);
    va_end(ap);
}

static void write_config_file(fixture *f, const char *text) {
    f->file = temp_file_write(text, strlen(text));
    assert_non_null(f->file);
}

static void minting_pat(fixture *f) {
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "workspace.host", "https://ws.example.com");
    set(f, "auth.token", SECRET_TOKEN);
}

static int fake_source(void *userdata, char *buf, size_t cap,
                       int64_t *expires) {
    (void)userdata;
    (void)expires;
    snprintf(buf, cap, "t");
    return 0;
}

/* --- precedence
 * ---------------------------------------------------------------- */

static void test_explicit_beats_environment(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "pg.port", "7000");
    set(f, "pg.user", "explicit-user");
    setenv_fake(f, "DATABRICKS_HOST", "env.example.com");
    setenv_fake(f, "PGPORT", "6000");
    setenv_fake(f, "PGUSER", "env-user");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://ws.example.com");
    assert_int_equal(f->rc.pg_port, 7000);
    assert_string_equal(f->rc.pg_user, "explicit-user");
}

static void test_environment_beats_default(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "PGPORT", "6000");
    setenv_fake(f, "PGDATABASE", "appdb");
    setenv_fake(f, "PGSSLMODE", "verify-full");
    setenv_fake(f, "PGUSER", "env-user");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.pg_port, 6000);
    assert_string_equal(f->rc.pg_database, "appdb");
    assert_string_equal(f->rc.pg_sslmode, "verify-full");
    assert_string_equal(f->rc.pg_user, "env-user");
}

static void test_environment_beats_profile(void **state) {
    fixture *f = *state;
    write_config_file(f, "[prod]\nhost = https://profile.example.com\n"
                         "token = profile-token\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    setenv_fake(f, "DATABRICKS_CONFIG_PROFILE", "prod");
    setenv_fake(f, "DATABRICKS_HOST", "https://env.example.com");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://env.example.com");
    assert_string_equal(f->rc.token, "profile-token");
    assert_string_equal(f->rc.profile, "prod");
}

static void test_explicit_beats_profile(void **state) {
    fixture *f = *state;
    write_config_file(f, "[prod]\nhost = https://profile.example.com\n"
                         "token = profile-token\nauth_type = pat\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    set(f, "auth.profile", "prod");
    set(f, "auth.token", "explicit-token");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://profile.example.com");
    assert_string_equal(f->rc.token, "explicit-token");
    assert_int_equal(f->rc.auth_type, LB_AUTH_PAT);
}

static void test_defaults_fill_every_unset_key(void **state) {
    fixture *f = *state;
    minting_pat(f);
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.pg_port, 5432);
    assert_string_equal(f->rc.pg_database, "databricks_postgres");
    assert_string_equal(f->rc.pg_sslmode, "require");
    assert_int_equal(f->rc.http_timeout_ms, 30000);
    assert_int_equal(f->rc.mint_timeout_ms, 30000);
    assert_int_equal(f->rc.hard_margin_seconds, 60);
    assert_true(f->rc.refresh_fraction > 0.2499 &&
                f->rc.refresh_fraction < 0.2501);
    assert_int_equal(f->rc.ttl_seconds, 0);
    assert_int_equal(f->rc.read_only, 0);
    assert_null(f->rc.pg_user);
    assert_null(f->rc.pg_host);
    assert_null(f->rc.profile);
    assert_int_equal(f->rc.auth_type, LB_AUTH_PAT);
    assert_true(lb_config_is_minting(&f->rc));
}

static void test_explicit_values_of_every_kind_are_parsed(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "lakebase.ttl_seconds", "900");
    set(f, "lakebase.read_only", "YES");
    set(f, "lakebase.claims", "[{\"permission_set\": \"READ_ONLY\"}]");
    set(f, "lakebase.group_name", "analysts");
    set(f, "credential.refresh_fraction", "0.5");
    set(f, "credential.hard_margin_seconds", "120");
    set(f, "http.timeout_ms", "1500");
    set(f, "http.ca_file", "/etc/ca.pem");
    set(f, "pg.hostaddr", "10.1.2.3");
    set(f, "pg.application_name", "svc");
    set(f, "pg.sslrootcert", "/etc/root.pem");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.ttl_seconds, 900);
    assert_int_equal(f->rc.read_only, 1);
    assert_string_equal(f->rc.claims_json,
                        "[{\"permission_set\": \"READ_ONLY\"}]");
    assert_string_equal(f->rc.group_name, "analysts");
    assert_true(f->rc.refresh_fraction > 0.4999 &&
                f->rc.refresh_fraction < 0.5001);
    assert_int_equal(f->rc.hard_margin_seconds, 120);
    assert_int_equal(f->rc.http_timeout_ms, 1500);
    assert_string_equal(f->rc.ca_file, "/etc/ca.pem");
    assert_string_equal(f->rc.pg_hostaddr, "10.1.2.3");
    assert_string_equal(f->rc.pg_application_name, "svc");
    assert_string_equal(f->rc.pg_sslrootcert, "/etc/root.pem");
}

static void test_unset_value_lets_environment_apply_again(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "pg.port", "7000");
    set(f, "pg.port", NULL);
    setenv_fake(f, "PGPORT", "6000");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.pg_port, 6000);
}

static void test_endpoint_name_alias_is_read(void **state) {
    fixture *f = *state;
    set(f, "workspace.host", "https://ws.example.com");
    set(f, "auth.token", SECRET_TOKEN);
    setenv_fake(f, "ENDPOINT_NAME", ENDPOINT);
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.endpoint, ENDPOINT);
}

static void test_lakebase_endpoint_wins_over_endpoint_name(void **state) {
    fixture *f = *state;
    set(f, "workspace.host", "https://ws.example.com");
    set(f, "auth.token", SECRET_TOKEN);
    setenv_fake(f, "ENDPOINT_NAME", "projects/a/branches/b/endpoints/old");
    setenv_fake(f, "LAKEBASE_ENDPOINT", ENDPOINT);
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.endpoint, ENDPOINT);
}

static void test_empty_environment_variable_counts_as_unset(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "PGPORT", "");
    setenv_fake(f, "LAKEBASE_INSTANCE", "");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.pg_port, 5432);
    assert_null(f->rc.instance);
}

static void test_use_environment_false_ignores_environment(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "config.use_environment", "false");
    setenv_fake(f, "PGPORT", "6000");
    setenv_fake(f, "LAKEBASE_INSTANCE", "inst");
    setenv_fake(f, "PGUSER", "env-user");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.pg_port, 5432);
    assert_null(f->rc.pg_user);
    assert_null(f->rc.instance);
}

static void test_environment_value_is_checked_and_named(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "PGPORT", "54x32");
    expect_config_error(f, "pg.port", "PGPORT", "1 to 65535", NULL);
}

/* --- workspace.host ----------------------------------------------------------
 */

static void test_bare_host_gets_https_and_loses_trailing_slash(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "DATABRICKS_HOST", "adb-1.2.azuredatabricks.net//");
    set(f, "workspace.host", NULL);
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://adb-1.2.azuredatabricks.net");
}

static void test_https_host_with_port_is_kept(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "workspace.host", "HTTPS://ws.example.com:8443/");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://ws.example.com:8443");
}

static void test_http_host_is_allowed_only_for_loopback(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "workspace.host", "http://127.0.0.1:8080");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "http://127.0.0.1:8080");
    set(f, "workspace.host", "http://localhost:9");
    set(f, "workspace.host", "http://[::1]:9/");

    lakebase_error *err = NULL;
    assert_int_equal(lakebase_config_set(f->cfg, "workspace.host",
                                         "http://ws.example.com", &err),
                     LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "workspace.host"));
    assert_non_null(strstr(lakebase_error_message(err), "https://"));
    lakebase_error_free(err);
}

static void test_malformed_hosts_are_refused(void **state) {
    fixture *f = *state;
    const char *bad[] = {"ftp://ws.example.com", "https://",
                         "https://ws/x",         "https://user@ws.example.com",
                         "ws.example.com:port",  "https://ws.example.com/?o=1",
                         "ws example.com"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lakebase_error *err = NULL;
        if (lakebase_config_set(f->cfg, "workspace.host", bad[i], &err) !=
            LAKEBASE_ECONFIG)
            fail_msg("host \"%s\" was accepted", bad[i]);
        assert_non_null(strstr(lakebase_error_message(err), "workspace.host"));
        lakebase_error_free(err);
    }
}

/* --- the config file
 * ----------------------------------------------------------- */

static void test_profile_from_environment_variable_is_used(void **state) {
    fixture *f = *state;
    write_config_file(f, "[DEFAULT]\nhost = https://default.example.com\n"
                         "token = d\n[dev]\nhost = https://dev.example.com\n"
                         "client_id = cid\nclient_secret = csec\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    setenv_fake(f, "DATABRICKS_CONFIG_FILE", f->file);
    setenv_fake(f, "DATABRICKS_CONFIG_PROFILE", "dev");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://dev.example.com");
    assert_int_equal(f->rc.auth_type, LB_AUTH_OAUTH_M2M);
    assert_string_equal(f->rc.client_id, "cid");
    assert_string_equal(f->rc.client_secret, "csec");
    assert_string_equal(f->rc.profile, "dev");
}

static void test_explicit_profile_beats_environment_profile(void **state) {
    fixture *f = *state;
    write_config_file(f, "[a]\nhost = https://a.example.com\ntoken = t\n"
                         "[b]\nhost = https://b.example.com\ntoken = t\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    set(f, "auth.profile", "b");
    setenv_fake(f, "DATABRICKS_CONFIG_PROFILE", "a");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://b.example.com");
}

static void test_settings_default_profile_is_used(void **state) {
    fixture *f = *state;
    write_config_file(f, "[__settings__]\ndefault_profile = dev\n[DEFAULT]\n"
                         "host = https://default.example.com\ntoken = d\n"
                         "[dev]\nhost = https://dev.example.com\ntoken = t\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://dev.example.com");
    assert_string_equal(f->rc.profile, "dev");
}

static void test_default_file_is_found_through_home(void **state) {
    fixture *f = *state;
    char home[] = "/tmp/lakebase-home-XXXXXX";
    assert_non_null(mkdtemp(home));
    char path[128];
    snprintf(path, sizeof path, "%s/.databrickscfg", home);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[DEFAULT]\nhost = home.example.com\ntoken = t\n", fp);
    fclose(fp);
    set(f, "lakebase.endpoint", ENDPOINT);
    setenv_fake(f, "HOME", home);
    int rc = resolve(f);
    unlink(path);
    rmdir(home);
    assert_int_equal(rc, 0);
    assert_string_equal(f->rc.host, "https://home.example.com");
    assert_string_equal(f->rc.profile, "DEFAULT");
}

static void test_file_is_skipped_when_host_set_without_profile(void **state) {
    fixture *f = *state;
    /* Read, this file would add a second auth method and fail. */
    write_config_file(f, "[DEFAULT]\nclient_id = cid\nclient_secret = cs\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    setenv_fake(f, "DATABRICKS_HOST", "ws.example.com");
    setenv_fake(f, "DATABRICKS_TOKEN", SECRET_TOKEN);
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.auth_type, LB_AUTH_PAT);
    assert_null(f->rc.profile);
    assert_null(f->rc.client_id);
}

static void test_file_is_skipped_when_only_a_credential_is_set(void **state) {
    fixture *f = *state;
    write_config_file(f, "[DEFAULT]\nhost = https://p.example.com\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    set(f, "auth.token", SECRET_TOKEN);
    expect_config_error(f, "workspace.host", "DATABRICKS_HOST", NULL);
}

static void test_named_profile_is_read_even_when_host_is_set(void **state) {
    fixture *f = *state;
    write_config_file(f, "[p]\nhost = https://p.example.com\ntoken = t\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    set(f, "auth.profile", "p");
    setenv_fake(f, "DATABRICKS_HOST", "env.example.com");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.host, "https://env.example.com");
    assert_string_equal(f->rc.token, "t");
}

static void test_missing_named_profile_is_config_error(void **state) {
    fixture *f = *state;
    write_config_file(f, "[DEFAULT]\nhost = https://p.example.com\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    set(f, "auth.profile", "staging");
    expect_config_error(f, "\"staging\"", f->file, NULL);
}

static void test_named_profile_in_missing_file_is_config_error(void **state) {
    fixture *f = *state;
    set(f, "lakebase.endpoint", ENDPOINT);
    setenv_fake(f, "DATABRICKS_CONFIG_FILE", "/nonexistent/lakebase.cfg");
    setenv_fake(f, "DATABRICKS_CONFIG_PROFILE", "prod");
    expect_config_error(f, "\"prod\"", "/nonexistent/lakebase.cfg", NULL);
}

static void test_missing_default_file_is_fine(void **state) {
    fixture *f = *state;
    set(f, "lakebase.endpoint", ENDPOINT);
    setenv_fake(f, "HOME", "/nonexistent/home");
    /* No file error: the next problem is the missing workspace. */
    expect_config_error(f, "workspace.host", NULL);
    assert_null(strstr(msg(f), "databrickscfg"));
}

static void test_profile_values_are_checked_and_named(void **state) {
    fixture *f = *state;
    write_config_file(f,
                      "[DEFAULT]\nhost = http://evil.example.com\ntoken = t\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    expect_config_error(f, "workspace.host", "profile [DEFAULT]", f->file,
                        NULL);
}

static void test_malformed_file_fails_with_its_line(void **state) {
    fixture *f = *state;
    write_config_file(f, "[DEFAULT]\nhost = https://h.example.com\n"
                         "token " SECRET_TOKEN "\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    expect_config_error(f, ":3:", NULL);
    assert_null(strstr(msg(f), SECRET_TOKEN));
}

static void test_static_mode_never_reads_the_file(void **state) {
    fixture *f = *state;
    write_config_file(f, "this is not ini\n");
    set(f, "auth.config_file", f->file);
    set(f, "pg.password", SECRET_PASSWORD);
    set(f, "pg.host", "db.example.com");
    set(f, "pg.user", "app");
    assert_int_equal(resolve(f), 0);
    assert_false(lb_config_is_minting(&f->rc));
    assert_int_equal(f->rc.auth_type, LB_AUTH_NONE);
    assert_string_equal(f->rc.pg_password, SECRET_PASSWORD);
}

static void test_auth_type_from_profile_chooses_method(void **state) {
    fixture *f = *state;
    write_config_file(f, "[DEFAULT]\nhost = https://h.example.com\ntoken = t\n"
                         "client_id = c\nclient_secret = s\n"
                         "auth_type = oauth-m2m\n");
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "auth.config_file", f->file);
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.auth_type, LB_AUTH_OAUTH_M2M);
}

/* --- validation
 * ---------------------------------------------------------------- */

static void test_endpoint_and_instance_together_are_refused(void **state) {
    fixture *f = *state;
    set(f, "workspace.host", "https://ws.example.com");
    set(f, "auth.token", SECRET_TOKEN);
    setenv_fake(f, "LAKEBASE_ENDPOINT", ENDPOINT);
    setenv_fake(f, "LAKEBASE_INSTANCE", "my-instance");
    expect_config_error(f, "lakebase.endpoint", "lakebase.instance",
                        "LAKEBASE_INSTANCE", NULL);
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "lakebase.instance", "my-instance");
    expect_config_error(f, "lakebase.endpoint", "lakebase.instance", NULL);
}

static void test_an_explicit_login_choice_beats_the_environment(void **state) {
    fixture *f = *state;
    minting_pat(f); /* lakebase.endpoint set explicitly */
    setenv_fake(f, "LAKEBASE_INSTANCE", "my-instance");
    setenv_fake(f, "PGPASSWORD", "a-static-password");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.endpoint, ENDPOINT);
    assert_null(f->rc.instance);
    assert_null(f->rc.pg_password);
    /* The other way round: an explicit instance beats LAKEBASE_ENDPOINT. */
    set(f, "lakebase.endpoint", NULL);
    set(f, "lakebase.instance", "my-instance");
    setenv_fake(f, "LAKEBASE_ENDPOINT", ENDPOINT);
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.instance, "my-instance");
    assert_null(f->rc.endpoint);
    /* And an explicit password (a DSN for local development) beats both. */
    set(f, "lakebase.instance", NULL);
    set(f, "pg.password", "explicit-password");
    set(f, "pg.host", "localhost");
    set(f, "pg.user", "app");
    if (resolve(f) != 0)
        fail_msg("%s", msg(f));
    assert_null(f->rc.endpoint);
    assert_null(f->rc.instance);
    assert_string_equal(f->rc.pg_password, "explicit-password");
}

static void test_malformed_endpoints_show_the_expected_form(void **state) {
    fixture *f = *state;
    const char *bad[] = {
        "my-endpoint",
        "projects/p/branches/b",
        "projects/p/branches/b/endpoints/",
        "projects/P/branches/b/endpoints/e",
        "projects/1p/branches/b/endpoints/e",
        "projects/p/branches/b/endpoints/e/extra",
        "projects/p/branches/b_x/endpoints/e",
        "projects//branches/b/endpoints/e",
        "projects/"
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd"
        "/branches/b/endpoints/e",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lakebase_error *err = NULL;
        if (lakebase_config_set(f->cfg, "lakebase.endpoint", bad[i], &err) !=
            LAKEBASE_ECONFIG)
            fail_msg("endpoint \"%s\" was accepted", bad[i]);
        assert_non_null(
            strstr(lakebase_error_message(err), "lakebase.endpoint"));
        assert_non_null(strstr(lakebase_error_message(err),
                               "projects/{project}/branches/{branch}/"
                               "endpoints/{endpoint}"));
        lakebase_error_free(err);
    }
    /* 63 characters is the longest id. */
    set(f, "lakebase.endpoint",
        "projects/abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"
        "/branches/b-1/endpoints/e9");
}

static void test_malformed_instance_is_refused(void **state) {
    fixture *f = *state;
    set(f, "workspace.host", "https://ws.example.com");
    set(f, "auth.token", SECRET_TOKEN);
    setenv_fake(f, "LAKEBASE_INSTANCE", "My_Instance");
    expect_config_error(f, "lakebase.instance", "LAKEBASE_INSTANCE", NULL);
}

static void test_minting_needs_the_workspace_host(void **state) {
    fixture *f = *state;
    set(f, "lakebase.instance", "inst-1");
    set(f, "auth.token", SECRET_TOKEN);
    expect_config_error(f, "workspace.host", "DATABRICKS_HOST", NULL);
}

static void test_minting_needs_an_auth_method(void **state) {
    fixture *f = *state;
    set(f, "lakebase.instance", "inst-1");
    set(f, "workspace.host", "ws.example.com");
    expect_config_error(f, "auth.token", "auth.client_id", "token source",
                        NULL);
}

static void test_client_id_without_secret_names_the_secret(void **state) {
    fixture *f = *state;
    set(f, "lakebase.instance", "inst-1");
    set(f, "workspace.host", "ws.example.com");
    setenv_fake(f, "DATABRICKS_CLIENT_ID", "cid");
    expect_config_error(f, "auth.client_secret", "DATABRICKS_CLIENT_SECRET",
                        NULL);
}

static void test_client_secret_without_id_names_the_id(void **state) {
    fixture *f = *state;
    set(f, "lakebase.instance", "inst-1");
    set(f, "workspace.host", "ws.example.com");
    set(f, "auth.client_secret", SECRET_CLIENT);
    expect_config_error(f, "auth.client_id", "DATABRICKS_CLIENT_ID", NULL);
    assert_null(strstr(msg(f), SECRET_CLIENT));
}

static void test_token_and_client_secret_need_auth_type(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "DATABRICKS_CLIENT_ID", "cid");
    setenv_fake(f, "DATABRICKS_CLIENT_SECRET", SECRET_CLIENT);
    expect_config_error(f, "more than one authorization method", "auth.token",
                        "auth.client_id/auth.client_secret",
                        "DATABRICKS_AUTH_TYPE", NULL);
    assert_null(strstr(msg(f), SECRET_TOKEN));
    assert_null(strstr(msg(f), SECRET_CLIENT));

    setenv_fake(f, "DATABRICKS_AUTH_TYPE", "oauth-m2m");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.auth_type, LB_AUTH_OAUTH_M2M);
    set(f, "auth.type", "pat");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.auth_type, LB_AUTH_PAT);
}

static void test_token_source_and_token_need_auth_type(void **state) {
    fixture *f = *state;
    minting_pat(f);
    int ud = 0;
    assert_int_equal(
        lakebase_config_set_token_source(f->cfg, fake_source, &ud, NULL), 0);
    expect_config_error(f, "more than one authorization method", "auth.token",
                        "token source", NULL);
    set(f, "auth.type", "external");
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.auth_type, LB_AUTH_EXTERNAL);
    assert_ptr_equal(f->rc.token_source, fake_source);
    assert_ptr_equal(f->rc.token_source_userdata, &ud);
}

static void test_token_source_alone_is_external_auth(void **state) {
    fixture *f = *state;
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "workspace.host", "ws.example.com");
    assert_int_equal(
        lakebase_config_set_token_source(f->cfg, fake_source, NULL, NULL), 0);
    assert_int_equal(resolve(f), 0);
    assert_int_equal(f->rc.auth_type, LB_AUTH_EXTERNAL);
}

static void test_auth_type_needs_its_settings(void **state) {
    fixture *f = *state;
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "workspace.host", "ws.example.com");
    set(f, "auth.client_id", "cid");
    set(f, "auth.client_secret", SECRET_CLIENT);
    set(f, "auth.type", "pat");
    expect_config_error(f, "auth.token", "DATABRICKS_TOKEN", NULL);
    set(f, "auth.type", "external");
    expect_config_error(f, "external", "lakebase_config_set_token_source",
                        NULL);
    set(f, "auth.client_secret", NULL);
    set(f, "auth.type", "oauth-m2m");
    expect_config_error(f, "auth.client_secret", NULL);
}

static void test_unknown_auth_type_lists_the_valid_ones(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "DATABRICKS_AUTH_TYPE", "azure-cli");
    expect_config_error(f, "auth.type", "DATABRICKS_AUTH_TYPE", "pat",
                        "oauth-m2m", "external", NULL);
}

static void test_nothing_to_log_in_with(void **state) {
    fixture *f = *state;
    set(f, "workspace.host", "ws.example.com");
    expect_config_error(f, "nothing to log in with", "lakebase.endpoint",
                        "LAKEBASE_ENDPOINT", "lakebase.instance", "pg.password",
                        NULL);
}

static void test_static_mode_needs_host_and_user(void **state) {
    fixture *f = *state;
    set(f, "pg.password", SECRET_PASSWORD);
    expect_config_error(f, "pg.host", "PGHOST", NULL);
    assert_null(strstr(msg(f), SECRET_PASSWORD));
    set(f, "pg.host", "db.example.com");
    expect_config_error(f, "pg.user", "PGUSER", NULL);
    setenv_fake(f, "PGUSER", "app");
    setenv_fake(f, "PGPASSWORD", "stale-password");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.pg_password, SECRET_PASSWORD);
}

static void test_pgpassword_is_never_read(void **state) {
    fixture *f = *state;
    setenv_fake(f, "PGHOST", "db.example.com");
    setenv_fake(f, "PGUSER", "app");
    setenv_fake(f, "PGPASSWORD", "stale-password");
    expect_config_error(f, "nothing to log in with", NULL);
}

static void test_password_with_endpoint_is_refused(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "pg.password", SECRET_PASSWORD);
    expect_config_error(f, "pg.password", "lakebase.endpoint", NULL);
    assert_null(strstr(msg(f), SECRET_PASSWORD));
}

static void test_minting_refuses_sslmode_weaker_than_require(void **state) {
    fixture *f = *state;
    const char *weak[] = {"disable", "allow", "prefer"};
    for (size_t i = 0; i < 3; i++) {
        set(f, "pg.sslmode", NULL);
        minting_pat(f);
        set(f, "pg.sslmode", weak[i]);
        expect_config_error(f, "pg.sslmode", "PGSSLMODE", "TLS", weak[i], NULL);
    }
    set(f, "pg.sslmode", "verify-ca");
    assert_int_equal(resolve(f), 0);
}

static void test_static_mode_allows_sslmode_disable(void **state) {
    fixture *f = *state;
    set(f, "pg.password", SECRET_PASSWORD);
    set(f, "pg.host", "127.0.0.1");
    set(f, "pg.user", "app");
    set(f, "pg.sslmode", "disable");
    assert_int_equal(resolve(f), 0);
    assert_string_equal(f->rc.pg_sslmode, "disable");
}

static void test_unknown_sslmode_lists_the_valid_ones(void **state) {
    fixture *f = *state;
    minting_pat(f);
    setenv_fake(f, "PGSSLMODE", "required");
    expect_config_error(f, "pg.sslmode", "PGSSLMODE", "verify-full", "disable",
                        NULL);
}

static void test_ttl_with_instance_is_refused(void **state) {
    fixture *f = *state;
    set(f, "lakebase.instance", "inst-1");
    set(f, "workspace.host", "ws.example.com");
    set(f, "auth.token", SECRET_TOKEN);
    set(f, "lakebase.ttl_seconds", "600");
    expect_config_error(f, "lakebase.ttl_seconds", "lakebase.instance", NULL);
}

static void test_claims_must_be_a_json_array(void **state) {
    fixture *f = *state;
    const char *bad[] = {"{\"permission_set\": \"READ_ONLY\"}", "[1, 2",
                         "\"x\"", "[] trailing"};
    for (size_t i = 0; i < 4; i++) {
        lakebase_error *err = NULL;
        if (lakebase_config_set(f->cfg, "lakebase.claims", bad[i], &err) !=
            LAKEBASE_ECONFIG)
            fail_msg("claims \"%s\" were accepted", bad[i]);
        assert_non_null(strstr(lakebase_error_message(err), "lakebase.claims"));
        assert_non_null(strstr(lakebase_error_message(err), "JSON array"));
        lakebase_error_free(err);
    }
    set(f, "lakebase.claims", "[\n  {\"permission_set\": \"READ_ONLY\"}\n]");
}

/* --- value checks
 * ---------------------------------------------------------------- */

static void expect_set_error(fixture *f, const char *key, const char *value,
                             const char *fragment) {
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_config_set(f->cfg, key, value, &err),
                     LAKEBASE_ECONFIG);
    const char *m = lakebase_error_message(err);
    if (!strstr(m, key) || (fragment && !strstr(m, fragment)))
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", m, key,
                 fragment ? fragment : "");
    lakebase_error_free(err);
}

static void test_unknown_key_is_refused_by_name(void **state) {
    fixture *f = *state;
    expect_set_error(f, "pg.prot", "5432", "unknown configuration key");
    expect_set_error(f, "PG.PORT", NULL, "unknown configuration key");
}

static void test_bad_ints_name_key_problem_and_range(void **state) {
    fixture *f = *state;
    expect_set_error(f, "pg.port", "abc", "1 to 65535");
    expect_set_error(f, "pg.port", "-1", "not a whole number");
    expect_set_error(f, "pg.port", "70000", "out of range");
    expect_set_error(f, "pg.port", "99999999999999999999999", "1 to 65535");
    expect_set_error(f, "pg.port", " 5432", "not a whole number");
    expect_set_error(f, "lakebase.ttl_seconds", "299", "300 to 3600");
    expect_set_error(f, "lakebase.ttl_seconds", "3601", "300 to 3600");
    expect_set_error(f, "credential.hard_margin_seconds", "4", "5 to 900");
    expect_set_error(f, "http.timeout_ms", "0", "out of range");
}

static void test_bad_fractions_name_key_and_range(void **state) {
    fixture *f = *state;
    expect_set_error(f, "credential.refresh_fraction", "0,25", "0.05 to 0.9");
    expect_set_error(f, "credential.refresh_fraction", "0.95", "out of range");
    expect_set_error(f, "credential.refresh_fraction", "1e-1", "decimal");
    expect_set_error(f, "credential.refresh_fraction", ".", "decimal");
    set(f, "credential.refresh_fraction", ".05");
    set(f, "credential.refresh_fraction", "0.9");
}

static void test_bools_accept_every_spelling(void **state) {
    fixture *f = *state;
    const char *ok[] = {"true", "false", "1",   "0",    "yes",
                        "no",   "on",    "off", "TRUE", "Off"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        set(f, "lakebase.read_only", ok[i]);
    expect_set_error(f, "lakebase.read_only", "maybe", "true or false");
    expect_set_error(f, "config.use_environment", "2", "true or false");
}

static void test_empty_and_control_character_values_are_refused(void **state) {
    fixture *f = *state;
    expect_set_error(f, "pg.user", "", "empty");
    expect_set_error(f, "pg.user", "bob\nX-Injected: 1", "control character");
}

static void test_refused_value_keeps_the_previous_one(void **state) {
    fixture *f = *state;
    set(f, "pg.port", "6000");
    expect_set_error(f, "pg.port", "nope", NULL);
    assert_string_equal(f->cfg->values[LB_KEY_PG_PORT], "6000");
}

static void test_secrets_never_appear_in_messages(void **state) {
    fixture *f = *state;
    /* Every secret key, with a secret that is itself a bad value. */
    const char *keys[] = {"auth.token", "auth.client_secret", "pg.password"};
    for (size_t i = 0; i < 3; i++) {
        lakebase_error *err = NULL;
        assert_int_equal(
            lakebase_config_set(f->cfg, keys[i], SECRET_TOKEN "\n", &err),
            LAKEBASE_ECONFIG);
        assert_non_null(strstr(lakebase_error_message(err), keys[i]));
        assert_null(strstr(lakebase_error_message(err), SECRET_TOKEN));
        lakebase_error_free(err);
    }
    /* And from the environment. */
    set(f, "lakebase.endpoint", ENDPOINT);
    set(f, "workspace.host", "ws.example.com");
    setenv_fake(f, "DATABRICKS_TOKEN", SECRET_TOKEN "\t");
    expect_config_error(f, "DATABRICKS_TOKEN", NULL);
    assert_null(strstr(msg(f), SECRET_TOKEN));
}

/* --- the key table and the docs
 * ------------------------------------------------ */

static void test_key_at_enumerates_every_key_then_erange(void **state) {
    fixture *f = *state;
    size_t n = 0;
    const char *name, *env, *doc;
    while (lakebase_config_key_at(n, &name, &env, &doc) == 0) {
        assert_non_null(name);
        assert_non_null(env);
        assert_true(doc && doc[0]);
        /* Every listed key is accepted by set (unset is always valid). */
        lakebase_error *err = NULL;
        assert_int_equal(lakebase_config_set(f->cfg, name, NULL, &err), 0);
        for (size_t j = 0; j < n; j++) {
            const char *other;
            lakebase_config_key_at(j, &other, NULL, NULL);
            assert_string_not_equal(other, name);
        }
        n++;
    }
    assert_int_equal(n, LB_KEY_COUNT);
    assert_int_equal(lakebase_config_key_at(n, &name, &env, &doc),
                     LAKEBASE_ERANGE);
    assert_int_equal(lakebase_config_key_at((size_t)-1, NULL, NULL, NULL),
                     LAKEBASE_ERANGE);
    lakebase_config_key_at(LB_KEY_LAKEBASE_ENDPOINT, &name, &env, NULL);
    assert_string_equal(name, "lakebase.endpoint");
    assert_string_equal(env, "LAKEBASE_ENDPOINT,ENDPOINT_NAME");
}

static char *read_docs(void) {
    FILE *fp = fopen(LAKEBASE_SOURCE_DIR "/docs/configuration.md", "rb");
    if (!fp)
        return NULL;
    static char buf[256 * 1024];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static void test_docs_list_every_key_and_variable(void **state) {
    (void)state;
    const char *docs = read_docs();
    assert_non_null(docs);
    const char *name, *env, *doc;
    for (size_t i = 0; lakebase_config_key_at(i, &name, &env, &doc) == 0; i++) {
        char quoted[128];
        snprintf(quoted, sizeof quoted, "`%s`", name);
        if (!strstr(docs, quoted))
            fail_msg("docs/configuration.md does not list key %s", quoted);
        for (const char *p = env; *p;) {
            size_t len = strcspn(p, ",");
            snprintf(quoted, sizeof quoted, "`%.*s`", (int)len, p);
            if (!strstr(docs, quoted))
                fail_msg("docs/configuration.md does not list %s for %s",
                         quoted, name);
            p += len + (p[len] == ',');
        }
    }
}

/* --- the public API
 * ------------------------------------------------------------ */

static void test_null_handles_are_ehandle(void **state) {
    (void)state;
    lakebase_error *err = NULL;
    assert_int_equal(lakebase_config_set(NULL, "pg.port", "1", &err),
                     LAKEBASE_EHANDLE);
    assert_int_equal(lakebase_error_code(err), LAKEBASE_EHANDLE);
    lakebase_error_free(err);
    assert_int_equal(lakebase_config_set_dsn(NULL, "host=h", NULL),
                     LAKEBASE_EHANDLE);
    assert_int_equal(
        lakebase_config_set_token_source(NULL, fake_source, NULL, NULL),
        LAKEBASE_EHANDLE);
    assert_int_equal(lakebase_config_set_logger(NULL, NULL, NULL, 1, NULL),
                     LAKEBASE_EHANDLE);
    lakebase_config_free(NULL);
    lb_resolved_config rc;
    assert_int_equal(lb_config_resolve(NULL, &rc, NULL), LAKEBASE_EHANDLE);
}

static void expect_every_call_ehandle(lakebase_config *cfg) {
    assert_int_equal(lakebase_config_set(cfg, "pg.port", "1", NULL),
                     LAKEBASE_EHANDLE);
    assert_int_equal(lakebase_config_set_dsn(cfg, "host=h", NULL),
                     LAKEBASE_EHANDLE);
    assert_int_equal(lakebase_config_set_token_source(cfg, NULL, NULL, NULL),
                     LAKEBASE_EHANDLE);
    assert_int_equal(lakebase_config_set_logger(cfg, NULL, NULL, 1, NULL),
                     LAKEBASE_EHANDLE);
    lb_resolved_config rc;
    assert_int_equal(lb_config_resolve(cfg, &rc, NULL), LAKEBASE_EHANDLE);
    lakebase_config_free(cfg); /* ignored, must not crash */
}

static void test_freed_and_foreign_handles_are_ehandle(void **state) {
    (void)state;
    /* What a freed config looks like (tag cleared) and another handle type:
     * both are structs whose first word is a tag. */
    struct {
        uint32_t tag;
        char payload[64];
    } dead = {LB_TAG_DEAD, {0}}, foreign = {LB_TAG_CREDENTIALS, {0}};
    expect_every_call_ehandle((lakebase_config *)(void *)&dead);
    expect_every_call_ehandle((lakebase_config *)(void *)&foreign);
    assert_int_equal(foreign.tag, LB_TAG_CREDENTIALS);
}

static void log_sink(void *userdata, int level, const char *message) {
    (void)userdata;
    (void)level;
    (void)message;
}

static void test_bad_arguments_are_einval(void **state) {
    fixture *f = *state;
    assert_int_equal(lakebase_config_new(NULL, NULL), LAKEBASE_EINVAL);
    assert_int_equal(lakebase_config_set(f->cfg, NULL, "x", NULL),
                     LAKEBASE_EINVAL);
    assert_int_equal(lakebase_config_set_dsn(f->cfg, NULL, NULL),
                     LAKEBASE_EINVAL);
    lakebase_error *err = NULL;
    assert_int_equal(
        lakebase_config_set_logger(f->cfg, log_sink, NULL, 9, &err),
        LAKEBASE_EINVAL);
    assert_non_null(strstr(lakebase_error_message(err), "max_level"));
    lakebase_error_free(err);
}

static void test_logger_is_carried_into_the_resolved_config(void **state) {
    fixture *f = *state;
    minting_pat(f);
    int ud = 0;
    assert_int_equal(lakebase_config_set_logger(f->cfg, log_sink, &ud,
                                                LAKEBASE_LOG_INFO, NULL),
                     0);
    assert_int_equal(resolve(f), 0);
    assert_ptr_equal(f->rc.log_fn, log_sink);
    assert_ptr_equal(f->rc.log_userdata, &ud);
    assert_int_equal(f->rc.log_level, LAKEBASE_LOG_INFO);
}

static void test_clear_leaves_nothing_behind(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "auth.client_secret", SECRET_CLIENT);
    set(f, "auth.type", "pat");
    assert_int_equal(resolve(f), 0);
    lb_resolved_config_clear(&f->rc);
    static const lb_resolved_config zero;
    assert_memory_equal(&f->rc, &zero, sizeof zero);
}

static void test_failed_resolve_leaves_result_empty(void **state) {
    fixture *f = *state;
    minting_pat(f);
    set(f, "pg.password", SECRET_PASSWORD);
    assert_int_equal(resolve(f), LAKEBASE_ECONFIG);
    static const lb_resolved_config zero;
    assert_memory_equal(&f->rc, &zero, sizeof zero);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_explicit_beats_environment),
        T(test_environment_beats_default),
        T(test_environment_beats_profile),
        T(test_explicit_beats_profile),
        T(test_defaults_fill_every_unset_key),
        T(test_explicit_values_of_every_kind_are_parsed),
        T(test_unset_value_lets_environment_apply_again),
        T(test_endpoint_name_alias_is_read),
        T(test_lakebase_endpoint_wins_over_endpoint_name),
        T(test_empty_environment_variable_counts_as_unset),
        T(test_use_environment_false_ignores_environment),
        T(test_environment_value_is_checked_and_named),
        T(test_bare_host_gets_https_and_loses_trailing_slash),
        T(test_https_host_with_port_is_kept),
        T(test_http_host_is_allowed_only_for_loopback),
        T(test_malformed_hosts_are_refused),
        T(test_profile_from_environment_variable_is_used),
        T(test_explicit_profile_beats_environment_profile),
        T(test_settings_default_profile_is_used),
        T(test_default_file_is_found_through_home),
        T(test_file_is_skipped_when_host_set_without_profile),
        T(test_file_is_skipped_when_only_a_credential_is_set),
        T(test_named_profile_is_read_even_when_host_is_set),
        T(test_missing_named_profile_is_config_error),
        T(test_named_profile_in_missing_file_is_config_error),
        T(test_missing_default_file_is_fine),
        T(test_profile_values_are_checked_and_named),
        T(test_malformed_file_fails_with_its_line),
        T(test_static_mode_never_reads_the_file),
        T(test_auth_type_from_profile_chooses_method),
        T(test_endpoint_and_instance_together_are_refused),
        T(test_an_explicit_login_choice_beats_the_environment),
        T(test_malformed_endpoints_show_the_expected_form),
        T(test_malformed_instance_is_refused),
        T(test_minting_needs_the_workspace_host),
        T(test_minting_needs_an_auth_method),
        T(test_client_id_without_secret_names_the_secret),
        T(test_client_secret_without_id_names_the_id),
        T(test_token_and_client_secret_need_auth_type),
        T(test_token_source_and_token_need_auth_type),
        T(test_token_source_alone_is_external_auth),
        T(test_auth_type_needs_its_settings),
        T(test_unknown_auth_type_lists_the_valid_ones),
        T(test_nothing_to_log_in_with),
        T(test_static_mode_needs_host_and_user),
        T(test_pgpassword_is_never_read),
        T(test_password_with_endpoint_is_refused),
        T(test_minting_refuses_sslmode_weaker_than_require),
        T(test_static_mode_allows_sslmode_disable),
        T(test_unknown_sslmode_lists_the_valid_ones),
        T(test_ttl_with_instance_is_refused),
        T(test_claims_must_be_a_json_array),
        T(test_unknown_key_is_refused_by_name),
        T(test_bad_ints_name_key_problem_and_range),
        T(test_bad_fractions_name_key_and_range),
        T(test_bools_accept_every_spelling),
        T(test_empty_and_control_character_values_are_refused),
        T(test_refused_value_keeps_the_previous_one),
        T(test_secrets_never_appear_in_messages),
        T(test_key_at_enumerates_every_key_then_erange),
        T(test_docs_list_every_key_and_variable),
        T(test_null_handles_are_ehandle),
        T(test_freed_and_foreign_handles_are_ehandle),
        T(test_bad_arguments_are_einval),
        T(test_logger_is_carried_into_the_resolved_config),
        T(test_clear_leaves_nothing_behind),
        T(test_failed_resolve_leaves_result_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
