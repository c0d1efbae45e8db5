// Code generated from core/pool_loop.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The loop side of a pool (see pool_loop.h). Every connection it holds is
 * non-blocking.
 *
 * Adaptive pipelining (pool.pipeline, on by default): a statement goes to
 * an idle connection when there is one, in "plain" mode — one statement at
 * a time, sent with the simple protocol when it has no parameters (one
 * round of messages fewer for the server, several commands per string
 * allowed), the lowest latency. Only when every connection is busy does it
 * join a connection's pipeline, up to PIPE_FILL_DEPTH statements: libpq
 * pipeline mode, each statement PQsendQueryParams + its own sync point, so
 * it is its own implicit transaction and its error cannot abort its
 * neighbours. A connection switches mode only while idle: it enters
 * pipeline mode when it takes a statement with others still waiting, and
 * leaves it when it takes one with none waiting. The trade-off: a
 * statement queued behind a slow one on the same pipeline waits for it
 * (head-of-line blocking), at most PIPE_FILL_DEPTH - 1 statements deep.
 * With pool.pipeline off, statements only ever go to idle connections.
 *
 * A connection leased to one caller (lb_loop_lease) is always plain: its
 * statements wait their turn in the lease's own queue.
 *
 * Each connection has one role at a time (see `role`), and the pool's
 * books follow it: idle while a shared connection has nothing in flight,
 * in use otherwise. When a connection runs dry, the lifecycle decides
 * whether it stays (lb_pool_loop_settle); so do the idle timer checks.
 *
 * Results come back in order on a connection, so each connection keeps a
 * FIFO of the operations it sent. Completions are collected in a list and
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
#include "metric_books.h"
#include "pg_conn.h"
#include "pool_life.h"
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

typedef enum op_kind {
    OP_STATEMENT, /* a caller's: `done` reports it */
    OP_LEASE,     /* a request for a connection of the caller's own */
    OP_CHECK,     /* the round trip a stale connection makes before use */
    OP_ROLLBACK   /* what a returned lease left open */
} op_kind;

typedef struct op {
    struct op *next;
    op_kind kind;
    lakebase_done_fn done;   /* OP_STATEMENT */
    lakebase_lease_fn lease; /* OP_LEASE */
    struct lconn *granted;   /* the connection a lease request got */
    void *userdata;
    int64_t deadline_ms; /* while queued: the acquire timeout */
    int64_t since_us;    /* a lease request: when it was made */
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

/* What a connection is for, now. */
typedef enum role {
    ROLE_CHECKING,  /* stale from the pool: its check runs before use */
    ROLE_SHARED,    /* takes statements (idle while nothing is in flight) */
    ROLE_RESERVED,  /* shared, draining for a queued lease */
    ROLE_LEASED,    /* one caller's */
    ROLE_RETURNING, /* released: drains, rolls back if needed, then shared */
    ROLE_LEAVING    /* takes nothing new; dropped once drained */
} role;

typedef struct lconn {
    struct lconn *next;
    struct lb_loop *l;
    lb_pg_conn *c;
    int fd;
    int watched;      /* LAKEBASE_WATCH_* asked of the host */
    op_queue flight;  /* sent, in order */
    op_queue waiting; /* a lease's statements behind the one in flight */
    role role;
    lb_life_verdict why; /* ROLE_LEAVING: the counter it lands in */
    int booked;          /* its state in the pool's books (lb_conn_state) */
    int rolled_back;     /* ROLE_RETURNING: its ROLLBACK was sent */
    int64_t due_ms;      /* idle: when the lifecycle looks at it again */
    int corked;          /* TCP_CORK on: see cork() */
    int no_cork;         /* not TCP (a Unix socket): never corked */
} lconn;

typedef enum phase { OPEN, CLOSING, CLOSED } phase;

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
    int requested;   /* connections asked of the pool, not yet received */
    op_queue queued; /* statements and lease requests waiting */
    op_queue done;   /* completed, to report */
    int in_flight;   /* sent, or queued behind a lease's statement */
    int leases_queued;
    int corked;       /* connections corked until the next turn */
    int64_t timer_at; /* INT64_MAX: no timer set */

    phase phase;
    int64_t cancel_at, drop_at; /* CLOSING: the deadlines */
    void (*close_done)(void *userdata);
    void *close_userdata;
    atomic_int pool_closed; /* the pool's asynchronous close completed */

    void (*open_done)(void *userdata, lakebase_error *err);
    void *open_userdata;
    atomic_int opened; /* the pool's asynchronous open completed */
    lakebase_error *_Atomic open_err;

    void (*on_refresh)(void *userdata);
    void *refresh_userdata;
    atomic_int refreshed; /* set by lb_loop_signal_refresh, any thread */
};

