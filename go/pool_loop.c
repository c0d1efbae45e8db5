// Code generated from core/pool_loop.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The loop side of a pool (see pool_loop.h). Every connection it holds is
 * non-blocking. With pool.pipeline a shared connection is in libpq pipeline
 * mode and a statement is PQsendQueryParams + PQpipelineSync, so it is its
 * own implicit transaction and its error cannot abort its neighbours.
 * Otherwise a connection carries one statement at a time ("plain" mode),
 * sent with the simple protocol when it has no parameters (one round of
 * messages fewer for the server, and several commands per string allowed).
 * A connection leased to one caller (lb_loop_lease) is always plain: its
 * statements wait their turn in the lease's own queue.
 *
 * Results come back in order on a connection, so each connection keeps a
 * FIFO of the statements it sent. Completions are collected in a list and
 * reported at the end of the host's call, never in the middle of walking a
 * connection and never from inside lb_loop_query. */
#include "pool_loop.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "handle.h"
#include "pg_conn.h"
#include "result.h"

/* Statements in flight per connection with pool.pipeline. */
#define PIPE_MAX_DEPTH 256
/* With pool.pipeline, ask for one more connection once every connection
 * has this many statements in flight. */
#define PIPE_GROW_DEPTH 8
/* With pool.pipeline, fill a connection up to this many statements in
 * flight before using the next (see pick): a slow statement holds up at
 * most this many others. */
#define PIPE_FILL_DEPTH 16

struct lconn;

typedef struct op {
    struct op *next;
    lakebase_done_fn done;   /* NULL for the rollback a returned lease runs */
    lakebase_lease_fn lease; /* set for a lease request (no sql) */
    struct lconn *granted;   /* the connection a lease request got */
    void *userdata;
    int64_t deadline_ms; /* while queued: pool.acquire_timeout_ms */
    PGresult *res;       /* the last result received */
    int ended;           /* its results are in; its sync point is next */
    lakebase_result *out;
    lakebase_error *err;
    int nparams;
    char *sql;
    char **values; /* nparams entries, in the same allocation */
} op;

typedef struct op_queue {
    op *head, *tail;
    int n;
} op_queue;

typedef struct lconn {
    struct lconn *next;
    struct lb_loop *l;
    lb_pg_conn *c;
    int fd;
    int watched;      /* LAKEBASE_WATCH_* asked of the host */
    op_queue flight;  /* sent, in order */
    op_queue waiting; /* a lease's statements behind the one in flight */
    int leaving;      /* takes no new statements; dropped when drained */
    lb_drop_reason why;
    int leased;      /* held by one caller (lb_loop_lease) */
    int returning;   /* released; made reusable once drained */
    int rolled_back; /* the return already sent a ROLLBACK */
    int corked;      /* TCP_CORK on: see cork() */
    int no_cork;     /* not TCP (a Unix socket): never corked */
    int64_t idle_since_ms;
} lconn;

struct lb_loop {
    lb_pool *pool;
    lb_pool_settings cfg;
    lakebase_watch_fn watch;
    lakebase_timer_fn timer;
    void *userdata;
    pthread_t host;
    int evfd;
    lconn *conns;
    int n_conns;
    int requested;   /* connections asked of the driver, not yet received */
    op_queue queued; /* statements and lease requests waiting */
    op_queue done;   /* completed, to report */
    int in_flight;   /* sent, or queued behind a lease's statement */
    int leases_queued;
    lconn *reserved;  /* with pool.pipeline: draining for a queued lease */
    int corked;       /* connections corked until the next turn */
    int64_t timer_at; /* INT64_MAX: no timer set */
    int closed;
    void (*on_refresh)(void *userdata);
    void *refresh_userdata;
    atomic_int refreshed; /* set by lb_loop_signal_refresh, any thread */
};

/* ---- small helpers --------------------------------------------------------
 */

static void push(op_queue *q, op *o) {
    o->next = NULL;
    if (q->tail)
        q->tail->next = o;
    else
        q->head = o;
    q->tail = o;
    q->n++;
}

static op *pop(op_queue *q) {
    op *o = q->head;
    if (o) {
        q->head = o->next;
        if (!q->head)
            q->tail = NULL;
        q->n--;
    }
    return o;
}

/* Takes `o` out of `q`, where `prev` is the op before it (NULL: the head). */
static void unlink_after(op_queue *q, op *prev, op *o) {
    if (prev)
        prev->next = o->next;
    else
        q->head = o->next;
    if (q->tail == o)
        q->tail = prev;
    q->n--;
}

