#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "api_parse.h"
#include "lakebase.h"
#include "secret.h"

/* Every token in these tests carries this marker: no error message may. */
#define SECRET       "SECRET"
#define GOOD_TIME    "2026-02-06T17:07:00Z"
#define GOOD_TIME_NS (INT64_C(1770397620) * INT64_C(1000000000))

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

/* Asserts an EPROTOCOL whose message names `api` and contains `what`. */
static void assert_protocol_error(int rc, lakebase_error *err, const char *api,
                                  const char *what) {
    assert_int_equal(rc, LAKEBASE_EPROTOCOL);
    assert_non_null(err);
    const char *msg = lakebase_error_message(err);
    if (!strstr(msg, api) || !strstr(msg, what) || strstr(msg, SECRET))
        fail_msg("message \"%s\" should name \"%s\" and \"%s\" and no secret",
                 msg, api, what);
    assert_int_equal(lakebase_error_code(err), LAKEBASE_EPROTOCOL);
    lakebase_error_free(err);
}

static char *repeat(char c, size_t n) {
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- credentials -------------------------------------------------------- */

static void
test_autoscaling_credential_reads_token_and_expire_time(void **state) {
    (void)state;
    const char *body =
        "{\"token\":\"tok-" SECRET "-1\",\"expire_time\":\"" GOOD_TIME "\"}";
    char *token = NULL;
    int64_t ns = 0;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_credential(LB_API_AUTOSCALING, body, strlen(body),
                                         &token, &ns, &err),
                     0);
    assert_null(err);
    assert_string_equal(token, "tok-" SECRET "-1");
    assert_int_equal(ns, GOOD_TIME_NS);
    lb_secret_free(token);
}

static void test_provisioned_credential_reads_expiration_time(void **state) {
    (void)state;
    const char *body =
        "{\n  \"expiration_time\": \"2026-11-23T22:59:30.291763Z\",\n"
        "  \"token\": \"tok-" SECRET "-2\",\n  \"extra\": [1, {}]\n}\n";
    char *token = NULL;
    int64_t ns = 0;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_credential(LB_API_PROVISIONED, body, strlen(body),
                                         &token, &ns, &err),
                     0);
    assert_string_equal(token, "tok-" SECRET "-2");
    assert_int_equal(ns, INT64_C(1795474770291763000));
    lb_secret_free(token);
}

static void
test_each_credential_api_rejects_the_other_expiry_name(void **state) {
    (void)state;
    const char *autoscaling_shape =
        "{\"token\":\"tok-" SECRET "\",\"expire_time\":\"" GOOD_TIME "\"}";
    const char *provisioned_shape =
        "{\"token\":\"tok-" SECRET "\",\"expiration_time\":\"" GOOD_TIME "\"}";
    char *token = NULL;
    int64_t ns = 0;
    lakebase_error *err = NULL;
    int rc = lb_parse_credential(LB_API_PROVISIONED, autoscaling_shape,
                                 strlen(autoscaling_shape), &token, &ns, &err);
    assert_null(token);
    assert_protocol_error(rc, err, "database/credentials",
                          "\"expiration_time\" is missing");
    err = NULL;
    rc = lb_parse_credential(LB_API_AUTOSCALING, provisioned_shape,
                             strlen(provisioned_shape), &token, &ns, &err);
    assert_null(token);
    assert_protocol_error(rc, err, "postgres/credentials",
                          "\"expire_time\" is missing");
}

