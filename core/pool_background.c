/* A pool's background work, on the library's reactor thread (reactor.h):
 * warm-up to min_size (and to what opens wait for), connections for
 * callback waiters and the event-loop side, retiring idle connections past
 * their lifetime, trimming surplus ones after the idle timeout, the
 * deadlines of callback waiters and of an asynchronous close.
 *
 * Connects run as non-blocking libpq state machines watched by the
 * reactor, up to pool.max_connecting at once, so a warm-up of N
 * connections takes about N / max_connecting connect times. The reactor
 * never blocks: a connect that needs a credential minted, or an idle
 * connection a callback waiter wants that must be checked first, goes to
 * a worker (workers.h) and comes back through a timer. Nothing here holds
 * the pool's lock across network I/O or a callback. */
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>

#include "error.h"
#include "pool_internal.h"
#include "retry.h"
#include "workers.h"

/* After a failed warm-up connect: 1 s, doubling, at most 30 s. */
static const lb_backoff WARM_BACKOFF = {.floor_ms = 1000, .cap_ms = 30000};

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* One background connect in flight. */
typedef struct lb_bg_connect {
    struct lb_bg_connect *prev, *next; /* the pool's list */
    lb_pool *p;
    lb_pg_connector *cc;
    lb_watch watch;
    lb_timer timer;
    /* A credential being minted on a worker: its outcome. */
    lb_job job;
    int in_job;
    int job_code;
    lb_credential *cred;
    lakebase_error *job_err;
    int64_t started_us;               /* for the connect books */
    int stopped;                      /* lb_bg_stop owns it now */
    struct lb_bg_connect *start_next; /* this round's, to start */
} lb_bg_connect;

/* An idle connection checked (a round trip) on a worker before a callback
 * waiter gets it. */
typedef struct validation {
    lb_job job;
    lb_pool *p;
    lb_pg_conn *c;
} validation;

/* ---- scheduling
 * ---------------------------------------------------------------
 */

void lb_bg_schedule_locked(lb_pool *p, int64_t due_ms) {
    if (!p->reactor || p->bg_stopping || p->bg_running ||
        due_ms >= p->bg_due_ms)
        return;
    p->bg_due_ms = due_ms;
    lb_reactor_arm(p->reactor, &p->timer, due_ms - lb_pool_clock_ms(p));
}

void lb_bg_kick_locked(lb_pool *p) {
    lb_bg_schedule_locked(p, lb_pool_clock_ms(p));
}

/* ---- connects
 * -------------------------------------------------------------------
 */

static void link_connect(lb_pool *p, lb_bg_connect *s) {
    s->prev = NULL;
    s->next = p->connects;
    if (p->connects)
        p->connects->prev = s;
    p->connects = s;
}

