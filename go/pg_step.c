// Code generated from core/pg_step.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* A statement driven step by step on one connection, for hosts that wait
 * on sockets with their own poller (Go's netpoller): the send never blocks,
 * and each advance reads what has arrived. No thread waits inside the
 * library for the server. A text run often enough on the connection is
 * prepared there first (pg_statements.h): its Prepare is one more step,
 * after which the execute is sent. */
#include <openssl/ssl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pg_conn.h"

/* What the caller waits for next: readable, plus writable while libpq
 * holds output it could not send yet. -1 when the connection broke. */
static int want(lb_pg_conn *c, int *fd, int *events) {
    int pending = PQflush(c->pg);
    if (pending < 0)
        return -1;
    *fd = PQsocket(c->pg);
    *events = LAKEBASE_WATCH_READ | (pending ? LAKEBASE_WATCH_WRITE : 0);
    return 0;
}

/* Parameters kept for the execute that follows a Prepare (the caller's
 * are only borrowed for the send). */
static int keep_values(lb_pg_conn *c, int nparams, const char *const *values) {
    c->step_nparams = nparams;
    if (nparams == 0)
        return 0;
    c->step_values = calloc((size_t)nparams, sizeof *c->step_values);
    if (!c->step_values)
        return -1;
    for (int i = 0; i < nparams; i++)
        if (values[i] && !(c->step_values[i] = strdup(values[i])))
            return -1;
    return 0;
}

static void drop_values(lb_pg_conn *c) {
    if (!c->step_values)
        return;
    for (int i = 0; i < c->step_nparams; i++)
        free(c->step_values[i]);
    free(c->step_values);
    c->step_values = NULL;
}

/* Clears what the statement under way held. */
static void step_done(lb_pg_conn *c) {
    PQclear(c->step_res);
    c->step_res = NULL;
    c->stepping = 0;
    c->step_stmt = NULL;
    c->step_preparing = 0;
    c->step_exec_prepared = 0;
    drop_values(c);
}

void lb_pg_step_abandon(lb_pg_conn *c) {
    step_done(c);
    c->broken = 1;
}

/* Sends the statement as it stands, unprepared. Without parameters the
 * simple protocol (several statements allowed, the last one's result
 * kept), as lb_pg_exec. */
static int send_unprepared(lb_pg_conn *c, const char *sql, int nparams,
                           const char *const *values) {
    return nparams == 0 ? PQsendQuery(c->pg, sql)
                        : PQsendQueryParams(c->pg, sql, nparams, NULL, values,
                                            NULL, NULL, 0);
}

static int send_prepared(lb_pg_conn *c, const lb_pg_statement *st, int nparams,
                         const char *const *values) {
    c->step_exec_prepared = 1;
    return PQsendQueryPrepared(c->pg, st->name, nparams, values, NULL, NULL, 0);
}

/* The Prepare's outcome is in (step_res: its error, if it failed): sends
 * the execute, prepared or not. 0, or -1 when the statement ends here (a
 * cancel that hit the Prepare, a broken connection). */
static int send_after_prepare(lb_pg_conn *c) {
    lb_pg_statement *st = c->step_stmt;
    PGresult *failed = c->step_res;
    c->step_preparing = 0;
    if (failed && atomic_load(&c->cancel_requested))
        return -1; /* reported as the cancel */
    const char *sqlstate =
        failed ? PQresultErrorField(failed, PG_DIAG_SQLSTATE) : NULL;
    if (!failed)
        st->state = LB_STMT_PREPARED;
    else if (sqlstate && strcmp(sqlstate, "42601") == 0)
        st->state = LB_STMT_REFUSED; /* several statements, or bad SQL */
    else
        lb_pg_statement_forget(st); /* tried again another time */
    PQclear(failed);
    c->step_res = NULL;
    const char *const *values = (const char *const *)c->step_values;
    int sent = failed ? send_unprepared(c, st->sql, c->step_nparams, values)
                      : send_prepared(c, st, c->step_nparams, values);
    drop_values(c);
    return sent ? 0 : -1;
}

/* The statement ended (its last result, or a broken connection). */
static int end(lb_pg_conn *c, PGresult **out, lakebase_error **err) {
    PGresult *res = c->step_res;
    c->step_res = NULL;
    /* The server lost the prepared statement (a DEALLOCATE, DISCARD ALL)
     * or its plan no longer fits the tables: prepare it anew next time. */
    const char *sqlstate =
        res && c->step_exec_prepared && PQresultStatus(res) == PGRES_FATAL_ERROR
            ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
            : NULL;
    if (sqlstate &&
        (strcmp(sqlstate, "26000") == 0 || strcmp(sqlstate, "0A000") == 0))
        lb_pg_statement_forget(c->step_stmt);
    step_done(c);
    return lb_pg_outcome(c, res, out, err);
}

/* Whether more input waits to be read now: in the kernel, or decrypted
 * already inside TLS. libpq reads at most one chunk per call, while an
 * edge-triggered poller (Go's) reports readiness once: what is left after
 * an advance must be read before the caller waits again, or its wait may
 * never end. */
static int input_waiting(const lb_pg_conn *c) {
    SSL *ssl = PQsslStruct(c->pg, "OpenSSL");
    if (ssl && SSL_pending(ssl) > 0)
        return 1;
    struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP));
}

