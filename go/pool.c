// Code generated from core/pool.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "pool_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "handle.h"
#include "metrics.h"
#include "retry.h"

/* ---- helpers --------------------------------------------------------------
 */

static void cond_init_monotonic(pthread_cond_t *cv) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}

/* Waits on cv for at most `ms` of the real monotonic clock. */
static int wait_for(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = ts.tv_nsec + (ms % 1000) * 1000000;
    ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return pthread_cond_timedwait(cv, mu, &ts);
}

static void write_eventfd(int fd) {
    uint64_t one = 1;
    /* A full counter (EAGAIN) still reads as readable: nothing is lost. */
    ssize_t n = write(fd, &one, sizeof one);
    (void)n;
}

int64_t lb_pool_now_ms(const lb_pool *p) { return lb_pool_clock_ms(p); }

/* ---- the real connections ---------------------------------------------------
 */

static int pg_connect(void *ctx, lb_login *login, const atomic_int *stop,
                      lb_pg_conn **out, lakebase_error **err) {
    (void)ctx;
    return lb_pg_connect(login, stop, out, err);
}

static int pg_validate(void *ctx, lb_pg_conn *c) {
    (void)ctx;
    return lb_pg_validate(c);
}

static int pg_reset(void *ctx, lb_pg_conn *c) {
    (void)ctx;
    return lb_pg_reset(c);
}

static int pg_unread(void *ctx, lb_pg_conn *c) {
    (void)ctx;
    return lb_pg_unread(c);
}

static void pg_close(void *ctx, lb_pg_conn *c) {
    (void)ctx;
    lb_pg_close(c);
}

static const lb_pool_conn_ops PG_OPS = {pg_connect, pg_validate, pg_reset,
                                        pg_close, pg_unread};

void lb_pool_on_close(lb_pool *p, void (*fn)(void *, uint64_t),
                      void *userdata) {
    p->on_close = fn;
    p->on_close_userdata = userdata;
}

void lb_pool_close_conn(lb_pool *p, lb_pg_conn *c) {
    if (!c)
        return;
    if (p->on_close)
        p->on_close(p->on_close_userdata, c->id);
    p->ops.close(p->ops_ctx, c);
}

static void close_conn(lb_pool *p, lb_pg_conn *c) { lb_pool_close_conn(p, c); }

/* ---- books and lists (lock held) ------------------------------------------
 */

static void release_cb(void *owner, lb_pg_conn *c) {
    lb_pool_release(owner, c);
}

void lb_pool_stamp_locked(lb_pool *p, lb_pg_conn *c) {
    int64_t now = lb_pool_clock_ms(p);
    int64_t life = lb_life_lifetime_ms(p->cfg.max_lifetime_s,
                                       p->cfg.lifetime_jitter, lb_random_u32());
    c->born_ms = c->idle_since_ms = now;
    c->retire_ms = life == INT64_MAX ? INT64_MAX : now + life;
    c->owner = p;
    c->on_release = release_cb;
    c->state = LB_CONN_GONE;
}

static void link_out(lb_pool *p, lb_pg_conn *c) {
    c->prev = NULL;
    c->next = p->out;
    if (p->out)
        p->out->prev = c;
    p->out = c;
}

