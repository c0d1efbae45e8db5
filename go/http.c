// Code generated from core/http.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "error.h"
#include "secret.h"

#define USER_AGENT             "lakebase-c/0.1"
#define DEFAULT_TIMEOUT_MS     30000L
#define MAX_CONNECT_TIMEOUT_MS 10000L
/* Retry-After beyond a day is nonsense; it also keeps the ms value small. */
#define MAX_RETRY_AFTER_S 86400

struct lb_http_client {
    pthread_mutex_t lock;
    CURL *curl;
    char *ca_file; /* NULL: the system bundle */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void lb_http_global_init(void) { pthread_once(&global_once, global_init_once); }

int lb_http_client_new(lb_http_client **out, const char *ca_file,
                       lakebase_error **err) {
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "lb_http_client_new: out is NULL");
    *out = NULL;
    /* A typo in the CA path would otherwise surface later as a TLS failure
     * on every mint; say so now, while the configuration is being read. */
    if (ca_file && access(ca_file, R_OK) != 0)
        return lb_err(err, LAKEBASE_ECONFIG, "CA file %s cannot be read: %s",
                      ca_file, strerror(errno));
    lb_http_global_init();
    lb_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    c->curl = curl_easy_init();
    c->ca_file = ca_file ? strdup(ca_file) : NULL;
    if (!c->curl || (ca_file && !c->ca_file)) {
        curl_easy_cleanup(c->curl);
        free(c->ca_file);
        free(c);
        return lb_err(err, LAKEBASE_ENOMEM, "could not create an HTTP client");
    }
    /* From the start, not only per request: curl_easy_cleanup of a handle
     * that has connected otherwise installs a SIGPIPE handler for a moment,
     * which a JVM (-Xcheck:jni) reports as its handler replaced. */
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return 0;
}

void lb_http_client_free(lb_http_client *c) {
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    pthread_mutex_destroy(&c->lock);
    free(c->ca_file);
    free(c);
}

void lb_http_response_clear(lb_http_response *resp) {
    if (!resp)
        return;
    if (resp->body) {
        lb_memzero(resp->body, resp->body_len);
        free(resp->body);
    }
    resp->status = 0;
    resp->body = NULL;
    resp->body_len = 0;
    resp->retry_after_ms = -1;
    resp->content_type[0] = '\0';
    resp->date_unix_ms = 0;
}

char *lb_url_escape(const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    char *p = out;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9') || strchr("-._~", *c)) {
            *p++ = (char)*c;
        } else {
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 0x0f];
        }
    }
    *p = '\0';
    return out;
}

/* ---- URL checks ---------------------------------------------------------- */

static bool is_loopback_host(const char *host) {
    struct in_addr v4;
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        return true;
    return inet_pton(AF_INET, host, &v4) == 1 &&
           (ntohl(v4.s_addr) >> 24) == 127;
}

typedef struct url_info {
    char display[512]; /* scheme://host[:port]/path: no credentials, no query */
    bool plain_http;   /* http:// (loopback only) */
    bool loopback;
} url_info;

/* Validates the scheme and builds the form of the URL that error messages
 * may show: a query or user-info part could carry secrets. */
static int inspect_url(const char *url, url_info *info, lakebase_error **err) {
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    int rc = 0;
    if (!u)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        rc = lb_err(err, LAKEBASE_EINVAL,
                    "request URL is not an absolute http(s) URL");
        goto done;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    snprintf(info->display, sizeof info->display, "%s://%s%s%s%s", scheme, host,
             port ? ":" : "", port ? port : "", path);
    info->plain_http = strcasecmp(scheme, "http") == 0;
    info->loopback = is_loopback_host(host);
    if (strcasecmp(scheme, "https") != 0 &&
        !(info->plain_http && info->loopback))
        rc = lb_err(err, LAKEBASE_ECONFIG,
                    "refusing %s: only https:// is allowed (http:// only to "
                    "loopback addresses)",
                    info->display);
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return rc;
}

/* ---- one exchange -------------------------------------------------------- */

typedef struct exchange {
    char *body;
    size_t len;
    size_t cap;
    bool too_big;
    int64_t retry_after_ms;
    int64_t date_unix_ms;
} exchange;

static void exchange_discard_body(exchange *x) {
    if (x->body) {
        lb_memzero(x->body, x->cap);
        free(x->body);
    }
    x->body = NULL;
    x->len = x->cap = 0;
}

/* Grows by copying so the old block, which may hold part of a token, can
 * be zeroed; realloc would free it as it is. */
