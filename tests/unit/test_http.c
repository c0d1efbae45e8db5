/* lb_http_send against a real HTTP/1.1 server on 127.0.0.1 run by the test
 * in a thread (and, for TLS, the same server behind OpenSSL). */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "http.h"
#include "lakebase.h"

#define SECRET     "SECRET"
#define BEARER     "bearer-" SECRET "-xyz"
#define BASIC_USER "client-id"
#define BASIC_PASS "basic-" SECRET "-pass"
/* base64("client-id:basic-SECRET-pass"), computed independently. */
#define BASIC_B64 "Y2xpZW50LWlkOmJhc2ljLVNFQ1JFVC1wYXNz"

/* ---- the loopback server -------------------------------------------- */

typedef struct server {
    int listen_fd;
    int port;
    pthread_t thread;
    int connections;     /* how many to serve, one after another */
    const char *head;    /* status line + headers, without the blank line */
    const char *body;    /* literal body, or NULL */
    size_t filler_bytes; /* else this many 'x' bytes */
    bool content_length; /* add Content-Length for the body */
    int delay_ms;        /* before answering */
    const char *require; /* answer 401 unless the request contains this */
    SSL_CTX *tls;        /* serve TLS when set */
    char request[16384]; /* everything received, all connections */
    size_t request_len;
} server;

typedef struct conn {
    int fd;
    SSL *ssl;
} conn;

static ssize_t conn_read(conn *c, char *buf, size_t n) {
    if (c->ssl)
        return SSL_read(c->ssl, buf, (int)n);
    return recv(c->fd, buf, n, 0);
}

