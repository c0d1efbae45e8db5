/* The pool's state, shared by the leasing code (pool.c) and its background
 * work on the reactor (pool_background.c). Everything below `mu` is
 * guarded by it. */
#ifndef LB_POOL_INTERNAL_H
#define LB_POOL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "metric_books.h"
#include "pool.h"
#include "pool_life.h"
#include "reactor.h"

/* A callback to run once the pool's lock is released: an asynchronous
 * acquire granted or failed, an open or a close completed. */
typedef struct lb_notice {
    struct lb_notice *next;
    lb_acquired_fn acquired; /* or */
    lb_pool_done_fn done;    /* or */
    void (*closed)(void *userdata);
    void *userdata;
    lb_pg_conn *conn;
    lakebase_error *err;
} lb_notice;

typedef enum lb_wait_kind { LB_WAIT_BLOCKING, LB_WAIT_CALLBACK } lb_wait_kind;

/* A caller waiting for a connection, FIFO. A blocking one sleeps on its
 * condition variable and is woken with exactly one outcome; a callback
 * one becomes a notice. */
typedef struct lb_waiter {
    lb_wait_kind kind;
    struct lb_waiter *prev, *next;
    int64_t since_us; /* for the wait histogram */
    lb_pg_conn *conn; /* handed over directly */
    /* blocking */
    pthread_cond_t cv;
    int may_connect; /* a slot was reserved for it: connect yourself */
    int closed;
    /* callback */
    uint64_t ticket;
    long timeout_ms;
    int64_t deadline_ms; /* the pool's clock */
    lb_notice notice;
} lb_waiter;

struct lb_bg_connect; /* pool_background.c */

struct lb_pool {
    /* Immutable after create. */
    lb_pool_settings cfg;
    lb_login *login;
    const lb_logger *log; /* the pool handle's own */
    const lb_clock *clock;
    lb_pool_conn_ops ops;
    void *ops_ctx;
    void (*on_close)(void *userdata, uint64_t conn_id);
    void *on_close_userdata;
    int background; /* 0: tests drive lb_pool_maintain */

    atomic_int closing; /* read without the lock by connects in flight */

    /* Every connect's duration and failure class: its own lock, so it is
     * recorded without `mu` (pool.c) or under it (pool_background.c). */
    lb_connect_books connect_books;

    pthread_mutex_t mu;
    pthread_cond_t changed_cv; /* a connect ended, a connection closed, a
                                  background job finished */
    lb_pg_conn **idle;         /* the idle stack; [n_idle-1] is warmest */
    int n_idle;
    lb_pg_conn *out; /* every other open connection (leased, or held by the
                        loop side), linked through prev/next */
    lb_life_books books;
    lb_waiter *wait_head, *wait_tail;
    int callback_waiters; /* of them, LB_WAIT_CALLBACK */
    uint64_t last_ticket;
    lb_notice *notices, *notices_tail;
    int opened;

    /* Background (pool_background.c). */
    lb_reactor *reactor;
    lb_timer timer;
    int64_t bg_due_ms; /* when the timer is armed for (INT64_MAX: not) */
    int bg_stopping;
    int bg_running; /* a round is under way: it plans its next look */
    struct lb_bg_connect *connects; /* in flight */
    int bg_connecting;
    /* Releases past the books' update that still touch the pool (closing
     * the connection, running notices): a close waits for them. */
    int calls_finishing;
    int bg_jobs; /* worker jobs and reactor callbacks still using the pool;
                    close waits for them */
    int64_t warm_retry_ms;
    int warm_failures;
    /* Blocking opens: how many connections they wait for and the first
     * warm-up error they all report; callback opens waiting. */
    int open_target, open_waiting;
    lakebase_error *open_err;
    lb_notice *open_notices;