static void set_watch(lb_loop *l, lconn *k, int events) {
    if (k->watched != events) {
        k->watched = events;
        l->watch(l->userdata, k->fd, events);
    }
}

/* Moves `o` to the done list with `e` (ownership moves in) as its error. */
static void fail(lb_loop *l, op *o, lakebase_error *e) {
    PQclear(o->res);
    o->res = NULL;
    o->err = e;
    push(&l->done, o);
}

static lakebase_error *make_error(int code, const char *what) {
    lakebase_error *e = NULL;
    lb_err(&e, code, "%s", what);
    return e;
}

/* ---- connections ----------------------------------------------------------
 */

static lconn *find_conn(lb_loop *l, int fd) {
    for (lconn *k = l->conns; k; k = k->next)
        if (k->fd == fd)
            return k;
    return NULL;
}

static int pipelined(const lconn *k) {
    return PQpipelineStatus(k->c->pg) != PQ_PIPELINE_OFF;
}

/* Takes a connection the pool leased to the loop side. */
static void adopt(lb_loop *l, lb_pg_conn *c) {
    lconn *k = calloc(1, sizeof *k);
    if (!k || PQsetnonblocking(c->pg, 1) != 0 ||
        (l->cfg.pipeline && PQenterPipelineMode(c->pg) != 1)) {
        free(k);
        lb_pool_loop_drop(l->pool, c, LB_DROP_BROKEN);
        return;
    }
    c->tag = LB_TAG_DEAD; /* no caller's handle until it is leased */
    k->l = l;
    k->c = c;
    k->fd = PQsocket(c->pg);
    k->idle_since_ms = lb_pg_now_ms();
    k->next = l->conns;
    l->conns = k;
    l->n_conns++;
    set_watch(l, k, LAKEBASE_WATCH_READ);
}

/* Fails every statement of `q` with a copy of `e`. */
static void fail_queue(lb_loop *l, op_queue *q, const lakebase_error *e) {
    for (op *o; (o = pop(q)) != NULL;) {
        l->in_flight--;
        fail(l, o, lb_err_clone(e));
    }
}

/* While a pipelined connection has statements in flight, further ones are
 * held in the kernel (TCP_CORK) until the host's loop comes round again, so
 * a burst from many callers reaches the server as one segment: one wake-up
 * of its backend instead of one per statement (libpq 15 flushes on every
 * PQpipelineSync, and on two vCPUs each wake-up costs a context switch).
 * A statement on an idle connection goes out at once. */
static void cork(lb_loop *l, lconn *k) {
    if (k->corked || k->no_cork)
        return;
    int on = 1;
    if (setsockopt(k->fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on) != 0) {
        k->no_cork = 1;
        return;
    }
    k->corked = 1;
    l->corked++;
}

/* Sends what cork() held back: clearing TCP_CORK pushes it out. */
static void uncork_all(lb_loop *l) {
    if (!l->corked)
        return;
    for (lconn *k = l->conns; k; k = k->next) {
        if (!k->corked)
            continue;
        int off = 0;
        (void)setsockopt(k->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof off);
        k->corked = 0;
    }
    l->corked = 0;
}

static void unlink_conn(lb_loop *l, lconn *k) {
    for (lconn **link = &l->conns; *link; link = &(*link)->next)
        if (*link == k) {
            *link = k->next;
            break;
        }
    l->n_conns--;
    if (l->reserved == k)
        l->reserved = NULL;
    if (k->corked)
        l->corked--;
    set_watch(l, k, 0);
}

/* What lakebase_conn_release does for a leased connection that is already
 * gone (see keep_handle). */
static void gone_release(void *owner, lb_pg_conn *c) {
    (void)owner;
    lb_pg_close(c);
}

/* A caller holds `c` (a lease) while it goes (it broke, or the pool is
 * closing): close the connection but leave the caller's handle alive, its
 * statements failing with LAKEBASE_ECLOSED, until lakebase_conn_release
 * frees it. */
static void keep_handle(lb_loop *l, lb_pg_conn *c, lb_drop_reason why) {
    lb_pool_loop_forget(l->pool, c, why);
    lb_pg_disconnect(c);
    c->loop_lease = NULL;
    c->owner = NULL;
    c->on_release = gone_release;
}

