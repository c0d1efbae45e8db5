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
#include "retry.h"

/* ---- pure policy ----------------------------------------------------------
 */

int64_t lb_pool_lifetime_ms(int max_lifetime_s, double jitter,
                            uint32_t random_u32) {
    if (max_lifetime_s <= 0)
        return INT64_MAX;
    double shortened = jitter * ((double)random_u32 / 4294967296.0);
    return (int64_t)((double)max_lifetime_s * 1000.0 * (1.0 - shortened));
}

int lb_pool_wait_bucket(int64_t wait_us) {
    static const int64_t below[] = {10, 100, 1000, 10000, 100000, 1000000};
    for (int i = 0; i < 6; i++)
        if (wait_us < below[i])
            return i;
    return 6;
}

/* ---- helpers ---------------------------------------------------------------
 */

static void cond_init_monotonic(pthread_cond_t *cv) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}

/* Waits on cv until signalled or the monotonic deadline (ms). */
static int wait_until(pthread_cond_t *cv, pthread_mutex_t *mu,
                      int64_t deadline_ms) {
    if (deadline_ms == INT64_MAX) {
        pthread_cond_wait(cv, mu);
        return 0;
    }
    struct timespec ts = {.tv_sec = deadline_ms / 1000,
                          .tv_nsec = (deadline_ms % 1000) * 1000000L};
    return pthread_cond_timedwait(cv, mu, &ts);
}

static int64_t precise_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void pool_release_cb(void *owner, lb_pg_conn *c) {
    lb_pool_release(owner, c);
}

void lb_pool_stamp_lifetime(const lb_pool *p, lb_pg_conn *c) {
    int64_t life = lb_pool_lifetime_ms(p->cfg.max_lifetime_s,
                                       p->cfg.lifetime_jitter, lb_random_u32());
    c->retire_ms = life == INT64_MAX ? INT64_MAX : c->born_ms + life;
    c->owner = (void *)p;
    c->on_release = pool_release_cb;
}

static void lease_locked(lb_pool *p, lb_pg_conn *c) {
    c->prev = NULL;
    c->next = p->leased;
    if (p->leased)
        p->leased->prev = c;
    p->leased = c;
    p->in_use++;
}

static void unlease_locked(lb_pool *p, lb_pg_conn *c) {
    if (c->prev)
        c->prev->next = c->next;
    else
        p->leased = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    p->in_use--;
}

static lb_waiter *pop_waiter_locked(lb_pool *p) {
    lb_waiter *w = p->wait_head;
    p->wait_head = w->next;
    if (!p->wait_head)
        p->wait_tail = NULL;
    p->n_waiting--;
    return w;
}

static void write_eventfd(int fd) {
    uint64_t one = 1;
    /* A full counter (EAGAIN) still reads as readable: nothing is lost. */
    ssize_t n = write(fd, &one, sizeof one);
    (void)n;
}

void lb_pool_wake_driver_locked(lb_pool *p) {
    pthread_cond_signal(&p->driver_cv);
    if (p->driver_polling)
        write_eventfd(p->wake_fd);
}

void lb_pool_hand_to_loop_locked(lb_pool *p, lb_pg_conn *c) {
    lease_locked(p, c);
    c->hand_next = NULL;
    if (p->hand_tail)
        p->hand_tail->hand_next = c;
    else
        p->hand_head = c;
    p->hand_tail = c;
    if (p->loop_want > 0)
        p->loop_want--;
    write_eventfd(p->loop_fd);
}

void lb_pool_loop_connect_failed_locked(lb_pool *p, lakebase_error *e) {
    lb_err_destroy(p->loop_err);
    p->loop_err = e;
    p->loop_failures++;
    if (p->loop_want > 0)
        p->loop_want--;
    write_eventfd(p->loop_fd);
}

void lb_pool_dispatch_locked(lb_pool *p) {
    while (p->wait_head) {
        if (p->n_idle > 0) {
            lb_pg_conn *c = p->idle[--p->n_idle];
            lease_locked(p, c);
            p->wait_head->conn = c;
        } else if (lb_pool_total_locked(p) < p->cfg.max_size &&
                   p->connecting < p->cfg.max_connecting) {
            p->connecting++;
            p->wait_head->may_connect = 1;
        } else {
            break;
        }
        pthread_cond_signal(&pop_waiter_locked(p)->cv);
    }
    /* Freed capacity may let the driver top the pool up to min_size. */
    if (p->opened && lb_pool_total_locked(p) < p->cfg.min_size)
        lb_pool_wake_driver_locked(p);
}

