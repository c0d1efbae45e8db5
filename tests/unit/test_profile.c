/* The .databrickscfg reader: INI syntax, profile choice, bounded reads,
 * and messages that never quote a line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "error.h"
#include "temp_file.h"

typedef struct parsed {
    int rc;
    lb_profile p;
    lakebase_error *err;
} parsed;

static parsed parse(const char *text, const char *name) {
    parsed r = {0};
    r.rc = lb_profile_parse(text, strlen(text), name, "/home/u/.databrickscfg",
                            &r.p, &r.err);
    return r;
}

static void parsed_clear(parsed *r) {
    lb_profile_clear(&r->p);
    lakebase_error_free(r->err);
}

static const char *message(const parsed *r) {
    return lakebase_error_message(r->err);
}

static void test_default_section_is_used_without_a_name(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\nhost = https://a.example.com\ntoken = t1\n"
                     "[other]\nhost = https://b.example.com\n",
                     NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.name, "DEFAULT");
    assert_string_equal(r.p.host, "https://a.example.com");
    assert_string_equal(r.p.token, "t1");
    parsed_clear(&r);
}

static void test_named_section_is_used(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\nhost = a\n[prod]\nhost = b\nclient_id = id\n"
                     "client_secret = s\nauth_type = oauth-m2m\n",
                     "prod");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.name, "prod");
    assert_string_equal(r.p.host, "b");
    assert_string_equal(r.p.client_id, "id");
    assert_string_equal(r.p.client_secret, "s");
    assert_string_equal(r.p.auth_type, "oauth-m2m");
    assert_null(r.p.token);
    parsed_clear(&r);
}

static void test_settings_default_profile_beats_default_section(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\nhost = a\n[dev]\nhost = d\n"
                     "[__settings__]\ndefault_profile = dev\n",
                     NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.name, "dev");
    assert_string_equal(r.p.host, "d");
    parsed_clear(&r);
}

static void test_explicit_name_beats_settings_default_profile(void **state) {
    (void)state;
    parsed r = parse("[__settings__]\ndefault_profile = dev\n[dev]\nhost = d\n"
                     "[prod]\nhost = p\n",
                     "prod");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.host, "p");
    parsed_clear(&r);
}

static void test_no_default_section_gives_an_empty_profile(void **state) {
    (void)state;
    parsed r = parse("[prod]\nhost = p\n", NULL);
    assert_int_equal(r.rc, 0);
    assert_null(r.p.name);
    assert_null(r.p.host);
    assert_null(r.err);
    parsed_clear(&r);
}

static void test_missing_named_profile_names_profile_and_file(void **state) {
    (void)state;
    parsed r = parse("[prod]\nhost = p\n", "staging");
    assert_int_equal(r.rc, LAKEBASE_ENOTFOUND);
    assert_non_null(strstr(message(&r), "\"staging\""));
    assert_non_null(strstr(message(&r), "/home/u/.databrickscfg"));
    assert_null(r.p.host);
    parsed_clear(&r);
}

static void test_missing_default_profile_target_is_reported(void **state) {
    (void)state;
    parsed r = parse("[__settings__]\ndefault_profile = gone\n[DEFAULT]\n"
                     "host = a\n",
                     NULL);
    assert_int_equal(r.rc, LAKEBASE_ENOTFOUND);
    assert_non_null(strstr(message(&r), "\"gone\""));
    assert_non_null(strstr(message(&r), "default_profile"));
    parsed_clear(&r);
}

static void test_comments_blank_lines_and_whitespace_are_ignored(void **state) {
    (void)state;
    parsed r = parse("# a comment\n; another\n\n   [ DEFAULT ]  \n"
                     "\t host\t=\t https://a.example.com \t\n  # token = no\n",
                     NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.host, "https://a.example.com");
    assert_null(r.p.token);
    parsed_clear(&r);
}

static void test_crlf_line_endings_and_bom_are_accepted(void **state) {
    (void)state;
    parsed r =
        parse("\xEF\xBB\xBF[DEFAULT]\r\nhost = h\r\ntoken = t\r\n", NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.host, "h");
    assert_string_equal(r.p.token, "t");
    parsed_clear(&r);
}

static void
test_last_duplicate_key_wins_across_repeated_sections(void **state) {
    (void)state;
    parsed r = parse("[a]\nhost = one\ntoken = t\n[b]\nhost = x\n[a]\n"
                     "host = two\n",
                     "a");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.host, "two");
    assert_string_equal(r.p.token, "t");
    parsed_clear(&r);
}

static void test_empty_value_unsets_an_earlier_one(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\ntoken = t\ntoken =\n", NULL);
    assert_int_equal(r.rc, 0);
    assert_null(r.p.token);
    parsed_clear(&r);
}

static void test_keys_and_sections_are_case_sensitive(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\nHost = upper\nTOKEN = upper\n[Prod]\n"
                     "host = p\n",
                     NULL);
    assert_int_equal(r.rc, 0);
    assert_null(r.p.host);
    assert_null(r.p.token);
    parsed_clear(&r);
    r = parse("[Prod]\nhost = p\n", "prod");
    assert_int_equal(r.rc, LAKEBASE_ENOTFOUND);
    parsed_clear(&r);
}

static void
test_unknown_keys_and_values_with_equals_are_kept_apart(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\ncluster_id = c\ntoken = a=b==\n", NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.token, "a=b==");
    parsed_clear(&r);
}

static void expect_malformed(const char *text, const char *line_tag,
                             const char *secret) {
    parsed r = parse(text, NULL);
    assert_int_equal(r.rc, LAKEBASE_ECONFIG);
    assert_non_null(strstr(message(&r), line_tag));
    if (secret)
        assert_null(strstr(message(&r), secret));
    parsed_clear(&r);
}

static void test_malformed_lines_give_file_and_line_only(void **state) {
    (void)state;
    expect_malformed("[DEFAULT]\nhost = h\ntoken dapiSECRET123\n",
                     "/home/u/.databrickscfg:3:", "dapiSECRET123");
    expect_malformed("token = dapiSECRET123\n[DEFAULT]\n",
                     ":1:", "dapiSECRET123");
    expect_malformed("[DEFAULT\nhost = h\n", ":1:", NULL);
    expect_malformed("[DEFAULT]\n[   ]\n", ":2:", NULL);
    expect_malformed("[DEFAULT]\n = dapiSECRET123\n", ":2:", "dapiSECRET123");
}

static void test_nul_byte_is_malformed(void **state) {
    (void)state;
    static const char text[] = "[DEFAULT]\nhost = a\0b\n";
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(
        lb_profile_parse(text, sizeof text - 1, NULL, "f", &p, &err),
        LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "f:2:"));
    lakebase_error_free(err);
}

static void test_text_over_the_limit_is_refused(void **state) {
    (void)state;
    size_t len = LB_PROFILE_MAX_FILE + 1;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, '#', len);
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(lb_profile_parse(text, len, NULL, "big", &p, &err),
                     LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "big"));
    lakebase_error_free(err);
    free(text);
}

static void test_text_without_final_newline_is_read(void **state) {
    (void)state;
    parsed r = parse("[DEFAULT]\nhost = h", NULL);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.p.host, "h");
    assert_string_equal(lb_profile_value(&r.p, "host"), "h");
    assert_null(lb_profile_value(&r.p, "cluster_id"));
    parsed_clear(&r);
}

/* --- lb_profile_load: the file ----------------------------------------------
 */

