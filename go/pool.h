// Code generated from core/pool.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The connection pool: every connection of a pool, in one set of books
 * (pool_life.h), whichever front end uses it — callers leasing on their
 * own thread (blocking or with a callback), or an attached event loop
 * (pool_loop.c). FIFO waiters with direct hand-off, a connect limiter,
 * recycling by age, trimming, and background work (warm-up, replacement
 * connects, idle retire/trim, timeouts) on the library's reactor thread
 * (pool_background.c). No network I/O and no user callback ever runs
 * under the pool's lock. */
#ifndef LB_POOL_H
#define LB_POOL_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "login.h"
#include "pg_conn.h"

typedef struct lb_pool lb_pool;

/* How a pool opens, checks and closes connections (the real ones: libpq). */
typedef struct lb_pool_conn_ops {
    /* Opens one connection, blocking (minting if needed). */
    int (*connect)(void *ctx, lb_login *login, const atomic_int *stop,
                   lb_pg_conn **out, lakebase_error **err);
    /* 1 when a round trip succeeds and no transaction is open. */
    int (*validate)(void *ctx, lb_pg_conn *c);
    /* Rolls back a transaction left open: 0 reusable, -1 discard. */
    int (*reset)(void *ctx, lb_pg_conn *c);
    void (*close)(void *ctx, lb_pg_conn *c);
    /* 1 when the server sent an idle connection something (it may have
     * ended the session): reads nothing, never blocks. NULL: never. */
    int (*unread)(void *ctx, lb_pg_conn *c);
} lb_pool_conn_ops;

/* What a pool runs on; NULL or zero fields take the real thing. Tests pass
 * a fake clock and fake connections, and (no_background) drive the
 * background work themselves with lb_pool_maintain. */
typedef struct lb_pool_deps {
    const lb_clock *clock;
    const lb_pool_conn_ops *ops;
    void *ops_ctx;
    int no_background;
} lb_pool_deps;

/* Copies `cfg`; `login` is borrowed and must outlive the pool. Starts
 * nothing: no connection, no background work. */
int lb_pool_create(lb_pool **out, const lb_pool_settings *cfg, lb_login *login,
                   const lb_pool_deps *deps, lakebase_error **err);

/* Starts the background work (warm-up to min_size). With `wait`, blocks
 * until max(1, min_size) connections are ready and returns the first
 * connect error. */
int lb_pool_open(lb_pool *p, int wait, lakebase_error **err);

/* Completion of an asynchronous open or close: err is NULL on success and
 * belongs to the callback otherwise. */
typedef void (*lb_pool_done_fn)(void *userdata, lakebase_error *err);

/* lb_pool_open(wait) without blocking: `done` runs once, on the thread
 * that saw max(1, min_size) connections ready or the first connect fail
 * for good (the reactor's, or a releasing caller's), never inside this
 * call. LAKEBASE_ECLOSED (done not called) after close. */
int lb_pool_open_async(lb_pool *p, lb_pool_done_fn done, void *userdata,
                       lakebase_error **err);

/* Leases a connection (tag set to LB_TAG_CONN), waiting up to `timeout_ms`
 * (-1: pool.acquire_timeout_ms). May connect on the caller's thread. */
int lb_pool_acquire(lb_pool *p, long timeout_ms, lb_pg_conn **out,
                    lakebase_error **err);

/* Completion of lb_pool_acquire_async: exactly one of `c` (leased, tag
 * set) and `err` is non-NULL; both belong to the callback. */
typedef void (*lb_acquired_fn)(void *userdata, lb_pg_conn *c,
                               lakebase_error *err);

/* Leases without blocking: 0 with *now set when a connection is idle (no
 * callback), or 1 when the request waits: `done` then runs exactly once,
 * later, on the thread that frees a connection (a release, the reactor's
 * background connect) or on the reactor after `timeout_ms` (-1: the
 * pool's) with LAKEBASE_ETIMEOUT; *ticket names the request for
 * lb_pool_acquire_cancel. Errors: LAKEBASE_ECLOSED, LAKEBASE_ENOMEM. */
int lb_pool_acquire_async(lb_pool *p, long timeout_ms, lb_acquired_fn done,
                          void *userdata, lb_pg_conn **now, uint64_t *ticket,
                          lakebase_error **err);

/* Withdraws a waiting request: 0 when it was still waiting (its callback
 * will never run), 1 when it is too late (its callback runs or has run, or
 * the ticket is unknown). */
int lb_pool_acquire_cancel(lb_pool *p, uint64_t ticket);

/* Returns a leased connection: rolled back if a transaction was left
 * open (on this thread), then kept, handed to the first waiter, or closed
 * (broken, expired, surplus, pool closed). */
void lb_pool_release(lb_pool *p, lb_pg_conn *c);

/* Refuses new acquires, wakes waiters with LAKEBASE_ECLOSED, closes idle
 * connections, with `cancel_inflight` asks the servers to cancel what
 * leased connections run, stops the background work and waits until every
 * connection is closed. Idempotent. */