/* Wakes the driver if `c`, now idle, falls due before its next look. */
static void schedule_idle_locked(lb_pool *p, const lb_pg_conn *c, int64_t now) {
    int64_t due = c->retire_ms;
    if (lb_pool_total_locked(p) > p->cfg.min_size) {
        int64_t trim = now + (int64_t)p->cfg.idle_timeout_s * 1000;
        if (trim < due)
            due = trim;
    }
    if (due < p->driver_wake_ms)
        lb_pool_wake_driver_locked(p);
}

/* Gives a usable connection to the first waiter, or keeps it idle. Returns
 * it when there is no room to keep it. */
static lb_pg_conn *put_locked(lb_pool *p, lb_pg_conn *c, int64_t now) {
    c->idle_since_ms = now;
    if (p->wait_head) {
        lease_locked(p, c);
        p->wait_head->conn = c;
        pthread_cond_signal(&pop_waiter_locked(p)->cv);
        return NULL;
    }
    if (p->loop_want > 0) {
        lb_pool_hand_to_loop_locked(p, c);
        return NULL;
    }
    if (p->n_idle >= p->cfg.max_idle)
        return c;
    p->idle[p->n_idle++] = c;
    schedule_idle_locked(p, c, now);
    return NULL;
}

void lb_pool_connect_done_locked(lb_pool *p, lb_pg_conn *c, int ok,
                                 lb_pg_conn **to_close) {
    *to_close = NULL;
    p->connecting--;
    if (ok) {
        p->connects_ok++;
        if (atomic_load(&p->closing))
            *to_close = c;
        else
            *to_close = put_locked(p, c, lb_pg_now_ms());
    } else {
        p->connects_failed++;
    }
    lb_pool_dispatch_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
}

static void ensure_started_locked(lb_pool *p) {
    if (p->opened)
        return;
    p->opened = 1;
    if (pthread_create(&p->driver, NULL, lb_pool_driver_main, p) == 0)
        p->driver_started = 1;
    else
        lb_log(&p->log, LAKEBASE_LOG_ERROR,
               "could not start the pool's driver thread: no warm-up, "
               "recycling or idle trimming in the background");
}

/* ---- lifecycle ------------------------------------------------------------
 */

int lb_pool_create(lb_pool **out, const lb_pool_settings *cfg,
                   const lb_pg_settings *pg, const lb_login_source *src,
                   const lb_logger *log, lakebase_error **err) {
    *out = NULL;
    lb_pool *p = calloc(1, sizeof *p);
    lb_pg_conn **idle = calloc((size_t)cfg->max_size, sizeof *idle);
    if (!p || !idle) {
        free(p);
        free(idle);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    p->cfg = *cfg;
    p->pg = pg;
    p->src = src;
    if (log)
        p->log = *log;
    p->idle = idle;
    atomic_init(&p->closing, 0);
    pthread_mutex_init(&p->mu, NULL);
    cond_init_monotonic(&p->driver_cv);
    cond_init_monotonic(&p->changed_cv);
    p->driver_wake_ms = INT64_MAX;
    p->loop_fd = -1;
    p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->wake_fd < 0) {
        lb_pool_destroy(p);
        return lb_err(err, LAKEBASE_ENOMEM, "could not create an eventfd");
    }
    *out = p;
    return 0;
}

