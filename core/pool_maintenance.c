/* The pool's driver thread: warms the pool up to min_size, retires idle
 * connections past their lifetime, and closes idle connections above
 * min_size after idle_timeout. It sleeps on a condition variable until the
 * next connection falls due or someone signals it; it never holds the
 * pool's lock during network I/O. */
#include <inttypes.h>
#include <time.h>

#include "error.h"
#include "pool_internal.h"
#include "retry.h"

/* After a failed warm-up connect: 1 s, doubling, at most 30 s. */
static const lb_backoff WARM_BACKOFF = {.floor_ms = 1000, .cap_ms = 30000};

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Takes the idle connections that are due off the stack (oldest idle at
 * the bottom) into *out, and returns when the next one falls due. */
static int64_t collect_due_locked(lb_pool *p, int64_t now, lb_pg_conn **out) {
    int64_t next = INT64_MAX;
    int64_t idle_timeout_ms = (int64_t)p->cfg.idle_timeout_s * 1000;
    int excess = lb_pool_total_locked(p) - p->cfg.min_size;
    int kept = 0;
    for (int i = 0; i < p->n_idle; i++) {
        lb_pg_conn *c = p->idle[i];
        int expired = now >= c->retire_ms;
        int stale = excess > 0 && now - c->idle_since_ms >= idle_timeout_ms;
        if (expired || stale) {
            if (expired)
                p->recycled++;
            excess--;
            c->next = *out;
            *out = c;
            continue;
        }
        next = min64(next, c->retire_ms);
        if (excess > 0)
            next = min64(next, c->idle_since_ms + idle_timeout_ms);
        p->idle[kept++] = c;
    }
    p->n_idle = kept;
    return next;
}

static void close_all(lb_pg_conn *list) {
    while (list) {
        lb_pg_conn *next = list->next;
        lb_pg_close(list);
        list = next;
    }
}

/* One warm-up connect through the limiter (slot reserved). */
static void warm_one(lb_pool *p) {
    pthread_mutex_unlock(&p->mu);
    lb_pg_conn *c = NULL;
    lakebase_error *e = NULL;
    int code = lb_pg_connect(p->pg, p->src, &p->closing, &c, &e);
    if (code == 0)
        lb_pool_stamp_lifetime(p, c);
    pthread_mutex_lock(&p->mu);
    lb_pg_conn *to_close;
    lb_pool_connect_done_locked(p, c, code == 0, &to_close);
    int64_t wait = 0;
    if (code == 0) {
        p->warm_failures = 0;
    } else if (code != LAKEBASE_ECLOSED) {
        wait = lb_backoff_ms(&WARM_BACKOFF, ++p->warm_failures, -1,
                             lb_random_u32());
        p->warm_retry_ms = lb_pg_now_ms() + wait;
    }
    pthread_mutex_unlock(&p->mu);
    if (wait)
        lb_log(&p->log, LAKEBASE_LOG_WARN,
               "pool warm-up connect failed (%s); next try in %" PRId64 " ms",
               e ? lakebase_error_message(e) : "unknown error", wait);
    lb_err_destroy(e);
    lb_pg_close(to_close);
    pthread_mutex_lock(&p->mu);
}

void *lb_pool_driver_main(void *arg) {
    lb_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->driver_stop) {
        int64_t now = lb_pg_now_ms();
        lb_pg_conn *due = NULL;
        int64_t next = collect_due_locked(p, now, &due);
        if (due) {
            lb_pool_dispatch_locked(p);
            pthread_cond_broadcast(&p->changed_cv);
            pthread_mutex_unlock(&p->mu);
            close_all(due);
            pthread_mutex_lock(&p->mu);
            continue;
        }
        if (lb_pool_total_locked(p) < p->cfg.min_size &&
            !atomic_load(&p->closing)) {
            if (now >= p->warm_retry_ms &&
                p->connecting < p->cfg.max_connecting) {
                p->connecting++;
                warm_one(p);
                continue;
            }
            if (now < p->warm_retry_ms)
                next = min64(next, p->warm_retry_ms);
            /* else: a connect in flight signals when it ends */
        }
        p->driver_wake_ms = next;
        if (next == INT64_MAX) {
            pthread_cond_wait(&p->driver_cv, &p->mu);
        } else {
            struct timespec ts = {.tv_sec = next / 1000,
                                  .tv_nsec = (next % 1000) * 1000000L};
            pthread_cond_timedwait(&p->driver_cv, &p->mu, &ts);
        }
        p->driver_wake_ms = INT64_MAX;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}