static void
test_hostile_credential_answers_fail_with_field_named(void **state) {
    (void)state;
    static const struct {
        const char *body;
        const char *what;
    } cases[] = {
        {"", "empty"},
        {"{\"token\":\"tok-" SECRET, "not valid JSON"},
        {"{\"token\":\"tok-" SECRET "\",\"expire_time\":\"" GOOD_TIME
         "\"} trailing",
         "not valid JSON"},
        {"{\"token\":12345,\"expire_time\":\"" GOOD_TIME "\"}",
         "\"token\" is not a string"},
        {"{\"token\":1e999,\"expire_time\":\"" GOOD_TIME "\"}",
         "\"token\" is not a string"},
        {"{\"token\":\"tok-" SECRET "\",\"expire_time\":{\"seconds\":1}}",
         "\"expire_time\" is not a string"},
        {"{\"token\":\"tok-" SECRET "\",\"expire_time\":1770397620}",
         "\"expire_time\" is not a string"},
        {"{\"token\":\"\",\"expire_time\":\"" GOOD_TIME "\"}",
         "\"token\" is empty"},
        {"{\"token\":null,\"expire_time\":\"" GOOD_TIME "\"}",
         "\"token\" is missing"},
        {"{\"expire_time\":\"" GOOD_TIME "\"}", "\"token\" is missing"},
        {"{\"token\":\"tok-" SECRET "\"}", "\"expire_time\" is missing"},
        {"{\"token\":\"tok-" SECRET "\",\"expire_time\":\"tomorrow\"}",
         "\"expire_time\" is not an RFC 3339 timestamp"},
        {"{\"token\":\"tok-" SECRET
         "\",\"expire_time\":\"2026-02-30T00:00:00Z\"}",
         "\"expire_time\" is not an RFC 3339 timestamp"},
        /* Valid RFC 3339, but past what int64 nanoseconds hold. */
        {"{\"token\":\"tok-" SECRET
         "\",\"expire_time\":\"9999-12-31T23:59:59Z\"}",
         "\"expire_time\" is not an RFC 3339 timestamp between 1970 and "
         "2262"},
        {"{\"token\":\"tok " SECRET
         "\\r\\nX-Injected: 1\",\"expire_time\":\"" GOOD_TIME "\"}",
         "\"token\" contains a character"},
        {"[\"tok-" SECRET "\"]", "not a JSON object"},
        {"\"tok-" SECRET "\"", "not a JSON object"},
        {"null", "not a JSON object"},
        {"<html><head><title>502 Bad Gateway</title></head></html>",
         "not valid JSON"},
        {"upstream connect error or disconnect/reset before headers",
         "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *token = NULL;
        int64_t ns = 7;
        lakebase_error *err = NULL;
        int rc = lb_parse_credential(LB_API_AUTOSCALING, cases[i].body,
                                     strlen(cases[i].body), &token, &ns, &err);
        assert_null(token);
        assert_int_equal(ns, 7);
        assert_protocol_error(rc, err, "postgres/credentials", cases[i].what);
    }
}

static void test_null_body_is_an_empty_answer(void **state) {
    (void)state;
    char *token = NULL;
    int64_t ns;
    lakebase_error *err = NULL;
    int rc =
        lb_parse_credential(LB_API_PROVISIONED, NULL, 0, &token, &ns, &err);
    assert_protocol_error(rc, err, "database/credentials", "empty");
}

static void test_len_bounds_the_body_not_its_nul(void **state) {
    (void)state;
    const char *body =
        "{\"token\":\"tok-" SECRET "\",\"expire_time\":\"" GOOD_TIME "\"}";
    char *token = NULL;
    int64_t ns;
    lakebase_error *err = NULL;
    int rc = lb_parse_credential(LB_API_AUTOSCALING, body, strlen(body) - 1,
                                 &token, &ns, &err);
    assert_null(token);
    assert_protocol_error(rc, err, "postgres/credentials", "not valid JSON");
}

static void
test_deeply_nested_answer_is_rejected_without_crashing(void **state) {
    (void)state;
    size_t depth = 100000;
    char *body = malloc(depth * 2 + 1);
    assert_non_null(body);
    memset(body, '[', depth);
    memset(body + depth, ']', depth);
    body[depth * 2] = '\0';
    char *token = NULL;
    int64_t ns;
    lakebase_error *err = NULL;
    int rc = lb_parse_credential(LB_API_AUTOSCALING, body, depth * 2, &token,
                                 &ns, &err);
    free(body);
    assert_protocol_error(rc, err, "postgres/credentials", "not valid JSON");
}

static void
test_moderately_nested_noise_around_a_good_answer_is_fine(void **state) {
    (void)state;
    size_t depth = 500;
    char *noise = malloc(depth * 2 + 1);
    assert_non_null(noise);
    memset(noise, '[', depth);
    memset(noise + depth, ']', depth);
    noise[depth * 2] = '\0';
    size_t cap = depth * 2 + 200;
    char *body = malloc(cap);
    assert_non_null(body);
    snprintf(body, cap,
             "{\"noise\":%s,\"token\":\"tok-" SECRET
             "\",\"expire_time\":\"" GOOD_TIME "\"}",
             noise);
    free(noise);
    char *token = NULL;
    int64_t ns;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_credential(LB_API_AUTOSCALING, body, strlen(body),
                                         &token, &ns, &err),
                     0);
    assert_string_equal(token, "tok-" SECRET);
    lb_secret_free(token);
    free(body);
}