static void test_load_missing_file_without_name_is_empty(void **state) {
    (void)state;
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(
        lb_profile_load("/nonexistent/lakebase/cfg", NULL, &p, &err), 0);
    assert_null(p.name);
    assert_null(err);
}

static void test_load_missing_file_with_name_is_config_error(void **state) {
    (void)state;
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(
        lb_profile_load("/nonexistent/lakebase/cfg", "prod", &p, &err),
        LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "\"prod\""));
    assert_non_null(
        strstr(lakebase_error_message(err), "/nonexistent/lakebase/cfg"));
    lakebase_error_free(err);
}

static void test_load_reads_the_named_profile(void **state) {
    (void)state;
    const char *text = "[prod]\nhost = https://p.example.com\ntoken = t\n";
    char *path = temp_file_write(text, strlen(text));
    assert_non_null(path);
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(lb_profile_load(path, "prod", &p, &err), 0);
    assert_string_equal(p.host, "https://p.example.com");
    lb_profile_clear(&p);
    assert_null(p.host);
    assert_int_equal(lb_profile_load(path, "dev", &p, &err), LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "\"dev\""));
    assert_non_null(strstr(lakebase_error_message(err), path));
    lakebase_error_free(err);
    unlink(path);
    free(path);
}

static void test_load_refuses_oversized_file(void **state) {
    (void)state;
    size_t len = LB_PROFILE_MAX_FILE + 10;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, '\n', len);
    char *path = temp_file_write(text, len);
    free(text);
    assert_non_null(path);
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(lb_profile_load(path, NULL, &p, &err), LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "larger than"));
    lakebase_error_free(err);
    unlink(path);
    free(path);
}

static void test_load_refuses_a_directory(void **state) {
    (void)state;
    lb_profile p;
    lakebase_error *err = NULL;
    assert_int_equal(lb_profile_load("/", NULL, &p, &err), LAKEBASE_ECONFIG);
    assert_non_null(strstr(lakebase_error_message(err), "directory"));
    lakebase_error_free(err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_section_is_used_without_a_name),
        cmocka_unit_test(test_named_section_is_used),
        cmocka_unit_test(test_settings_default_profile_beats_default_section),
        cmocka_unit_test(test_explicit_name_beats_settings_default_profile),
        cmocka_unit_test(test_no_default_section_gives_an_empty_profile),
        cmocka_unit_test(test_missing_named_profile_names_profile_and_file),
        cmocka_unit_test(test_missing_default_profile_target_is_reported),
        cmocka_unit_test(test_comments_blank_lines_and_whitespace_are_ignored),
        cmocka_unit_test(test_crlf_line_endings_and_bom_are_accepted),
        cmocka_unit_test(test_last_duplicate_key_wins_across_repeated_sections),
        cmocka_unit_test(test_empty_value_unsets_an_earlier_one),
        cmocka_unit_test(test_keys_and_sections_are_case_sensitive),
        cmocka_unit_test(
            test_unknown_keys_and_values_with_equals_are_kept_apart),
        cmocka_unit_test(test_malformed_lines_give_file_and_line_only),
        cmocka_unit_test(test_nul_byte_is_malformed),
        cmocka_unit_test(test_text_over_the_limit_is_refused),
        cmocka_unit_test(test_text_without_final_newline_is_read),
        cmocka_unit_test(test_load_missing_file_without_name_is_empty),
        cmocka_unit_test(test_load_missing_file_with_name_is_config_error),
        cmocka_unit_test(test_load_reads_the_named_profile),
        cmocka_unit_test(test_load_refuses_oversized_file),
        cmocka_unit_test(test_load_refuses_a_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