int lb_pg_unread(lb_pg_conn *c) { return c->pg && input_waiting(c); }

int lb_pg_advance(lb_pg_conn *c, int *fd, int *events, PGresult **out,
                  lakebase_error **err) {
    *out = NULL;
    if (!c->stepping)
        return lb_err(err, LAKEBASE_EINVAL,
                      "no statement is under way on this connection: send "
                      "one first");
    do {
        if (!PQconsumeInput(c->pg))
            return end(c, out, err);
        while (!PQisBusy(c->pg)) {
            PGresult *r = PQgetResult(c->pg);
            if (c->step_preparing) {
                if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
                    PQclear(r);
                } else if (r) {
                    PQclear(c->step_res);
                    c->step_res = r;
                } else if (send_after_prepare(c) != 0) {
                    return end(c, out, err);
                }
                continue;
            }
            if (!r) /* the statement's results end: the last one counts */
                return end(c, out, err);
            ExecStatusType st = PQresultStatus(r);
            PQclear(c->step_res);
            c->step_res = r;
            if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT ||
                st == PGRES_COPY_BOTH)
                return end(c, out, err); /* refused there; no end would come */
        }
    } while (input_waiting(c));
    if (want(c, fd, events) != 0)
        return end(c, out, err);
    return 1;
}

int lb_pg_send(lb_pg_conn *c, const char *sql, int nparams,
               const char *const *values, int *fd, int *events, PGresult **out,
               lakebase_error **err) {
    *out = NULL;
    if (c->stepping)
        return lb_err(err, LAKEBASE_EINVAL,
                      "a statement is still under way on this connection: "
                      "advance it to its end first");
    atomic_store(&c->cancel_requested, 0);
    if (!PQisnonblocking(c->pg) && PQsetnonblocking(c->pg, 1) != 0)
        return lb_pg_statement_error(c, NULL, err);
    lb_pg_statement *st =
        c->prepare_threshold > 0
            ? lb_pg_statement_use(&c->statements, sql, nparams)
            : NULL;
    c->step_stmt = st;
    int sent;
    if (st && st->state == LB_STMT_PREPARED) {
        sent = send_prepared(c, st, nparams, values);
    } else if (st && st->state == LB_STMT_SEEN &&
               st->uses >= (uint32_t)c->prepare_threshold &&
               PQtransactionStatus(c->pg) != PQTRANS_INERROR &&
               keep_values(c, nparams, values) == 0) {
        lb_pg_statement_name(&c->statements, st);
        sent = PQsendPrepare(c->pg, st->name, sql, nparams, NULL);
        c->step_preparing = 1;
    } else {
        drop_values(c); /* (a copy that failed half-way) */
        sent = send_unprepared(c, sql, nparams, values);
    }
    if (!sent) {
        step_done(c);
        return lb_pg_statement_error(c, NULL, err);
    }
    c->stepping = 1;
    if (want(c, fd, events) != 0)
        return end(c, out, err);
    return 1;
}