static void test_oversized_token_is_rejected(void **state) {
    (void)state;
    char *huge = repeat('A', 70000);
    size_t cap = 70000 + 200;
    char *body = malloc(cap);
    assert_non_null(body);
    snprintf(body, cap, "{\"token\":\"%s\",\"expire_time\":\"" GOOD_TIME "\"}",
             huge);
    char *token = NULL;
    int64_t ns;
    lakebase_error *err = NULL;
    int rc = lb_parse_credential(LB_API_AUTOSCALING, body, strlen(body), &token,
                                 &ns, &err);
    assert_null(token);
    assert_protocol_error(rc, err, "postgres/credentials",
                          "\"token\" is longer than");
    free(huge);
    free(body);
}

/* ---- OIDC / OAuth / SCIM ---------------------------------------------- */

static void test_oidc_discovery_reads_token_endpoint(void **state) {
    (void)state;
    const char *body = "{\"issuer\":\"https://h/oidc\",\"token_endpoint\":"
                       "\"https://h.example/oidc/v1/token\"}";
    char *url = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_oidc_discovery(body, strlen(body), &url, &err),
                     0);
    assert_string_equal(url, "https://h.example/oidc/v1/token");
    free(url);
}

static void test_oidc_discovery_rejects_missing_or_odd_endpoint(void **state) {
    (void)state;
    static const char *bodies[] = {
        "{}",
        "{\"token_endpoint\":42}",
        "{\"token_endpoint\":\"ftp://h/token\"}",
        "{\"token_endpoint\":\"https://h/ token\"}",
    };
    for (size_t i = 0; i < 4; i++) {
        char *url = NULL;
        lakebase_error *err = NULL;
        int rc =
            lb_parse_oidc_discovery(bodies[i], strlen(bodies[i]), &url, &err);
        assert_null(url);
        assert_protocol_error(rc, err, "OIDC discovery", "token_endpoint");
    }
}

static void test_oauth_token_reads_access_token_and_expires_in(void **state) {
    (void)state;
    static const struct {
        const char *body;
        int64_t expires_in;
    } cases[] = {
        {"{\"access_token\":\"at-" SECRET
         "\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
         3600},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":\"1800\"}", 1800},
        {"{\"access_token\":\"at-" SECRET "\"}", 3600},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":null}", 3600},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":3599.7}", 3599},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":0}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *at = NULL;
        int64_t expires_in = -1;
        lakebase_error *err = NULL;
        assert_int_equal(lb_parse_oauth_token(cases[i].body,
                                              strlen(cases[i].body), &at,
                                              &expires_in, &err),
                         0);
        assert_string_equal(at, "at-" SECRET);
        assert_int_equal(expires_in, cases[i].expires_in);
        lb_secret_free(at);
    }
}

static void test_oauth_token_rejects_bad_expires_in_and_token(void **state) {
    (void)state;
    static const struct {
        const char *body;
        const char *what;
    } cases[] = {
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":-5}",
         "\"expires_in\" is negative"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":-1e999}",
         "\"expires_in\" is negative"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":1e300}",
         "\"expires_in\" is out of range"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":1e999}",
         "\"expires_in\" is out of range"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":\"-5\"}",
         "\"expires_in\" is not a number"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":\"12345678901\"}",
         "\"expires_in\" is not a number"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":\"soon\"}",
         "\"expires_in\" is not a number"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":true}",
         "\"expires_in\" is not a number"},
        {"{\"access_token\":\"at-" SECRET "\",\"expires_in\":[3600]}",
         "\"expires_in\" is not a number"},
        {"{\"token\":\"at-" SECRET "\",\"expires_in\":3600}",
         "\"access_token\" is missing"},
        {"{\"access_token\":[\"at-" SECRET "\"]}",
         "\"access_token\" is not a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *at = NULL;
        int64_t expires_in = -1;
        lakebase_error *err = NULL;
        int rc = lb_parse_oauth_token(cases[i].body, strlen(cases[i].body), &at,
                                      &expires_in, &err);
        assert_null(at);
        assert_int_equal(expires_in, -1);
        assert_protocol_error(rc, err, "OAuth token", cases[i].what);
    }
}