/* If `k` was granted to a lease request not yet told, takes it back: the
 * request waits for another connection again (at the head of the queue),
 * or fails with LAKEBASE_ECLOSED once the pool is closed. 1 if so. */
static int ungrant(lb_loop *l, lconn *k) {
    op *prev = NULL;
    for (op *o = l->done.head; o; prev = o, o = o->next) {
        if (o->granted != k)
            continue;
        k->leased = 0;
        k->c->loop_lease = NULL;
        k->c->tag = LB_TAG_DEAD;
        o->granted = NULL;
        if (l->closed) {
            o->err = make_error(LAKEBASE_ECLOSED, "the pool was closed");
            return 1;
        }
        unlink_after(&l->done, prev, o);
        o->next = l->queued.head;
        l->queued.head = o;
        if (!l->queued.tail)
            l->queued.tail = o;
        l->queued.n++;
        l->leases_queued++;
        return 1;
    }
    return 0;
}

/* Stops watching, fails what is still in flight with `e` (ownership moves
 * in; may be NULL when nothing is), gives the connection back (or, for a
 * lease its caller holds, keeps the handle). */
static void remove_conn(lb_loop *l, lconn *k, lakebase_error *e,
                        lb_drop_reason why) {
    unlink_conn(l, k);
    if (!e && (k->flight.n || k->waiting.n))
        e = make_error(LAKEBASE_ECONNECTION, "the connection was closed");
    fail_queue(l, &k->flight, e);
    fail_queue(l, &k->waiting, e);
    lb_err_destroy(e);
    if (k->leased && !k->returning && !ungrant(l, k))
        keep_handle(l, k->c, why);
    else
        lb_pool_loop_drop(l->pool, k->c, why);
    free(k);
}

/* The connection broke: every statement it carried fails with the cause. */
static void broken(lb_loop *l, lconn *k) {
    lakebase_error *e = NULL;
    k->c->broken = 1;
    lb_pg_statement_error(k->c, NULL, &e);
    remove_conn(l, k, e, LB_DROP_BROKEN);
}

/* Watches for writability only while libpq has output it could not send. */
static int flush(lb_loop *l, lconn *k) {
    int r = PQflush(k->c->pg);
    if (r < 0)
        return -1;
    set_watch(l, k, LAKEBASE_WATCH_READ | (r ? LAKEBASE_WATCH_WRITE : 0));
    return 0;
}

/* ---- sending --------------------------------------------------------------
 */

static int usable(const lb_loop *l, const lconn *k, int64_t now) {
    int depth = l->cfg.pipeline ? PIPE_MAX_DEPTH : 1;
    return !k->leaving && !k->leased && k != l->reserved &&
           k->flight.n < depth && now < k->c->retire_ms;
}

/* The usable connection with the fewest statements in flight. */
/* The usable connection with the fewest statements in flight. */
static lconn *least_loaded(lb_loop *l, int64_t now) {
    lconn *best = NULL;
    for (lconn *k = l->conns; k; k = k->next)
        if (usable(l, k, now) && (!best || k->flight.n < best->flight.n))
            best = k;
    return best;
}

/* Where a statement goes. With pool.pipeline: the busiest usable connection
 * that still has fewer than PIPE_FILL_DEPTH statements in flight, so a
 * burst from many callers reaches the server in few large batches (one
 * backend wake-up for many statements); otherwise, and without pipelining,
 * the least loaded one. */
static lconn *pick(lb_loop *l, int64_t now) {
    lconn *best = NULL;
    if (l->cfg.pipeline)
        for (lconn *k = l->conns; k; k = k->next)
            if (usable(l, k, now) && k->flight.n < PIPE_FILL_DEPTH &&
                (!best || k->flight.n > best->flight.n))
                best = k;
    return best ? best : least_loaded(l, now);
}

/* 0 when sent; -1 when the connection broke (`o` is then in flight on it,
 * failed with the rest by the caller). */
static int send_op(lb_loop *l, lconn *k, op *o) {
    if (k->flight.n && pipelined(k))
        cork(l, k);
    push(&k->flight, o);
    PGconn *pg = k->c->pg;
    const char *const *values = (const char *const *)o->values;
    if (pipelined(k)) {
        if (!PQsendQueryParams(pg, o->sql, o->nparams, NULL, values, NULL, NULL,
                               0) ||
            !PQpipelineSync(pg))
            return -1;
    } else if (!(o->nparams == 0
                     ? PQsendQuery(pg, o->sql)
                     : PQsendQueryParams(pg, o->sql, o->nparams, NULL, values,
                                         NULL, NULL, 0))) {
        return -1;
    }
    return flush(l, k);
}

