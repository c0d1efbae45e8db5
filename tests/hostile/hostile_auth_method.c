#define _GNU_SOURCE /* strcasestr */
/* A server that asks, after TLS, for an authentication method Lakebase
 * never uses (MD5, or SCRAM-SHA-256 as a pooler or a plain PostgreSQL
 * would). A database credential is a password sent in the clear inside
 * TLS; anything else means the library reached the wrong server (the
 * pooled host, a misconfigured pg.host). It must say so, and send nothing
 * derived from the token: the proxy counts the password messages it gets.
 * (libpq would answer MD5 and SCRAM by itself; the core reads the request
 * first, inside TLS, and refuses it: core/pg_conn.c check_auth_request.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "emulator.h"
#include "hostile_case.h"

static void wrong_method(const char *name, const char *knobs,
                         const char *method, const char *libpq_words) {
    hostile_outcome o;
    hostile_open(name, knobs, NULL, &o);
    /* A login that cannot work here, reported as such. */
    if (o.code != LAKEBASE_ECONNECTION && o.code != LAKEBASE_ELOGIN)
        fail_msg("got %s (%s), want ECONNECTION or ELOGIN",
                 lakebase_error_name(o.code), o.message);
    /* Naming the method the server asked for. */
    if (!strcasestr(o.message, method) && !strcasestr(o.message, libpq_words))
        fail_msg("\"%s\" names neither %s nor \"%s\"", o.message, method,
                 libpq_words);
    /* Nothing derived from the token was sent... */
    assert_int_equal(emu_stat("logins.password_messages.tls"), 0);
    assert_int_equal(emu_stat("logins.password_messages.plaintext"), 0);
    /* ...and the token was not thrown away for it. */
    assert_int_equal(o.cred.mints_ok, 1);
}

static void
test_server_asking_for_md5_is_refused_without_an_answer(void **state) {
    (void)state;
    wrong_method("pg-md5", "{\"hostile_login\": \"md5\"}", "MD5",
                 "hashed password");
}

static void
test_server_asking_for_scram_is_refused_without_an_answer(void **state) {
    (void)state;
    wrong_method("pg-scram", "{\"hostile_login\": \"scram\"}", "SCRAM", "SASL");
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_server_asking_for_md5_is_refused_without_an_answer),
        cmocka_unit_test(
            test_server_asking_for_scram_is_refused_without_an_answer),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    emu_reset(NULL);
    return failed;
}