static void test_scim_me_reads_user_name(void **state) {
    (void)state;
    const char *body =
        "{\"id\":\"1\",\"userName\":\"ana@example.com\",\"active\":true}";
    char *user = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_scim_me(body, strlen(body), &user, &err), 0);
    assert_string_equal(user, "ana@example.com");
    free(user);
    static const char *bad[] = {"{\"username\":\"ana\"}", "{\"userName\":7}",
                                "{\"userName\":\"ana\\nroot\"}"};
    for (size_t i = 0; i < 3; i++) {
        err = NULL;
        int rc = lb_parse_scim_me(bad[i], strlen(bad[i]), &user, &err);
        assert_null(user);
        assert_protocol_error(rc, err, "SCIM Me", "userName");
    }
}

/* ---- host lookups ------------------------------------------------------ */

static void test_endpoint_reads_host_never_pooled_host(void **state) {
    (void)state;
    const char *body =
        "{\"name\":\"projects/p/branches/b/endpoints/e\",\"status\":{"
        "\"hosts\":{\"pooled_host\":\"ep-1-pooler.db.example\","
        "\"host\":\"ep-1.db.example\"},\"current_state\":\"ACTIVE\"}}";
    char *host = NULL, *st = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_endpoint(body, strlen(body), &host, &st, &err),
                     0);
    assert_string_equal(host, "ep-1.db.example");
    assert_string_equal(st, "ACTIVE");
    free(host);
    free(st);
}

static void test_endpoint_with_only_pooled_host_fails(void **state) {
    (void)state;
    const char *body =
        "{\"status\":{\"hosts\":{\"pooled_host\":\"ep-1-pooler.db\"}}}";
    char *host = NULL, *st = NULL;
    lakebase_error *err = NULL;
    int rc = lb_parse_endpoint(body, strlen(body), &host, &st, &err);
    assert_null(host);
    assert_null(st);
    assert_protocol_error(rc, err, "postgres endpoint",
                          "\"status.hosts.host\" is missing");
}

static void test_endpoint_state_is_optional_but_typed(void **state) {
    (void)state;
    const char *no_state = "{\"status\":{\"hosts\":{\"host\":\"ep-1.db\"}}}";
    char *host = NULL, *st = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(
        lb_parse_endpoint(no_state, strlen(no_state), &host, &st, &err), 0);
    assert_string_equal(host, "ep-1.db");
    assert_null(st);
    free(host);
    static const struct {
        const char *body;
        const char *what;
    } cases[] = {
        {"{\"status\":{\"hosts\":{\"host\":\"ep-1.db\"},\"current_state\":3}}",
         "\"status.current_state\" is not a string"},
        {"{\"status\":\"ACTIVE\"}", "\"status.hosts.host\" is missing"},
        {"{\"status\":{\"hosts\":[\"ep-1.db\"]}}",
         "\"status.hosts.host\" is missing"},
        {"{\"status\":{\"hosts\":{\"host\":\"ep-1.db host=evil\"}}}",
         "\"status.hosts.host\" contains a character"},
        {"{\"status\":{\"hosts\":{\"host\":\"ep-1.db:5432\"}}}",
         "\"status.hosts.host\" contains a character"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err = NULL;
        int rc = lb_parse_endpoint(cases[i].body, strlen(cases[i].body), &host,
                                   &st, &err);
        assert_null(host);
        assert_null(st);
        assert_protocol_error(rc, err, "postgres endpoint", cases[i].what);
    }
}

static void test_instance_reads_read_write_or_read_only_dns(void **state) {
    (void)state;
    const char *body = "{\"name\":\"inst\",\"state\":\"AVAILABLE\","
                       "\"read_write_dns\":\"instance-1.db.example\","
                       "\"read_only_dns\":\"instance-ro-1.db.example\"}";
    char *host = NULL, *st = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lb_parse_instance(body, strlen(body), 0, &host, &st, &err),
                     0);
    assert_string_equal(host, "instance-1.db.example");
    assert_string_equal(st, "AVAILABLE");
    free(host);
    free(st);
    assert_int_equal(lb_parse_instance(body, strlen(body), 1, &host, &st, &err),
                     0);
    assert_string_equal(host, "instance-ro-1.db.example");
    free(host);
    free(st);
}

