// Code generated from core/pool_internal.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The pool's state, shared by the leasing code (pool.c) and its driver
 * thread (pool_maintenance.c). Everything below `mu` is guarded by it. */
#ifndef LB_POOL_INTERNAL_H
#define LB_POOL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "pool.h"

/* A caller blocked in acquire. It is woken with exactly one outcome. */
typedef struct lb_waiter {
    pthread_cond_t cv;
    lb_pg_conn *conn; /* handed over directly by a release or a connect */
    int may_connect;  /* a slot was reserved for it: connect yourself */
    int closed;       /* the pool was closed */
    struct lb_waiter *next;
} lb_waiter;

struct lb_pool {
    /* Immutable after create. */
    lb_pool_settings cfg;
    const lb_pg_settings *pg;
    const lb_login_source *src;
    lb_logger log;

    atomic_int closing; /* read without the lock by connects in flight */

    pthread_mutex_t mu;
    pthread_cond_t driver_cv;  /* wakes the driver: work may be due */
    pthread_cond_t changed_cv; /* a connect ended or a connection closed */
    lb_pg_conn **idle;         /* LIFO stack; [n_idle-1] is the warmest */
    int n_idle;
    lb_pg_conn *leased; /* doubly linked through prev/next */
    int in_use;         /* leased, or handed to a waiter */
    int connecting;     /* slots reserved for a connect in flight */
    lb_waiter *wait_head, *wait_tail;
    int n_waiting;
    int opened;
    int driver_started, driver_stop;
    pthread_t driver;
    int64_t driver_wake_ms; /* when the sleeping driver will look again */
    int64_t warm_retry_ms;  /* the driver's backoff after a failed warm-up */
    int warm_failures;

    int wake_fd;        /* eventfd: wakes the driver while it polls */
    int driver_polling; /* the driver sleeps in poll(2), not on driver_cv */

    /* open(wait): how many connections the openers wait for, and the first
     * warm-up error they all report. */
    int open_target, open_waiting;
    lakebase_error *open_err;

    /* The event-loop side (pool_loop.c), when a loop is attached: it asks
     * for connections (loop_want), the driver opens them (loop_connecting
     * of its connects serve those) and hands them over, leased, through
     * hand_head and a write to loop_fd. A connect that failed for good is
     * handed over as loop_err (the latest) and loop_failures. */
    int loop_fd; /* eventfd; -1 without a loop */
    int loop_want, loop_connecting, loop_failures;
    lb_pg_conn *hand_head, *hand_tail;
    lakebase_error *loop_err;

    uint64_t connects_ok, connects_failed, recycled, discarded, acquires,
        acquire_timeouts;
    uint64_t wait_histogram[7];
};

static inline int lb_pool_total_locked(const lb_pool *p) {
    return p->n_idle + p->in_use + p->connecting;
}

/* Accounts a finished connect (the slot was reserved): on success the
 * connection goes to the first waiter, else onto the idle stack; on
 * failure the slot is freed. A connection the closed pool cannot take is
 * returned through *to_close. Call with mu held. */
void lb_pool_connect_done_locked(lb_pool *p, lb_pg_conn *c, int ok,
                                 lb_pg_conn **to_close);

/* Wakes the driver: work may be due. Call with mu held. */
void lb_pool_wake_driver_locked(lb_pool *p);

/* Leases `c` to the loop side and queues it for hand-over (one eventfd
 * wake-up per connection). Call with mu held. */
void lb_pool_hand_to_loop_locked(lb_pool *p, lb_pg_conn *c);

/* A connect for the loop failed for good: hands the error over (ownership
 * moves in). Call with mu held. */
void lb_pool_loop_connect_failed_locked(lb_pool *p, lakebase_error *e);

/* Gives freed capacity to waiters: idle connections first, then connect
 * slots within max_size and max_connecting. Call with mu held. */
void lb_pool_dispatch_locked(lb_pool *p);

/* Stamps a new connection's birth-based retire time. */
void lb_pool_stamp_lifetime(const lb_pool *p, lb_pg_conn *c);

/* The driver thread (pool_maintenance.c). */
void *lb_pool_driver_main(void *arg);

#endif