int lb_pool_open(lb_pool *p, int wait, lakebase_error **err) {
    pthread_mutex_lock(&p->mu);
    ensure_started_locked(p);
    int target = p->cfg.min_size > 1 ? p->cfg.min_size : 1;
    if (wait) {
        p->open_waiting++;
        if (target > p->open_target)
            p->open_target = target;
    }
    lb_pool_wake_driver_locked(p);
    /* The driver opens the connections, several at once; the first one
     * that fails for good fails the open. */
    int code = 0;
    while (wait) {
        if (atomic_load(&p->closing)) {
            code = lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
            break;
        }
        if (p->n_idle + p->in_use >= target)
            break;
        if (p->open_err) {
            code = lb_err_code(p->open_err);
            if (err && !*err)
                *err = lb_err_clone(p->open_err);
            break;
        }
        if (!p->driver_started) {
            code = lb_err(err, LAKEBASE_EINTERNAL,
                          "the pool's driver thread could not be started");
            break;
        }
        pthread_cond_wait(&p->changed_cv, &p->mu);
    }
    if (wait && --p->open_waiting == 0) {
        p->open_target = 0;
        lb_err_destroy(p->open_err);
        p->open_err = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    return code;
}

int lb_pool_close(lb_pool *p, int cancel_inflight, lakebase_error **err) {
    (void)err;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->closing, 1);
    while (p->wait_head) {
        lb_waiter *w = pop_waiter_locked(p);
        w->closed = 1;
        pthread_cond_signal(&w->cv);
    }
    lb_pg_conn *to_close = NULL;
    while (p->n_idle > 0) {
        lb_pg_conn *c = p->idle[--p->n_idle];
        c->next = to_close;
        to_close = c;
    }
    /* PQcancel opens a short connection of its own; the lock keeps the
     * leased connections alive meanwhile. */
    if (cancel_inflight)
        for (lb_pg_conn *c = p->leased; c; c = c->next)
            lb_pg_cancel(c, NULL);
    p->driver_stop = 1;
    lb_pool_wake_driver_locked(p);
    pthread_cond_broadcast(&p->changed_cv); /* openers waiting */
    int join = p->driver_started && !pthread_equal(p->driver, pthread_self());
    p->driver_started = 0;
    pthread_mutex_unlock(&p->mu);

    while (to_close) {
        lb_pg_conn *next = to_close->next;
        lb_pg_close(to_close);
        to_close = next;
    }
    if (join)
        pthread_join(p->driver, NULL);
    pthread_mutex_lock(&p->mu);
    /* Hand-overs the loop side never collected (the driver is gone: no
     * more will come). */
    while (p->hand_head) {
        lb_pg_conn *c = p->hand_head;
        p->hand_head = c->hand_next;
        unlease_locked(p, c);
        pthread_mutex_unlock(&p->mu);
        lb_pg_close(c);
        pthread_mutex_lock(&p->mu);
    }
    p->hand_tail = NULL;
    while (p->in_use + p->connecting > 0)
        pthread_cond_wait(&p->changed_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void lb_pool_destroy(lb_pool *p) {
    if (!p)
        return;
    lb_pool_close(p, 1, NULL);
    pthread_cond_destroy(&p->driver_cv);
    pthread_cond_destroy(&p->changed_cv);
    pthread_mutex_destroy(&p->mu);
    lb_err_destroy(p->open_err);
    lb_err_destroy(p->loop_err);
    if (p->wake_fd >= 0)
        close(p->wake_fd);
    if (p->loop_fd >= 0)
        close(p->loop_fd);
    free(p->idle);
    free(p);
}

/* ---- leasing --------------------------------------------------------------
 */

static int timeout_error(lb_pool *p, long timeout_ms, lakebase_error **err) {
    return lb_err(err, LAKEBASE_ETIMEOUT,
                  "no connection available within %ld ms: %d in use, %d "
                  "idle, %d connecting of pool.max_size %d, %d callers "
                  "waiting; raise pool.max_size or release connections sooner",
                  timeout_ms, p->in_use, p->n_idle,
                  p->connecting, p->cfg.max_size, p->n_waiting);
}

/* Under mu: leases an idle connection (*conn set), reserves a connect slot
 * for the caller (*conn NULL), or queues and waits for either. */
static int take_locked(lb_pool *p, long timeout_ms, int64_t deadline,
                       lb_pg_conn **conn,
                       int64_t *slow_since_us, lakebase_error **err) {
    *conn = NULL;
    if (atomic_load_explicit(&p->closing, memory_order_relaxed))
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    if (!p->wait_head) {
        if (p->n_idle > 0) {
            *conn = p->idle[--p->n_idle];
            lease_locked(p, *conn);
            return 0;
        }
        if (lb_pool_total_locked(p) < p->cfg.max_size &&
            p->connecting < p->cfg.max_connecting) {
            p->connecting++;
            return 0;
        }
    }
    if (!*slow_since_us)
        *slow_since_us = precise_us();
    lb_waiter w = {0};
    cond_init_monotonic(&w.cv);
    if (p->wait_tail)
        p->wait_tail->next = &w;
    else
        p->wait_head = &w;
    p->wait_tail = &w;
    p->n_waiting++;
    int code = 0;
    while (!w.conn && !w.may_connect && !w.closed) {
        if (wait_until(&w.cv, &p->mu, deadline) != ETIMEDOUT)
            continue;
        if (w.conn || w.may_connect || w.closed)
            break;
        /* Still queued: unlink ourselves. */
        lb_waiter **link = &p->wait_head;
        lb_waiter *prev = NULL;
        while (*link != &w) {
            prev = *link;
            link = &(*link)->next;
        }
        *link = w.next;
        if (p->wait_tail == &w)
            p->wait_tail = prev;
        p->n_waiting--;
        p->acquire_timeouts++;
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
    if (atomic_load(&p->closing)) {
        p->connecting--;
        pthread_cond_broadcast(&p->changed_cv);
        return lb_err(err, LAKEBASE_ECLOSED, "the pool was closed");
    }
    pthread_mutex_unlock(&p->mu);
    lb_pg_conn *c = NULL;
    int code = lb_pg_connect(p->pg, p->src, &p->closing, &c, err);
    if (code == 0)
        lb_pool_stamp_lifetime(p, c);
    pthread_mutex_lock(&p->mu);
    p->connecting--;
    if (code != 0) {
        p->connects_failed++;
    } else if (atomic_load(&p->closing)) {
        p->connects_ok++;
        pthread_mutex_unlock(&p->mu);
        lb_pg_close(c);
        pthread_mutex_lock(&p->mu);
        code = lb_err(err, LAKEBASE_ECLOSED, "the pool was closed");
    } else {
        p->connects_ok++;
        lease_locked(p, c);
        *out = c;
    }
    lb_pool_dispatch_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
    return code;
}

/* Drops a leased connection that must not be handed out. */
/* A leased connection leaves the pool's books. */
static void forget_locked(lb_pool *p, lb_pg_conn *c, uint64_t *counter) {
    unlease_locked(p, c);
    if (counter)
        (*counter)++;
    lb_pool_dispatch_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
    lb_pool_wake_driver_locked(p);
}

static void drop_locked(lb_pool *p, lb_pg_conn *c, uint64_t *counter) {
    forget_locked(p, c, counter);
    pthread_mutex_unlock(&p->mu);
    lb_pg_close(c);
    pthread_mutex_lock(&p->mu);
}

int lb_pool_acquire(lb_pool *p, long timeout_ms, lb_pg_conn **out,
                    lakebase_error **err) {
    *out = NULL;
    if (timeout_ms < 0)
        timeout_ms = p->cfg.acquire_timeout_ms;
    int64_t deadline = lb_pg_now_ms() + timeout_ms;
    int64_t slow_since_us = 0;
    lb_pg_conn *c = NULL;
    int code = 0;
    pthread_mutex_lock(&p->mu);
    ensure_started_locked(p);
    while (!c && code == 0) {
        code = take_locked(p, timeout_ms, deadline, &c, &slow_since_us, err);
        if (code != 0)
            break;
        if (!c) {
            if (!slow_since_us)
                slow_since_us = precise_us();
            code = connect_for_caller(p, &c, err);
            break;
        }
        int64_t now = lb_pg_now_ms();
        if (now >= c->retire_ms) {
            drop_locked(p, c, &p->recycled);
            c = NULL;
        } else if (now - c->idle_since_ms > p->cfg.validate_after_idle_ms) {
            if (!slow_since_us)
                slow_since_us = precise_us();
            pthread_mutex_unlock(&p->mu);
            int ok = lb_pg_validate(c);
            pthread_mutex_lock(&p->mu);
            if (!ok) {
                drop_locked(p, c, &p->discarded);
                c = NULL;
            }
        }
    }
    if (code == 0) {
        p->acquires++;
        int64_t waited = slow_since_us ? precise_us() - slow_since_us : 0;
        p->wait_histogram[lb_pool_wait_bucket(waited)]++;
    }
    pthread_mutex_unlock(&p->mu);
    if (code == 0) {
        c->tag = LB_TAG_CONN;
        *out = c;
    }
    return code;
}

void lb_pool_release(lb_pool *p, lb_pg_conn *c) {
    c->tag = LB_TAG_DEAD;
    int reusable = lb_pg_reset(c) == 0;
    int64_t now = lb_pg_now_ms();
    lb_pg_conn *to_close = NULL;
    pthread_mutex_lock(&p->mu);
    unlease_locked(p, c);
    if (atomic_load(&p->closing)) {
        to_close = c;
    } else if (!reusable) {
        p->discarded++;
        to_close = c;
    } else if (now >= c->retire_ms) {
        p->recycled++;
        to_close = c;
    } else {
        to_close = put_locked(p, c, now);
    }
    if (to_close) {
        lb_pool_dispatch_locked(p);
        pthread_cond_broadcast(&p->changed_cv);
        if (lb_pool_total_locked(p) < p->cfg.min_size)
            lb_pool_wake_driver_locked(p);
    }
    pthread_mutex_unlock(&p->mu);
    lb_pg_close(to_close);
}

void lb_pool_get_stats(lb_pool *p, lakebase_pool_stats *out) {
    pthread_mutex_lock(&p->mu);
    out->total = lb_pool_total_locked(p);
    out->idle = p->n_idle;
    out->in_use = p->in_use;
    out->connecting = p->connecting;
    out->waiting = p->n_waiting;
    out->connects_ok = p->connects_ok;
    out->connects_failed = p->connects_failed;
    out->recycled = p->recycled;
    out->discarded = p->discarded;
    out->acquires = p->acquires;
    out->acquire_timeouts = p->acquire_timeouts;
    memcpy(out->wait_histogram, p->wait_histogram, sizeof out->wait_histogram);
    pthread_mutex_unlock(&p->mu);
}

/* ---- the event-loop side's door --------------------------------------------
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
    int64_t now = lb_pg_now_ms();
    pthread_mutex_lock(&p->mu);
    ensure_started_locked(p);
    if (atomic_load(&p->closing)) {
        pthread_mutex_unlock(&p->mu);
        return LAKEBASE_ECLOSED;
    }
    /* Idle connections fresh enough to need no validation go straight to
     * the loop; the driver validates stale ones on its own thread. */
    while (n > 0 && p->n_idle > 0 &&
           now - p->idle[p->n_idle - 1]->idle_since_ms <=
               p->cfg.validate_after_idle_ms &&
           now < p->idle[p->n_idle - 1]->retire_ms) {
        lb_pg_conn *c = p->idle[--p->n_idle];
        lease_locked(p, c);
        c->hand_next = *got;
        *got = c;
        n--;
    }
    if (n > 0) {
        p->loop_want += n;
        lb_pool_wake_driver_locked(p);
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

int lb_pool_loop_wants(lb_pool *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->loop_want;
    pthread_mutex_unlock(&p->mu);
    return n;
}

static uint64_t *drop_counter(lb_pool *p, lb_drop_reason why) {
    if (why == LB_DROP_RECYCLED)
        return &p->recycled;
    return why == LB_DROP_BROKEN ? &p->discarded : NULL;
}

void lb_pool_loop_drop(lb_pool *p, lb_pg_conn *c, lb_drop_reason why) {
    pthread_mutex_lock(&p->mu);
    drop_locked(p, c, drop_counter(p, why));
    pthread_mutex_unlock(&p->mu);
}

void lb_pool_loop_count(lb_pool *p, int acquires, int acquire_timeouts) {
    pthread_mutex_lock(&p->mu);
    p->acquires += (uint64_t)acquires;
    p->acquire_timeouts += (uint64_t)acquire_timeouts;
    pthread_mutex_unlock(&p->mu);
}

void lb_pool_loop_forget(lb_pool *p, lb_pg_conn *c, lb_drop_reason why) {
    pthread_mutex_lock(&p->mu);
    forget_locked(p, c, drop_counter(p, why));
    pthread_mutex_unlock(&p->mu);
}