static bool conn_write(conn *c, const char *buf, size_t n) {
    while (n > 0) {
        ssize_t w = c->ssl ? SSL_write(c->ssl, buf, (int)n)
                           : send(c->fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        buf += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads one request: headers, then Content-Length bytes of body. */
static void read_request(server *s, conn *c) {
    size_t start = s->request_len;
    while (s->request_len < sizeof s->request - 1) {
        ssize_t r = conn_read(c, s->request + s->request_len,
                              sizeof s->request - 1 - s->request_len);
        if (r <= 0)
            break;
        s->request_len += (size_t)r;
        s->request[s->request_len] = '\0';
        char *end = strstr(s->request + start, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strcasestr(s->request + start, "Content-Length:");
        size_t want = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
        if (s->request_len - (size_t)(end + 4 - s->request) >= want)
            break;
    }
}

/* Waits delay_ms, or less if the client hangs up first. */
static void wait_or_hangup(int fd, int delay_ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, delay_ms);
}

static void answer(server *s, conn *c) {
    bool allowed = !s->require || strstr(s->request, s->require);
    const char *head = allowed ? s->head : "HTTP/1.1 401 Unauthorized";
    const char *body =
        allowed ? s->body : "{\"error_code\":\"UNAUTHENTICATED\"}";
    size_t body_len = body ? strlen(body) : (allowed ? s->filler_bytes : 0);
    char headers[512];
    if (s->content_length || !allowed)
        snprintf(headers, sizeof headers,
                 "%s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", head,
                 body_len);
    else
        snprintf(headers, sizeof headers, "%s\r\nConnection: close\r\n\r\n",
                 head);
    if (!conn_write(c, headers, strlen(headers)))
        return;
    if (body) {
        conn_write(c, body, body_len);
        return;
    }
    char chunk[16384];
    memset(chunk, 'x', sizeof chunk);
    for (size_t sent = 0; sent < body_len;) {
        size_t n =
            body_len - sent < sizeof chunk ? body_len - sent : sizeof chunk;
        if (!conn_write(c, chunk, n))
            return;
        sent += n;
    }
}

static void *serve(void *arg) {
    server *s = arg;
    for (int i = 0; i < s->connections; i++) {
        struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
        if (poll(&p, 1, 10000) != 1)
            break; /* the client never came: the test will say why */
        conn c = {.fd = accept(s->listen_fd, NULL, NULL)};
        if (c.fd < 0)
            break;
        if (s->tls) {
            c.ssl = SSL_new(s->tls);
            SSL_set_fd(c.ssl, c.fd);
        }
        if (!c.ssl || SSL_accept(c.ssl) == 1) {
            read_request(s, &c);
            wait_or_hangup(c.fd, s->delay_ms);
            answer(s, &c);
        }
        if (c.ssl)
            SSL_free(c.ssl);
        close(c.fd);
    }
    return NULL;
}

static int bound_socket(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void server_start(server *s) {
    if (s->connections == 0)
        s->connections = 1;
    s->listen_fd = bound_socket(&s->port);
    assert_int_equal(listen(s->listen_fd, 4), 0);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

/* Called once the client is done: shutting the listener down wakes a
 * server still waiting for a connection that will never come. */
static void server_stop(server *s) {
    shutdown(s->listen_fd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct exchange_result {
    int rc;
    lb_http_response resp;
    lakebase_error *err;
} exchange_result;

static exchange_result send_with(lb_http_client *client, lb_http_request req) {
    exchange_result r = {0};
    r.rc = lb_http_send(client, &req, &r.resp, &r.err);
    return r;
}

static exchange_result send_once(lb_http_request req) {
    lb_http_client *client = NULL;
    lakebase_error *err = NULL;
    assert_int_equal(lb_http_client_new(&client, NULL, &err), 0);
    exchange_result r = send_with(client, req);
    lb_http_client_free(client);
    return r;
}

static void url_for(char *buf, size_t cap, const char *scheme, int port,
                    const char *path) {
    snprintf(buf, cap, "%s://127.0.0.1:%d%s", scheme, port, path);
}

/* Asserts a failure with `code` whose message holds `want` and no secret. */
static void assert_failed(exchange_result *r, int code, const char *want) {
    assert_int_equal(r->rc, code);
    assert_non_null(r->err);
    assert_int_equal(lakebase_error_code(r->err), code);
    const char *msg = lakebase_error_message(r->err);
    if (!strstr(msg, want) || strstr(msg, SECRET))
        fail_msg("message \"%s\" should contain \"%s\" and no secret", msg,
                 want);
    assert_null(r->resp.body);
    assert_int_equal(r->resp.status, 0);
    lakebase_error_free(r->err);
}

/* ---- plain HTTP ------------------------------------------------------- */

static void test_get_returns_status_and_body(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK\r\nContent-Type: application/json",
                .body = "{\"ok\":true}",
                .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/api/2.0/x?y=1");
    exchange_result r =
        send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_null(r.err);
    assert_int_equal(r.resp.status, 200);
    assert_string_equal(r.resp.body, "{\"ok\":true}");
    assert_int_equal(r.resp.body_len, 11);
    assert_int_equal(r.resp.retry_after_ms, -1);
    assert_non_null(strstr(s.request, "GET /api/2.0/x?y=1 HTTP/1.1\r\n"));
    assert_non_null(strstr(s.request, "\r\nUser-Agent: lakebase-c/0.1\r\n"));
    assert_non_null(strstr(s.request, "\r\nAccept: application/json\r\n"));
    assert_null(strcasestr(s.request, "Authorization"));
    lb_http_response_clear(&r.resp);
    assert_null(r.resp.body);
    assert_int_equal(r.resp.status, 0);
}

static void test_content_type_keeps_the_media_type_only(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK\r\nContent-Type: Text/HTML; "
                        "charset=UTF-8",
                .body = "<html></html>",
                .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/page");
    exchange_result r =
        send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.resp.content_type, "text/html");
    lb_http_response_clear(&r.resp);
    assert_string_equal(r.resp.content_type, "");

    server bare = {
        .head = "HTTP/1.1 200 OK", .body = "{}", .content_length = true};
    server_start(&bare);
    url_for(url, sizeof url, "http", bare.port, "/bare");
    r = send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&bare);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.resp.content_type, "");
    lb_http_response_clear(&r.resp);
}

static void test_post_sends_body_and_content_type(void **state) {
    (void)state;
    server s = {
        .head = "HTTP/1.1 201 Created", .body = "", .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/api/2.0/postgres/credentials");
    const char *json = "{\"endpoint\":\"projects/p/branches/b/endpoints/e\"}";
    exchange_result r =
        send_once((lb_http_request){.method = "POST",
                                    .url = url,
                                    .body = json,
                                    .body_len = strlen(json),
                                    .content_type = "application/json"});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resp.status, 201);
    assert_null(r.resp.body); /* an empty answer has no body */
    assert_int_equal(r.resp.body_len, 0);
    assert_non_null(
        strstr(s.request, "POST /api/2.0/postgres/credentials HTTP/1.1\r\n"));
    assert_non_null(
        strstr(s.request, "\r\nContent-Type: application/json\r\n"));
    assert_null(strcasestr(s.request, "Expect:"));
    const char *body = strstr(s.request, "\r\n\r\n");
    assert_non_null(body);
    assert_string_equal(body + 4, json);
}

static void test_post_without_content_type_sends_none(void **state) {
    (void)state;
    server s = {
        .head = "HTTP/1.1 200 OK", .body = "ok", .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/form");
    exchange_result r = send_once((lb_http_request){
        .method = "POST", .url = url, .body = "a=b", .body_len = 3});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_null(strcasestr(s.request, "Content-Type"));
    lb_http_response_clear(&r.resp);
}

static void test_one_client_serves_a_post_then_a_get(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK",
                .body = "ok",
                .content_length = true,
                .connections = 2};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/twice");
    lb_http_client *client = NULL;
    assert_int_equal(lb_http_client_new(&client, NULL, NULL), 0);
    exchange_result r1 = send_with(client, (lb_http_request){.method = "POST",
                                                             .url = url,
                                                             .body = "x",
                                                             .body_len = 1,
                                                             .bearer = BEARER});
    exchange_result r2 =
        send_with(client, (lb_http_request){.method = "GET", .url = url});
    lb_http_client_free(client);
    server_stop(&s);
    assert_int_equal(r1.rc, 0);
    assert_int_equal(r2.rc, 0);
    const char *second = strstr(s.request, "GET /twice HTTP/1.1");
    assert_non_null(second);
    assert_non_null(strstr(s.request, "POST /twice HTTP/1.1"));
    /* Nothing from the first request leaks into the second. */
    assert_null(strstr(second, "Authorization"));
    lb_http_response_clear(&r1.resp);
    lb_http_response_clear(&r2.resp);
}

static void test_retry_after_seconds_is_read(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7 ",
                .body = "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\"}",
                .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/busy");
    exchange_result r =
        send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resp.status, 429);
    assert_int_equal(r.resp.retry_after_ms, 7000);
    assert_string_equal(r.resp.body,
                        "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\"}");
    lb_http_response_clear(&r.resp);
}

static void test_retry_after_http_date_is_ignored(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 503 Service Unavailable\r\n"
                        "retry-after: Wed, 21 Oct 2015 07:28:00 GMT",
                .body = "down",
                .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/down");
    exchange_result r =
        send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resp.status, 503);
    assert_int_equal(r.resp.retry_after_ms, -1);
    lb_http_response_clear(&r.resp);
}

static void test_bearer_token_is_sent_as_authorization(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK",
                .body = "ok",
                .content_length = true,
                .require = "\r\nAuthorization: Bearer " BEARER "\r\n"};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/me");
    exchange_result r = send_once(
        (lb_http_request){.method = "GET", .url = url, .bearer = BEARER});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resp.status, 200);
    lb_http_response_clear(&r.resp);
}