static void
test_instance_without_read_only_dns_fails_for_read_only(void **state) {
    (void)state;
    const char *body = "{\"state\":\"STARTING\",\"read_write_dns\":\"i-1.db\"}";
    char *host = NULL, *st = NULL;
    lakebase_error *err = NULL;
    int rc = lb_parse_instance(body, strlen(body), 1, &host, &st, &err);
    assert_null(host);
    assert_protocol_error(rc, err, "database instance",
                          "\"read_only_dns\" is missing");
}

/* ---- error answers -------------------------------------------------- */

static lb_api_error api_error(const char *body) {
    lb_api_error e;
    memset(&e, 'x', sizeof e); /* prove every field is written */
    lb_parse_api_error(body, len_of(body), &e);
    return e;
}

static void
test_api_error_reads_databricks_shape_with_retry_info(void **state) {
    (void)state;
    lb_api_error e = api_error(
        "{\"error_code\":\"RESOURCE_EXHAUSTED\",\"message\":\"Too many "
        "requests\","
        "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
        "\"reason\":\"RATE_LIMIT\"},{\"@type\":\"type.googleapis.com/"
        "google.rpc.RetryInfo\",\"retry_delay\":\"1s\"}]}");
    assert_string_equal(e.error_code, "RESOURCE_EXHAUSTED");
    assert_string_equal(e.message, "Too many requests");
    assert_int_equal(e.retry_delay_ms, 1000);
}

static void test_api_error_retry_delay_forms(void **state) {
    (void)state;
    static const struct {
        const char *delay;
        int64_t ms;
    } cases[] = {
        {"1s", 1000},
        {"1.5s", 1500},
        {"0.250s", 250},
        {"0.0001s", 1},
        {"30.000000001s", 30001},
        {"0s", 0},
        {"abc", -1},
        {"-1s", -1},
        {"1", -1},
        {"1.s", -1},
        {".5s", -1},
        {"1.5ms", -1},
        {"9999999999s", -1},
        {"1.0000000001s", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"error_code\":\"X\",\"details\":[{\"@type\":"
                 "\"type.googleapis.com/"
                 "google.rpc.RetryInfo\",\"retry_delay\":\"%s\"}]}",
                 cases[i].delay);
        lb_api_error e = api_error(body);
        if (e.retry_delay_ms != cases[i].ms)
            fail_msg("retry_delay \"%s\" -> %lld, want %lld", cases[i].delay,
                     (long long)e.retry_delay_ms, (long long)cases[i].ms);
    }
}

static void test_api_error_numeric_error_code(void **state) {
    (void)state;
    lb_api_error e =
        api_error("{\"error_code\":429,\"message\":\"slow down\"}");
    assert_string_equal(e.error_code, "429");
    assert_string_equal(e.message, "slow down");
    assert_int_equal(e.retry_delay_ms, -1);
    e = api_error("{\"error_code\":1e300}");
    assert_string_equal(e.error_code, "");
    e = api_error("{\"error_code\":-3}");
    assert_string_equal(e.error_code, "-3");
}

static void test_api_error_oauth_shape(void **state) {
    (void)state;
    lb_api_error e =
        api_error("{\"error\":\"invalid_client\",\"error_description\":"
                  "\"Client authentication failed\"}");
    assert_string_equal(e.error_code, "invalid_client");
    assert_string_equal(e.message, "Client authentication failed");
    e = api_error("{\"error\":\"invalid_scope\"}");
    assert_string_equal(e.error_code, "invalid_scope");
    assert_string_equal(e.message, "");
}

static void test_api_error_html_page_gives_its_title(void **state) {
    (void)state;
    lb_api_error e =
        api_error("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                  "<body><center><h1>502 Bad Gateway</h1></center>"
                  "<hr><center>nginx</center></body></html>");
    assert_string_equal(e.error_code, "");
    assert_string_equal(e.message, "502 Bad Gateway");
    assert_int_equal(e.retry_delay_ms, -1);
    e = api_error(
        "<!DOCTYPE html>\n<html><body>\n\n  <h1>Service   Unavailable</h1>"
        "<p>later</p>\n</body></html>");
    assert_string_equal(e.message, "Service Unavailable later");
}

