// Code generated from core/pool_maintenance.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The pool's driver thread: warms the pool up to min_size (and to what
 * open(wait) asked for), opens and validates connections for the event-loop
 * side and hands them over, retires idle connections past their lifetime,
 * and closes idle connections above min_size after idle_timeout.
 *
 * It runs up to pool.max_connecting connects at once from one poll(2) loop
 * (non-blocking libpq), so a warm-up of N connections takes about
 * N / max_connecting connect times instead of N. With no connect in flight
 * it sleeps on a condition variable; while polling, the wake eventfd stands
 * in for it. It never holds the pool's lock during network I/O. */
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "pool_internal.h"
#include "retry.h"

/* After a failed warm-up connect: 1 s, doubling, at most 30 s. */
static const lb_backoff WARM_BACKOFF = {.floor_ms = 1000, .cap_ms = 30000};
/* Connects in flight at once, whatever pool.max_connecting says. */
#define MAX_SLOTS 64

/* One connect in flight. */
typedef struct slot {
    lb_pg_connector *cc;
    lb_pg_wait w;
    int for_loop; /* serves a connection the loop side asked for */
} slot;

/* What the driver does once it has let go of the lock. */
typedef struct after_unlock {
    lb_pg_conn *close;
    lakebase_error *warn; /* a failed warm-up, to log */
    int64_t retry_in_ms;
} after_unlock;

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

static void run_after_unlock(lb_pool *p, after_unlock *a) {
    if (a->warn)
        lb_log(&p->log, LAKEBASE_LOG_WARN,
               "pool warm-up connect failed (%s); next try in %" PRId64 " ms",
               lb_err_message(a->warn), a->retry_in_ms);
    lb_err_destroy(a->warn);
    lb_pg_close(a->close);
    *a = (after_unlock){0};
}

/* Accounts a finished connect (code 0: `c` is new; else `e` says why). */
static void settle_locked(lb_pool *p, const slot *s, int code, lb_pg_conn *c,
                          lakebase_error *e, after_unlock *a) {
    if (s->for_loop)
        p->loop_connecting--;
    if (code == 0) {
        lb_pool_stamp_lifetime(p, c);
        p->warm_failures = 0;
        if (s->for_loop && !atomic_load(&p->closing)) {
            p->connecting--;
            p->connects_ok++;
            lb_pool_hand_to_loop_locked(p, c);
            lb_pool_dispatch_locked(p);
            pthread_cond_broadcast(&p->changed_cv);
        } else {
            lb_pool_connect_done_locked(p, c, 1, &a->close);
        }
        return;
    }
    lb_pool_connect_done_locked(p, NULL, 0, &a->close);
    if (code == LAKEBASE_ECLOSED) {
        lb_err_destroy(e);
    } else if (s->for_loop) {
        lb_pool_loop_connect_failed_locked(p, e);
    } else {
        a->retry_in_ms = lb_backoff_ms(&WARM_BACKOFF, ++p->warm_failures, -1,
                                       lb_random_u32());
        p->warm_retry_ms = lb_pg_now_ms() + a->retry_in_ms;
        if (p->open_waiting > 0 && !p->open_err)
            p->open_err = lb_err_clone(e);
        a->warn = e;
    }
}

/* Steps one connect with the lock released; 1 while it is still going. */
static int step_unlocked(lb_pool *p, slot *s, int ready, after_unlock *a) {
    lb_pg_conn *c = NULL;
    lakebase_error *e = NULL;
    int code = s->cc ? lb_pg_connector_step(s->cc, ready, &s->w, &c, &e)
                     : lb_err(&e, LAKEBASE_ENOMEM, "out of memory");
    if (code == 1)
        return 1;
    pthread_mutex_lock(&p->mu);
    settle_locked(p, s, code, c, e, a);
    pthread_mutex_unlock(&p->mu);
    lb_pg_connector_free(s->cc);
    s->cc = NULL;
    run_after_unlock(p, a);
    return 0;
}

/* The next connect the pool needs, if the limiter allows one: 1 for the
 * loop side, 2 for warm-up, 0 for none. */
static int next_connect_locked(const lb_pool *p, int64_t now) {
    if (atomic_load(&p->closing) || p->connecting >= p->cfg.max_connecting ||
        lb_pool_total_locked(p) >= p->cfg.max_size)
        return 0;
    if (p->loop_want > p->loop_connecting)
        return 1;
    int target =
        p->cfg.min_size > p->open_target ? p->cfg.min_size : p->open_target;
    if (lb_pool_total_locked(p) < target && now >= p->warm_retry_ms)
        return 2;
    return 0;
}