static void unlink_out(lb_pool *p, lb_pg_conn *c) {
    if (c->prev)
        c->prev->next = c->next;
    else
        p->out = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void set_state(lb_pool *p, lb_pg_conn *c, int state) {
    lb_life_move(&p->books, (lb_conn_state)c->state, (lb_conn_state)state);
    c->state = state;
}

lb_pg_conn *lb_pool_pop_idle_locked(lb_pool *p) {
    lb_pg_conn *c = p->idle[--p->n_idle];
    link_out(p, c);
    set_state(p, c, LB_CONN_LEASED);
    return c;
}

void lb_pool_forget_locked(lb_pool *p, lb_pg_conn *c, lb_life_verdict why) {
    unlink_out(p, c);
    set_state(p, c, LB_CONN_GONE);
    lb_life_count(&p->books, why);
}

void lb_pool_notice_locked(lb_pool *p, lb_notice *n) {
    n->next = NULL;
    if (p->notices_tail)
        p->notices_tail->next = n;
    else
        p->notices = n;
    p->notices_tail = n;
}

void lb_pool_run_notices(lb_pool *p) {
    pthread_mutex_lock(&p->mu);
    lb_notice *n = p->notices;
    p->notices = p->notices_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    while (n) {
        lb_notice *next = n->next;
        if (n->acquired) {
            if (n->conn)
                n->conn->tag = LB_TAG_CONN;
            lb_acquired_fn fn = n->acquired;
            void *ud = n->userdata;
            lb_pg_conn *c = n->conn;
            lakebase_error *e = n->err;
            /* A callback waiter's notice lives in the waiter. */
            free((char *)n - offsetof(lb_waiter, notice));
            fn(ud, c, e);
        } else if (n->done) {
            lb_pool_done_fn fn = n->done;
            void *ud = n->userdata;
            lakebase_error *e = n->err;
            free(n);
            fn(ud, e);
        } else {
            void (*fn)(void *) = n->closed;
            void *ud = n->userdata;
            free(n);
            fn(ud);
        }
        n = next;
    }
}

/* ---- waiters (lock held) ----------------------------------------------------
 */

static void enqueue_waiter(lb_pool *p, lb_waiter *w) {
    w->prev = p->wait_tail;
    w->next = NULL;
    if (p->wait_tail)
        p->wait_tail->next = w;
    else
        p->wait_head = w;
    p->wait_tail = w;
    p->books.waiting++;
    if (w->kind == LB_WAIT_CALLBACK)
        p->callback_waiters++;
}

static void unlink_waiter(lb_pool *p, lb_waiter *w) {
    if (w->prev)
        w->prev->next = w->next;
    else
        p->wait_head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        p->wait_tail = w->prev;
    w->prev = w->next = NULL;
    p->books.waiting--;
    if (w->kind == LB_WAIT_CALLBACK)
        p->callback_waiters--;
}

static void count_acquire_locked(lb_pool *p, int64_t since_us) {
    p->books.acquires++;
    int64_t waited = since_us ? lb_duration_clock_us() - since_us : 0;
    p->books.wait_histogram[lb_life_wait_bucket(waited)]++;
}

void lb_pool_grant_locked(lb_pool *p, lb_waiter *w, lb_pg_conn *c,
                          lakebase_error *e) {
    unlink_waiter(p, w);
    if (c)
        count_acquire_locked(p, w->since_us);
    if (w->kind == LB_WAIT_BLOCKING) {
        w->conn = c;
        if (!c)
            w->closed = 1;
        lb_err_destroy(e);
        pthread_cond_signal(&w->cv);
        return;
    }
    w->notice.conn = c;
    w->notice.err = e;
    lb_pool_notice_locked(p, &w->notice);
}

static int can_connect_locked(const lb_pool *p) {
    return lb_life_total(&p->books) < p->cfg.max_size &&
           p->books.count[LB_CONN_CONNECTING] < p->cfg.max_connecting;
}

/* An idle connection this long has its socket looked at before use; one
 * released just now (a busy pool) is not. */
#define UNREAD_CHECK_AFTER_MS 1

/* Whether an idle connection makes a round trip before use: idle past
 * pool.validate_after_idle_ms, or the server sent it something while idle
 * (a termination notice or the end of the stream after a restart: the
 * round trip then fails at once and the connection is dropped). Looking
 * reads nothing. */
static int needs_check(const lb_pool *p, lb_pg_conn *c, int64_t now) {
    if (lb_life_needs_validation(&p->cfg, now, c->idle_since_ms))
        return 1;
    return p->ops.unread && now - c->idle_since_ms >= UNREAD_CHECK_AFTER_MS &&
           p->ops.unread(p->ops_ctx, c);
}

int lb_pool_idle_ready_locked(const lb_pool *p, int64_t now) {
    if (p->n_idle == 0)
        return 0;
    lb_pg_conn *c = p->idle[p->n_idle - 1];
    return now < c->retire_ms && !needs_check(p, c, now);
}

void lb_pool_dispatch_locked(lb_pool *p) {
    int64_t now = lb_pool_clock_ms(p);
    for (lb_waiter *w = p->wait_head, *next; w; w = next) {
        next = w->next;
        /* A blocking waiter checks what it gets on its own thread; a
         * callback waiter takes only what needs no check (the background
         * checks the rest without blocking anybody). */
        if (p->n_idle > 0 && (w->kind == LB_WAIT_BLOCKING ||
                              lb_pool_idle_ready_locked(p, now))) {
            lb_pool_grant_locked(p, w, lb_pool_pop_idle_locked(p), NULL);
        } else if (w->kind == LB_WAIT_BLOCKING && can_connect_locked(p)) {
            lb_life_move(&p->books, LB_CONN_GONE, LB_CONN_CONNECTING);
            unlink_waiter(p, w);
            w->may_connect = 1;
            pthread_cond_signal(&w->cv);
        } else if (w->kind == LB_WAIT_BLOCKING) {
            break; /* FIFO: nothing more until capacity frees */
        }
        /* A callback waiter without an idle connection waits for the
         * background to open one for it (lb_bg_run counts them). */
    }
    /* More connects than those in flight are wanted. */
    if (p->callback_waiters + p->loop_want > p->bg_connecting ||
        (p->opened && lb_life_total(&p->books) < p->cfg.min_size &&
         lb_pool_clock_ms(p) >= p->warm_retry_ms))
        lb_bg_kick_locked(p);
}

/* Gives a usable connection (LB_CONN_GONE if new, LB_CONN_LEASED if
 * returned) to the first waiter, the loop side or the idle stack. Returns
 * it when it must be closed instead (max_idle), counted. */
static lb_pg_conn *put_locked(lb_pool *p, lb_pg_conn *c, int64_t now) {
    c->idle_since_ms = now;
    if (p->wait_head) {
        if (c->state == LB_CONN_GONE) {
            link_out(p, c);
            set_state(p, c, LB_CONN_LEASED);
        }
        lb_pool_grant_locked(p, p->wait_head, c, NULL);
        return NULL;
    }
    if (p->loop_want > 0) {
        if (c->state == LB_CONN_GONE)
            link_out(p, c);
        set_state(p, c, LB_CONN_IDLE);
        c->hand_next = NULL;
        if (p->hand_tail)
            p->hand_tail->hand_next = c;
        else
            p->hand_head = c;
        p->hand_tail = c;
        p->loop_want--;
        write_eventfd(p->loop_fd);
        return NULL;
    }
    if (c->state == LB_CONN_LEASED)
        unlink_out(p, c);
    lb_life_verdict v =
        lb_life_on_return(&p->cfg, &p->books, 1, 0, now, c->retire_ms);
    if (v != LB_LIFE_KEEP) {
        set_state(p, c, LB_CONN_GONE);
        lb_life_count(&p->books, v);
        return c;
    }
    set_state(p, c, LB_CONN_IDLE);
    p->idle[p->n_idle++] = c;
    /* Its retire (or trim) time may be the soonest. */
    int64_t due;
    lb_life_while_idle(&p->cfg, lb_life_total(&p->books) - p->cfg.min_size, now,
                       c->retire_ms, c->idle_since_ms, &due);
    lb_bg_schedule_locked(p, due);
    return NULL;
}

void lb_pool_connect_done_locked(lb_pool *p, lb_pg_conn *c, int ok,
                                 lb_pg_conn **to_close) {
    *to_close = NULL;
    lb_life_move(&p->books, LB_CONN_CONNECTING, LB_CONN_GONE);
    if (ok) {
        p->books.connects_ok++;
        lb_pool_stamp_locked(p, c);
        if (atomic_load(&p->closing))
            *to_close = c;
        else
            *to_close = put_locked(p, c, lb_pool_clock_ms(p));
    } else {
        p->books.connects_failed++;
    }
    lb_pool_dispatch_locked(p);
    lb_pool_settle_opens_locked(p);
    lb_pool_settle_close_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
}

/* ---- open
 * ---------------------------------------------------------------------
 */

static int open_target(const lb_pool *p) {
    return p->cfg.min_size > 1 ? p->cfg.min_size : 1;
}

static int ready_count(const lb_pool *p) {
    return p->books.count[LB_CONN_IDLE] + p->books.count[LB_CONN_LEASED] +
           p->books.count[LB_CONN_SHARED];
}

void lb_pool_settle_opens_locked(lb_pool *p) {
    if (!p->open_notices)
        return;
    int ready = ready_count(p) >= open_target(p);
    if (!ready && !p->open_err && !atomic_load(&p->closing))
        return;
    for (lb_notice *n; (n = p->open_notices) != NULL;) {
        p->open_notices = n->next;
        n->err = NULL;
        if (!ready && p->open_err)
            n->err = lb_err_clone(p->open_err);
        else if (!ready)
            lb_err(&n->err, LAKEBASE_ECLOSED, "the pool was closed");
        lb_pool_notice_locked(p, n);
    }
    if (p->open_waiting == 0) {
        lb_err_destroy(p->open_err);
        p->open_err = NULL;
        p->open_target = 0;
    }
}

static int ensure_started_locked(lb_pool *p, lakebase_error **err) {
    if (p->opened)
        return 0;
    int code = lb_bg_start_locked(p);
    if (code != 0)
        return lb_err(err, code,
                      "could not start the library's background thread");
    p->opened = 1;
    return 0;
}

int lb_pool_open(lb_pool *p, int wait, lakebase_error **err) {
    pthread_mutex_lock(&p->mu);
    int code = atomic_load(&p->closing)
                   ? lb_err(err, LAKEBASE_ECLOSED, "the pool is closed")
                   : ensure_started_locked(p, err);
    int target = open_target(p);
    if (code == 0 && wait) {
        p->open_waiting++;
        if (target > p->open_target)
            p->open_target = target;
    }
    if (code == 0)
        lb_bg_kick_locked(p);
    /* The background opens the connections, several at once; the first
     * one that fails for good fails the open. */
    while (code == 0 && wait) {
        if (atomic_load(&p->closing)) {
            code = lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
            break;
        }
        if (ready_count(p) >= target)
            break;
        if (p->open_err) {
            code = lb_err_code(p->open_err);
            if (err && !*err)
                *err = lb_err_clone(p->open_err);
            break;
        }
        if (!p->background) {
            pthread_mutex_unlock(&p->mu);
            lb_pool_maintain(p);
            pthread_mutex_lock(&p->mu);
            continue;
        }
        pthread_cond_wait(&p->changed_cv, &p->mu);
    }
    if (wait && p->opened && --p->open_waiting == 0 && !p->open_notices) {
        p->open_target = 0;
        lb_err_destroy(p->open_err);
        p->open_err = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    return code;
}

int lb_pool_open_async(lb_pool *p, lb_pool_done_fn done, void *userdata,
                       lakebase_error **err) {
    lb_notice *n = calloc(1, sizeof *n);
    if (!n)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    n->done = done;
    n->userdata = userdata;
    pthread_mutex_lock(&p->mu);
    int code = 0;
    if (atomic_load(&p->closing))
        code = lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    else
        code = ensure_started_locked(p, err);
    if (code != 0) {
        pthread_mutex_unlock(&p->mu);
        free(n);
        return code;
    }
    if (open_target(p) > p->open_target)
        p->open_target = open_target(p);
    n->next = p->open_notices;
    p->open_notices = n;
    /* Never from inside this call: the background settles it. */
    lb_bg_kick_locked(p);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* ---- leasing --------------------------------------------------------------
 */

static int timeout_error(lb_pool *p, long timeout_ms, lakebase_error **err) {
    return lb_err(
        err, LAKEBASE_ETIMEOUT,
        "no connection available within %ld ms: %d in use, %d idle, %d "
        "connecting of pool.max_size %d, %d callers waiting; raise "
        "pool.max_size or release connections sooner",
        timeout_ms,
        p->books.count[LB_CONN_LEASED] + p->books.count[LB_CONN_SHARED],
        p->books.count[LB_CONN_IDLE], p->books.count[LB_CONN_CONNECTING],
        p->cfg.max_size, p->books.waiting);
}

/* Under mu: leases an idle connection (*conn set), reserves a connect slot
 * for the caller (*conn NULL), or queues and waits for either. */
static int take_locked(lb_pool *p, long timeout_ms, int64_t *since_us,
                       lb_pg_conn **conn, lakebase_error **err) {
    *conn = NULL;
    if (atomic_load_explicit(&p->closing, memory_order_relaxed))
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    if (!p->wait_head) {
        if (p->n_idle > 0) {
            *conn = lb_pool_pop_idle_locked(p);
            return 0;
        }
        if (can_connect_locked(p)) {
            lb_life_move(&p->books, LB_CONN_GONE, LB_CONN_CONNECTING);
            return 0;
        }
    }
    if (timeout_ms == 0) {
        p->books.acquire_timeouts++;
        return timeout_error(p, timeout_ms, err);
    }
    if (!*since_us)
        *since_us = lb_duration_clock_us();
    lb_waiter w = {.kind = LB_WAIT_BLOCKING, .since_us = *since_us};
    cond_init_monotonic(&w.cv);
    enqueue_waiter(p, &w);
    int64_t deadline = lb_duration_clock_us() + (int64_t)timeout_ms * 1000;
    int code = 0;
    while (!w.conn && !w.may_connect && !w.closed) {
        int64_t left_ms = (deadline - lb_duration_clock_us()) / 1000;
        if (left_ms > 0 && wait_for(&w.cv, &p->mu, left_ms) != ETIMEDOUT)
            continue;
        if (w.conn || w.may_connect || w.closed)
            break;
        unlink_waiter(p, &w); /* still queued */
        p->books.acquire_timeouts++;
        code = timeout_error(p, timeout_ms, err);
        break;
    }
    pthread_cond_destroy(&w.cv);
    if (code == 0 && w.closed)
        code = lb_err(err, LAKEBASE_ECLOSED, "the pool was closed");
    *conn = w.conn;
    return code;
}

/* Opens a connection for the caller on its own thread (a slot is
 * reserved). */
static int connect_for_caller(lb_pool *p, lb_pg_conn **out,
                              lakebase_error **err) {
    pthread_mutex_unlock(&p->mu);
    lb_pg_conn *c = NULL;
    lakebase_error *e = NULL;
    int64_t started_us = lb_duration_clock_us();
    int code = p->ops.connect(p->ops_ctx, p->login, &p->closing, &c, &e);
    lb_connect_books_record(&p->connect_books,
                            lb_duration_clock_us() - started_us, code,
                            lb_err_sqlstate(e));
    if (err && !*err)
        *err = e;
    else
        lb_err_destroy(e);
    pthread_mutex_lock(&p->mu);
    lb_life_move(&p->books, LB_CONN_CONNECTING, LB_CONN_GONE);
    if (code != 0) {
        p->books.connects_failed++;
    } else {
        p->books.connects_ok++;
        lb_pool_stamp_locked(p, c);
        if (atomic_load(&p->closing)) {
            pthread_mutex_unlock(&p->mu);
            close_conn(p, c);
            pthread_mutex_lock(&p->mu);
            code = lb_err(err, LAKEBASE_ECLOSED, "the pool was closed");
        } else {
            link_out(p, c);
            set_state(p, c, LB_CONN_LEASED);
            *out = c;
        }
    }
    lb_pool_dispatch_locked(p);
    lb_pool_settle_close_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
    return code;
}

/* A leased connection that must not be handed out leaves the pool. */
static void drop_leased_locked(lb_pool *p, lb_pg_conn *c, lb_life_verdict v) {
    lb_pool_forget_locked(p, c, v);
    lb_pool_dispatch_locked(p);
    pthread_mutex_unlock(&p->mu);
    close_conn(p, c);
    pthread_mutex_lock(&p->mu);
}

int lb_pool_acquire(lb_pool *p, long timeout_ms, lb_pg_conn **out,
                    lakebase_error **err) {
    *out = NULL;
    if (timeout_ms < 0)
        timeout_ms = p->cfg.acquire_timeout_ms;
    int64_t since_us = 0;
    lb_pg_conn *c = NULL;
    int code = 0;
    pthread_mutex_lock(&p->mu);
    code = ensure_started_locked(p, err);
    while (!c && code == 0) {
        code = take_locked(p, timeout_ms, &since_us, &c, err);
        if (code != 0)
            break;
        if (!c) {
            if (!since_us)
                since_us = lb_duration_clock_us();
            code = connect_for_caller(p, &c, err);
            break;
        }
        int64_t now = lb_pool_clock_ms(p);
        if (now >= c->retire_ms) {
            drop_leased_locked(p, c, LB_LIFE_RECYCLE);
            c = NULL;
        } else if (needs_check(p, c, now)) {
            if (!since_us)
                since_us = lb_duration_clock_us();
            pthread_mutex_unlock(&p->mu);
            int ok = p->ops.validate(p->ops_ctx, c);
            pthread_mutex_lock(&p->mu);
            if (!ok) {
                drop_leased_locked(p, c, LB_LIFE_DISCARD);
                c = NULL;
            }
        }
    }
    if (code == 0)
        count_acquire_locked(p, since_us);
    pthread_mutex_unlock(&p->mu);
    lb_pool_run_notices(p);
    if (code == 0) {
        c->tag = LB_TAG_CONN;
        *out = c;
    }
    return code;
}

int lb_pool_acquire_async(lb_pool *p, long timeout_ms, lb_acquired_fn done,
                          void *userdata, lb_pg_conn **now, uint64_t *ticket,
                          lakebase_error **err) {
    *now = NULL;
    *ticket = 0;
    if (timeout_ms < 0)
        timeout_ms = p->cfg.acquire_timeout_ms;
    pthread_mutex_lock(&p->mu);
    int code = atomic_load(&p->closing)
                   ? lb_err(err, LAKEBASE_ECLOSED, "the pool is closed")
                   : ensure_started_locked(p, err);
    /* An idle connection fresh enough to need no round trip is leased at
     * once; anything else waits (validation and connects happen in the
     * background, never on the caller's thread). */
    if (code == 0 && !p->wait_head &&
        lb_pool_idle_ready_locked(p, lb_pool_clock_ms(p))) {
        *now = lb_pool_pop_idle_locked(p);
        count_acquire_locked(p, 0);
        pthread_mutex_unlock(&p->mu);
        (*now)->tag = LB_TAG_CONN;
        return 0;
    }
    lb_waiter *w = code == 0 ? calloc(1, sizeof *w) : NULL;
    if (code == 0 && !w)
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    if (code != 0) {
        pthread_mutex_unlock(&p->mu);
        return code;
    }
    w->kind = LB_WAIT_CALLBACK;
    w->since_us = lb_duration_clock_us();
    w->ticket = ++p->last_ticket;
    w->timeout_ms = timeout_ms;
    w->deadline_ms = lb_pool_clock_ms(p) + timeout_ms;
    w->notice.acquired = done;
    w->notice.userdata = userdata;
    enqueue_waiter(p, w);
    *ticket = w->ticket;
    /* Its deadline, and any idle connection that needs a check first. */
    lb_bg_kick_locked(p);
    pthread_mutex_unlock(&p->mu);
    return 1;
}

int lb_pool_acquire_cancel(lb_pool *p, uint64_t ticket) {
    pthread_mutex_lock(&p->mu);
    lb_waiter *w = p->wait_head;
    while (w && !(w->kind == LB_WAIT_CALLBACK && w->ticket == ticket))
        w = w->next;
    if (w)
        unlink_waiter(p, w);
    pthread_mutex_unlock(&p->mu);
    free(w);
    return w ? 0 : 1;
}

void lb_pool_release(lb_pool *p, lb_pg_conn *c) {
    c->tag = LB_TAG_DEAD;
    /* A cancel request still on its way could hit the next caller's
     * statement: such a connection is not reused. */
    int reusable = !lb_pg_cancel_pending(c) && !c->broken &&
                   p->ops.reset(p->ops_ctx, c) == 0;
    lb_pool_give_back(p, c, reusable);
}

void lb_pool_give_back(lb_pool *p, lb_pg_conn *c, int reusable) {
    int64_t now = lb_pool_clock_ms(p);
    lb_pg_conn *to_close = NULL;
    pthread_mutex_lock(&p->mu);
    if (atomic_load(&p->closing)) {
        lb_pool_forget_locked(p, c, LB_LIFE_KEEP);
        to_close = c;
    } else {
        int handed_on = p->wait_head != NULL || p->loop_want > 0;
        lb_life_verdict v = lb_life_on_return(&p->cfg, &p->books, reusable,
                                              handed_on, now, c->retire_ms);
        if (v == LB_LIFE_KEEP) {
            to_close = put_locked(p, c, now);
        } else {
            lb_pool_forget_locked(p, c, v);
            to_close = c;
        }
    }
    lb_pool_dispatch_locked(p);
    /* The books may say the pool is empty now; a close waits for this
     * call too until it no longer touches the pool. */
    p->calls_finishing++;
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
    close_conn(p, to_close);
    lb_pool_run_notices(p);
    pthread_mutex_lock(&p->mu);
    p->calls_finishing--;
    lb_pool_settle_close_locked(p);
    int close_notice = p->notices != NULL; /* this was the close's last */
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
    if (close_notice)
        lb_pool_run_notices(p);
}

/* ---- close
 * --------------------------------------------------------------------
 */

/* Refuses new work: waiters get LAKEBASE_ECLOSED, idle connections come
 * back in *idle (linked through next) to be closed after the unlock. */
static void begin_close_locked(lb_pool *p, lb_pg_conn **idle) {
    atomic_store(&p->closing, 1);
    while (p->wait_head) {
        lakebase_error *e = NULL;
        lb_err(&e, LAKEBASE_ECLOSED, "the pool was closed");
        lb_pool_grant_locked(p, p->wait_head, NULL, e);
    }
    *idle = NULL;
    while (p->n_idle > 0) {
        lb_pg_conn *c = p->idle[--p->n_idle];
        set_state(p, c, LB_CONN_GONE);
        c->next = *idle;
        *idle = c;
    }
    lb_pool_settle_opens_locked(p);
    pthread_cond_broadcast(&p->changed_cv); /* blocking openers */
}

void lb_pool_cancel_leased_locked(lb_pool *p) {
    for (lb_pg_conn *c = p->out; c; c = c->next)
        if (c->state == LB_CONN_LEASED && c->pg)
            lb_pg_cancel(c, NULL);
}

static void close_list(lb_pool *p, lb_pg_conn *list) {
    while (list) {
        lb_pg_conn *next = list->next;
        close_conn(p, list);
        list = next;
    }
}

/* Hand-overs the loop side never collected (the background is gone: no
 * more will come). */
static lb_pg_conn *take_uncollected_locked(lb_pool *p) {
    lb_pg_conn *list = NULL;
    while (p->hand_head) {
        lb_pg_conn *c = p->hand_head;
        p->hand_head = c->hand_next;
        unlink_out(p, c);
        set_state(p, c, LB_CONN_GONE);
        c->next = list;
        list = c;
    }
    p->hand_tail = NULL;
    return list;
}

void lb_pool_close_begin(lb_pool *p, int cancel_inflight) {
    lb_pg_conn *idle = NULL;
    pthread_mutex_lock(&p->mu);
    begin_close_locked(p, &idle);
    if (cancel_inflight)
        lb_pool_cancel_leased_locked(p);
    pthread_mutex_unlock(&p->mu);
    lb_pool_run_notices(p);
    close_list(p, idle);
}

int lb_pool_close(lb_pool *p, int cancel_inflight, lakebase_error **err) {
    (void)err;
    lb_pool_close_begin(p, cancel_inflight);
    lb_bg_stop(p);
    pthread_mutex_lock(&p->mu);
    lb_pg_conn *uncollected = take_uncollected_locked(p);
    pthread_mutex_unlock(&p->mu);
    close_list(p, uncollected);
    pthread_mutex_lock(&p->mu);
    while (lb_life_total(&p->books) > 0 || p->calls_finishing > 0)
        pthread_cond_wait(&p->changed_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void lb_pool_settle_close_locked(lb_pool *p) {
    if (!p->close_notice || lb_life_total(&p->books) > 0 ||
        p->calls_finishing > 0)
        return;
    lb_pool_notice_locked(p, p->close_notice);
    p->close_notice = NULL;
}

int lb_pool_close_async(lb_pool *p, long cancel_after_ms,
                        void (*done)(void *userdata), void *userdata,
                        lakebase_error **err) {
    lb_notice *n = calloc(1, sizeof *n);
    if (!n)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    n->closed = done;
    n->userdata = userdata;
    lb_pg_conn *idle = NULL;
    pthread_mutex_lock(&p->mu);
    if (atomic_load(&p->closing)) {
        pthread_mutex_unlock(&p->mu);
        free(n);
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is already closing");
    }
    begin_close_locked(p, &idle);
    p->close_notice = n;
    p->cancel_at_ms =
        cancel_after_ms < 0 ? INT64_MAX : lb_pool_clock_ms(p) + cancel_after_ms;
    if (cancel_after_ms == 0) {
        lb_pool_cancel_leased_locked(p);
        p->cancelled = 1;
    }
    lb_pool_settle_close_locked(p);
    lb_bg_kick_locked(p); /* the cancel deadline, and stray hand-overs */
    pthread_mutex_unlock(&p->mu);
    close_list(p, idle);
    pthread_mutex_lock(&p->mu);
    lb_pg_conn *uncollected = take_uncollected_locked(p);
    lb_pool_settle_close_locked(p);
    pthread_mutex_unlock(&p->mu);
    close_list(p, uncollected);
    lb_pool_run_notices(p);
    return 0;
}

/* ---- lifecycle ------------------------------------------------------------
 */

int lb_pool_create(lb_pool **out, const lb_pool_settings *cfg, lb_login *login,
                   const lb_pool_deps *deps, lakebase_error **err) {
    *out = NULL;
    lb_pool *p = calloc(1, sizeof *p);
    lb_pg_conn **idle = calloc((size_t)cfg->max_size, sizeof *idle);
    if (!p || !idle) {
        free(p);
        free(idle);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    p->cfg = *cfg;
    p->login = login;
    p->log = lb_login_logger(login);
    p->clock = deps && deps->clock ? deps->clock : lb_clock_system();
    p->ops = deps && deps->ops ? *deps->ops : PG_OPS;
    p->ops_ctx = deps ? deps->ops_ctx : NULL;
    p->background = !(deps && deps->no_background);
    p->idle = idle;
    atomic_init(&p->closing, 0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->changed_cv, NULL);
    lb_connect_books_init(&p->connect_books);
    p->loop_fd = -1;
    p->cancel_at_ms = INT64_MAX;
    *out = p;
    return 0;
}

void lb_pool_destroy(lb_pool *p) {
    if (!p)
        return;
    lb_pool_close(p, 1, NULL);
    pthread_cond_destroy(&p->changed_cv);
    pthread_mutex_destroy(&p->mu);
    lb_connect_books_destroy(&p->connect_books);
    lb_err_destroy(p->open_err);
    lb_err_destroy(p->loop_err);
    free(p->close_notice); /* an asynchronous close never completed */
    if (p->loop_fd >= 0)
        close(p->loop_fd);
    free(p->idle);
    free(p);
}

lb_connect_books *lb_pool_connect_books(lb_pool *p) {
    return &p->connect_books;
}

void lb_pool_get_stats(lb_pool *p, lakebase_pool_stats *out) {
    pthread_mutex_lock(&p->mu);
    lb_life_stats(&p->books, out);
    out->waiting += p->loop_waiting;
    pthread_mutex_unlock(&p->mu);
}

/* ---- the event-loop side's door ---------------------------------------------
 */

int lb_pool_loop_attach(lb_pool *p, int *fd, lakebase_error **err) {
    pthread_mutex_lock(&p->mu);
    int code = 0;
    if (p->opened || p->loop_fd >= 0) {
        code = lb_err(err, LAKEBASE_EINVAL,
                      "attach the event loop once, before the pool is opened "
                      "or used");
    } else {
        p->loop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (p->loop_fd < 0)
            code = lb_err(err, LAKEBASE_ENOMEM, "could not create an eventfd");
        *fd = p->loop_fd;
    }
    pthread_mutex_unlock(&p->mu);
    return code;
}

int lb_pool_loop_request(lb_pool *p, int n, lb_pg_conn **got) {
    *got = NULL;
    pthread_mutex_lock(&p->mu);
    if (atomic_load(&p->closing)) {
        pthread_mutex_unlock(&p->mu);
        return LAKEBASE_ECLOSED;
    }
    if (ensure_started_locked(p, NULL) != 0) {
        pthread_mutex_unlock(&p->mu);
        return LAKEBASE_EINTERNAL;
    }
    /* Idle connections go straight to the loop, which checks a stale one
     * with a round trip of its own before use (never blocking). */
    while (n > 0 && p->n_idle > 0) {
        lb_pg_conn *c = p->idle[--p->n_idle];
        link_out(p, c);
        c->hand_next = *got;
        *got = c;
        n--;
    }
    if (n > 0) {
        p->loop_want += n;
        lb_bg_kick_locked(p);
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

lb_pg_conn *lb_pool_loop_collect(lb_pool *p, lakebase_error **failure,
                                 int *failures) {
    uint64_t count;
    ssize_t n = read(p->loop_fd, &count, sizeof count);
    (void)n; /* EAGAIN: nothing new; the queue says what there is */
    pthread_mutex_lock(&p->mu);
    lb_pg_conn *list = p->hand_head;
    p->hand_head = p->hand_tail = NULL;
    *failure = p->loop_err;
    *failures = p->loop_failures;
    p->loop_err = NULL;
    p->loop_failures = 0;
    pthread_mutex_unlock(&p->mu);
    return list;
}

void lb_pool_loop_wake(lb_pool *p) { write_eventfd(p->loop_fd); }

void lb_pool_loop_use(lb_pool *p, lb_pg_conn *c, int state) {
    pthread_mutex_lock(&p->mu);
    set_state(p, c, state);
    pthread_mutex_unlock(&p->mu);
}

int lb_pool_loop_settle(lb_pool *p, lb_pg_conn *c, int64_t *due_ms) {
    int64_t now = lb_pool_clock_ms(p);
    pthread_mutex_lock(&p->mu);
    lb_life_verdict v;
    if (c->state != LB_CONN_IDLE) {
        v = lb_life_on_return(&p->cfg, &p->books, 1, 0, now, c->retire_ms);
        if (v == LB_LIFE_KEEP) {
            set_state(p, c, LB_CONN_IDLE);
            c->idle_since_ms = now;
        }
    } else {
        v = LB_LIFE_KEEP;
    }
    int surplus = lb_life_total(&p->books) - p->cfg.min_size;
    lb_life_verdict idle_v = lb_life_while_idle(
        &p->cfg, surplus, now, c->retire_ms, c->idle_since_ms, due_ms);
    if (v == LB_LIFE_KEEP)
        v = idle_v;
    pthread_mutex_unlock(&p->mu);
    return (int)v;
}

void lb_pool_loop_forget(lb_pool *p, lb_pg_conn *c, int why) {
    if (p->on_close)
        p->on_close(p->on_close_userdata, c->id);
    pthread_mutex_lock(&p->mu);
    lb_pool_forget_locked(p, c, (lb_life_verdict)why);
    lb_pool_dispatch_locked(p);
    lb_pool_settle_close_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
    lb_pool_run_notices(p);
}

void lb_pool_loop_drop(lb_pool *p, lb_pg_conn *c, int why) {
    lb_pool_loop_forget(p, c, why);
    p->ops.close(p->ops_ctx, c); /* forget ran the close callback */
}

void lb_pool_loop_count(lb_pool *p, int64_t leased_since_us,
                        int acquire_timeouts, int waiting) {
    pthread_mutex_lock(&p->mu);
    if (leased_since_us)
        count_acquire_locked(p, leased_since_us);
    p->books.acquire_timeouts += (uint64_t)acquire_timeouts;
    p->loop_waiting = waiting;
    pthread_mutex_unlock(&p->mu);
}