int lb_loop_connections_needed(int pipeline, int max_size, int held,
                               int requested, int queued, int least_depth) {
    int room = max_size - held - requested;
    int need;
    if (pipeline)
        need = requested == 0 &&
               (queued > 0 || (held > 0 && least_depth >= PIPE_GROW_DEPTH));
    else
        need = queued - requested;
    return need < room ? need : room;
}

/* A connection nobody uses, for a lease. */
static lconn *pick_free(lb_loop *l, int64_t now) {
    for (lconn *k = l->conns; k; k = k->next)
        if (!k->leaving && !k->leased && !k->flight.n && now < k->c->retire_ms)
            return k;
    return NULL;
}

/* Hands `k` to the lease request `o` (reported from the done list). */
static int grant(lb_loop *l, lconn *k, op *o) {
    if (pipelined(k) && PQexitPipelineMode(k->c->pg) != 1)
        return -1;
    if (l->reserved == k)
        l->reserved = NULL;
    k->leased = 1;
    k->c->loop_lease = k;
    k->c->tag = LB_TAG_CONN;
    o->granted = k;
    l->leases_queued--;
    lb_pool_loop_count(l->pool, 1, 0);
    push(&l->done, o);
    return 0;
}

/* With pool.pipeline busy connections rarely drain: stop giving the least
 * loaded one new statements so that a queued lease gets it soon. */
static void reserve_for_lease(lb_loop *l, int64_t now) {
    if (!l->cfg.pipeline || l->reserved)
        return;
    lconn *k = least_loaded(l, now);
    if (k)
        l->reserved = k;
}

/* Places queued work in order: each lease request on a free connection,
 * each statement on the least loaded usable one. Work that cannot be
 * placed keeps its place in the queue. */
static void place_queued(lb_loop *l, int64_t now) {
    if (!l->leases_queued)
        l->reserved = NULL;
    int statements_blocked = 0, leases_blocked = 0;
    op *prev = NULL;
    for (op *o = l->queued.head, *next;
         o && !(statements_blocked && leases_blocked); o = next) {
        next = o->next;
        lconn *k = NULL;
        if (o->lease && !leases_blocked) {
            k = pick_free(l, now);
            leases_blocked = !k;
            if (!k)
                reserve_for_lease(l, now);
        } else if (!o->lease && !statements_blocked) {
            k = pick(l, now);
            statements_blocked = !k;
        }
        if (!k) {
            prev = o;
            continue;
        }
        unlink_after(&l->queued, prev, o);
        if (o->lease) {
            if (grant(l, k, o) != 0) {
                /* The connection cannot leave pipeline mode: it is of no
                 * use; the request waits for another. */
                push(&l->queued, o);
                k->c->broken = 1;
                remove_conn(l, k, NULL, LB_DROP_BROKEN);
                return;
            }
        } else {
            l->in_flight++;
            if (send_op(l, k, o) != 0) {
                broken(l, k);
                return; /* the caller places the rest again */
            }
        }
    }
}

static void dispatch(lb_loop *l) {
    if (l->closed)
        return;
    int64_t now = lb_pg_now_ms();
    int held;
    do {
        held = l->n_conns;
        place_queued(l, now);
    } while (l->n_conns < held && l->queued.head);
    lconn *least = least_loaded(l, now);
    int need = lb_loop_connections_needed(
        l->cfg.pipeline, l->cfg.max_size, l->n_conns, l->requested, l->queued.n,
        least ? least->flight.n : PIPE_MAX_DEPTH);
    if (need <= 0)
        return;
    lb_pg_conn *got = NULL;
    if (lb_pool_loop_request(l->pool, need, &got) != 0)
        return;
    l->requested += need;
    int adopted = 0;
    for (lb_pg_conn *c; (c = got) != NULL;) {
        got = c->hand_next;
        l->requested--;
        adopt(l, c);
        adopted = 1;
    }
    if (adopted && l->queued.head)
        dispatch(l);
}

/* ---- receiving ------------------------------------------------------------
 */

