/* Classification of libpq's connect failures and of failed statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lakebase.h"
#include "pg_error.h"

#define AT "connection to server at \"127.1.2.3\", port 5432 failed: "

static lb_connect_verdict classify(const char *msg, char *sqlstate) {
    return lb_pg_classify_connect(msg, sqlstate);
}

static void test_refused_and_cold_start_are_retried(void **state) {
    (void)state;
    char s[6];
    assert_int_equal(classify(AT "Connection refused\n\tIs the server running "
                                 "on that host and accepting TCP/IP "
                                 "connections?\n",
                              s),
                     LB_CONNECT_RETRY);
    assert_string_equal(s, "");
    assert_int_equal(
        classify(AT "FATAL:  57P03: the database system is starting up\n", s),
        LB_CONNECT_RETRY);
    assert_string_equal(s, "57P03");
    assert_int_equal(classify(AT "server closed the connection unexpectedly\n"
                                 "\tThis probably means the server terminated "
                                 "abnormally\n",
                              s),
                     LB_CONNECT_RETRY);
    /* The same through TLS: the login proxy hung up while the server
     * behind it restarted. */
    assert_int_equal(
        classify(AT "SSL connection has been closed unexpectedly\n", s),
        LB_CONNECT_RETRY);
    assert_int_equal(
        classify(AT "FATAL:  08006: could not connect to the database server\n",
                 s),
        LB_CONNECT_RETRY);
    assert_int_equal(
        classify(AT "FATAL:  53300: sorry, too many clients already\n", s),
        LB_CONNECT_RETRY);
}

static void test_28p01_asks_for_a_fresh_credential(void **state) {
    (void)state;
    char s[6];
    assert_int_equal(
        classify(AT
                 "FATAL:  28P01: password authentication failed for user "
                 "\"x\" (reason: expired)\nDETAIL:  The credential expired\n",
                 s),
        LB_CONNECT_REAUTH);
    assert_string_equal(s, "28P01");
}

static void test_other_login_errors_fail_fast(void **state) {
    (void)state;
    char s[6];
    assert_int_equal(
        classify(
            AT "FATAL:  28000: SSL is required: connect with sslmode=require\n",
            s),
        LB_CONNECT_LOGIN);
    assert_string_equal(s, "28000");
    assert_int_equal(
        classify(AT "FATAL:  3D000: database \"nope\" does not exist\n", s),
        LB_CONNECT_LOGIN);
    assert_string_equal(s, "3D000");
    assert_int_equal(
        classify(AT "FATAL:  42501: permission denied for database \"d\"\n", s),
        LB_CONNECT_LOGIN);
}

static void test_tls_dns_and_garbage_fail_fast(void **state) {
    (void)state;
    char s[6];
    assert_int_equal(
        classify("could not translate host name \"nope.invalid\" to address: "
                 "Name or service not known\n",
                 s),
        LB_CONNECT_FAIL);
    assert_int_equal(classify(AT "SSL error: certificate verify failed\n", s),
                     LB_CONNECT_FAIL);
    assert_int_equal(classify("", s), LB_CONNECT_FAIL);
    assert_int_equal(classify(NULL, s), LB_CONNECT_FAIL);
    /* Not a SQLSTATE: lowercase, short, no colon. */
    assert_int_equal(classify("FATAL:  28p01: x", s), LB_CONNECT_FAIL);
    assert_int_equal(classify("FATAL:  28P0", s), LB_CONNECT_FAIL);
    assert_string_equal(s, "");
}

static void test_reason_is_the_servers_first_line(void **state) {
    (void)state;
    char buf[128];
    lb_pg_connect_reason(AT "FATAL:  28P01: password authentication failed "
                            "for user \"r\"\nDETAIL:  more\n",
                         buf, sizeof buf);
    assert_string_equal(buf, "password authentication failed for user \"r\"");
    lb_pg_connect_reason("plain failure\nsecond line", buf, sizeof buf);
    assert_string_equal(buf, "plain failure");
    lb_pg_connect_reason(AT "FATAL:  57P03: starting up", buf, 8);
    assert_string_equal(buf, "startin");
}

/* libpq quotes what a hostile server sent ("expected authentication
 * request from server, but received \xff"): the reason must stay
 * printable, valid UTF-8 for every binding. */
static void test_reason_is_clean_utf8_whatever_the_server_sent(void **state) {
    (void)state;
    char buf[128];
    lb_pg_connect_reason("received \xff\x1b[2J\x07 end", buf, sizeof buf);
    assert_string_equal(buf, "received ??[2J? end");
    /* Well-formed characters stay: é (2 bytes), € (3), 😀 (4). */
    lb_pg_connect_reason("r\xc3\xa9le \xe2\x82\xac \xf0\x9f\x98\x80", buf,
                         sizeof buf);
    assert_string_equal(buf, "r\xc3\xa9le \xe2\x82\xac \xf0\x9f\x98\x80");
    /* Overlong, surrogate, beyond U+10FFFF, stray continuation, cut short. */
    lb_pg_connect_reason("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe2\x82",
                         buf, sizeof buf);
    assert_string_equal(buf, "??|???|????|?|??");
    /* A character that does not fit is left out, never cut in two. */
    lb_pg_connect_reason("ab\xe2\x82\xac", buf, 5);
    assert_string_equal(buf, "ab");
    lb_pg_connect_reason("ab\xe2\x82\xac", buf, 6);
    assert_string_equal(buf, "ab\xe2\x82\xac");
}

static void test_statement_errors_map_to_codes(void **state) {
    (void)state;
    assert_int_equal(lb_pg_statement_error_code("42P01", "no table", 0, 0),
                     LAKEBASE_ESQL);
    assert_int_equal(
        lb_pg_statement_error_code(
            "57014", "canceling statement due to statement timeout", 0, 0),
        LAKEBASE_ETIMEOUT);
    assert_int_equal(
        lb_pg_statement_error_code(
            "57014", "canceling statement due to user request", 0, 0),
        LAKEBASE_ECANCELED);
    /* We asked: a cancel, even if it raced with the timeout. */
    assert_int_equal(
        lb_pg_statement_error_code(
            "57014", "canceling statement due to statement timeout", 0, 1),
        LAKEBASE_ECANCELED);
    assert_int_equal(
        lb_pg_statement_error_code("57P01", "terminating connection", 0, 0),
        LAKEBASE_ECONNECTION);
    assert_int_equal(lb_pg_statement_error_code(NULL, NULL, 1, 0),
                     LAKEBASE_ECONNECTION);
    assert_int_equal(lb_pg_statement_error_code("", "bad call", 0, 0),
                     LAKEBASE_ESQL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_and_cold_start_are_retried),
        cmocka_unit_test(test_28p01_asks_for_a_fresh_credential),
        cmocka_unit_test(test_other_login_errors_fail_fast),
        cmocka_unit_test(test_tls_dns_and_garbage_fail_fast),
        cmocka_unit_test(test_reason_is_the_servers_first_line),
        cmocka_unit_test(test_reason_is_clean_utf8_whatever_the_server_sent),
        cmocka_unit_test(test_statement_errors_map_to_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
