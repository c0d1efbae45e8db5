// Code generated from core/pg_conn.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* One physical PostgreSQL connection: the non-blocking connect with
 * Lakebase's retry rules, statements on the caller's thread, cancel from
 * another thread, and the checks a pool makes before reuse. */
#ifndef LB_PG_CONN_H
#define LB_PG_CONN_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lakebase.h"
#include "log.h"
#include "pg_statements.h"

typedef struct lb_login lb_login; /* login.h */

/* What every connection of a pool shares. Strings are borrowed from the
 * owner (NULL when unset) and outlive every connect. */
typedef struct lb_pg_settings {
    const char *hostaddr;
    const char *sslrootcert;
    const char *application_name;
    long connect_timeout_ms;   /* the whole budget, retries included */
    long statement_timeout_ms; /* 0 = none */
    int prepare_threshold;     /* runs of a text before it is prepared */
    /* For login error messages: who mints the credential, and the key that
     * names the role ("pg.user"), never a secret. */
    const char *identity;
    const lb_logger *log;
    const lb_span_listener *spans; /* each connect's span */
} lb_pg_settings;

/* The connection. It is also the public lakebase_conn handle: its tag is
 * LB_TAG_CONN only while it is leased (or is a direct connection), so a
 * handle used after release is reported as LAKEBASE_EHANDLE. */
struct lakebase_conn {
    uint32_t tag;
    PGconn *pg;
    atomic_int cancel_requested; /* lakebase_conn_cancel since the statement
                                    began */
    /* The last cancel sent, if any: set by whichever thread cancels (the
     * caller's, a closing pool's), read by the releasing one. */
    struct lb_cancel_request *_Atomic cancel;
    int broken;  /* never reuse: discard on release */
    uint64_t id; /* never reused in the process */
    /* Client-side deadlines (0: none): how long a statement may go without
     * its answer (pool.statement_timeout_ms plus a grace), and how long an
     * empty query may take to validate an idle connection. */
    long answer_within_ms;
    long validate_within_ms;
    int stepping;       /* a statement sent with lb_pg_send is under way */
    PGresult *step_res; /* its last result so far */
    /* Statements prepared on this connection (pg_statements.h), and the
     * one under way: while its Prepare runs (step_preparing) its
     * parameters wait in step_values for the execute that follows. */
    lb_pg_statements statements;
    int prepare_threshold; /* 0: never prepare */
    lb_pg_statement *step_stmt;
    int step_preparing;
    int step_exec_prepared;
    int step_nparams;
    char **step_values;
    int state;             /* lb_conn_state (pool_life.h), the pool's books */
    int64_t born_ms;       /* the pool's clock */
    int64_t retire_ms;     /* the pool's clock; INT64_MAX = never */
    int64_t idle_since_ms; /* the pool's clock */
    /* Who takes the connection back in lakebase_conn_release: the pool, or
     * the direct connection's owner, which closes it. */
    void (*on_release)(void *owner, struct lakebase_conn *c);
    void *owner;
    struct lakebase_conn *prev, *next; /* the owner's lists */
    struct lakebase_conn *hand_next;   /* the pool's hand-over queue */
    /* Set while the loop side (pool_loop.c) lends it to one caller through
     * lakebase_pool_acquire_async: non-blocking, driven by the loop. */
    void *loop_lease;
};
typedef struct lakebase_conn lb_pg_conn;

/* Opens one connection with the login's current credential (minted on
 * this thread when none is cached), retrying
 * connection refused / 57P03 with jittered backoff until
 * settings->connect_timeout_ms, re-minting once after 28P01, and failing
 * fast (LAKEBASE_ELOGIN) on any other refused login. `stop` (may be NULL)
 * aborts the attempt with LAKEBASE_ECLOSED when it becomes non-zero; it is
 * checked at least every 100 ms. */
int lb_pg_connect(lb_login *login, const atomic_int *stop, lb_pg_conn **out,
                  lakebase_error **err);

/* The same connect as a state machine, so one thread can drive several at
 * once (the pool's background connects) without blocking: the caller
 * supplies the credential for each attempt (lb_pg_connector_give), so
 * minting one never happens inside a step. */
typedef struct lb_pg_connector lb_pg_connector;

/* lb_pg_connector_step: a credential is needed for the next attempt. */
#define LB_PG_NEEDS_CREDENTIAL 2

/* What a connect in progress waits for: `fd` becoming ready for `events`
 * (POLLIN or POLLOUT; fd -1 when it only waits for time), at most until
 * `until_ms` (monotonic), when it must be stepped anyway. */
typedef struct lb_pg_wait {
    int fd;
    short events;
    int64_t until_ms;
} lb_pg_wait;