/* The statement's outcome, once its results are all in. */
static void complete(lb_loop *l, lconn *k, op *o) {
    l->in_flight--;
    ExecStatusType st = o->res ? PQresultStatus(o->res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
        st == PGRES_EMPTY_QUERY) {
        o->out = lb_result_wrap(o->res);
        o->res = NULL;
        if (!o->out)
            o->err = make_error(LAKEBASE_ENOMEM, "out of memory");
    } else if (st == PGRES_PIPELINE_ABORTED) {
        o->err = make_error(LAKEBASE_ESQL, "statement skipped: an earlier "
                                           "statement in its pipeline failed");
    } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
               st == PGRES_COPY_BOTH) {
        k->leaving = 1;
        k->why = LB_DROP_BROKEN;
        k->c->broken = 1; /* mid-COPY: nothing else can run on it */
        o->err = make_error(LAKEBASE_EINVAL,
                            "COPY is not supported by the asynchronous "
                            "statement functions");
    } else {
        lb_pg_statement_error(k->c, o->res, &o->err);
    }
    PQclear(o->res);
    o->res = NULL;
    push(&l->done, o);
}

/* After a statement completed on a shared connection: someone who ran
 * BEGIN there left a session nobody can vouch for any more. */
static void check_shared_session(lconn *k) {
    PGTransactionStatusType ts = PQtransactionStatus(k->c->pg);
    /* (ACTIVE only says more statements are in the pipeline.) */
    if (!k->leased && !k->leaving &&
        (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)) {
        k->leaving = 1;
        k->why = LB_DROP_BROKEN;
    }
}

/* A lease's next statement, once the one before it completed. */
static int send_waiting(lb_loop *l, lconn *k) {
    if (k->flight.n || !k->waiting.head)
        return 0;
    return send_op(l, k, pop(&k->waiting));
}

/* Reads every result that has arrived. -1 when the connection broke. */
static int read_results(lb_loop *l, lconn *k) {
    PGconn *pg = k->c->pg;
    if (!PQconsumeInput(pg))
        return -1;
    while (k->flight.head && !PQisBusy(pg)) {
        op *o = k->flight.head;
        PGresult *r = PQgetResult(pg);
        if (!r) {
            if (!pipelined(k)) { /* plain: the statement's results end */
                complete(l, k, pop(&k->flight));
                check_shared_session(k);
                if (send_waiting(l, k) != 0)
                    return -1;
                continue;
            }
            if (o->ended)
                break; /* no progress: wait for more input */
            o->ended = 1;
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            complete(l, k, pop(&k->flight));
            check_shared_session(k);
            continue;
        }
        PQclear(o->res);
        o->res = r;
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
            st == PGRES_COPY_BOTH) {
            complete(l, k, pop(&k->flight));
            return -1; /* no end of results will come: drop it */
        }
    }
    if (PQstatus(pg) == CONNECTION_BAD || k->c->broken)
        return -1;
    if (!k->flight.n)
        k->idle_since_ms = lb_pg_now_ms();
    return 0;
}

/* Gives back a drained connection that is leaving or past its lifetime. */
static void retire_if_due(lb_loop *l, lconn *k, int64_t now) {
    if (k->flight.n || k->leased)
        return;
    if (k->leaving)
        remove_conn(l, k, NULL, k->why);
    else if (now >= k->c->retire_ms)
        remove_conn(l, k, NULL, LB_DROP_RECYCLED);
}

/* Takes what the driver handed over. */
static void collect(lb_loop *l) {
    lakebase_error *failure = NULL;
    int failures = 0;
    lb_pg_conn *list = lb_pool_loop_collect(l->pool, &failure, &failures);
    for (lb_pg_conn *c; (c = list) != NULL;) {
        list = c->hand_next;
        if (l->requested > 0)
            l->requested--;
        adopt(l, c);
    }
    l->requested = l->requested > failures ? l->requested - failures : 0;
    if (failure && l->n_conns == 0) {
        /* Nothing can run the queued work: report why. */
        for (op *o; (o = pop(&l->queued)) != NULL;)
            fail(l, o, lb_err_clone(failure));
        l->leases_queued = 0;
    }
    lb_err_destroy(failure);
}

/* ---- leases ---------------------------------------------------------------
 */

static op *new_op(const char *sql, int nparams, const char *const *values);

/* A released lease, drained: rolls back a transaction it left open, then
 * shares the connection again (or drops it when its session is unknown).
 * -1 when the connection broke (it is gone). */
