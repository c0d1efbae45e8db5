// Code generated from core/auth.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Workspace authentication: the bearer token used to call the workspace API
 * (never a database credential). PAT, OAuth M2M (client credentials, cached
 * until 40 s before expiry, one fetch in flight) or a caller's token source. */
#ifndef LB_AUTH_H
#define LB_AUTH_H

#include "clock.h"
#include "config.h"
#include "http.h"

typedef struct lb_auth lb_auth;

/* Copies what it needs from rc; `send`/`send_ctx` and `clock` are borrowed
 * and must outlive the object. */
int lb_auth_new(lb_auth **out, const lb_resolved_config *rc,
                lb_http_send_fn send, void *send_ctx, const lb_clock *clock,
                lakebase_error **err);
void lb_auth_free(lb_auth *a);

/* A bearer token for the workspace API. *out is a secret copy the caller
 * frees with lb_secret_free. *from_cache tells whether it was cached (a 401
 * on a cached token is worth one retry after lb_auth_invalidate).
 * Errors: EAUTH (OAuth refused: message carries error/error_description),
 * ECALLBACK, and the transport's ENETWORK/ETIMEOUT/ESERVER (retryable). */
int lb_auth_bearer(lb_auth *a, char **out, int *from_cache,
                   int64_t *retry_hint_ms, lakebase_error **err);

/* Drops a cached OAuth/external token. Thread-safe. */
void lb_auth_invalidate(lb_auth *a);

/* A short, non-secret description of the identity for messages:
 * "service principal <client id>", "personal access token",
 * "caller-supplied token". Static or owned by `a`. */
const char *lb_auth_identity(const lb_auth *a);

#endif
