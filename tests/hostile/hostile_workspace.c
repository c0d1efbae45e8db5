/* A workspace that misbehaves on purpose (the emulator's hostile_workspace
 * knob, over its real HTTPS): every credential answer is slow, huge,
 * HTML, truncated, cut off, somebody else's, or dated absurdly. Each case
 * opens a pool of its own through the public API and must end with a clear
 * error (the code, and a message naming the cause) within the configured
 * timeouts, or, where the answer is usable, must not trust it blindly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "emulator.h"
#include "hostile_case.h"

#define HOSTILE(answer) "{\"hostile_workspace\": {\"answer\": \"" answer "\"}}"

static long hostile_mints(void) { return emu_stat("hostile.mint_answers"); }

static void test_answer_one_byte_at_a_time_is_read_whole(void **state) {
    (void)state;
    hostile_outcome o;
    /* ~120 bytes at 5 ms each: well inside http.timeout_ms. */
    hostile_open("slow-bytes-in-time",
                 "{\"hostile_workspace\": {\"answer\": \"slow_bytes\", "
                 "\"byte_delay_ms\": 5}}",
                 NULL, &o);
    assert_code(&o, 0);
    assert_int_equal(o.cred.mints_ok, 1);
}

static void
test_answer_one_byte_at_a_time_past_the_timeout_is_etimeout(void **state) {
    (void)state;
    hostile_outcome o;
    /* ~120 bytes at 100 ms each: 12 s, past http.timeout_ms (2 s); retried
     * until credential.mint_timeout_ms (5 s), then reported. */
    hostile_open("slow-bytes-too-slow",
                 "{\"hostile_workspace\": {\"answer\": \"slow_bytes\", "
                 "\"byte_delay_ms\": 100}}",
                 NULL, &o);
    assert_code(&o, LAKEBASE_ETIMEOUT);
    assert_mentions(o.message, "/api/2.0/postgres/credentials timed out");
    assert_mentions(o.message, "credential.mint_timeout_ms");
    assert_true(hostile_mints() >= 2); /* it retried */
}

static void
test_ten_megabyte_answer_is_eprotocol_and_not_retried(void **state) {
    (void)state;
    static const char *const answers[] = {HOSTILE("huge_body"),
                                          HOSTILE("huge_body_declared")};
    static const char *const names[] = {"huge-body", "huge-body-declared"};
    for (int i = 0; i < 2; i++) {
        hostile_outcome o;
        hostile_open(names[i], answers[i], NULL, &o);
        assert_code(&o, LAKEBASE_EPROTOCOL);
        assert_mentions(o.message, "exceeds 1 MiB");
        assert_mentions(o.message, "/api/2.0/postgres/credentials");
        assert_int_equal(hostile_mints(), 1);
        assert_int_equal(o.cred.mints_ok, 0);
    }
}

static void test_html_answer_names_its_content_type(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("html-200", HOSTILE("html_200"), NULL, &o);
    assert_code(&o, LAKEBASE_EPROTOCOL);
    assert_int_equal(o.http_status, 200);
    assert_mentions(o.message, "Content-Type text/html");
    assert_mentions(o.message, "Sign in to continue"); /* the page's title */
    assert_mentions(o.message, "DATABRICKS_HOST");     /* the fix */
    assert_int_equal(hostile_mints(), 1);
}

static void test_truncated_json_is_eprotocol(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("truncated-json", HOSTILE("truncated_json"), NULL, &o);
    assert_code(&o, LAKEBASE_EPROTOCOL);
    assert_mentions(o.message, "postgres/credentials response");
    assert_mentions(o.message, "not valid JSON");
    assert_int_equal(hostile_mints(), 1);
}

static void
test_connection_closed_mid_answer_is_enetwork_after_retries(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("closed-mid-answer", HOSTILE("close_mid_answer"), NULL, &o);
    assert_code(&o, LAKEBASE_ENETWORK);
    assert_mentions(o.message, "/api/2.0/postgres/credentials failed");
    assert_mentions(o.message, "gave up after");
    assert_true(hostile_mints() >= 2);
    assert_int_equal(o.cred.mints_ok, 0);
}

static void
test_token_for_another_role_is_elogin_naming_the_role(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("other-role", HOSTILE("other_role"), NULL, &o);
    assert_code(&o, LAKEBASE_ELOGIN);
    assert_string_equal(o.sqlstate, "28P01");
    assert_mentions(o.message, emu_env("DATABRICKS_CLIENT_ID")); /* role */
    assert_mentions(o.message, "wrong_identity");
    /* One fresh token after the first refusal, then the verdict. */
    assert_int_equal(hostile_mints(), 2);
}

static void test_expire_time_in_the_past_is_elogin_and_logged(void **state) {
    (void)state;
    hostile_outcome o;
    /* The credential really expired an hour ago, and the answer says so. */
    hostile_open("expire-past", HOSTILE("expire_past"), NULL, &o);
    assert_code(&o, LAKEBASE_ELOGIN);
    assert_string_equal(o.sqlstate, "28P01");
    assert_mentions(o.message, "expired");
    /* The hint names the expiry, not a wrong role. */
    assert_mentions(o.message, "check the system clock");
    assert_true(strstr(o.message, "the role must be") == NULL);
    assert_mentions(o.warnings, "before it was issued");
    assert_mentions(o.warnings, "clock skewed");
    assert_int_equal(hostile_mints(), 2);
}

static void test_expire_time_decades_ahead_is_not_trusted(void **state) {
    (void)state;
    hostile_outcome o;
    /* The token lives the emulator's hour; the answer claims 50 years. */
    time_t before = time(NULL);
    hostile_open("expire-far", HOSTILE("expire_far"), NULL, &o);
    assert_code(&o, 0);
    int64_t claimed_s = o.cred.expire_time_unix_ms / 1000 - before;
    fprintf(stderr, "expire-far: the library expects %lld s of life\n",
            (long long)claimed_s);
    /* Clamped to the issue time plus the requested lifetime (one hour). */
    assert_true(claimed_s > 0);
    assert_true(claimed_s <= 3600 + 60);
}

static void
test_expire_time_past_2262_is_eprotocol_naming_the_range(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("expire-9999",
                 "{\"hostile_workspace\": {\"answer\": \"expire_far\", "
                 "\"expire_time\": \"9999-12-31T23:59:59Z\"}}",
                 NULL, &o);
    assert_code(&o, LAKEBASE_EPROTOCOL);
    assert_mentions(o.message, "\"expire_time\"");
    assert_mentions(o.message, "between 1970 and 2262");
    assert_int_equal(hostile_mints(), 1);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_one_byte_at_a_time_is_read_whole),
        cmocka_unit_test(
            test_answer_one_byte_at_a_time_past_the_timeout_is_etimeout),
        cmocka_unit_test(test_ten_megabyte_answer_is_eprotocol_and_not_retried),
        cmocka_unit_test(test_html_answer_names_its_content_type),
        cmocka_unit_test(test_truncated_json_is_eprotocol),
        cmocka_unit_test(
            test_connection_closed_mid_answer_is_enetwork_after_retries),
        cmocka_unit_test(test_token_for_another_role_is_elogin_naming_the_role),
        cmocka_unit_test(test_expire_time_in_the_past_is_elogin_and_logged),
        cmocka_unit_test(test_expire_time_decades_ahead_is_not_trusted),
        cmocka_unit_test(
            test_expire_time_past_2262_is_eprotocol_naming_the_range),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    emu_reset(NULL);
    return failed;
}
