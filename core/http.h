/* HTTPS to the workspace API through libcurl: bounded bodies, TLS verified,
 * a configurable CA bundle, Retry-After read. One lb_http_client reuses its
 * connection across requests. */
#ifndef LB_HTTP_H
#define LB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "lakebase.h"

/* Largest response body we accept; larger answers fail with EPROTOCOL. */
#define LB_HTTP_MAX_BODY (1024 * 1024)

typedef struct lb_http_request {
    const char *method; /* "GET" or "POST" */
    const char *url;    /* absolute https:// (http:// only to loopback) */
    const char *body;   /* may be NULL */
    size_t body_len;
    const char *content_type; /* e.g. "application/json"; NULL for none */
    const char *bearer;     /* secret: Authorization: Bearer ...; may be NULL */
    const char *basic_user; /* HTTP Basic (OAuth client credentials) */
    const char *basic_pass; /* secret */
    long timeout_ms;        /* whole-request timeout; 0 = default 30000 */
} lb_http_request;

typedef struct lb_http_response {
    long status; /* HTTP status, 0 if none */
    char *body;  /* NUL-terminated, owned; NULL if empty */
    size_t body_len;
    int64_t retry_after_ms; /* from an integer Retry-After header; -1 if none */
    /* The Content-Type's media type, lowercase, without parameters
     * ("text/html"; printable ASCII); "" when the answer had none. */
    char content_type[64];
    int64_t date_unix_ms; /* the server's Date header; 0 if none */
} lb_http_response;

/* The transport seam: the provider only ever calls through this, so unit
 * tests can swap in a fake. Returns 0 when an HTTP answer arrived (any status)
 * or a negative code: LAKEBASE_ENETWORK (connect/TLS/reset), LAKEBASE_ETIMEOUT,
 * LAKEBASE_EPROTOCOL (body over LB_HTTP_MAX_BODY). */
typedef int (*lb_http_send_fn)(void *ctx, const lb_http_request *req,
                               lb_http_response *resp, lakebase_error **err);

typedef struct lb_http_client lb_http_client;

/* ca_file may be NULL (system bundle). Verification is always on. An
 * unreadable ca_file fails here with LAKEBASE_ECONFIG. */
int lb_http_client_new(lb_http_client **out, const char *ca_file,
                       lakebase_error **err);
void lb_http_client_free(lb_http_client *c);

/* An lb_http_send_fn; ctx is an lb_http_client*. Serialised per client by an
 * internal mutex (requests are rare: a few per token lifetime). *resp is
 * overwritten, not freed. Besides the codes above: LAKEBASE_EINVAL (method
 * other than GET/POST, unparsable URL, a credential containing control
 * characters), LAKEBASE_ECONFIG (a scheme other than https, or http:// to a
 * host that is not loopback). Error messages show the URL without its query
 * and never a credential. */
int lb_http_send(void *ctx, const lb_http_request *req, lb_http_response *resp,
                 lakebase_error **err);

/* Frees the body (zeroed first: it may hold a token) and resets fields. */
void lb_http_response_clear(lb_http_response *resp);

/* Percent-encodes for a URL path segment or form value. Caller frees. */
char *lb_url_escape(const char *s);

/* Call once per process before threads start (curl_global_init); idempotent
 * and thread-safe through pthread_once. */
void lb_http_global_init(void);

#endif