static void unlink_connect(lb_pool *p, lb_bg_connect *s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        p->connects = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

static void free_connect(lb_bg_connect *s) {
    lb_pg_connector_free(s->cc);
    lb_credential_free(s->cred);
    lb_err_destroy(s->job_err);
    free(s);
}

/* A connect that failed for good: the loop side, a callback waiter or the
 * openers hear of it; warm-up backs off. Takes `e`. Lock held. */
static int64_t connect_failed_locked(lb_pool *p, lakebase_error *e) {
    int64_t retry_in = 0;
    if (p->loop_want > 0) {
        lb_err_destroy(p->loop_err);
        p->loop_err = lb_err_clone(e);
        p->loop_failures++;
        p->loop_want--;
        lb_pool_loop_wake(p);
    }
    lb_waiter *w = p->wait_head;
    while (w && w->kind != LB_WAIT_CALLBACK)
        w = w->next;
    /* Nothing could serve it soon: say why now rather than time out. */
    if (w && lb_life_total(&p->books) == 0)
        lb_pool_grant_locked(p, w, NULL, lb_err_clone(e));
    retry_in =
        lb_backoff_ms(&WARM_BACKOFF, ++p->warm_failures, -1, lb_random_u32());
    p->warm_retry_ms = lb_pool_clock_ms(p) + retry_in;
    if (!p->open_err && (p->open_waiting > 0 || p->open_notices))
        p->open_err = lb_err_clone(e);
    return retry_in;
}

/* Books a finished connect (code 0: `c` is new; else `e` says why) and
 * unlinks it; returns the warm-up's backoff after a failure (-1: none). A
 * connection the pool cannot take comes back in *to_close. Lock held. */
static int64_t settle_connect_locked(lb_pool *p, lb_bg_connect *s, int code,
                                     lb_pg_conn *c, lakebase_error *e,
                                     lb_pg_conn **to_close) {
    lb_connect_books_record(&p->connect_books,
                            lb_duration_clock_us() - s->started_us, code,
                            lb_err_sqlstate(e));
    unlink_connect(p, s);
    p->bg_connecting--;
    if (code == 0) {
        p->warm_failures = 0;
        lb_pool_connect_done_locked(p, c, 1, to_close);
        return -1;
    }
    lb_pool_connect_done_locked(p, NULL, 0, to_close);
    int64_t retry_in =
        atomic_load(&p->closing) ? -1 : connect_failed_locked(p, e);
    lb_pool_settle_opens_locked(p);
    return retry_in;
}

/* The connect ended (code 0: `c` is new). Frees the slot unless lb_bg_stop
 * owns it. Called on the reactor with no lock. */
static void connect_ended(lb_bg_connect *s, int code, lb_pg_conn *c,
                          lakebase_error *e) {
    lb_pool *p = s->p;
    lb_pg_connector_end(s->cc, code, e);
    lb_reactor_unwatch(p->reactor, &s->watch);
    lb_reactor_disarm(p->reactor, &s->timer);
    lb_pg_conn *to_close = NULL;
    int64_t retry_in = -1;
    pthread_mutex_lock(&p->mu);
    if (s->stopped) {
        /* Stopping: lb_bg_stop frees the slot and settles its place. */
        pthread_mutex_unlock(&p->mu);
        lb_pool_close_conn(p, c);
        lb_err_destroy(e);
        return;
    }
    retry_in = settle_connect_locked(p, s, code, c, e, &to_close);
    lb_bg_kick_locked(p);
    /* The slot is off the pool's list, so lb_bg_stop no longer waits for
     * this callback: count it as a job until its last touch of the pool. */
    p->bg_jobs++;
    pthread_mutex_unlock(&p->mu);
    if (retry_in >= 0)
        lb_log(p->log, LAKEBASE_LOG_WARN,
               "pool connect failed (%s); warm-up retries in %" PRId64 " ms",
               lb_err_message(e), retry_in);
    lb_err_destroy(e);
    lb_pool_close_conn(p, to_close);
    free_connect(s);
    lb_pool_run_notices(p);
    pthread_mutex_lock(&p->mu);
    p->bg_jobs--;
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
}

static void step_connect(lb_bg_connect *s, int ready);

/* On a worker: mints (blocking) for a connect, then back to the reactor. */
static void mint_for_connect(lb_job *job) {
    lb_bg_connect *s =
        (lb_bg_connect *)((char *)job - offsetof(lb_bg_connect, job));
    lb_pool *p = s->p;
    lb_credential *cred = NULL;
    lakebase_error *e = NULL;
    int code = lb_login_get(p->login, &cred, &e);
    pthread_mutex_lock(&p->mu);
    p->bg_jobs--;
    if (s->stopped) {
        lb_credential_free(cred);
        lb_err_destroy(e);
        free_connect(s);
    } else {
        s->in_job = 0;
        s->job_code = code;
        s->cred = cred;
        s->job_err = e;
        lb_reactor_arm(p->reactor, &s->timer, 0);
    }
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
}

/* Gets the next attempt's credential: cached (at once), or minted on a
 * worker. 0 when the connect can step on; 1 when it waits for the job. */
static int supply_credential(lb_bg_connect *s, lakebase_error **err) {
    lb_credential *cred = NULL;
    int code = lb_login_get_nowait(s->p->login, &cred, err);
    if (code == 0) {
        lb_pg_connector_give(s->cc, cred);
        return 0;
    }
    if (code != LB_LOGIN_MINT_NEEDED)
        return code;
    lb_pool *p = s->p;
    /* Nothing else steps the connect until the job is back. */
    lb_reactor_unwatch(p->reactor, &s->watch);
    lb_reactor_disarm(p->reactor, &s->timer);
    s->job.run = mint_for_connect;
    pthread_mutex_lock(&p->mu);
    s->in_job = 1;
    p->bg_jobs++;
    pthread_mutex_unlock(&p->mu);
    if (lb_workers_submit(&s->job) == 0)
        return 1;
    pthread_mutex_lock(&p->mu);
    s->in_job = 0;
    p->bg_jobs--;
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
    return lb_err(err, LAKEBASE_EINTERNAL,
                  "no worker thread could be started to mint a credential");
}

static void step_connect(lb_bg_connect *s, int ready) {
    lb_pool *p = s->p;
    for (;;) {
        lb_pg_wait w;
        lb_pg_conn *c = NULL;
        lakebase_error *e = NULL;
        int code = lb_pg_connector_step(s->cc, ready, &w, &c, &e);
        ready = 0;
        if (code == LB_PG_NEEDS_CREDENTIAL) {
            code = supply_credential(s, &e);
            if (code == 0)
                continue;
            if (code == 1)
                return; /* back through mint_for_connect */
        }
        if (code != 1) {
            connect_ended(s, code, c, e);
            return;
        }
        /* Registered under the pool's lock, so lb_bg_stop (which marks the
         * slot stopped under it, then unwatches and disarms) never leaves
         * a registration behind for a slot it frees. */
        pthread_mutex_lock(&p->mu);
        int stopped = s->stopped, watched = 0;
        if (!stopped) {
            watched = w.fd < 0 || lb_reactor_watch(p->reactor, &s->watch, w.fd,
                                                   w.events) == 0;
            if (w.fd < 0)
                lb_reactor_unwatch(p->reactor, &s->watch);
            if (watched)
                lb_reactor_arm(p->reactor, &s->timer,
                               w.until_ms - lb_pg_now_ms());
        }
        pthread_mutex_unlock(&p->mu);
        if (!stopped && !watched) {
            lb_err(&e, LAKEBASE_ENOMEM,
                   "could not watch a connection being opened");
            connect_ended(s, LAKEBASE_ENOMEM, NULL, e);
        }
        return;
    }
}

static void on_connect_ready(void *userdata, int revents) {
    (void)revents;
    step_connect(userdata, 1);
}

/* The connect's deadline or backoff passed, or its credential arrived. */
static void on_connect_timer(void *userdata) {
    lb_bg_connect *s = userdata;
    lb_pool *p = s->p;
    pthread_mutex_lock(&p->mu);
    int minted = s->cred != NULL || s->job_err != NULL;
    int code = s->job_code;
    lb_credential *cred = s->cred;
    lakebase_error *e = s->job_err;
    s->cred = NULL;
    s->job_err = NULL;
    s->job_code = 0;
    pthread_mutex_unlock(&p->mu);
    if (minted && code != 0) {
        connect_ended(s, code, NULL, e);
        return;
    }
    if (minted)
        lb_pg_connector_give(s->cc, cred);
    step_connect(s, 0);
}

/* Starts one connect (its CONNECTING place already counted). */
static void start_connect(lb_pool *p, lb_bg_connect *s) {
    lakebase_error *e = NULL;
    if (lb_pg_connector_new(p->login, &s->cc, &e) != 0) {
        connect_ended(s, lb_err_code(e), NULL, e);
        return;
    }
    step_connect(s, 0);
}

/* Without a reactor (tests): the connect runs on the calling thread. */
static void connect_here(lb_pool *p, lb_bg_connect *s) {
    lb_pg_conn *c = NULL;
    lakebase_error *e = NULL;
    int code = p->ops.connect(p->ops_ctx, p->login, &p->closing, &c, &e);
    lb_pg_conn *to_close = NULL;
    pthread_mutex_lock(&p->mu);
    settle_connect_locked(p, s, code, c, e, &to_close);
    pthread_mutex_unlock(&p->mu);
    lb_err_destroy(e);
    if (to_close)
        lb_pool_close_conn(p, to_close);
    free_connect(s);
}

/* ---- idle connections for callback waiters
 * ------------------------------------
 */

/* On a worker: the round trip a stale idle connection needs before a
 * callback waiter may have it. */
static void validate_for_waiter(lb_job *job) {
    validation *v = (validation *)job;
    lb_pool *p = v->p;
    lb_pg_conn *c = v->c;
    free(v);
    lb_pool_give_back(p, c, p->ops.validate(p->ops_ctx, c));
    pthread_mutex_lock(&p->mu);
    p->bg_jobs--;
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
}

/* Callback waiters still waiting while idle connections sit on the stack:
 * those are stale (fresh ones went to them in dispatch) or expired. Each
 * stale one is checked on a worker, each expired one closed. Lock held. */
static void check_idle_for_waiters_locked(lb_pool *p, int64_t now,
                                          lb_pg_conn **to_close,
                                          validation **checks) {
    int waiting = p->callback_waiters;
    while (waiting > 0 && p->n_idle > 0) {
        validation *v = calloc(1, sizeof *v);
        if (!v)
            break; /* the next round tries again */
        lb_pg_conn *c = lb_pool_pop_idle_locked(p);
        if (now >= c->retire_ms) {
            free(v);
            lb_pool_forget_locked(p, c, LB_LIFE_RECYCLE);
            c->next = *to_close;
            *to_close = c;
            continue;
        }
        v->job.run = validate_for_waiter;
        v->p = p;
        v->c = c;
        v->job.next = &(*checks)->job;
        *checks = v;
        p->bg_jobs++;
        waiting--;
    }
}

/* ---- the round
 * ----------------------------------------------------------------
 */

/* Callback waiters whose deadline passed fail with LAKEBASE_ETIMEOUT. */
static int64_t expire_waiters_locked(lb_pool *p, int64_t now) {
    int64_t next = INT64_MAX;
    /* While the pool's first connections are still being opened, a wait
     * also allows for the connect, as a blocking acquire that connects on
     * its own thread does (bounded by pool.connect_timeout_ms). */
    int cold = p->bg_connecting > 0 &&
               lb_life_total(&p->books) == p->books.count[LB_CONN_CONNECTING];
    int64_t grace = cold ? p->cfg.connect_timeout_ms : 0;
    for (lb_waiter *w = p->wait_head, *n; w; w = n) {
        n = w->next;
        if (w->kind != LB_WAIT_CALLBACK)
            continue;
        if (now < w->deadline_ms + grace) {
            next = min64(next, w->deadline_ms + grace);
            continue;
        }
        lakebase_error *e = NULL;
        lb_err(&e, LAKEBASE_ETIMEOUT,
               "no connection available within %ld ms: %d in use, %d idle, "
               "%d connecting of pool.max_size %d; raise pool.max_size or "
               "release connections sooner",
               w->timeout_ms,
               p->books.count[LB_CONN_LEASED] + p->books.count[LB_CONN_SHARED],
               p->books.count[LB_CONN_IDLE], p->books.count[LB_CONN_CONNECTING],
               p->cfg.max_size);
        p->books.acquire_timeouts++;
        lb_pool_grant_locked(p, w, NULL, e);
    }
    return next;
}

/* Idle connections past their lifetime or surplus past the idle timeout
 * leave the stack (oldest idle at the bottom). */
static int64_t sweep_idle_locked(lb_pool *p, int64_t now,
                                 lb_pg_conn **to_close) {
    int64_t next = INT64_MAX;
    int surplus = lb_life_total(&p->books) - p->cfg.min_size;
    int kept = 0;
    for (int i = 0; i < p->n_idle; i++) {
        lb_pg_conn *c = p->idle[i];
        int64_t due;
        lb_life_verdict v = lb_life_while_idle(
            &p->cfg, surplus, now, c->retire_ms, c->idle_since_ms, &due);
        if (v == LB_LIFE_KEEP) {
            next = min64(next, due);
            p->idle[kept++] = c;
            continue;
        }
        lb_life_move(&p->books, LB_CONN_IDLE, LB_CONN_GONE);
        c->state = LB_CONN_GONE;
        lb_life_count(&p->books, v);
        surplus--;
        c->next = *to_close;
        *to_close = c;
    }
    p->n_idle = kept;
    return next;
}

/* How many connects to start now: one per callback waiter or loop request
 * not yet served by one in flight, plus warm-up toward min_size (and what
 * opens wait for) once its backoff allows; within the limiter. */
static int connects_due_locked(lb_pool *p, int64_t now) {
    if (atomic_load(&p->closing))
        return 0;
    int requests = p->callback_waiters + p->loop_want - p->n_idle;
    int target =
        p->cfg.min_size > p->open_target ? p->cfg.min_size : p->open_target;
    int warm = now >= p->warm_retry_ms ? target - lb_life_total(&p->books) : 0;
    int want = requests - p->bg_connecting;
    if (warm > want)
        want = warm;
    int room = p->cfg.max_size - lb_life_total(&p->books);
    int slots = p->cfg.max_connecting - p->books.count[LB_CONN_CONNECTING];
    if (want > room)
        want = room;
    if (want > slots)
        want = slots;
    return want > 0 ? want : 0;
}

int64_t lb_bg_run(lb_pool *p) {
    lb_pg_conn *to_close = NULL;
    validation *checks = NULL;
    lb_bg_connect *started = NULL;
    pthread_mutex_lock(&p->mu);
    p->bg_running = 1;
    int64_t now = lb_pool_clock_ms(p);
    int64_t next = INT64_MAX;
    if (atomic_load(&p->closing)) {
        if (!p->cancelled && now >= p->cancel_at_ms) {
            lb_pool_cancel_leased_locked(p);
            p->cancelled = 1;
        }
        if (!p->cancelled)
            next = p->cancel_at_ms;
        lb_pool_settle_close_locked(p);
    } else {
        next = min64(next, expire_waiters_locked(p, now));
        next = min64(next, sweep_idle_locked(p, now, &to_close));
        lb_pool_dispatch_locked(p);
        check_idle_for_waiters_locked(p, now, &to_close, &checks);
        for (int n = connects_due_locked(p, now); n > 0; n--) {
            lb_bg_connect *s = calloc(1, sizeof *s);
            if (!s)
                break;
            s->p = p;
            s->started_us = lb_duration_clock_us();
            lb_watch_init(&s->watch, on_connect_ready, s);
            lb_timer_init(&s->timer, on_connect_timer, s);
            lb_life_move(&p->books, LB_CONN_GONE, LB_CONN_CONNECTING);
            p->bg_connecting++;
            link_connect(p, s);
            s->start_next = started;
            started = s;
        }
        int target =
            p->cfg.min_size > p->open_target ? p->cfg.min_size : p->open_target;
        if (lb_life_total(&p->books) < target && now < p->warm_retry_ms)
            next = min64(next, p->warm_retry_ms);
        lb_pool_settle_opens_locked(p);
    }
    p->bg_running = 0;
    pthread_mutex_unlock(&p->mu);
    while (to_close) {
        lb_pg_conn *c = to_close;
        to_close = c->next;
        lb_pool_close_conn(p, c);
    }
    while (checks) {
        validation *v = checks;
        checks = (validation *)v->job.next;
        if (!p->background || lb_workers_submit(&v->job) != 0)
            validate_for_waiter(&v->job); /* tests, or no worker: here */
    }
    while (started) {
        lb_bg_connect *s = started;
        started = s->start_next;
        if (p->background)
            start_connect(p, s);
        else
            connect_here(p, s);
    }
    lb_pool_run_notices(p);
    return next;
}

int64_t lb_pool_maintain(lb_pool *p) { return lb_bg_run(p); }

static void on_pool_timer(void *userdata) {
    lb_pool *p = userdata;
    pthread_mutex_lock(&p->mu);
    p->bg_due_ms = INT64_MAX; /* it fired */
    pthread_mutex_unlock(&p->mu);
    int64_t next = lb_bg_run(p);
    if (next != INT64_MAX) {
        pthread_mutex_lock(&p->mu);
        lb_bg_schedule_locked(p, next);
        pthread_mutex_unlock(&p->mu);
    }
}

int lb_bg_start_locked(lb_pool *p) {
    p->bg_due_ms = INT64_MAX;
    if (!p->background)
        return 0;
    lb_timer_init(&p->timer, on_pool_timer, p);
    p->reactor = lb_reactor_acquire();
    return p->reactor ? 0 : LAKEBASE_EINTERNAL;
}

void lb_bg_stop(lb_pool *p) {
    pthread_mutex_lock(&p->mu);
    p->bg_stopping = 1;
    lb_reactor *r = p->reactor;
    pthread_mutex_unlock(&p->mu);
    if (r)
        lb_reactor_disarm(r, &p->timer);
    /* Connects in flight are abandoned; one whose credential is being
     * minted is freed by its job. */
    pthread_mutex_lock(&p->mu);
    lb_bg_connect *list = p->connects;
    p->connects = NULL;
    for (lb_bg_connect *s = list; s; s = s->next) {
        s->stopped = 1;
        lb_life_move(&p->books, LB_CONN_CONNECTING, LB_CONN_GONE);
        p->bg_connecting--;
    }
    pthread_mutex_unlock(&p->mu);
    while (list) {
        lb_bg_connect *s = list;
        list = s->next;
        if (r) {
            lb_reactor_unwatch(r, &s->watch);
            lb_reactor_disarm(r, &s->timer);
        }
        pthread_mutex_lock(&p->mu);
        int owned_by_job = s->in_job;
        pthread_mutex_unlock(&p->mu);
        if (!owned_by_job)
            free_connect(s);
    }
    pthread_mutex_lock(&p->mu);
    while (p->bg_jobs > 0)
        pthread_cond_wait(&p->changed_cv, &p->mu);
    p->reactor = NULL;
    lb_pool_settle_close_locked(p);
    pthread_cond_broadcast(&p->changed_cv);
    pthread_mutex_unlock(&p->mu);
    lb_reactor_release(r);
}