static int finish_return(lb_loop *l, lconn *k) {
    PGTransactionStatusType ts = PQtransactionStatus(k->c->pg);
    if ((ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) && !k->rolled_back) {
        op *o = new_op("ROLLBACK", 0, NULL);
        if (o) {
            k->rolled_back = 1;
            l->in_flight++;
            return send_op(l, k, o);
        }
    }
    k->leased = k->returning = k->rolled_back = 0;
    k->idle_since_ms = lb_pg_now_ms();
    if (ts != PQTRANS_IDLE ||
        (l->cfg.pipeline && !l->closed && PQenterPipelineMode(k->c->pg) != 1)) {
        k->leaving = 1;
        k->why = LB_DROP_BROKEN;
    }
    return 0;
}

static void service_conn(lb_loop *l, lconn *k, int events) {
    if ((events & LAKEBASE_WATCH_WRITE) && flush(l, k) != 0) {
        broken(l, k);
        return;
    }
    if (read_results(l, k) != 0 ||
        (k->returning && !k->flight.n && finish_return(l, k) != 0)) {
        broken(l, k);
        return;
    }
    retire_if_due(l, k, lb_pg_now_ms());
}

/* ---- time -----------------------------------------------------------------
 */

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void expire(lb_loop *l, int64_t now) {
    op *prev = NULL;
    for (op *o = l->queued.head, *next; o; o = next) {
        next = o->next;
        if (now < o->deadline_ms) {
            prev = o;
            continue;
        }
        unlink_after(&l->queued, prev, o);
        if (o->lease)
            l->leases_queued--;
        lakebase_error *e = NULL;
        lb_err(&e, LAKEBASE_ETIMEOUT,
               "no connection for the %s within %ld ms "
               "(pool.acquire_timeout_ms): %d connections held, %d asked "
               "for, pool.max_size %d",
               o->lease ? "lease" : "statement", l->cfg.acquire_timeout_ms,
               l->n_conns, l->requested, l->cfg.max_size);
        fail(l, o, e);
        lb_pool_loop_count(l->pool, 0, 1);
    }
    int64_t idle_ms = (int64_t)l->cfg.idle_timeout_s * 1000;
    for (lconn *k = l->conns, *next; k; k = next) {
        next = k->next;
        if (k->flight.n || k->leased)
            continue;
        if (k->leaving || now >= k->c->retire_ms)
            retire_if_due(l, k, now);
        else if (l->n_conns > l->cfg.min_size &&
                 now - k->idle_since_ms >= idle_ms)
            remove_conn(l, k, NULL, LB_DROP_IDLE);
    }
}

static void rearm(lb_loop *l) {
    if (l->closed)
        return;
    int64_t next = INT64_MAX;
    if (l->done.head || l->corked)
        next = 0;
    /* Queued in order, so the head has the first deadline. */
    if (l->queued.head)
        next = min64(next, l->queued.head->deadline_ms);
    int64_t idle_ms = (int64_t)l->cfg.idle_timeout_s * 1000;
    for (lconn *k = l->conns; k; k = k->next) {
        if (k->flight.n || k->leased)
            continue;
        next = min64(next, k->c->retire_ms);
        if (l->n_conns > l->cfg.min_size)
            next = min64(next, k->idle_since_ms + idle_ms);
    }
    if (next == l->timer_at)
        return;
    l->timer_at = next;
    if (next == INT64_MAX) {
        l->timer(l->userdata, -1);
    } else {
        int64_t delay = next - lb_pg_now_ms();
        l->timer(l->userdata, delay < 0 ? 0 : (long)delay);
    }
}

/* Reports completions. A callback may queue more (reported in this same
 * call) or close the pool. */
static void deliver(lb_loop *l) {
    for (op *o; (o = pop(&l->done)) != NULL;) {
        if (o->lease) {
            o->lease(o->userdata, o->granted ? o->granted->c : NULL, o->err);
        } else if (o->done) {
            o->done(o->userdata, o->out, o->err);
        } else { /* a returned lease's ROLLBACK: nobody waits for it */
            lakebase_result_free(o->out);
            lb_err_destroy(o->err);
        }
        free(o);
    }
}

/* The end of every entry point that may complete statements. */
static void settle(lb_loop *l) {
    if (atomic_exchange(&l->refreshed, 0) && l->on_refresh)
        l->on_refresh(l->refresh_userdata);
    deliver(l);
    dispatch(l);
    rearm(l);
}

