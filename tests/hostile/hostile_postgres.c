/* A login proxy that misbehaves on purpose (the emulator's hostile_login
 * knob): it answers the TLS request with garbage, refuses TLS, shows a
 * certificate nobody trusts, or answers the startup with garbage. The
 * library must fail clearly and fast (ECONNECTION, no retry that could
 * help), and must never send the token where TLS does not protect it:
 * the proxy counts every password message it receives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "emulator.h"
#include "hostile_case.h"

#define HOSTILE_LOGIN(mode) "{\"hostile_login\": \"" mode "\"}"

/* Nothing the proxy saw could have carried the token. */
static void assert_no_password_arrived(void) {
    assert_int_equal(emu_stat("logins.password_messages.plaintext"), 0);
    assert_int_equal(emu_stat("logins.password_messages.tls"), 0);
    assert_int_equal(emu_stat("hostile.plaintext_startups"), 0);
    assert_true(emu_stat("hostile.connections") >= 1); /* it was reached */
}

static void
test_garbage_answer_to_the_tls_request_is_econnection(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("pg-garbage-ssl-answer", HOSTILE_LOGIN("garbage_ssl_answer"),
                 NULL, &o);
    assert_code(&o, LAKEBASE_ECONNECTION);
    assert_mentions(o.message, "invalid response to SSL negotiation");
    assert_mentions(o.message, emu_env("EMULATOR_PROXY_HOST"));
    assert_printable_utf8(o.message);
    assert_no_password_arrived();
}

static void refused_tls(const char *name, const char *sslmode) {
    const char *const extra[] = {"pg.sslmode", sslmode, NULL};
    hostile_outcome o;
    hostile_open(name, HOSTILE_LOGIN("no_tls"), extra, &o);
    assert_code(&o, LAKEBASE_ECONNECTION);
    assert_mentions(o.message, "server does not support SSL");
    assert_no_password_arrived();
}

static void
test_server_refusing_tls_never_gets_the_token_require(void **state) {
    (void)state;
    refused_tls("pg-no-tls-require", "require");
}

static void
test_server_refusing_tls_never_gets_the_token_verify_full(void **state) {
    (void)state;
    refused_tls("pg-no-tls-verify-full", "verify-full");
}

static void
test_untrusted_certificate_is_refused_before_the_password(void **state) {
    (void)state;
    hostile_outcome o;
    hostile_open("pg-untrusted-cert", HOSTILE_LOGIN("untrusted_cert"), NULL,
                 &o);
    assert_code(&o, LAKEBASE_ECONNECTION);
    assert_mentions(o.message, "certificate verify failed");
    assert_no_password_arrived();
}

static void
test_garbage_after_tls_is_econnection_with_a_clean_message(void **state) {
    (void)state;
    hostile_outcome o;
    /* The proxy answers the startup with an invalid UTF-8 byte, terminal
     * escapes and a bell; libpq quotes the first byte. */
    hostile_open("pg-garbage", HOSTILE_LOGIN("garbage"), NULL, &o);
    assert_code(&o, LAKEBASE_ECONNECTION);
    assert_mentions(o.message, "expected authentication request");
    assert_printable_utf8(o.message);
    assert_no_password_arrived();
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage_answer_to_the_tls_request_is_econnection),
        cmocka_unit_test(test_server_refusing_tls_never_gets_the_token_require),
        cmocka_unit_test(
            test_server_refusing_tls_never_gets_the_token_verify_full),
        cmocka_unit_test(
            test_untrusted_certificate_is_refused_before_the_password),
        cmocka_unit_test(
            test_garbage_after_tls_is_econnection_with_a_clean_message),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    emu_reset(NULL);
    return failed;
}