int lb_pool_close(lb_pool *p, int cancel_inflight, lakebase_error **err);

/* The part of lb_pool_close that never waits: refuses new acquires, wakes
 * waiters with LAKEBASE_ECLOSED (callback waiters' callbacks run on this
 * thread), closes idle connections, and with `cancel_inflight` asks the
 * servers to cancel what leased connections run. Idempotent. */
void lb_pool_close_begin(lb_pool *p, int cancel_inflight);

/* lb_pool_close without blocking: `done` runs once every connection is
 * closed — on the thread that released the last one, or the reactor.
 * Statements still running after `cancel_after_ms` (-1: never) are asked
 * to cancel. Idempotent: a second call is refused with LAKEBASE_ECLOSED
 * (done not called). */
int lb_pool_close_async(lb_pool *p, long cancel_after_ms,
                        void (*done)(void *userdata), void *userdata,
                        lakebase_error **err);

/* Closes (cancelling in-flight statements) and frees. Accepts NULL. */
void lb_pool_destroy(lb_pool *p);

/* Registers the callback run (no lock held) just before a connection of
 * the pool is closed, with its id. */
void lb_pool_on_close(lb_pool *p, void (*fn)(void *, uint64_t), void *userdata);

/* Closes a connection of the pool (after the close callback). */
void lb_pool_close_conn(lb_pool *p, lb_pg_conn *c);

/* The pool's counters (not the credential part). */
void lb_pool_get_stats(lb_pool *p, lakebase_pool_stats *out);

/* The pool's clock (milliseconds). */
int64_t lb_pool_now_ms(const lb_pool *p);

/* With deps.no_background: runs the background work that is due now
 * (connects on the calling thread) and returns when more falls due on the
 * pool's clock (INT64_MAX: nothing planned). */
int64_t lb_pool_maintain(lb_pool *p);

/* ---- the event-loop side's door (pool_loop.c, on the host's thread) ----
 * Connections the loop side takes stay in the pool's books: LB_CONN_IDLE
 * while it holds them unused, LB_CONN_SHARED while statements run on them,
 * LB_CONN_LEASED while one caller holds them (lb_pool_loop_mark). */

/* Makes the eventfd through which connections opened for the loop side
 * are handed over; *fd is for the host to watch (readable = something to
 * collect). Only before the pool is opened or used. */
int lb_pool_loop_attach(lb_pool *p, int *fd, lakebase_error **err);

/* Asks for `n` more connections without blocking: idle ones that need no
 * validation come back at once in *got (linked through hand_next; they
 * stay LB_CONN_IDLE in the books, held by the loop); the background opens
 * the rest and hands them over. LAKEBASE_ECLOSED after close. */
int lb_pool_loop_request(lb_pool *p, int n, lb_pg_conn **got);

/* Takes what the background handed over (linked through hand_next) and the
 * latest failed connect for the loop with the number of them (*failure
 * belongs to the caller). Drains the eventfd. */
lb_pg_conn *lb_pool_loop_collect(lb_pool *p, lakebase_error **failure,
                                 int *failures);

/* Wakes the host (its eventfd), from any thread: the loop side has news
 * to collect (a refresh, an open or close completed). */
void lb_pool_loop_wake(lb_pool *p);

/* A connection the loop holds goes to work: LB_CONN_SHARED (statements)
 * or LB_CONN_LEASED (one caller's), from idle or from the other. */
void lb_pool_loop_use(lb_pool *p, lb_pg_conn *c, int state);

/* A connection the loop holds has nothing to run: just drained (its state
 * is not idle yet: the release rules — lifetime, max_idle) or sitting idle
 * (the idle rules — lifetime, idle timeout). Returns the lifecycle's
 * verdict (lb_life_verdict): on LB_LIFE_KEEP the connection is idle in the
 * books; otherwise the caller drops it with that verdict. *due_ms gets
 * when to ask again (the pool's clock). */
int lb_pool_loop_settle(lb_pool *p, lb_pg_conn *c, int64_t *due_ms);

/* Gives a connection the loop no longer wants back to the pool, which
 * counts it under `why` (an lb_life_verdict) and closes it. */
void lb_pool_loop_drop(lb_pool *p, lb_pg_conn *c, int why);

/* The same accounting as lb_pool_loop_drop, but the caller keeps `c` and
 * closes it itself (a lease whose caller still holds the handle). */
void lb_pool_loop_forget(lb_pool *p, lb_pg_conn *c, int why);

/* Counts what the loop side did: a lease handed out to a request made at
 * `leased_since_us` (lb_duration_clock_us; 0: none), counted with its wait
 * as an acquire, or work that got no connection in time
 * (acquire_timeouts); `waiting` is how many statements and lease requests
 * the loop has queued now. */
void lb_pool_loop_count(lb_pool *p, int64_t leased_since_us,
                        int acquire_timeouts, int waiting);

#endif