/* The loop side waits for a connection and the pool is full: give it an
 * idle one, validated here (a round trip the host's thread must not
 * wait for). Returns 1 if it did something. */
static int hand_idle_to_loop_locked(lb_pool *p) {
    if (p->loop_want <= p->loop_connecting || p->n_idle == 0 ||
        atomic_load(&p->closing))
        return 0;
    lb_pg_conn *c = p->idle[--p->n_idle];
    p->connecting++; /* holds its place in the pool meanwhile */
    pthread_mutex_unlock(&p->mu);
    int ok = lb_pg_now_ms() < c->retire_ms && lb_pg_validate(c);
    pthread_mutex_lock(&p->mu);
    p->connecting--;
    if (ok && !atomic_load(&p->closing)) {
        lb_pool_hand_to_loop_locked(p, c);
        c = NULL;
    } else {
        p->discarded++;
    }
    lb_pool_dispatch_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
    if (c) {
        pthread_mutex_unlock(&p->mu);
        lb_pg_close(c);
        pthread_mutex_lock(&p->mu);
    }
    return 1;
}

/* Sleeps until signalled or `next` (monotonic ms). */
static void sleep_locked(lb_pool *p, int64_t next) {
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

/* Polls the connects in flight and the wake eventfd until one is ready or
 * `next`; steps every connect that is ready or due. Returns the new count
 * of slots. */
static int poll_slots_locked(lb_pool *p, slot *slots, int n, int64_t next) {
    struct pollfd fds[MAX_SLOTS + 1];
    fds[0] = (struct pollfd){.fd = p->wake_fd, .events = POLLIN};
    for (int i = 0; i < n; i++) {
        fds[i + 1] =
            (struct pollfd){.fd = slots[i].w.fd, .events = slots[i].w.events};
        next = min64(next, slots[i].w.until_ms);
    }
    p->driver_wake_ms = next;
    p->driver_polling = 1;
    pthread_mutex_unlock(&p->mu);
    int64_t left = next - lb_pg_now_ms();
    poll(fds, (nfds_t)n + 1, left <= 0 ? 0 : left > 60000 ? 60000 : (int)left);
    if (fds[0].revents) {
        uint64_t count;
        ssize_t got = read(p->wake_fd, &count, sizeof count);
        (void)got;
    }
    int64_t now = lb_pg_now_ms();
    int kept = 0;
    after_unlock a = {0};
    for (int i = 0; i < n; i++) {
        slot s = slots[i];
        int ready = s.w.fd >= 0 && fds[i + 1].revents != 0;
        if ((!ready && now < s.w.until_ms) || step_unlocked(p, &s, ready, &a))
            slots[kept++] = s;
    }
    pthread_mutex_lock(&p->mu);
    p->driver_polling = 0;
    p->driver_wake_ms = INT64_MAX;
    return kept;
}

void *lb_pool_driver_main(void *arg) {
    lb_pool *p = arg;
    slot slots[MAX_SLOTS];
    int n = 0;
    after_unlock a = {0};
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
        int kind;
        if (n < MAX_SLOTS && (kind = next_connect_locked(p, now)) != 0) {
            p->connecting++;
            slot *s = &slots[n++];
            *s = (slot){.for_loop = kind == 1};
            if (s->for_loop)
                p->loop_connecting++;
            pthread_mutex_unlock(&p->mu);
            /* May mint a credential first: this thread is where that may
             * block. */
            lakebase_error *e = NULL;
            if (lb_pg_connector_new(p->pg, p->src, &s->cc, &e) != 0)
                lb_err_destroy(e);
            if (!step_unlocked(p, s, 0, &a))
                n--;
            pthread_mutex_lock(&p->mu);
            continue;
        }
        if (hand_idle_to_loop_locked(p))
            continue;
        if (now < p->warm_retry_ms)
            next = min64(next, p->warm_retry_ms);
        if (n == 0)
            sleep_locked(p, next);
        else
            n = poll_slots_locked(p, slots, n, next);
    }
    pthread_mutex_unlock(&p->mu);
    /* Closing: abandon the connects still in flight. */
    for (int i = 0; i < n; i++) {
        lb_pg_connector_free(slots[i].cc);
        slots[i].cc = NULL;
        pthread_mutex_lock(&p->mu);
        settle_locked(p, &slots[i], LAKEBASE_ECLOSED, NULL, NULL, &a);
        pthread_mutex_unlock(&p->mu);
        run_after_unlock(p, &a);
    }
    return NULL;
}