int lb_pg_connector_new(lb_login *login, lb_pg_connector **out,
                        lakebase_error **err);

/* Advances the connect; `ready` says the last wait's fd became ready.
 * Returns 1 (still going, *w says what to wait for),
 * LB_PG_NEEDS_CREDENTIAL (give one, then step again), 0 (*out is the new
 * connection) or the error code of a connect that failed for good. */
int lb_pg_connector_step(lb_pg_connector *cc, int ready, lb_pg_wait *w,
                         lb_pg_conn **out, lakebase_error **err);

/* Hands the connect the credential for its next attempt (ownership moves
 * in; the login's, e.g. from lb_login_get). */
void lb_pg_connector_give(lb_pg_connector *cc,
                          struct lakebase_credential *cred);

/* Reports the connect's span to the login's listener once, when it ended
 * (code 0: connected; else why, `e` may be NULL). lb_pg_connector_step
 * does so for the ends it returns; the driver calls it for an end found
 * outside a step (no credential could be had). No lock held. NULL ok. */
void lb_pg_connector_end(lb_pg_connector *cc, int code,
                         const lakebase_error *e);

/* Abandons a connect in progress (or frees a finished one). NULL ok. */
void lb_pg_connector_free(lb_pg_connector *cc);

/* Closes and frees. Accepts NULL. */
void lb_pg_close(lb_pg_conn *c);

/* Closes the connection but keeps the struct (a handle a caller still
 * holds): pg and cancel become NULL. lb_pg_close frees it later. */
void lb_pg_disconnect(lb_pg_conn *c);

/* Runs one statement (text parameters, NULL = SQL NULL). *out is set on
 * success (including an empty query). A broken connection is marked so.
 * With no answer within the connection's answer_within_ms it gives up:
 * LAKEBASE_ETIMEOUT, and the connection is marked broken (its protocol
 * state is unknown; the server ends the session when it is closed). */
int lb_pg_exec(lb_pg_conn *c, const char *sql, int nparams,
               const char *const *values, PGresult **out, lakebase_error **err);

/* A statement's final result (taken; may be NULL) as lb_pg_exec reports
 * it: 0 with *out on success, else the error. */
int lb_pg_outcome(lb_pg_conn *c, PGresult *res, PGresult **out,
                  lakebase_error **err);

/* A statement driven step by step, for a host that waits with its own
 * poller (pg_step.c): sends without blocking; then, each time the socket
 * is ready, advances. Both return 0 when the statement is done (*out set),
 * 1 when the caller must wait for `*events` (LAKEBASE_WATCH_*) on `*fd`,
 * or the statement's error. One statement at a time per connection. */
int lb_pg_send(lb_pg_conn *c, const char *sql, int nparams,
               const char *const *values, int *fd, int *events, PGresult **out,
               lakebase_error **err);
int lb_pg_advance(lb_pg_conn *c, int *fd, int *events, PGresult **out,
                  lakebase_error **err);

/* Gives up on the statement under way (its answer did not come in time):
 * the connection is marked broken, its protocol state being unknown. */
void lb_pg_step_abandon(lb_pg_conn *c);

/* The error for a statement whose result `res` (may be NULL) is not a
 * success: code, SQLSTATE and message as lb_pg_exec reports them; marks a
 * lost connection broken. */
int lb_pg_statement_error(lb_pg_conn *c, const PGresult *res,
                          lakebase_error **err);

/* Asks the server to cancel whatever `c` runs, without blocking: the
 * request (a short connection of its own) is sent from a worker thread
 * (workers.h). Call while `c` is open and before it is released or closed;
 * LAKEBASE_ECONNECTION when no worker can take it. */
int lb_pg_cancel(lb_pg_conn *c, lakebase_error **err);

/* 1 while a cancel request for `c` may still reach its server: a
 * connection returned then is not reused (the request could cancel the
 * next caller's statement). */
int lb_pg_cancel_pending(lb_pg_conn *c);

/* 1 when an empty query round-trips within validate_within_ms and no
 * transaction is open; 0 otherwise (a connection that did not answer in
 * time is marked broken). */
int lb_pg_validate(lb_pg_conn *c);

/* 1 when input waits unread on the connection (in the socket or inside
 * TLS): on an idle one, the server's termination notice or the end of the
 * stream, say. Reads nothing and never blocks (pg_step.c). */
int lb_pg_unread(lb_pg_conn *c);

/* Makes a returned connection reusable: rolls back an open or failed
 * transaction. 0 when reusable, -1 when it must be discarded. */
int lb_pg_reset(lb_pg_conn *c);

/* Monotonic milliseconds (coarse: a few ms resolution, cheap to read). */
int64_t lb_pg_now_ms(void);

#endif
