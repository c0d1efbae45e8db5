// Code generated from core/pool.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The connection pool for synchronous callers: leases connections on the
 * caller's own thread, FIFO waiters with direct hand-off, a connect
 * limiter, recycling by age, and a background driver thread for warm-up,
 * recycling and idle trimming (pool_maintenance.c). */
#ifndef LB_POOL_H
#define LB_POOL_H

#include <stdint.h>

#include "config.h"
#include "log.h"
#include "pg_conn.h"

typedef struct lb_pool lb_pool;

/* Copies `cfg`; `pg` and `src` are borrowed and must outlive the pool.
 * Starts nothing: no thread, no connection. */
int lb_pool_create(lb_pool **out, const lb_pool_settings *cfg,
                   const lb_pg_settings *pg, const lb_login_source *src,
                   const lb_logger *log, lakebase_error **err);

/* Starts the driver thread (warm-up to min_size). With `wait`, also opens
 * max(1, min_size) connections on the caller's thread and returns the first
 * connect error. */
int lb_pool_open(lb_pool *p, int wait, lakebase_error **err);

/* Leases a connection (tag set to LB_TAG_CONN). */
int lb_pool_acquire(lb_pool *p, long timeout_ms, lb_pg_conn **out,
                    lakebase_error **err);

/* Returns a leased connection: rolled back, kept, handed to the first
 * waiter, or closed (broken, expired, too many idle, pool closed). */
void lb_pool_release(lb_pool *p, lb_pg_conn *c);

/* Refuses new acquires, wakes waiters with LAKEBASE_ECLOSED, closes idle
 * connections, optionally cancels running statements, stops the driver and
 * waits until every connection is closed. Idempotent. */
int lb_pool_close(lb_pool *p, int cancel_inflight, lakebase_error **err);

/* Closes (cancelling in-flight statements) and frees. Accepts NULL. */
void lb_pool_destroy(lb_pool *p);

/* The pool's counters (not the credential part). */
void lb_pool_get_stats(lb_pool *p, lakebase_pool_stats *out);

/* The event-loop side's door (used by pool_loop.c, on the host's thread).
 * Connections it gets are leased to it until it drops them. */

/* Makes the eventfd through which the driver hands connections over; *fd
 * is for the host to watch (readable = something to collect). Only before
 * the pool is opened or used. */
int lb_pool_loop_attach(lb_pool *p, int *fd, lakebase_error **err);

/* Asks for `n` more connections without blocking: fresh idle ones come
 * back at once in *got (linked through hand_next); the driver opens or
 * validates the rest and hands them over. LAKEBASE_ECLOSED after close. */
int lb_pool_loop_request(lb_pool *p, int n, lb_pg_conn **got);

/* Takes what the driver handed over (linked through hand_next) and the
 * latest failed connect for the loop with the number of them (*failure
 * belongs to the caller). Drains the eventfd. */
lb_pg_conn *lb_pool_loop_collect(lb_pool *p, lakebase_error **failure,
                                 int *failures);

/* Connections asked for and not yet handed over. */
int lb_pool_loop_wants(lb_pool *p);

typedef enum lb_drop_reason {
    LB_DROP_RECYCLED, /* past its lifetime */
    LB_DROP_BROKEN,   /* lost or in an unknown state */
    LB_DROP_IDLE      /* trimmed, or the pool is closing */
} lb_drop_reason;

/* Returns a connection the loop side no longer wants to the pool, which
 * closes it (PQfinish: no wait for the server). */
void lb_pool_loop_drop(lb_pool *p, lb_pg_conn *c, lb_drop_reason why);

/* Counts what the loop side did in the pool's stats: a lease handed out
 * (acquires) or work that got no connection in time (acquire_timeouts). */
void lb_pool_loop_count(lb_pool *p, int acquires, int acquire_timeouts);

/* The same accounting as lb_pool_loop_drop, but the caller keeps `c` and
 * closes it itself. */
void lb_pool_loop_forget(lb_pool *p, lb_pg_conn *c, lb_drop_reason why);

/* Pure policy, exposed for unit tests. */

/* How long a connection born now may live: max_lifetime shortened by a
 * random fraction up to `jitter` (r = random_u32 / 2^32). INT64_MAX when
 * max_lifetime_s is 0 (never). */
int64_t lb_pool_lifetime_ms(int max_lifetime_s, double jitter,
                            uint32_t random_u32);

/* The wait-histogram bucket (0..6) of an acquire that waited `wait_us`:
 * <10us, <100us, <1ms, <10ms, <100ms, <1s, >=1s. */
int lb_pool_wait_bucket(int64_t wait_us);

#endif