static void test_api_error_plain_text_first_line_trimmed(void **state) {
    (void)state;
    lb_api_error e =
        api_error("\n\n \t upstream connect error  \r\nsecond line");
    assert_string_equal(e.message, "upstream connect error");
    e = api_error("a < b > c");
    assert_string_equal(e.message, "a < b > c");
}

static void test_api_error_text_is_capped_and_sanitised(void **state) {
    (void)state;
    char *long_line = repeat('a', 1000);
    lb_api_error e = api_error(long_line);
    assert_int_equal(strlen(e.message), 200);
    free(long_line);
    static const char binary[] = "bad\x01\x7f\xff"
                                 "thing\0tail";
    lb_parse_api_error(binary, sizeof binary - 1, &e);
    assert_string_equal(e.message, "bad???thing?tail");
    e = api_error(
        "{\"error_code\":\"A\\nB\",\"message\":\"line1\\nline2\\u0000\"}");
    assert_string_equal(e.error_code, "A?B");
    assert_string_equal(e.message, "line1?line2");
    char *long_code = repeat('C', 100);
    char body[256];
    snprintf(body, sizeof body, "{\"error_code\":\"%s\"}", long_code);
    e = api_error(body);
    assert_int_equal(strlen(e.error_code), sizeof e.error_code - 1);
    free(long_code);
}

static void test_api_error_empty_and_odd_json_never_fail(void **state) {
    (void)state;
    static const char *bodies[] = {
        NULL,
        "",
        "{}",
        "[]",
        "null",
        "{\"details\":\"x\"}",
        "{\"details\":[1,null,{\"@type\":5},{\"@type\":\"RetryInfo\",\"retry_"
        "delay\":7}]}",
        "{\"error_code\":{},\"message\":[],\"error\":1,\"error_description\":{}"
        "}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        lb_api_error e = api_error(bodies[i]);
        assert_string_equal(e.error_code, "");
        assert_int_equal(e.retry_delay_ms, -1);
        assert_true(strlen(e.message) < sizeof e.message);
    }
    lb_api_error e = api_error("[1,2]");
    assert_string_equal(e.message, "[1,2]");
}

/* ---- request bodies ------------------------------------------------- */

static cJSON *parse_json(const char *s) {
    assert_non_null(s);
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

static const char *str_field(const cJSON *obj, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    assert_true(cJSON_IsString(item));
    return item->valuestring;
}

static void test_autoscaling_request_carries_every_option(void **state) {
    (void)state;
    char *body = lb_build_autoscaling_request(
        "projects/p/branches/b/endpoints/e", 900,
        "[{\"permission_set\":\"READ_ONLY\",\"resources\":[{\"table_name\":\"c."
        "s.t\"}]}]",
        "analysts");
    cJSON *j = parse_json(body);
    assert_string_equal(str_field(j, "endpoint"),
                        "projects/p/branches/b/endpoints/e");
    assert_string_equal(str_field(j, "ttl"), "900s");
    assert_string_equal(str_field(j, "group_name"), "analysts");
    const cJSON *claims = cJSON_GetObjectItemCaseSensitive(j, "claims");
    assert_true(cJSON_IsArray(claims));
    assert_int_equal(cJSON_GetArraySize(claims), 1);
    const cJSON *claim = cJSON_GetArrayItem(claims, 0);
    assert_string_equal(str_field(claim, "permission_set"), "READ_ONLY");
    cJSON_Delete(j);
    free(body);
}

static void test_autoscaling_request_omits_unset_options(void **state) {
    (void)state;
    char *body = lb_build_autoscaling_request(
        "projects/p/branches/b/endpoints/\"e\\", 0, NULL, NULL);
    cJSON *j = parse_json(body);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    assert_string_equal(str_field(j, "endpoint"),
                        "projects/p/branches/b/endpoints/\"e\\");
    cJSON_Delete(j);
    free(body);
}

static void
test_request_builders_reject_claims_that_are_not_an_array(void **state) {
    (void)state;
    assert_null(lb_build_autoscaling_request("e", 0, "{\"a\":1}", NULL));
    assert_null(lb_build_autoscaling_request("e", 0, "[1,", NULL));
    assert_null(lb_build_provisioned_request("i", "[] junk", "id"));
    assert_null(lb_build_autoscaling_request(NULL, 0, NULL, NULL));
    assert_null(lb_build_provisioned_request(NULL, NULL, NULL));
}

static void assert_uuid4(const char *u) {
    assert_int_equal(strlen(u), 36);
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else if (!strchr("0123456789abcdef", u[i]))
            fail_msg("uuid %s has a non-hex character at %zu", u, i);
    }
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
}

