// Code generated from core/pool_set.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* A keyed set of pools, one per identity, for on-behalf-of-user apps
 * (lakebase.h, "Per-user pools"): each identity's pool mints with that
 * identity's workspace token and logs in as its own role; the set bounds
 * how many pools exist and closes the idle ones from the library's
 * background thread (the reactor), handing the close itself to a worker
 * since a close may block. */
#ifndef LB_POOL_SET_H
#define LB_POOL_SET_H

#include "config.h"
#include "lakebase.h"
#include "pg_conn.h"
#include "pool.h"

typedef struct lb_pool_set lb_pool_set;

/* Copies `cfg` and checks it once (resolved like a pool's, with a token
 * source standing for the identities'). */
int lb_pool_set_create(lb_pool_set **out, const lakebase_config *cfg,
                       int max_pools, int idle_evict_seconds,
                       lakebase_error **err);

/* Leases a connection (tag LB_TAG_CONN) from the pool of `key`. */
int lb_pool_set_acquire(lb_pool_set *s, const char *key,
                        const char *workspace_token, long timeout_ms,
                        lb_pg_conn **out, lakebase_error **err);

/* lb_pool_set_acquire without blocking, as lb_pool_acquire_async: 0 with
 * *now, or 1 with `done` to run later and *ticket the set's name of the
 * request; the pool stays in the set (never evicted) until `done` ran. */
int lb_pool_set_acquire_async(lb_pool_set *s, const char *key,
                              const char *workspace_token, long timeout_ms,
                              lb_acquired_fn done, void *userdata,
                              lb_pg_conn **now, uint64_t *ticket,
                              lakebase_error **err);

/* As lb_pool_acquire_cancel, by the set's ticket. */
int lb_pool_set_acquire_cancel(lb_pool_set *s, uint64_t ticket);

/* Refuses new acquires, ends those waiting in every pool with
 * LAKEBASE_ECLOSED and waits until no acquire is under way (their
 * callbacks included). The pools stay until lb_pool_set_destroy.
 * Idempotent. */
void lb_pool_set_close(lb_pool_set *s);

/* lb_pool_set_close, then closes every pool and frees (blocking). Accepts
 * NULL. */
void lb_pool_set_destroy(lb_pool_set *s);

/* The set's counters (version already checked). */
void lb_pool_set_stats(lb_pool_set *s, lakebase_user_pools_stats *out);

#endif
