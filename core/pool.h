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
int lb_pool_acquire(lb_pool *p, lb_pg_conn **out, lakebase_error **err);

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