static bool exchange_reserve(exchange *x, size_t need) {
    if (need <= x->cap)
        return true;
    size_t cap = x->cap ? x->cap : 4096;
    while (cap < need)
        cap *= 2;
    if (cap > LB_HTTP_MAX_BODY + 1)
        cap = LB_HTTP_MAX_BODY + 1;
    char *grown = malloc(cap);
    if (!grown)
        return false;
    if (x->body) {
        memcpy(grown, x->body, x->len);
        lb_memzero(x->body, x->cap);
        free(x->body);
    }
    x->body = grown;
    x->cap = cap;
    return true;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
    exchange *x = userdata;
    size_t n = size * nmemb;
    if (n > LB_HTTP_MAX_BODY - x->len) {
        x->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (!exchange_reserve(x, x->len + n + 1))
        return 0;
    memcpy(x->body + x->len, data, n);
    x->len += n;
    return n;
}

/* Integer seconds only; the HTTP-date form is rare on these APIs and is
 * left to the backoff. */
static int64_t parse_retry_after(const char *v, size_t n) {
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
                     v[n - 1] == '\n'))
        n--;
    if (n == 0 || n > 9)
        return -1;
    int64_t secs = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        secs = secs * 10 + (v[i] - '0');
    }
    return (secs > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : secs) * 1000;
}

/* The server's clock, from an HTTP-date ("Tue, 03 Feb 2026 10:00:00
 * GMT"); 0 when it cannot be read. */
static int64_t parse_date(const char *v, size_t n) {
    char text[64];
    if (n >= sizeof text)
        return 0;
    memcpy(text, v, n);
    text[n] = '\0';
    time_t t = curl_getdate(text, NULL);
    return t > 0 ? (int64_t)t * 1000 : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
    exchange *x = userdata;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    static const char date[] = "date:";
    /* A new status line (after a 100 Continue) starts a new header set. */
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        x->retry_after_ms = -1;
        x->date_unix_ms = 0;
    } else if (n > sizeof name - 1 &&
               strncasecmp(data, name, sizeof name - 1) == 0) {
        x->retry_after_ms =
            parse_retry_after(data + sizeof name - 1, n - (sizeof name - 1));
    } else if (n > sizeof date - 1 &&
               strncasecmp(data, date, sizeof date - 1) == 0) {
        x->date_unix_ms =
            parse_date(data + sizeof date - 1, n - (sizeof date - 1));
    }
    return n;
}

/* "Authorization: ..." built here rather than through CURLOPT_USERPWD or
 * XOAUTH2_BEARER so the only copies of the secret are this buffer and the
 * header list, both of which we zero. */
static char *authorization_header(const lb_http_request *req) {
    static const char bearer[] = "Authorization: Bearer ";
    static const char basic[] = "Authorization: Basic ";
    if (req->bearer) {
        size_t n = sizeof bearer + strlen(req->bearer);
        char *h = malloc(n);
        if (h)
            snprintf(h, n, "%s%s", bearer, req->bearer);
        return h;
    }
    if (!req->basic_user)
        return NULL;
    const char *pass = req->basic_pass ? req->basic_pass : "";
    size_t user_len = strlen(req->basic_user), pass_len = strlen(pass);
    size_t plain_len = user_len + 1 + pass_len;
    char *plain = malloc(plain_len + 1);
    size_t n = sizeof basic + 4 * ((plain_len + 2) / 3);
    char *h = plain ? malloc(n) : NULL;
    if (h) {
        memcpy(plain, req->basic_user, user_len);
        plain[user_len] = ':';
        memcpy(plain + user_len + 1, pass, pass_len);
        memcpy(h, basic, sizeof basic - 1);
        EVP_EncodeBlock((unsigned char *)h + sizeof basic - 1,
                        (const unsigned char *)plain, (int)plain_len);
    }
    if (plain) {
        lb_memzero(plain, plain_len);
        free(plain);
    }
    return h;
}

static void free_headers(struct curl_slist *list) {
    for (struct curl_slist *s = list; s; s = s->next)
        lb_memzero(s->data, strlen(s->data));
    curl_slist_free_all(list);
}

/* A CR or LF in a credential would end the header and start another. */
static bool header_safe(const char *s) {
    for (; s && *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    }
    return true;
}

static int build_headers(const lb_http_request *req, struct curl_slist **out,
                         lakebase_error **err) {
    if (!header_safe(req->bearer) || !header_safe(req->basic_user) ||
        !header_safe(req->basic_pass))
        return lb_err(err, LAKEBASE_EINVAL,
                      "refusing to send a credential that contains control "
                      "characters");
    char content_type[256];
    snprintf(content_type, sizeof content_type, "Content-Type:%s%s",
             req->content_type ? " " : "",
             req->content_type ? req->content_type : "");
    /* "Expect:" turns off 100-continue, which would stall every POST. An
     * empty "Content-Type:" stops curl from inventing a form type. */
    const char *fixed[] = {"Accept: application/json", "Expect:", content_type};
    struct curl_slist *list = NULL;
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *next = curl_slist_append(list, fixed[i]);
        ok = next != NULL;
        list = next ? next : list;
    }
    char *auth = ok ? authorization_header(req) : NULL;
    if (auth) {
        struct curl_slist *next = curl_slist_append(list, auth);
        ok = next != NULL;
        list = next ? next : list;
        lb_memzero(auth, strlen(auth));
        free(auth);
    } else if (req->bearer || req->basic_user) {
        ok = false;
    }
    if (!ok) {
        free_headers(list);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory building headers");
    }
    *out = list;
    return 0;
}

