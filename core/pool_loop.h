/* The pool driven by the host's event loop (libcurl multi-socket style):
 * statements from many callers run on connections the loop side holds,
 * with non-blocking libpq, completing on the host's thread inside
 * lb_loop_on_socket / lb_loop_on_timer with no thread hop. It is a
 * scheduler over the pool's one connection lifecycle (pool_life.h): the
 * connections it holds stay in the pool's books, and it applies the same
 * rules. Connections come from the pool's background work through an
 * eventfd; the host's thread never connects, mints or waits on the
 * network (a cancel request goes out from a worker). Everything here runs
 * on the host's thread only. */
#ifndef LB_POOL_LOOP_H
#define LB_POOL_LOOP_H

#include "lakebase.h"
#include "pg_conn.h"
#include "pool.h"

typedef struct lb_loop lb_loop;

/* Attaches to `pool` (before it is opened): makes the hand-over eventfd
 * and starts watching it. `cfg` is copied. */
int lb_loop_new(lb_loop **out, lb_pool *pool, const lb_pool_settings *cfg,
                lakebase_watch_fn watch, lakebase_timer_fn timer,
                void *userdata, lakebase_error **err);

/* Queues one statement (sql and values copied). `done` is called exactly
 * once, later, from lb_loop_on_socket / lb_loop_on_timer / lb_loop_close;
 * never from here. LAKEBASE_ECLOSED (done not called) after close. */
int lb_loop_query(lb_loop *l, const char *sql, int nparams,
                  const char *const *values, lakebase_done_fn done,
                  void *userdata, lakebase_error **err);

/* Queues a request for a connection of its own (for a transaction):
 * `done` gets it, later, once one is free, with no statement in flight and
 * out of pipeline mode; its statements go through lb_loop_conn_query and
 * it comes back with lb_loop_release. `timeout_ms` -1: the pool's
 * acquire timeout. LAKEBASE_ECLOSED after close. */
int lb_loop_lease(lb_loop *l, long timeout_ms, lakebase_lease_fn done,
                  void *userdata, lakebase_error **err);

/* Queues a statement on a leased connection (c->loop_lease set); it runs
 * after the ones queued before it. `done` as for lb_loop_query.
 * LAKEBASE_ECLOSED when the pool was closed while the lease was held. */
int lb_loop_conn_query(lb_pg_conn *c, const char *sql, int nparams,
                       const char *const *values, lakebase_done_fn done,
                       void *userdata, lakebase_error **err);

/* Gives a leased connection back (never blocks): once its statements are
 * done, a transaction left open is rolled back and the connection is
 * shared again (or dropped when its state is unknown). */
void lb_loop_release(lb_pg_conn *c);

/* Opens the pool without blocking: `done(userdata, err)` runs on the host
 * thread once max(1, min_size) connections are ready or the first one
 * failed for good (err then belongs to the callback). */
int lb_loop_open(lb_loop *l, void (*done)(void *userdata, lakebase_error *err),
                 void *userdata, lakebase_error **err);

/* Sets what the loop side calls on the host's thread, from
 * lb_loop_on_socket, after lb_loop_signal_refresh. LAKEBASE_EINVAL off the
 * host's thread. */
int lb_loop_on_refresh(lb_loop *l, void (*fn)(void *userdata), void *userdata,
                       lakebase_error **err);

/* A new credential was minted: wakes the host to call the refresh callback
 * once (several signals before it runs make one call). Thread-safe, never
 * blocks. */
void lb_loop_signal_refresh(lb_loop *l);

/* The host saw `events` (LAKEBASE_WATCH_*) on `fd`. */
int lb_loop_on_socket(lb_loop *l, int fd, int events, lakebase_error **err);

/* The host's timer fired. */
int lb_loop_on_timer(lb_loop *l, lakebase_error **err);

/* Statements queued, running, or completed but not yet reported. */
int lb_loop_busy(const lb_loop *l);

/* Closes without blocking: queued statements and lease requests fail with
 * LAKEBASE_ECLOSED at once; those already sent finish — after
 * `cancel_after_ms` (-1: never; 0: at once) the servers are asked to
 * cancel them, and LB_LOOP_CANCEL_GRACE_MS later the connections still
 * busy are dropped (their statements fail with LAKEBASE_ECLOSED). A lease
 * still held loses its connection; its handle stays valid (statements fail
 * with LAKEBASE_ECLOSED) until released. Once every connection is back,
 * the pool closes and `done(userdata)` runs on the host thread (from
 * lb_loop_on_socket / lb_loop_on_timer), after which the loop side has
 * stopped every watch and its timer. LAKEBASE_ECLOSED when already
 * closing; LAKEBASE_EINVAL off the host's thread. */
#define LB_LOOP_CANCEL_GRACE_MS 5000
int lb_loop_close_async(lb_loop *l, long cancel_after_ms,
                        void (*done)(void *userdata), void *userdata,
                        lakebase_error **err);

/* The same close, driven to its end inside the call (the host thread
 * blocks, bounded by the deadlines above when `cancel_inflight`; without
 * it, statements in flight are awaited). Idempotent. */
int lb_loop_close(lb_loop *l, int cancel_inflight, lakebase_error **err);

/* Closes (cancelling) and frees. Accepts NULL. Off the host's thread it
 * leaks the loop side rather than touch it. */
void lb_loop_free(lb_loop *l);

/* Pure policy, exposed for unit tests: how many more connections to ask
 * the pool for, given `held` connections (the least loaded usable one
 * carrying `least_depth` statements), `requested` still coming and `queued`
 * statements waiting. Without pipelining every waiting statement wants a
 * connection; with it, one more connection at a time, when statements
 * wait or every connection is PIPE_GROW_DEPTH deep. Never beyond max_size. */
int lb_loop_connections_needed(int pipeline, int max_size, int held,
                               int requested, int queued, int least_depth);

#endif