static void test_basic_credentials_are_sent_as_authorization(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK",
                .body = "{}",
                .content_length = true,
                .require = "\r\nAuthorization: Basic " BASIC_B64 "\r\n"};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/oidc/v1/token");
    const char *form = "grant_type=client_credentials&scope=all-apis";
    exchange_result r = send_once(
        (lb_http_request){.method = "POST",
                          .url = url,
                          .body = form,
                          .body_len = strlen(form),
                          .content_type = "application/x-www-form-urlencoded",
                          .basic_user = BASIC_USER,
                          .basic_pass = BASIC_PASS});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resp.status, 200);
    lb_http_response_clear(&r.resp);
}

static void test_body_of_exactly_the_limit_is_accepted(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK",
                .filler_bytes = LB_HTTP_MAX_BODY,
                .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/big");
    exchange_result r =
        send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resp.body_len, LB_HTTP_MAX_BODY);
    assert_int_equal(r.resp.body[LB_HTTP_MAX_BODY], '\0');
    lb_http_response_clear(&r.resp);
}

static void test_declared_body_over_the_limit_is_rejected(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK",
                .filler_bytes = LB_HTTP_MAX_BODY + 1,
                .content_length = true};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/huge?token=q-" SECRET);
    exchange_result r =
        send_once((lb_http_request){.method = "GET", .url = url});
    server_stop(&s);
    assert_failed(&r, LAKEBASE_EPROTOCOL, "/huge exceeds 1 MiB");
}