static void set_options(CURL *curl, const lb_http_client *c,
                        const lb_http_request *req, const url_info *info,
                        struct curl_slist *headers, exchange *x, char *errbuf) {
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
                     info->plain_http ? "http" : "https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
                     info->plain_http ? CURLPROTO_HTTP : CURLPROTO_HTTPS);
#endif
    if (info->loopback)
        curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* a proxy cannot reach it */
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout < MAX_CONNECT_TIMEOUT_MS ? timeout
                                                      : MAX_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                     (curl_off_t)LB_HTTP_MAX_BODY);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body_len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
}

static int transfer_error(CURLcode rc, const exchange *x, const url_info *info,
                          const lb_http_request *req, const char *errbuf,
                          lakebase_error **err) {
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return lb_err(err, LAKEBASE_EPROTOCOL, "response from %s exceeds 1 MiB",
                      info->display);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return lb_err(err, LAKEBASE_ETIMEOUT, "%s %s timed out: %s",
                      req->method, info->display, why);
    if (rc == CURLE_WRITE_ERROR || rc == CURLE_OUT_OF_MEMORY)
        return lb_err(err, LAKEBASE_ENOMEM,
                      "%s %s: out of memory reading the "
                      "response",
                      req->method, info->display);
    return lb_err(err, LAKEBASE_ENETWORK, "%s %s failed: %s", req->method,
                  info->display, why);
}

/* "Text/HTML; charset=utf-8" -> "text/html": the media type alone, in a
 * form safe to quote in an error message. */
static void copy_media_type(char *dst, size_t cap, const char *header) {
    size_t n = 0;
    while (header && *header == ' ')
        header++;
    for (; header && *header && *header != ';' && n + 1 < cap; header++) {
        unsigned char c = (unsigned char)*header;
        if (c == ' ' || c == '\t')
            break;
        dst[n++] = c >= 'A' && c <= 'Z'   ? (char)(c - 'A' + 'a')
                   : c > 0x20 && c < 0x7f ? (char)c
                                          : '?';
    }
    dst[n] = '\0';
}

int lb_http_send(void *ctx, const lb_http_request *req, lb_http_response *resp,
                 lakebase_error **err) {
    lb_http_client *c = ctx;
    if (!c || !req || !resp || !req->url || !req->method ||
        (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0))
        return lb_err(err, LAKEBASE_EINVAL, "lb_http_send: bad arguments");
    resp->status = 0;
    resp->body = NULL;
    resp->body_len = 0;
    resp->retry_after_ms = -1;
    resp->content_type[0] = '\0';
    resp->date_unix_ms = 0;
    url_info info;
    int rc = inspect_url(req->url, &info, err);
    struct curl_slist *headers = NULL;
    if (rc == 0)
        rc = build_headers(req, &headers, err);
    if (rc != 0)
        return rc;

    exchange x = {.retry_after_ms = -1};
    char errbuf[CURL_ERROR_SIZE] = "";
    pthread_mutex_lock(&c->lock);
    set_options(c->curl, c, req, &info, headers, &x, errbuf);
    CURLcode cc = curl_easy_perform(c->curl);
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    char *content_type = NULL; /* owned by the handle until the reset */
    curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &content_type);
    copy_media_type(resp->content_type, sizeof resp->content_type,
                    cc == CURLE_OK ? content_type : NULL);
    /* The handle outlives this frame, so it must keep no pointer into it
     * (headers, buffers, error text). A reset keeps the connection and TLS
     * session caches, so the next mint still reuses them. */
    curl_easy_reset(c->curl);
    pthread_mutex_unlock(&c->lock);
    free_headers(headers);

    if (cc != CURLE_OK) {
        exchange_discard_body(&x);
        return transfer_error(cc, &x, &info, req, errbuf, err);
    }
    resp->status = status;
    resp->retry_after_ms = x.retry_after_ms;
    resp->date_unix_ms = x.date_unix_ms;
    if (x.len > 0) {
        x.body[x.len] = '\0';
        resp->body = x.body;
        resp->body_len = x.len;
    } else {
        exchange_discard_body(&x);
    }
    return 0;
}
