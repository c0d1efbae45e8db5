// Code generated from core/retry.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Which failures are worth retrying, and how long to wait. */
#ifndef LB_RETRY_H
#define LB_RETRY_H

#include <stdint.h>

typedef enum lb_retry_class {
    LB_RETRY_NO = 0, /* fail fast: 400/401/403/404/409, config, parse */
    LB_RETRY_YES = 1 /* network, timeout, 429, 500, 502, 503, 504 */
} lb_retry_class;

/* Classifies an attempt: `code` is the transport's result (0 when an HTTP
 * answer arrived) and `http_status` the answer's status. */
lb_retry_class lb_retry_classify(int code, long http_status);

/* The LAKEBASE_E* code for a non-2xx HTTP status (401 -> EAUTH, 403 -> EPERM,
 * 404 -> ENOTFOUND, 429/5xx -> ESERVER, other 4xx -> EAPI). */
int lb_http_status_code(long http_status);

typedef struct lb_backoff {
    int64_t floor_ms; /* minimum wait (>= 1000 for mint refresh) */
    int64_t cap_ms;   /* maximum wait (~60000) */
} lb_backoff;

/* Wait before retry number `attempt` (1-based): full jitter over an
 * exponential ceiling min(cap, floor * 2^(attempt-1)), never below floor;
 * a server hint (Retry-After / RetryInfo, -1 if none) raises the wait to at
 * least the hint (still capped by cap_ms). `random_u32` supplies randomness
 * (tests pass a fixed value). */
int64_t lb_backoff_ms(const lb_backoff *b, int attempt, int64_t server_hint_ms,
                      uint32_t random_u32);

/* A random 32-bit value for jitter (not for secrets). Thread-safe. */
uint32_t lb_random_u32(void);

#endif
