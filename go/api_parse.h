// Code generated from core/api_parse.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Parsers for every workspace API answer we read. Every input is hostile:
 * bounded (the caller passes len), never trusted for types, never crashes.
 * All parse functions return 0 or LAKEBASE_EPROTOCOL (with a message naming
 * the API and what was wrong, never echoing token values). Output strings are
 * heap-allocated and owned by the caller; secrets must be freed with
 * lb_secret_free. */
#ifndef LB_API_PARSE_H
#define LB_API_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "lakebase.h"

typedef enum lb_api_kind {
    LB_API_AUTOSCALING = 1, /* /api/2.0/postgres/credentials: expire_time */
    LB_API_PROVISIONED = 2  /* /api/2.0/database/credentials: expiration_time */
} lb_api_kind;

/* {"token": "...", "expire_time"|"expiration_time": "<RFC 3339>"}.
 * *token is a secret. *expire_unix_ns from lb_rfc3339_parse. */
int lb_parse_credential(lb_api_kind kind, const char *body, size_t len,
                        char **token, int64_t *expire_unix_ns,
                        lakebase_error **err);

/* OIDC discovery: {"token_endpoint": "https://..."}. */
int lb_parse_oidc_discovery(const char *body, size_t len, char **token_endpoint,
                            lakebase_error **err);

/* OAuth token: {"access_token", "token_type", "expires_in"}. expires_in may
 * be a number or a numeric string; missing => 3600. *access_token secret. */
int lb_parse_oauth_token(const char *body, size_t len, char **access_token,
                         int64_t *expires_in_s, lakebase_error **err);

/* GET /api/2.0/postgres/{endpoint}: status.hosts.host (never *_pooled_host),
 * and status.current_state (may be absent => *state NULL). */
int lb_parse_endpoint(const char *body, size_t len, char **host, char **state,
                      lakebase_error **err);

/* GET /api/2.0/database/instances/{name}: read_write_dns (or read_only_dns
 * when read_only), and state (may be absent => *state NULL). */
int lb_parse_instance(const char *body, size_t len, int read_only, char **host,
                      char **state, lakebase_error **err);

/* SCIM Me: {"userName": "..."}. */
int lb_parse_scim_me(const char *body, size_t len, char **user_name,
                     lakebase_error **err);

/* A Databricks error answer, whatever its shape:
 * {"error_code": "X"|123, "message": "...", "details": [..RetryInfo
 * "retry_delay": "1.5s"..]}, {"error": "...", "error_description": "..."}
 * (OAuth / old APIs), HTML or plain text (first line, trimmed, max 200 bytes,
 * non-printable bytes replaced). Never fails: fields it cannot find are "".
 */
typedef struct lb_api_error {
    char error_code[64];
    char message[256];
    int64_t retry_delay_ms; /* from RetryInfo, -1 if none */
} lb_api_error;
void lb_parse_api_error(const char *body, size_t len, lb_api_error *out);

/* Parses exactly body[0..len) as one JSON value (trailing whitespace only)
 * with cJSON, serialised against every other caller of this function (cJSON
 * keeps its last parse error in a global). NULL if it is not JSON. Free with
 * cJSON_Delete. */
struct cJSON *lb_json_parse_exact(const char *body, size_t len);

/* Request bodies. Return a heap string (caller frees) or NULL on ENOMEM.
 * ttl_seconds 0 = omitted; claims_json NULL = omitted (must be a JSON array,
 * validated by the caller; NULL is returned if it is not); group_name NULL =
 * omitted; request_id NULL = a fresh lb_uuid4(). */
char *lb_build_autoscaling_request(const char *endpoint, int ttl_seconds,
                                   const char *claims_json,
                                   const char *group_name);
char *lb_build_provisioned_request(const char *instance,
                                   const char *claims_json,
                                   const char *request_id);

/* Random UUID v4 (OpenSSL RAND_bytes) into out[37]. Returns 0 or -1. */
int lb_uuid4(char out[37]);

#endif
