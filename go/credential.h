// Code generated from core/credential.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The credential provider: mints Lakebase database credentials, caches the
 * current one, refreshes it in the background at ~25 % life left, mints
 * lazily (one in flight) when none is usable, and keeps serving a valid
 * token through a refresh outage while reporting itself degraded. */
#ifndef LB_CREDENTIAL_H
#define LB_CREDENTIAL_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "metric_books.h"

typedef struct lb_provider lb_provider;

/* What the provider talks to. Zeroed fields take the real thing: a libcurl
 * client honouring rc->ca_file, the system clock, a refresh thread. */
typedef struct lb_provider_deps {
    lb_http_send_fn send;
    void *send_ctx;
    const lb_clock *clock;
    int no_background; /* tests drive lb_provider_tick themselves */
} lb_provider_deps;

/* A copy of the current credential. Free with lb_token_snapshot_clear. */
typedef struct lb_token_snapshot {
    char *token; /* secret */
    int64_t expire_wall_ms;
    char *host; /* discovered or configured */
    char *user; /* resolved role */
} lb_token_snapshot;

void lb_token_snapshot_clear(lb_token_snapshot *s);

/* Copies what it needs from rc (minting mode only). Never calls the network. */
int lb_provider_new(lb_provider **out, const lb_resolved_config *rc,
                    const lb_provider_deps *deps, lakebase_error **err);

/* Stops the refresh thread (waiting for an attempt in flight) and frees. */
void lb_provider_free(lb_provider *p);

/* Lingering (see provider_registry.h). Pause stops background refresh once
 * any refresh in flight has finished, and tells whether the cached token is
 * still usable. Usable answers that question alone. Resume restarts
 * refresh, but only when the token is still usable (returns 1); otherwise
 * the provider stays paused (returns 0) and should be freed. */
int lb_provider_pause(lb_provider *p);
int lb_provider_usable(lb_provider *p);
int lb_provider_resume(lb_provider *p);

/* Each handle sharing the provider subscribes its own logger and span
 * listener (either may be off) to the provider's log events and mint spans
 * (see lb_log_fanout in log.h). */
int lb_provider_subscribe(lb_provider *p, const lb_logger *lg,
                          const lb_span_listener *spans, lb_log_sub **out,
                          lakebase_error **err);
void lb_provider_unsubscribe(lb_provider *p, lb_log_sub *sub);

/* Serves a usable credential, minting when none is (see lakebase.h). */
int lb_provider_get(lb_provider *p, lb_token_snapshot *out,
                    lakebase_error **err);

/* lb_provider_get without ever minting: LB_MINT_NEEDED when no usable
 * token is cached (the caller mints with lb_provider_get where it may
 * block). Never blocks. */
#define LB_MINT_NEEDED 1
int lb_provider_get_nowait(lb_provider *p, lb_token_snapshot *out,
                           lakebase_error **err);

/* Drops the cached token if it equals `token` (a login refused it; NULL:
 * whatever is cached, unconditionally). A refused token is kept when the
 * last drop for a refusal was under 5 s ago: it was minted since, and
 * minting again for every refused connect would storm the API. */
void lb_provider_invalidate(lb_provider *p, const char *token);

/* Fills the public stats struct (version already checked). */
void lb_provider_stats(lb_provider *p, lakebase_credential_stats *out);

/* Every mint attempt's duration by outcome (metric_books.h); lives as long
 * as the provider. */
lb_mint_books *lb_provider_mint_books(lb_provider *p);

/* Called after every successful mint, on the minting thread with the
 * provider's lock held: it must not block or call the provider. */
typedef void (*lb_mint_listener_fn)(void *userdata);

/* Adds a listener (LAKEBASE_ENOMEM) / removes it; once unlisten returns it
 * is never called again. */
int lb_provider_listen(lb_provider *p, lb_mint_listener_fn fn, void *userdata,
                       lakebase_error **err);
void lb_provider_unlisten(lb_provider *p, lb_mint_listener_fn fn,
                          void *userdata);

/* Runs the background work that is due now (one refresh attempt at most).
 * Returns the monotonic time at which more work falls due, or INT64_MAX. */
int64_t lb_provider_tick(lb_provider *p);

#endif