/* ---- the entry points -----------------------------------------------------
 */

static int not_host(lakebase_error **err) {
    return lb_err(err, LAKEBASE_EINVAL,
                  "call the event-loop functions of a pool on the thread that "
                  "attached the loop");
}

int lb_loop_new(lb_loop **out, lb_pool *pool, const lb_pool_settings *cfg,
                lakebase_watch_fn watch, lakebase_timer_fn timer,
                void *userdata, lakebase_error **err) {
    *out = NULL;
    if (!watch || !timer)
        return lb_err(err, LAKEBASE_EINVAL,
                      "watch and timer callbacks must not be NULL");
    lb_loop *l = calloc(1, sizeof *l);
    if (!l)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int code = lb_pool_loop_attach(pool, &l->evfd, err);
    if (code != 0) {
        free(l);
        return code;
    }
    l->pool = pool;
    l->cfg = *cfg;
    l->watch = watch;
    l->timer = timer;
    l->userdata = userdata;
    l->host = pthread_self();
    l->timer_at = INT64_MAX;
    watch(userdata, l->evfd, LAKEBASE_WATCH_READ);
    *out = l;
    return 0;
}

/* A statement with its text and values copied into one allocation. */
static op *new_op(const char *sql, int nparams, const char *const *values) {
    size_t size = sizeof(op) + (size_t)nparams * sizeof(char *);
    size_t sql_len = strlen(sql) + 1;
    size += sql_len;
    for (int i = 0; i < nparams; i++)
        if (values[i])
            size += strlen(values[i]) + 1;
    op *o = calloc(1, size);
    if (!o)
        return NULL;
    o->values = (char **)(o + 1);
    char *text = (char *)(o->values + nparams);
    o->sql = memcpy(text, sql, sql_len);
    text += sql_len;
    for (int i = 0; i < nparams; i++) {
        if (!values[i])
            continue;
        size_t n = strlen(values[i]) + 1;
        o->values[i] = memcpy(text, values[i], n);
        text += n;
    }
    o->nparams = nparams;
    return o;
}

static int check_statement(const char *sql, int nparams,
                           const char *const *values, lakebase_done_fn done,
                           lakebase_error **err) {
    if (!sql || !done)
        return lb_err(err, LAKEBASE_EINVAL, "sql and done must not be NULL");
    if (nparams < 0 || nparams > 65535 || (nparams > 0 && !values))
        return lb_err(err, LAKEBASE_EINVAL,
                      "nparams must be 0..65535 with a values array");
    return 0;
}

/* Queues `o` (a statement or a lease request) for a connection. */
static void enqueue(lb_loop *l, op *o) {
    o->deadline_ms = lb_pg_now_ms() + l->cfg.acquire_timeout_ms;
    push(&l->queued, o);
    dispatch(l);
    /* A connection that broke while sending failed statements: they are
     * reported from the timer, never from in here. */
    rearm(l);
}

int lb_loop_query(lb_loop *l, const char *sql, int nparams,
                  const char *const *values, lakebase_done_fn done,
                  void *userdata, lakebase_error **err) {
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    int code = check_statement(sql, nparams, values, done, err);
    if (code != 0)
        return code;
    if (l->closed)
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    op *o = new_op(sql, nparams, values);
    if (!o)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    o->done = done;
    o->userdata = userdata;
    enqueue(l, o);
    return 0;
}

int lb_loop_lease(lb_loop *l, lakebase_lease_fn done, void *userdata,
                  lakebase_error **err) {
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    if (!done)
        return lb_err(err, LAKEBASE_EINVAL, "done must not be NULL");
    if (l->closed)
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    op *o = calloc(1, sizeof *o);
    if (!o)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    o->lease = done;
    o->userdata = userdata;
    l->leases_queued++;
    enqueue(l, o);
    return 0;
}

int lb_loop_conn_query(lb_pg_conn *c, const char *sql, int nparams,
                       const char *const *values, lakebase_done_fn done,
                       void *userdata, lakebase_error **err) {
    lconn *k = c->loop_lease;
    if (!k)
        return lb_err(err, LAKEBASE_ECLOSED,
                      "this leased connection is gone (it broke, or its "
                      "pool was closed): release it");
    lb_loop *l = k->l;
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    int code = check_statement(sql, nparams, values, done, err);
    if (code != 0)
        return code;
    op *o = new_op(sql, nparams, values);
    if (!o)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    o->done = done;
    o->userdata = userdata;
    l->in_flight++;
    if (k->flight.n) {
        push(&k->waiting, o);
    } else if (send_op(l, k, o) != 0) {
        /* Reported from the timer, never from in here. */
        broken(l, k);
        rearm(l);
    }
    return 0;
}