    /* The event-loop side (pool_loop.c), when a loop is attached: it asks
     * for connections (loop_want), the background opens them and hands
     * them over through hand_head and a write to loop_fd. A connect that
     * failed for good is handed over as loop_err (the latest) and
     * loop_failures. */
    int loop_fd; /* eventfd; -1 without a loop */
    int loop_want;
    lb_pg_conn *hand_head, *hand_tail;
    lakebase_error *loop_err;
    int loop_failures;
    int loop_waiting; /* statements and leases queued on the loop side */

    /* An asynchronous close: its callback, and when to cancel what still
     * runs (INT64_MAX: never). */
    lb_notice *close_notice;
    int64_t cancel_at_ms;
    int cancelled;
};

static inline int64_t lb_pool_clock_ms(const lb_pool *p) {
    return lb_mono_ms(p->clock);
}

/* ---- pool.c, for the background ---------------------------------------- */

/* A finished connect (its CONNECTING slot still counted): a new connection
 * goes to the first waiter, the loop side, or the idle stack; on failure
 * the slot is freed. A connection the pool cannot take comes back in
 * *to_close. */
void lb_pool_connect_done_locked(lb_pool *p, lb_pg_conn *c, int ok,
                                 lb_pg_conn **to_close);

/* Gives freed capacity to waiters: idle connections first, then connect
 * slots (blocking waiters connect themselves; the background connects for
 * callback waiters and the loop side). */
void lb_pool_dispatch_locked(lb_pool *p);

/* Stamps a new connection: birth, retire time with jitter, owner. */
void lb_pool_stamp_locked(lb_pool *p, lb_pg_conn *c);

/* Queues a callback for after the unlock. */
void lb_pool_notice_locked(lb_pool *p, lb_notice *n);

/* Runs the queued callbacks. Call with the lock NOT held. */
void lb_pool_run_notices(lb_pool *p);

/* Completes the blocking and callback opens when enough connections are
 * ready or a warm-up connect failed for good. */
void lb_pool_settle_opens_locked(lb_pool *p);

/* Completes an asynchronous close once every connection is closed. */
void lb_pool_settle_close_locked(lb_pool *p);

/* Leases an idle connection: off the stack, into `out`, LB_CONN_LEASED. */
lb_pg_conn *lb_pool_pop_idle_locked(lb_pool *p);

/* Ends a waiter: with a connection (leased already) or an error (taken). */
void lb_pool_grant_locked(lb_pool *p, lb_waiter *w, lb_pg_conn *c,
                          lakebase_error *e);

/* A leased connection leaves the pool, counted under `why`; the caller
 * closes it. */
void lb_pool_forget_locked(lb_pool *p, lb_pg_conn *c, lb_life_verdict why);

/* Asks the servers to cancel what leased connections run (from workers). */
void lb_pool_cancel_leased_locked(lb_pool *p);

/* A leased connection comes back, `reusable` or not: kept, handed on, or
 * closed. With no lock held. */
void lb_pool_give_back(lb_pool *p, lb_pg_conn *c, int reusable);

/* ---- pool_background.c ------------------------------------------------- */

/* Starts the background work (a reference on the reactor, the timer). */
int lb_bg_start_locked(lb_pool *p);

/* Something may be due now: the background looks at once. */
void lb_bg_kick_locked(lb_pool *p);

/* Something falls due at `due_ms` (the pool's clock): the background looks
 * then, unless it already looks sooner. */
void lb_bg_schedule_locked(lb_pool *p, int64_t due_ms);

/* Can a callback waiter take the warmest idle connection as it is (fresh,
 * not expired)? */
int lb_pool_idle_ready_locked(const lb_pool *p, int64_t now);

/* Stops the background: abandons connects in flight, waits for credential
 * jobs, disarms the timer, drops the reactor. Call without the lock. */
void lb_bg_stop(lb_pool *p);

/* One round of background work now; returns when more falls due (the
 * pool's clock). With the lock NOT held. */
int64_t lb_bg_run(lb_pool *p);

#endif