static void test_streamed_body_over_the_limit_is_rejected(void **state) {
    (void)state;
    /* No Content-Length: only the write callback can stop it. */
    server s = {.head = "HTTP/1.1 200 OK",
                .filler_bytes = 3 * LB_HTTP_MAX_BODY};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/stream");
    exchange_result r = send_once(
        (lb_http_request){.method = "GET", .url = url, .bearer = BEARER});
    server_stop(&s);
    assert_failed(&r, LAKEBASE_EPROTOCOL, "exceeds 1 MiB");
}

static void test_connection_refused_is_a_network_error(void **state) {
    (void)state;
    int port;
    int fd = bound_socket(&port); /* bound, never listening: refused */
    char url[128];
    url_for(url, sizeof url, "http", port, "/api?secret=q-" SECRET);
    exchange_result r = send_once((lb_http_request){.method = "POST",
                                                    .url = url,
                                                    .bearer = BEARER,
                                                    .body = "{}",
                                                    .body_len = 2});
    close(fd);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d/api", port);
    assert_failed(&r, LAKEBASE_ENETWORK, want);
}

static void test_slow_server_times_out(void **state) {
    (void)state;
    server s = {.head = "HTTP/1.1 200 OK",
                .body = "late",
                .content_length = true,
                .delay_ms = 5000};
    server_start(&s);
    char url[128];
    url_for(url, sizeof url, "http", s.port, "/slow");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    exchange_result r = send_once((lb_http_request){.method = "GET",
                                                    .url = url,
                                                    .timeout_ms = 300,
                                                    .basic_user = BASIC_USER,
                                                    .basic_pass = BASIC_PASS});
    clock_gettime(CLOCK_MONOTONIC, &t1);
    server_stop(&s);
    long elapsed_ms =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_in_range(elapsed_ms, 250, 3000);
    assert_failed(&r, LAKEBASE_ETIMEOUT, "/slow");
}