static void
test_provisioned_request_carries_instance_and_request_id(void **state) {
    (void)state;
    char *body = lb_build_provisioned_request("my-instance", "[]", "req-1");
    cJSON *j = parse_json(body);
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(j, "instance_names");
    assert_true(cJSON_IsArray(names));
    assert_int_equal(cJSON_GetArraySize(names), 1);
    assert_string_equal(cJSON_GetArrayItem(names, 0)->valuestring,
                        "my-instance");
    assert_string_equal(str_field(j, "request_id"), "req-1");
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "claims")));
    cJSON_Delete(j);
    free(body);

    body = lb_build_provisioned_request("my-instance", NULL, NULL);
    j = parse_json(body);
    assert_uuid4(str_field(j, "request_id"));
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "claims"));
    cJSON_Delete(j);
    free(body);
}

static void test_uuid4_is_well_formed_and_unique(void **state) {
    (void)state;
    char ids[8][37];
    for (int i = 0; i < 8; i++) {
        assert_int_equal(lb_uuid4(ids[i]), 0);
        assert_uuid4(ids[i]);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(ids[i], ids[k]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_autoscaling_credential_reads_token_and_expire_time),
        cmocka_unit_test(test_provisioned_credential_reads_expiration_time),
        cmocka_unit_test(
            test_each_credential_api_rejects_the_other_expiry_name),
        cmocka_unit_test(test_hostile_credential_answers_fail_with_field_named),
        cmocka_unit_test(test_null_body_is_an_empty_answer),
        cmocka_unit_test(test_len_bounds_the_body_not_its_nul),
        cmocka_unit_test(
            test_deeply_nested_answer_is_rejected_without_crashing),
        cmocka_unit_test(
            test_moderately_nested_noise_around_a_good_answer_is_fine),
        cmocka_unit_test(test_oversized_token_is_rejected),
        cmocka_unit_test(test_oidc_discovery_reads_token_endpoint),
        cmocka_unit_test(test_oidc_discovery_rejects_missing_or_odd_endpoint),
        cmocka_unit_test(test_oauth_token_reads_access_token_and_expires_in),
        cmocka_unit_test(test_oauth_token_rejects_bad_expires_in_and_token),
        cmocka_unit_test(test_scim_me_reads_user_name),
        cmocka_unit_test(test_endpoint_reads_host_never_pooled_host),
        cmocka_unit_test(test_endpoint_with_only_pooled_host_fails),
        cmocka_unit_test(test_endpoint_state_is_optional_but_typed),
        cmocka_unit_test(test_instance_reads_read_write_or_read_only_dns),
        cmocka_unit_test(
            test_instance_without_read_only_dns_fails_for_read_only),
        cmocka_unit_test(test_api_error_reads_databricks_shape_with_retry_info),
        cmocka_unit_test(test_api_error_retry_delay_forms),
        cmocka_unit_test(test_api_error_numeric_error_code),
        cmocka_unit_test(test_api_error_oauth_shape),
        cmocka_unit_test(test_api_error_html_page_gives_its_title),
        cmocka_unit_test(test_api_error_plain_text_first_line_trimmed),
        cmocka_unit_test(test_api_error_text_is_capped_and_sanitised),
        cmocka_unit_test(test_api_error_empty_and_odd_json_never_fail),
        cmocka_unit_test(test_autoscaling_request_carries_every_option),
        cmocka_unit_test(test_autoscaling_request_omits_unset_options),
        cmocka_unit_test(
            test_request_builders_reject_claims_that_are_not_an_array),
        cmocka_unit_test(
            test_provisioned_request_carries_instance_and_request_id),
        cmocka_unit_test(test_uuid4_is_well_formed_and_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