void lb_loop_release(lb_pg_conn *c) {
    lconn *k = c->loop_lease;
    lb_loop *l = k->l;
    /* Off the host's thread nothing can be touched safely: the documented
     * contract is broken, so the connection stays leased (a leak, not a
     * crash). */
    if (!pthread_equal(l->host, pthread_self()))
        return;
    c->loop_lease = NULL;
    c->tag = LB_TAG_DEAD;
    k->returning = 1;
    if (!k->flight.n && finish_return(l, k) != 0)
        broken(l, k);
    dispatch(l);
    rearm(l);
}

int lb_loop_on_refresh(lb_loop *l, void (*fn)(void *userdata), void *userdata,
                       lakebase_error **err) {
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    l->on_refresh = fn;
    l->refresh_userdata = userdata;
    return 0;
}

void lb_loop_signal_refresh(lb_loop *l) {
    atomic_store(&l->refreshed, 1);
    uint64_t one = 1;
    /* A full counter (never in practice) still leaves the fd readable. */
    if (write(l->evfd, &one, sizeof one) < 0)
        return;
}

int lb_loop_on_socket(lb_loop *l, int fd, int events, lakebase_error **err) {
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    if (l->closed)
        return 0;
    uncork_all(l);
    if (fd == l->evfd) {
        collect(l);
    } else {
        lconn *k = find_conn(l, fd);
        if (k)
            service_conn(l, k, events);
    }
    settle(l);
    return 0;
}

int lb_loop_on_timer(lb_loop *l, lakebase_error **err) {
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    if (l->closed)
        return 0;
    l->timer_at = INT64_MAX; /* it fired */
    uncork_all(l);
    expire(l, lb_pg_now_ms());
    settle(l);
    return 0;
}

int lb_loop_busy(const lb_loop *l) {
    return l->queued.n + l->in_flight + l->done.n;
}

/* Runs the connections with statements in flight to completion (close
 * blocks, like the synchronous close). */
static void finish_in_flight(lb_loop *l) {
    uncork_all(l);
    while (l->in_flight > 0) {
        struct pollfd fds[64];
        lconn *ks[64];
        nfds_t n = 0;
        for (lconn *k = l->conns; k && n < 64; k = k->next) {
            if (!k->flight.n)
                continue;
            ks[n] = k;
            fds[n++] = (struct pollfd){
                .fd = k->fd,
                .events =
                    (short)(POLLIN |
                            (k->watched & LAKEBASE_WATCH_WRITE ? POLLOUT : 0))};
        }
        if (poll(fds, n, 1000) < 0)
            continue;
        for (nfds_t i = 0; i < n; i++)
            if (fds[i].revents)
                service_conn(l, ks[i],
                             fds[i].revents & POLLOUT ? LAKEBASE_WATCH_WRITE
                                                      : LAKEBASE_WATCH_READ);
    }
}

int lb_loop_close(lb_loop *l, int cancel_inflight, lakebase_error **err) {
    if (!pthread_equal(l->host, pthread_self()))
        return not_host(err);
    if (l->closed)
        return 0;
    for (op *o; (o = pop(&l->queued)) != NULL;)
        fail(l, o, make_error(LAKEBASE_ECLOSED, "the pool was closed"));
    l->leases_queued = 0;
    if (cancel_inflight)
        for (lconn *k = l->conns; k; k = k->next)
            if (k->flight.n)
                lb_pg_cancel(k->c, NULL);
    finish_in_flight(l);
    l->closed = 1;
    collect(l);
    while (l->conns)
        remove_conn(l, l->conns, NULL, LB_DROP_IDLE);
    l->watch(l->userdata, l->evfd, 0);
    if (l->timer_at != INT64_MAX)
        l->timer(l->userdata, -1);
    l->timer_at = INT64_MAX;
    deliver(l);
    return 0;
}

void lb_loop_free(lb_loop *l) {
    if (!l)
        return;
    /* Off the host's thread nothing can be driven or reported safely: the
     * documented contract is broken, so at least free nothing in use. */
    if (lb_loop_close(l, 1, NULL) == 0)
        free(l);
}
