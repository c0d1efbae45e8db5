/* A statement driven step by step on one connection, for hosts that wait
 * on sockets with their own poller (Go's netpoller): the send never blocks,
 * and each advance reads what has arrived. No thread waits inside the
 * library for the server. */
#include <openssl/ssl.h>
#include <poll.h>

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

/* The statement ended (its last result, or a broken connection). */
static int end(lb_pg_conn *c, PGresult **out, lakebase_error **err) {
    PGresult *res = c->step_res;
    c->step_res = NULL;
    c->stepping = 0;
    return lb_pg_outcome(c, res, out, err);
}

/* Whether more input waits to be read now: in the kernel, or decrypted
 * already inside TLS. libpq reads at most one chunk per call, while an
 * edge-triggered poller (Go's) reports readiness once: what is left after
 * an advance must be read before the caller waits again, or its wait may
 * never end. */
static int input_waiting(lb_pg_conn *c) {
    SSL *ssl = PQsslStruct(c->pg, "OpenSSL");
    if (ssl && SSL_pending(ssl) > 0)
        return 1;
    struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP));
}

int lb_pg_alive(lb_pg_conn *c) {
    if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
        return 0;
    /* An idle session gets nothing unasked but notices, parameter changes
     * and notifications; a termination notice is followed by the end of
     * the stream, which the next read reports. */
    for (int reads = 0; reads < 4 && input_waiting(c); reads++)
        if (!PQconsumeInput(c->pg))
            return 0;
    return PQstatus(c->pg) == CONNECTION_OK;
}

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
    /* Without parameters the simple protocol (several statements allowed,
     * the last one's result kept), as lb_pg_exec. */
    int sent = nparams == 0 ? PQsendQuery(c->pg, sql)
                            : PQsendQueryParams(c->pg, sql, nparams, NULL,
                                                values, NULL, NULL, 0);
    if (!sent)
        return lb_pg_statement_error(c, NULL, err);
    c->stepping = 1;
    if (want(c, fd, events) != 0)
        return end(c, out, err);
    return 1;
}