static void test_non_https_urls_are_refused_before_any_traffic(void **state) {
    (void)state;
    static const struct {
        const char *url;
        int code;
    } cases[] = {
        {"http://workspace.example.invalid/api/2.0/postgres/credentials",
         LAKEBASE_ECONFIG},
        {"http://127.0.0.1.example.invalid/x", LAKEBASE_ECONFIG},
        {"ftp://127.0.0.1/x", LAKEBASE_ECONFIG},
        {"file:///etc/passwd", LAKEBASE_EINVAL},
        {"not a url", LAKEBASE_EINVAL},
        {"", LAKEBASE_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        exchange_result r = send_once((lb_http_request){
            .method = "GET", .url = cases[i].url, .bearer = BEARER});
        assert_failed(&r, cases[i].code, "");
    }
    exchange_result r =
        send_once((lb_http_request){.method = "DELETE", .url = "https://h/x"});
    assert_failed(&r, LAKEBASE_EINVAL, "");
}

static void test_credentials_with_line_breaks_are_never_sent(void **state) {
    (void)state;
    static const lb_http_request injected[] = {
        {.method = "GET",
         .url = "http://127.0.0.1:9/x",
         .bearer = "t-" SECRET "\r\nX-Evil: 1"},
        {.method = "GET",
         .url = "http://127.0.0.1:9/x",
         .basic_user = "id\n",
         .basic_pass = BASIC_PASS},
        {.method = "GET",
         .url = "http://127.0.0.1:9/x",
         .basic_user = BASIC_USER,
         .basic_pass = "p-" SECRET "\r"},
    };
    for (size_t i = 0; i < sizeof injected / sizeof injected[0]; i++) {
        exchange_result r = send_once(injected[i]);
        assert_failed(&r, LAKEBASE_EINVAL, "control characters");
    }
}

static void test_url_escape_encodes_all_but_unreserved(void **state) {
    (void)state;
    char *e = lb_url_escape("my inst/ance~a-b_c.d%?&=\xc3\xa9");
    assert_string_equal(e, "my%20inst%2Fance~a-b_c.d%25%3F%26%3D%C3%A9");
    free(e);
    assert_null(lb_url_escape(NULL));
}

/* ---- TLS ------------------------------------------------------------ */

typedef struct test_cert {
    EVP_PKEY *key;
    X509 *cert;
    char path[64]; /* PEM file holding the certificate */
} test_cert;

/* A self-signed certificate for `san` (e.g. "IP:127.0.0.1"). */
static void make_cert(test_cert *c, const char *san) {
    c->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(c->key);
    c->cert = X509_new();
    assert_non_null(c->cert);
    X509_set_version(c->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c->cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(c->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c->cert), 3600);
    X509_set_pubkey(c->cert, c->key);
    X509_NAME *name = X509_get_subject_name(c->cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"lakebase test", -1, -1,
                               0);
    X509_set_issuer_name(c->cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, c->cert, c->cert, NULL, NULL, 0);
    const struct {
        int nid;
        const char *value;
    } exts[] = {{NID_basic_constraints, "critical,CA:TRUE"},
                {NID_subject_alt_name, san}};
    for (size_t i = 0; i < 2; i++) {
        X509_EXTENSION *ext =
            X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        assert_non_null(ext);
        X509_add_ext(c->cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(c->cert, c->key, EVP_sha256()) > 0);
    snprintf(c->path, sizeof c->path, "/tmp/lb_test_ca_XXXXXX");
    int fd = mkstemp(c->path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, c->cert), 1);
    fclose(f);
}

static void free_cert(test_cert *c) {
    unlink(c->path);
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
}

/* Serves one HTTPS exchange with `served`; the client trusts `trusted`. */
static exchange_result
https_exchange(test_cert *served, const char *trusted_file, const char *host) {
    server s = {
        .head = "HTTP/1.1 200 OK", .body = "secure", .content_length = true};
    s.tls = SSL_CTX_new(TLS_server_method());
    assert_non_null(s.tls);
    assert_int_equal(SSL_CTX_use_certificate(s.tls, served->cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(s.tls, served->key), 1);
    server_start(&s);
    char url[128];
    snprintf(url, sizeof url, "https://%s:%d/tls", host, s.port);
    lb_http_client *client = NULL;
    assert_int_equal(lb_http_client_new(&client, trusted_file, NULL), 0);
    exchange_result r = send_with(
        client,
        (lb_http_request){
            .method = "GET", .url = url, .bearer = BEARER, .timeout_ms = 5000});
    lb_http_client_free(client);
    server_stop(&s);
    SSL_CTX_free(s.tls);
    return r;
}

static void test_https_with_the_right_ca_succeeds(void **state) {
    (void)state;
    test_cert cert;
    make_cert(&cert, "IP:127.0.0.1,DNS:localhost");
    exchange_result r = https_exchange(&cert, cert.path, "127.0.0.1");
    free_cert(&cert);
    if (r.rc != 0)
        fail_msg("TLS exchange failed: %s", lakebase_error_message(r.err));
    assert_int_equal(r.resp.status, 200);
    assert_string_equal(r.resp.body, "secure");
    lb_http_response_clear(&r.resp);
}

static void test_https_with_a_bogus_ca_fails_verification(void **state) {
    (void)state;
    test_cert served, other;
    make_cert(&served, "IP:127.0.0.1,DNS:localhost");
    make_cert(&other, "IP:127.0.0.1,DNS:localhost");
    exchange_result r = https_exchange(&served, other.path, "127.0.0.1");
    free_cert(&served);
    free_cert(&other);
    assert_failed(&r, LAKEBASE_ENETWORK, "certificate");
}

static void test_https_to_a_name_the_certificate_lacks_fails(void **state) {
    (void)state;
    test_cert cert;
    make_cert(&cert, "DNS:db.example.invalid");
    exchange_result r = https_exchange(&cert, cert.path, "127.0.0.1");
    free_cert(&cert);
    assert_failed(&r, LAKEBASE_ENETWORK, "https://127.0.0.1");
}

static void test_https_with_a_garbage_ca_file_fails(void **state) {
    (void)state;
    test_cert served;
    make_cert(&served, "IP:127.0.0.1");
    char junk[] = "/tmp/lb_test_junk_XXXXXX";
    int fd = mkstemp(junk);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not a certificate\n", 18), 18);
    close(fd);
    exchange_result r = https_exchange(&served, junk, "127.0.0.1");
    unlink(junk);
    free_cert(&served);
    assert_failed(&r, LAKEBASE_ENETWORK, "https://127.0.0.1");
}

static void test_unreadable_ca_file_is_a_config_error(void **state) {
    (void)state;
    lb_http_client *client = NULL;
    lakebase_error *err = NULL;
    int rc = lb_http_client_new(&client, "/nonexistent/lakebase-ca.pem", &err);
    assert_int_equal(rc, LAKEBASE_ECONFIG);
    assert_null(client);
    assert_non_null(
        strstr(lakebase_error_message(err), "/nonexistent/lakebase-ca.pem"));
    lakebase_error_free(err);
}

int main(void) {
    /* The TLS server writes through SSL_write, which cannot ask for
     * MSG_NOSIGNAL; a client hanging up must not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    lb_http_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_returns_status_and_body),
        cmocka_unit_test(test_content_type_keeps_the_media_type_only),
        cmocka_unit_test(test_post_sends_body_and_content_type),
        cmocka_unit_test(test_post_without_content_type_sends_none),
        cmocka_unit_test(test_one_client_serves_a_post_then_a_get),
        cmocka_unit_test(test_retry_after_seconds_is_read),
        cmocka_unit_test(test_retry_after_http_date_is_ignored),
        cmocka_unit_test(test_bearer_token_is_sent_as_authorization),
        cmocka_unit_test(test_basic_credentials_are_sent_as_authorization),
        cmocka_unit_test(test_body_of_exactly_the_limit_is_accepted),
        cmocka_unit_test(test_declared_body_over_the_limit_is_rejected),
        cmocka_unit_test(test_streamed_body_over_the_limit_is_rejected),
        cmocka_unit_test(test_connection_refused_is_a_network_error),
        cmocka_unit_test(test_slow_server_times_out),
        cmocka_unit_test(test_non_https_urls_are_refused_before_any_traffic),
        cmocka_unit_test(test_credentials_with_line_breaks_are_never_sent),
        cmocka_unit_test(test_url_escape_encodes_all_but_unreserved),
        cmocka_unit_test(test_https_with_the_right_ca_succeeds),
        cmocka_unit_test(test_https_with_a_bogus_ca_fails_verification),
        cmocka_unit_test(test_https_to_a_name_the_certificate_lacks_fails),
        cmocka_unit_test(test_https_with_a_garbage_ca_file_fails),
        cmocka_unit_test(test_unreadable_ca_file_is_a_config_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