/* ---- small helpers --------------------------------------------------------
 */

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static int64_t now_ms(const lb_loop *l) { return lb_pool_now_ms(l->pool); }

static void push(op_queue *q, op *o) {
    o->next = NULL;
    if (q->tail)
        q->tail->next = o;
    else
        q->head = o;
    q->tail = o;
    q->n++;
}

static void push_front(op_queue *q, op *o) {
    o->next = q->head;
    q->head = o;
    if (!q->tail)
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

static lakebase_error *make_error(int code, const char *what) {
    lakebase_error *e = NULL;
    lb_err(&e, code, "%s", what);
    return e;
}

/* Moves `o` to the done list with `e` (ownership moves in) as its error. */
static void fail(lb_loop *l, op *o, lakebase_error *e) {
    PQclear(o->res);
    o->res = NULL;
    o->err = e;
    push(&l->done, o);
}

/* A statement (or internal operation) with its text and values copied
 * into one allocation. */
static op *new_op(op_kind kind, const char *sql, int nparams,
                  const char *const *values) {
    size_t size = sizeof(op) + (size_t)nparams * sizeof(char *);
    size_t sql_len = sql ? strlen(sql) + 1 : 0;
    size += sql_len;
    for (int i = 0; i < nparams; i++)
        if (values[i])
            size += strlen(values[i]) + 1;
    op *o = calloc(1, size);
    if (!o)
        return NULL;
    o->kind = kind;
    o->values = (char **)(o + 1);
    char *text = (char *)(o->values + nparams);
    if (sql)
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

/* ---- the books -------------------------------------------------------------
 */

static int pipelined(const lconn *k) {
    return PQpipelineStatus(k->c->pg) != PQ_PIPELINE_OFF;
}

static void remove_conn(lb_loop *l, lconn *k, lakebase_error *e,
                        lb_life_verdict why);

/* Keeps the pool's books in step with `k`: in use while leased or while
 * anything is in flight; on running dry, the lifecycle decides whether it
 * stays (idle) or goes. */
static void book(lb_loop *l, lconn *k) {
    int leased = k->role == ROLE_LEASED || k->role == ROLE_RETURNING;
    int busy = k->flight.n || k->waiting.n;
    int want = leased ? LB_CONN_LEASED : busy ? LB_CONN_SHARED : LB_CONN_IDLE;
    if (want == k->booked)
        return;
    if (want != LB_CONN_IDLE) {
        lb_pool_loop_use(l->pool, k->c, want);
        k->booked = want;
        return;
    }
    if (k->role == ROLE_LEAVING) {
        remove_conn(l, k, NULL, k->why);
        return;
    }
    lb_life_verdict v =
        (lb_life_verdict)lb_pool_loop_settle(l->pool, k->c, &k->due_ms);
    if (v == LB_LIFE_KEEP)
        k->booked = LB_CONN_IDLE;
    else
        remove_conn(l, k, NULL, v);
}

/* ---- connections ----------------------------------------------------------
 */

static lconn *find_conn(lb_loop *l, int fd) {
    for (lconn *k = l->conns; k; k = k->next)
        if (k->fd == fd)
            return k;
    return NULL;
}

/* Fails every operation of `q` with a copy of `e`. */
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
static void keep_handle(lb_loop *l, lb_pg_conn *c, lb_life_verdict why) {
    lb_pool_loop_forget(l->pool, c, why);
    lb_pg_disconnect(c);
    c->loop_lease = NULL;
    c->owner = NULL;
    c->on_release = gone_release;
}

/* If `k` was granted to a lease request not yet told, takes it back: the
 * request waits for another connection again (at the head of the queue),
 * or fails with LAKEBASE_ECLOSED once the pool is closing. 1 if so. */
static int ungrant(lb_loop *l, lconn *k) {
    op *prev = NULL;
    for (op *o = l->done.head; o; prev = o, o = o->next) {
        if (o->granted != k)
            continue;
        k->c->loop_lease = NULL;
        k->c->tag = LB_TAG_DEAD;
        o->granted = NULL;
        if (l->phase != OPEN) {
            o->err = make_error(LAKEBASE_ECLOSED, "the pool was closed");
            return 1;
        }
        unlink_after(&l->done, prev, o);
        push_front(&l->queued, o);
        l->leases_queued++;
        return 1;
    }
    return 0;
}

/* Stops watching, fails what is still in flight with `e` (ownership moves
 * in; may be NULL when nothing is), gives the connection back (or, for a
 * lease its caller holds, keeps the handle). */
static void remove_conn(lb_loop *l, lconn *k, lakebase_error *e,
                        lb_life_verdict why) {
    unlink_conn(l, k);
    if (!e && (k->flight.n || k->waiting.n))
        e = make_error(LAKEBASE_ECONNECTION, "the connection was closed");
    fail_queue(l, &k->flight, e);
    fail_queue(l, &k->waiting, e);
    lb_err_destroy(e);
    if (k->role == ROLE_LEASED && !ungrant(l, k))
        keep_handle(l, k->c, why);
    else
        lb_pool_loop_drop(l->pool, k->c, why);
    free(k);
}

/* The connection broke: every operation it carried fails with the cause. */
static void broken(lb_loop *l, lconn *k) {
    lakebase_error *e = NULL;
    k->c->broken = 1;
    lb_pg_statement_error(k->c, NULL, &e);
    remove_conn(l, k, e, LB_LIFE_DISCARD);
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

/* An idle shared connection takes the mode its next statement wants:
 * pipelined when more statements wait behind it, plain otherwise. */
static int choose_mode(lb_loop *l, lconn *k) {
    if (k->role != ROLE_SHARED && k->role != ROLE_RESERVED)
        return 0;
    int want = l->cfg.pipeline && l->queued.n > l->leases_queued;
    if (want == pipelined(k))
        return 0;
    return (want ? PQenterPipelineMode(k->c->pg)
                 : PQexitPipelineMode(k->c->pg)) == 1
               ? 0
               : -1;
}

/* 0 when sent; -1 when the connection broke (`o` is then in flight on it,
 * failed with the rest by the caller). */
static int send_op(lb_loop *l, lconn *k, op *o) {
    if (!k->flight.n && o->kind == OP_STATEMENT && choose_mode(l, k) != 0) {
        push(&k->flight, o);
        return -1;
    }
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

/* Sends `o` on `k` and brings the books along; -1 when `k` broke (then
 * gone, `o` failed with it). */
static int send_and_book(lb_loop *l, lconn *k, op *o) {
    if (send_op(l, k, o) != 0) {
        broken(l, k);
        return -1;
    }
    book(l, k);
    return 0;
}

/* The shared connection, ready for statements (out of its check or back
 * from a lease; plain until its statements want a pipeline). */
static int share(lb_loop *l, lconn *k) {
    (void)l;
    k->role = ROLE_SHARED;
    return 0;
}

/* Takes a connection the pool hands over (idle in its books, held by us).
 * One that sat idle too long makes a round trip first. */
static void adopt(lb_loop *l, lb_pg_conn *c) {
    lconn *k = calloc(1, sizeof *k);
    if (!k || PQsetnonblocking(c->pg, 1) != 0) {
        free(k);
        lb_pool_loop_drop(l->pool, c, LB_LIFE_DISCARD);
        return;
    }
    c->tag = LB_TAG_DEAD; /* no caller's handle until it is leased */
    k->l = l;
    k->c = c;
    k->fd = PQsocket(c->pg);
    k->booked = LB_CONN_IDLE;
    k->due_ms = now_ms(l);
    k->next = l->conns;
    l->conns = k;
    l->n_conns++;
    set_watch(l, k, LAKEBASE_WATCH_READ);
    if (lb_life_needs_validation(&l->cfg, now_ms(l), c->idle_since_ms)) {
        op *o = new_op(OP_CHECK, "", 0, NULL);
        k->role = ROLE_CHECKING;
        if (!o) {
            remove_conn(l, k, NULL, LB_LIFE_DISCARD);
            return;
        }
        l->in_flight++;
        send_and_book(l, k, o);
        return;
    }
    if (share(l, k) != 0)
        broken(l, k);
}

/* Can take a statement: shared and young enough, and idle or (with
 * pool.pipeline) pipelined with room. */
static int usable(const lb_loop *l, const lconn *k, int64_t now) {
    if (k->role != ROLE_SHARED || now >= k->c->retire_ms)
        return 0;
    return k->flight.n == 0 ||
           (l->cfg.pipeline && pipelined(k) && k->flight.n < PIPE_MAX_DEPTH);
}

/* The usable connection with the fewest statements in flight. */
static lconn *least_loaded(lb_loop *l, int64_t now) {
    lconn *best = NULL;
    for (lconn *k = l->conns; k; k = k->next)
        if (usable(l, k, now) && (!best || k->flight.n < best->flight.n))
            best = k;
    return best;
}

/* Where a statement goes: an idle connection when there is one; else,
 * with pool.pipeline, the busiest pipelined one that still has fewer than
 * PIPE_FILL_DEPTH statements in flight, so a burst from many callers
 * reaches the server in few large batches (one backend wake-up for many
 * statements). NULL: the statement waits. */
static lconn *pick(lb_loop *l, int64_t now) {
    lconn *best = NULL;
    for (lconn *k = l->conns; k; k = k->next) {
        if (!usable(l, k, now))
            continue;
        if (!k->flight.n)
            return k;
        if (k->flight.n < PIPE_FILL_DEPTH &&
            (!best || k->flight.n > best->flight.n))
            best = k;
    }
    return best;
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

/* A shared connection with nothing in flight, for a lease. */
static lconn *pick_free(lb_loop *l, int64_t now) {
    for (lconn *k = l->conns; k; k = k->next)
        if ((k->role == ROLE_SHARED || k->role == ROLE_RESERVED) &&
            !k->flight.n && now < k->c->retire_ms)
            return k;
    return NULL;
}

/* With pool.pipeline busy connections rarely drain: the least loaded one
 * stops taking new statements (ROLE_RESERVED) so that a queued lease gets
 * it soon. */
static void reserve_for_lease(lb_loop *l, int64_t now) {
    if (!l->cfg.pipeline)
        return;
    for (lconn *k = l->conns; k; k = k->next)
        if (k->role == ROLE_RESERVED)
            return;
    lconn *k = least_loaded(l, now);
    if (k)
        k->role = ROLE_RESERVED;
}

/* Hands `k` to the lease request `o` (reported from the done list). */
static int grant(lb_loop *l, lconn *k, op *o) {
    if (pipelined(k) && PQexitPipelineMode(k->c->pg) != 1)
        return -1;
    k->role = ROLE_LEASED;
    k->c->loop_lease = k;
    k->c->tag = LB_TAG_CONN;
    o->granted = k;
    l->leases_queued--;
    lb_pool_loop_count(l->pool, o->since_us, 0, l->queued.n);
    push(&l->done, o);
    book(l, k);
    return 0;
}

/* Places queued work in order: each lease request on a free connection,
 * each statement on a usable one. Work that cannot be placed keeps its
 * place in the queue. Statements may pass a lease that waits (they never
 * take the connection reserved for it), but a lease never passes a
 * statement queued before it: it is placed, and reserves a connection,
 * once no earlier statement waits. */
static void place_queued(lb_loop *l, int64_t now) {
    if (!l->leases_queued)
        for (lconn *k = l->conns; k; k = k->next)
            if (k->role == ROLE_RESERVED)
                k->role = ROLE_SHARED;
    int statements_blocked = 0, leases_blocked = 0;
    op *prev = NULL;
    for (op *o = l->queued.head, *next;
         o && !(statements_blocked && leases_blocked); o = next) {
        next = o->next;
        lconn *k = NULL;
        if (o->kind == OP_LEASE && !leases_blocked) {
            k = pick_free(l, now);
            leases_blocked = !k;
            if (!k)
                reserve_for_lease(l, now);
        } else if (o->kind != OP_LEASE && !statements_blocked) {
            k = pick(l, now);
            statements_blocked = !k;
            leases_blocked |= statements_blocked;
        }
        if (!k) {
            prev = o;
            continue;
        }
        unlink_after(&l->queued, prev, o);
        if (o->kind == OP_LEASE) {
            if (grant(l, k, o) != 0) {
                /* The connection cannot leave pipeline mode: it is of no
                 * use; the request waits for another. */
                push_front(&l->queued, o);
                k->c->broken = 1;
                remove_conn(l, k, NULL, LB_LIFE_DISCARD);
                return;
            }
        } else {
            l->in_flight++;
            if (send_and_book(l, k, o) != 0)
                return; /* the caller places the rest again */
        }
    }
}

static void dispatch(lb_loop *l) {
    if (l->phase != OPEN)
        return;
    int64_t now = now_ms(l);
    int held;
    do {
        held = l->n_conns;
        place_queued(l, now);
    } while (l->n_conns < held && l->queued.head);
    lb_pool_loop_count(l->pool, 0, 0, l->queued.n);
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

/* A check's outcome: the connection becomes shared, or goes. -1 when it
 * is gone. */
static int checked(lb_loop *l, lconn *k, op *o) {
    int ok = o->res && PQresultStatus(o->res) == PGRES_EMPTY_QUERY &&
             PQtransactionStatus(k->c->pg) == PQTRANS_IDLE;
    PQclear(o->res);
    free(o);
    l->in_flight--;
    if (ok && share(l, k) == 0)
        return 0;
    remove_conn(l, k, NULL, LB_LIFE_DISCARD);
    return -1;
}

/* The operation's outcome, once its results are all in. */
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
        k->role = ROLE_LEAVING;
        k->why = LB_LIFE_DISCARD;
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
    if ((k->role == ROLE_SHARED || k->role == ROLE_RESERVED) &&
        (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)) {
        k->role = ROLE_LEAVING;
        k->why = LB_LIFE_DISCARD;
    }
}

/* A lease's next statement, once the one before it completed. */
static int send_waiting(lb_loop *l, lconn *k) {
    if (k->flight.n || !k->waiting.head)
        return 0;
    return send_op(l, k, pop(&k->waiting));
}

/* Reads every result that has arrived. -1 when the connection broke (or a
 * failed check dropped it: then it is gone). */
static int read_results(lb_loop *l, lconn *k) {
    PGconn *pg = k->c->pg;
    if (!PQconsumeInput(pg))
        return -1;
    while (k->flight.head && !PQisBusy(pg)) {
        op *o = k->flight.head;
        PGresult *r = PQgetResult(pg);
        if (!r) {
            if (!pipelined(k)) { /* plain: the operation's results end */
                pop(&k->flight);
                if (o->kind == OP_CHECK) {
                    if (checked(l, k, o) != 0)
                        return 1; /* gone: nothing more to read */
                    continue;
                }
                complete(l, k, o);
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
    return 0;
}

/* ---- leases ---------------------------------------------------------------
 */

/* A released lease with nothing in flight: rolls back a transaction it
 * left open (the rollback's completion brings it here again), then shares
 * the connection again, or drops it when its session is unknown. `k` may
 * be gone afterwards. */
static void finish_return(lb_loop *l, lconn *k) {
    PGTransactionStatusType ts = PQtransactionStatus(k->c->pg);
    op *rollback = NULL;
    if ((ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) && !k->rolled_back &&
        (rollback = new_op(OP_ROLLBACK, "ROLLBACK", 0, NULL)) != NULL) {
        k->rolled_back = 1;
        l->in_flight++;
        send_and_book(l, k, rollback);
        return;
    }
    k->rolled_back = 0;
    if (ts != PQTRANS_IDLE || l->phase != OPEN || share(l, k) != 0) {
        k->role = ROLE_LEAVING;
        k->why = LB_LIFE_DISCARD;
    }
    book(l, k);
}

static void service_conn(lb_loop *l, lconn *k, int events) {
    if ((events & LAKEBASE_WATCH_WRITE) && flush(l, k) != 0) {
        broken(l, k);
        return;
    }
    int r = read_results(l, k);
    if (r > 0)
        return; /* dropped after a failed check */
    if (r != 0) {
        broken(l, k);
        return;
    }
    if (k->role == ROLE_RETURNING && !k->flight.n && !k->waiting.n)
        finish_return(l, k);
    else
        book(l, k);
}

/* ---- time -----------------------------------------------------------------
 */

/* While the first connections are still being opened for it, a wait also
 * allows for the connect (bounded by pool.connect_timeout_ms), as a
 * blocking acquire that connects on its own thread does. */
static int64_t expiry_grace(const lb_loop *l) {
    return l->n_conns == 0 && l->requested > 0 ? l->cfg.connect_timeout_ms : 0;
}

static void expire(lb_loop *l, int64_t now) {
    op *prev = NULL;
    int64_t grace = expiry_grace(l);
    for (op *o = l->queued.head, *next; o; o = next) {
        next = o->next;
        if (now < o->deadline_ms + grace) {
            prev = o;
            continue;
        }
        unlink_after(&l->queued, prev, o);
        if (o->kind == OP_LEASE)
            l->leases_queued--;
        lakebase_error *e = NULL;
        lb_err(&e, LAKEBASE_ETIMEOUT,
               "no connection for the %s within %ld ms: %d connections held, "
               "%d asked for, pool.max_size %d",
               o->kind == OP_LEASE ? "lease" : "statement",
               l->cfg.acquire_timeout_ms, l->n_conns, l->requested,
               l->cfg.max_size);
        fail(l, o, e);
        lb_pool_loop_count(l->pool, 0, 1, l->queued.n);
    }
    for (lconn *k = l->conns, *next; k; k = next) {
        next = k->next;
        if (k->booked != LB_CONN_IDLE || now < k->due_ms)
            continue;
        lb_life_verdict v =
            (lb_life_verdict)lb_pool_loop_settle(l->pool, k->c, &k->due_ms);
        if (v != LB_LIFE_KEEP)
            remove_conn(l, k, NULL, v);
    }
}

static void rearm(lb_loop *l) {
    if (l->phase == CLOSED)
        return;
    int64_t next = INT64_MAX;
    if (l->done.head || l->corked)
        next = 0;
    /* Queued in order, so the head has the first deadline. */
    if (l->queued.head)
        next = min64(next, l->queued.head->deadline_ms + expiry_grace(l));
    for (lconn *k = l->conns; k; k = k->next)
        if (k->booked == LB_CONN_IDLE)
            next = min64(next, k->due_ms);
    if (l->phase == CLOSING)
        next = min64(next, min64(l->cancel_at, l->drop_at));
    if (next == l->timer_at)
        return;
    l->timer_at = next;
    if (next == INT64_MAX) {
        l->timer(l->userdata, -1);
    } else {
        int64_t delay = next - now_ms(l);
        l->timer(l->userdata, delay < 0 ? 0 : (long)delay);
    }
}

/* Reports completions. A callback may queue more (reported in this same
 * call) or close the pool. */
static void deliver(lb_loop *l) {
    for (op *o; (o = pop(&l->done)) != NULL;) {
        if (o->kind == OP_LEASE) {
            o->lease(o->userdata, o->granted ? o->granted->c : NULL, o->err);
        } else if (o->kind == OP_STATEMENT) {
            o->done(o->userdata, o->out, o->err);
        } else { /* internal: nobody waits for it */
            lb_result_free(o->out);
            lb_err_destroy(o->err);
        }
        free(o);
    }
}

/* ---- closing ----------------------------------------------------------------
 */

/* Everything in a closing loop that can go, goes: idle connections now,
 * busy ones once drained, and all of them at the drop deadline. Once none
 * is left the pool closes, and its completion wakes the host. */
static void wind_down(lb_loop *l, int64_t now) {
    if (l->phase != CLOSING)
        return;
    if (now >= l->cancel_at) {
        for (lconn *k = l->conns; k; k = k->next)
            if (k->flight.n && k->c->pg)
                lb_pg_cancel(k->c, NULL);
        l->cancel_at = INT64_MAX;
    }
    lakebase_error *closed =
        make_error(LAKEBASE_ECLOSED, "the pool was closed");
    for (lconn *k = l->conns, *next; k; k = next) {
        next = k->next;
        /* A lease's statements not yet sent end now; the one running
         * finishes (or is cancelled) like any other. */
        if (k->role == ROLE_LEASED)
            fail_queue(l, &k->waiting, closed);
        if ((!k->flight.n && !k->waiting.n) || now >= l->drop_at)
            remove_conn(l, k, lb_err_clone(closed), LB_LIFE_KEEP);
    }
    lb_err_destroy(closed);
}

static void pool_closed(void *userdata) {
    lb_loop *l = userdata;
    atomic_store(&l->pool_closed, 1);
    lb_pool_loop_wake(l->pool);
}

/* The pool is closed: the loop side stops every watch and its timer, and
 * the close's callback runs. */
static void finish_close(lb_loop *l) {
    l->phase = CLOSED;
    l->watch(l->userdata, l->evfd, 0);
    if (l->timer_at != INT64_MAX)
        l->timer(l->userdata, -1);
    l->timer_at = INT64_MAX;
    if (l->close_done)
        l->close_done(l->close_userdata);
}

/* ---- the entry points -----------------------------------------------------
 */

static int not_host(lakebase_error **err) {
    return lb_err(err, LAKEBASE_EINVAL,
                  "call the event-loop functions of a pool on the thread that "
                  "attached the loop");
}

static int on_host(const lb_loop *l) {
    return pthread_equal(l->host, pthread_self());
}

/* Takes what the pool handed over, and the news of other threads. */
static void collect(lb_loop *l) {
    lakebase_error *failure = NULL;
    int failures = 0;
    lb_pg_conn *list = lb_pool_loop_collect(l->pool, &failure, &failures);
    for (lb_pg_conn *c; (c = list) != NULL;) {
        list = c->hand_next;
        if (l->requested > 0)
            l->requested--;
        if (l->phase == OPEN)
            adopt(l, c);
        else
            lb_pool_loop_drop(l->pool, c, LB_LIFE_KEEP);
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

/* The end of every entry point that may complete work. */
static void settle(lb_loop *l) {
    if (atomic_exchange(&l->refreshed, 0) && l->on_refresh && l->phase == OPEN)
        l->on_refresh(l->refresh_userdata);
    if (atomic_exchange(&l->opened, 0) && l->open_done) {
        void (*fn)(void *, lakebase_error *) = l->open_done;
        l->open_done = NULL;
        fn(l->open_userdata, atomic_exchange(&l->open_err, NULL));
    }
    deliver(l);
    dispatch(l);
    wind_down(l, now_ms(l));
    deliver(l);
    if (l->phase == CLOSING && atomic_load(&l->pool_closed))
        finish_close(l);
    else
        rearm(l);
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
    l->cancel_at = l->drop_at = INT64_MAX;
    watch(userdata, l->evfd, LAKEBASE_WATCH_READ);
    *out = l;
    return 0;
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
static void enqueue(lb_loop *l, op *o, long timeout_ms) {
    o->deadline_ms = now_ms(l) + timeout_ms;
    push(&l->queued, o);
    dispatch(l);
    /* A connection that broke while sending failed statements: they are
     * reported from the timer, never from in here. */
    rearm(l);
}

int lb_loop_query(lb_loop *l, const char *sql, int nparams,
                  const char *const *values, lakebase_done_fn done,
                  void *userdata, lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    int code = check_statement(sql, nparams, values, done, err);
    if (code != 0)
        return code;
    if (l->phase != OPEN)
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    op *o = new_op(OP_STATEMENT, sql, nparams, values);
    if (!o)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    o->done = done;
    o->userdata = userdata;
    enqueue(l, o, l->cfg.acquire_timeout_ms);
    return 0;
}

int lb_loop_lease(lb_loop *l, long timeout_ms, lakebase_lease_fn done,
                  void *userdata, lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    if (!done)
        return lb_err(err, LAKEBASE_EINVAL, "done must not be NULL");
    if (l->phase != OPEN)
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    op *o = new_op(OP_LEASE, NULL, 0, NULL);
    if (!o)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    o->lease = done;
    o->userdata = userdata;
    o->since_us = lb_duration_clock_us();
    l->leases_queued++;
    enqueue(l, o, timeout_ms < 0 ? l->cfg.acquire_timeout_ms : timeout_ms);
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
    if (!on_host(l))
        return not_host(err);
    int code = check_statement(sql, nparams, values, done, err);
    if (code != 0)
        return code;
    if (l->phase != OPEN)
        return lb_err(err, LAKEBASE_ECLOSED,
                      "the pool is closing: no new statement on its "
                      "connections; release it");
    op *o = new_op(OP_STATEMENT, sql, nparams, values);
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
    if (!on_host(l))
        return;
    c->loop_lease = NULL;
    c->tag = LB_TAG_DEAD;
    k->role = ROLE_RETURNING;
    if (!k->flight.n && !k->waiting.n)
        finish_return(l, k);
    dispatch(l);
    rearm(l);
}

static void pool_opened(void *userdata, lakebase_error *err) {
    lb_loop *l = userdata;
    atomic_store(&l->open_err, err);
    atomic_store(&l->opened, 1);
    lb_pool_loop_wake(l->pool);
}

int lb_loop_open(lb_loop *l, void (*done)(void *userdata, lakebase_error *err),
                 void *userdata, lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    if (l->phase != OPEN)
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is closed");
    if (l->open_done)
        return lb_err(err, LAKEBASE_EINVAL, "an open is already under way");
    l->open_done = done;
    l->open_userdata = userdata;
    int code = lb_pool_open_async(l->pool, pool_opened, l, err);
    if (code != 0)
        l->open_done = NULL;
    return code;
}

int lb_loop_on_refresh(lb_loop *l, void (*fn)(void *userdata), void *userdata,
                       lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    l->on_refresh = fn;
    l->refresh_userdata = userdata;
    return 0;
}

void lb_loop_signal_refresh(lb_loop *l) {
    atomic_store(&l->refreshed, 1);
    lb_pool_loop_wake(l->pool);
}

int lb_loop_on_socket(lb_loop *l, int fd, int events, lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    if (l->phase == CLOSED)
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
    if (!on_host(l))
        return not_host(err);
    if (l->phase == CLOSED)
        return 0;
    l->timer_at = INT64_MAX; /* it fired */
    uncork_all(l);
    expire(l, now_ms(l));
    settle(l);
    return 0;
}

int lb_loop_busy(const lb_loop *l) {
    return l->queued.n + l->in_flight + l->done.n;
}

int lb_loop_close_async(lb_loop *l, long cancel_after_ms,
                        void (*done)(void *userdata), void *userdata,
                        lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    if (l->phase != OPEN)
        return lb_err(err, LAKEBASE_ECLOSED, "the pool is already closing");
    int code = lb_pool_close_async(l->pool, -1, pool_closed, l, err);
    if (code != 0)
        return code;
    l->phase = CLOSING;
    l->close_done = done;
    l->close_userdata = userdata;
    int64_t now = now_ms(l);
    if (cancel_after_ms >= 0) {
        l->cancel_at = now + cancel_after_ms;
        l->drop_at = l->cancel_at + LB_LOOP_CANCEL_GRACE_MS;
    }
    for (op *o; (o = pop(&l->queued)) != NULL;)
        fail(l, o, make_error(LAKEBASE_ECLOSED, "the pool was closed"));
    l->leases_queued = 0;
    if (l->open_done) {
        lakebase_error *e = make_error(LAKEBASE_ECLOSED, "the pool was closed");
        void (*fn)(void *, lakebase_error *) = l->open_done;
        l->open_done = NULL;
        atomic_store(&l->opened, 0);
        lb_err_destroy(atomic_exchange(&l->open_err, NULL));
        fn(l->open_userdata, e);
    }
    uncork_all(l);
    /* Reported from the host's next call into the loop, never from in
     * here: the timer comes round at once. */
    wind_down(l, now);
    l->timer_at = 0;
    l->timer(l->userdata, 0);
    return 0;
}

static void closed_flag(void *userdata) { *(int *)userdata = 1; }

int lb_loop_close(lb_loop *l, int cancel_inflight, lakebase_error **err) {
    if (!on_host(l))
        return not_host(err);
    if (l->phase == CLOSED)
        return 0;
    int done = 0;
    if (l->phase == OPEN) {
        int code = lb_loop_close_async(l, cancel_inflight ? 0 : -1, closed_flag,
                                       &done, err);
        if (code != 0)
            return code;
    }
    /* Drive the close here (the host blocks: this is the synchronous
     * close): connections with work in flight, and the eventfd that
     * brings the pool's completion. */
    while (l->phase != CLOSED) {
        struct pollfd fds[65];
        lconn *ks[64];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = l->evfd, .events = POLLIN};
        for (lconn *k = l->conns; k && n < 65; k = k->next) {
            ks[n - 1] = k;
            fds[n++] = (struct pollfd){
                .fd = k->fd,
                .events =
                    (short)(POLLIN |
                            (k->watched & LAKEBASE_WATCH_WRITE ? POLLOUT : 0))};
        }
        int64_t wait = min64(l->cancel_at, l->drop_at) - now_ms(l);
        if (poll(fds, n, wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait) < 0)
            continue;
        uncork_all(l);
        if (fds[0].revents)
            collect(l);
        for (nfds_t i = 1; i < n; i++)
            if (fds[i].revents && find_conn(l, fds[i].fd) == ks[i - 1])
                service_conn(l, ks[i - 1],
                             fds[i].revents & POLLOUT ? LAKEBASE_WATCH_WRITE
                                                      : LAKEBASE_WATCH_READ);
        settle(l);
    }
    (void)done;
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
