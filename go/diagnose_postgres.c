// Code generated from core/diagnose_postgres.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The diagnosis steps that talk to PostgreSQL: DNS, TCP, TLS, login and
 * `SELECT 1`, one attempt each (no retries: the point is to see what
 * fails). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diagnose_internal.h"
#include "error.h"
#include "pg_error.h"

/* One step's budget when the pool's connect timeout is longer. */
#define STEP_BUDGET_MS 10000

static long budget_ms(const lb_diag *d) {
    long ms = d->rc.pool.connect_timeout_ms;
    return ms > 0 && ms < STEP_BUDGET_MS ? ms : STEP_BUDGET_MS;
}

static void skip(lb_diag *d, const char *name, const char *why) {
    lb_diag_report(d, name, LAKEBASE_VERDICT_SKIP, 0, 0, NULL, "%s", why);
}

/* The address to connect to (first of the host's, or pg.hostaddr). */
static int resolve(lb_diag *d, struct addrinfo **out) {
    int64_t t0 = lb_diag_now_us();
    const lb_credential *c = d->cred;
    char port[16];
    snprintf(port, sizeof port, "%d", c->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    if (c->hostaddr)
        hints.ai_flags = AI_NUMERICHOST;
    const char *name = c->hostaddr ? c->hostaddr : c->host;
    int rc = getaddrinfo(name, port, &hints, out);
    if (rc != 0) {
        lb_diag_report(
            d, "dns", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ECONNECTION,
            "check the host; some resolvers fail on long Lakebase "
            "host names: resolve it another way and set "
            "pg.hostaddr to its address (pg.host stays for TLS)",
            "%s %s does not resolve: %s", c->hostaddr ? "pg.hostaddr" : "host",
            name, gai_strerror(rc));
        return -1;
    }
    char addr[NI_MAXHOST] = "?";
    getnameinfo((*out)->ai_addr, (*out)->ai_addrlen, addr, sizeof addr, NULL, 0,
                NI_NUMERICHOST);
    lb_diag_report(d, "dns", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                   c->hostaddr ? "pg.hostaddr %s given (%s not resolved)"
                               : "%s resolves to %s",
                   c->hostaddr ? addr : c->host, c->hostaddr ? c->host : addr);
    return 0;
}

/* A TCP connect with a deadline: 0, or the errno that ended it. */
static int tcp_connect(const struct addrinfo *ai, long timeout_ms) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int e = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        e = errno;
        if (e == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int n = poll(&p, 1, (int)timeout_ms);
            socklen_t len = sizeof e;
            if (n == 0)
                e = ETIMEDOUT;
            else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len))
                e = errno;
        }
    }
    close(fd);
    return e;
}

static void tcp(lb_diag *d, const struct addrinfo *ai) {
    int64_t t0 = lb_diag_now_us();
    const lb_credential *c = d->cred;
    int e = tcp_connect(ai, budget_ms(d));
    if (e == 0) {
        d->tcp_ok = 1;
        lb_diag_report(d, "tcp", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "connected to %s port %d", c->host, c->port);
        return;
    }
    if (d->scaled_to_zero && (e == ECONNREFUSED || e == ETIMEDOUT)) {
        lb_diag_report(
            d, "tcp", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ECONNECTION,
            "retry in a few seconds, once it is awake; applications should "
            "retry wake-ups (a pool does, within pool.connect_timeout_ms: "
            "raise it if wake-ups take longer)",
            "%s port %d: %s, because the endpoint is scaled to zero and "
            "still waking (state %s)",
            c->host, c->port, strerror(e), d->resource_state);
        return;
    }
    lb_diag_report(d, "tcp", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ECONNECTION,
                   "check pg.port and that this machine may reach the "
                   "server (firewall, VPN, IP access list)",
                   "%s port %d: %s", c->host, c->port, strerror(e));
}

/* One libpq connect, stepped with a deadline, errors verbose (so the
 * SQLSTATE is in the message). */
static PGconn *pg_login(lb_diag *d) {
    const lb_credential *c = d->cred;
    char port[16];
    snprintf(port, sizeof port, "%d", c->port);
    const char *keys[] = {"host",       "hostaddr",    "port",
                          "dbname",     "user",        "password",
                          "sslmode",    "sslrootcert", "application_name",
                          "gssencmode", NULL};
    const char *vals[] = {
        c->host,           c->hostaddr, port,       c->database,
        c->user,           c->token,    c->sslmode, c->sslrootcert,
        "lakebase doctor", "disable",   NULL};
    /* libpq stops at the first NULL keyword: unset values are "". */
    for (int i = 0; keys[i]; i++)
        if (!vals[i])
            vals[i] = "";
    PGconn *conn = PQconnectStartParams(keys, vals, 0);
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
        return conn;
    PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    int64_t deadline = lb_diag_now_us() / 1000 + budget_ms(d);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        struct pollfd p = {.fd = PQsocket(conn),
                           .events =
                               st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
        int64_t left = deadline - lb_diag_now_us() / 1000;
        if (left <= 0 || poll(&p, 1, (int)left) == 0) {
            PQfinish(conn);
            return NULL;
        }
        st = PQconnectPoll(conn);
    }
    return conn;
}

static int tls_failure(const char *msg) {
    return strstr(msg, "SSL") || strstr(msg, "certificate") ||
           strstr(msg, "TLS") || strstr(msg, "ssl");
}

static const char *login_fix(const lb_diag *d, const char *sqlstate,
                             const char *reason) {
    if (strcmp(sqlstate, "28P01") == 0) {
        if (strstr(reason, "workspace_token") ||
            (!lb_config_is_minting(&d->rc)))
            return "the password is not a database credential: unset "
                   "pg.password (PGPASSWORD) and set lakebase.endpoint or "
                   "lakebase.instance so one is minted";
        if (strstr(reason, "wrong_identity"))
            return "the credential was minted for another role: unset "
                   "pg.user (PGUSER) or mint with the identity of that role";
        if (strstr(reason, "expired"))
            return "the credential expired before it was used: check the "
                   "clock (see clock_skew) and retry";
        return "log in as the role of the identity that minted the "
               "credential (unset pg.user / PGUSER)";
    }
    if (strcmp(sqlstate, "28000") == 0)
        return "the role may not log in: create the Postgres role for this "
               "identity (databricks_create_role) or grant it LOGIN";
    if (strcmp(sqlstate, "3D000") == 0)
        return "set pg.database (PGDATABASE) to a database that exists "
               "(databricks_postgres by default)";
    if (strcmp(sqlstate, "57P03") == 0)
        return "the server is starting (waking from scale to zero): retry "
               "in a few seconds";
    return "see the server's message";
}

static void login_steps(lb_diag *d) {
    int64_t t0 = lb_diag_now_us();
    const lb_credential *c = d->cred;
    PGconn *conn = pg_login(d);
    if (!conn) {
        lb_diag_report(d, "tls", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ETIMEOUT,
                       "check that the server speaks PostgreSQL on this port",
                       "no answer from %s port %d within %ld ms", c->host,
                       c->port, budget_ms(d));
        skip(d, "login", "TLS did not complete");
        skip(d, "query", "not logged in");
        return;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(conn);
        char sqlstate[6] = "", reason[400];
        lb_pg_classify_connect(msg, sqlstate);
        lb_pg_connect_reason(msg, reason, sizeof reason);
        if (!sqlstate[0] && tls_failure(msg)) {
            lb_diag_report(
                d, "tls", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ECONNECTION,
                c->sslrootcert
                    ? "pg.sslrootcert does not hold the CA that signed the "
                      "server's certificate: point it at the right bundle, or "
                      "use sslmode=require (encrypted, not verified)"
                    : "with sslmode verify-ca or verify-full set "
                      "pg.sslrootcert (PGSSLROOTCERT) to the server's CA, or "
                      "use sslmode=require",
                "TLS to %s port %d (sslmode %s) failed: %s", c->host, c->port,
                c->sslmode, reason);
            skip(d, "login", "TLS did not complete");
            skip(d, "query", "not logged in");
            PQfinish(conn);
            return;
        }
        lb_diag_report(d, "tls", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "sslmode %s: the server answered past TLS", c->sslmode);
        int64_t t1 = lb_diag_now_us();
        lb_diag_report(d, "login", LAKEBASE_VERDICT_FAIL, t1,
                       sqlstate[0] ? LAKEBASE_ELOGIN : LAKEBASE_ECONNECTION,
                       login_fix(d, sqlstate, reason),
                       "login as %s to database %s refused%s%s: %s", c->user,
                       c->database, sqlstate[0] ? " with " : "", sqlstate,
                       reason);
        skip(d, "query", "not logged in");
        PQfinish(conn);
        return;
    }
    const char *proto = PQsslAttribute(conn, "protocol");
    const char *cipher = PQsslAttribute(conn, "cipher");
    if (PQsslInUse(conn))
        lb_diag_report(d, "tls", LAKEBASE_VERDICT_OK, t0, 0, NULL,
                       "%s, %s (sslmode %s)", proto ? proto : "TLS",
                       cipher ? cipher : "?", c->sslmode);
    else
        lb_diag_report(d, "tls", LAKEBASE_VERDICT_FAIL, t0, LAKEBASE_ECONFIG,
                       "set pg.sslmode to require or stronger",
                       "the connection is not encrypted (sslmode %s)",
                       c->sslmode);
    lb_diag_report(d, "login", LAKEBASE_VERDICT_OK, 0, 0, NULL,
                   "logged in as %s to database %s", PQuser(conn), PQdb(conn));
    int64_t t2 = lb_diag_now_us();
    PGresult *res = PQexec(conn, "SELECT 1");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
        strcmp(PQgetvalue(res, 0, 0), "1") == 0)
        lb_diag_report(d, "query", LAKEBASE_VERDICT_OK, t2, 0, NULL,
                       "SELECT 1 returned 1");
    else
        lb_diag_report(d, "query", LAKEBASE_VERDICT_FAIL, t2, LAKEBASE_ESQL,
                       "see the server's message", "SELECT 1 failed: %s",
                       PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(conn);
}

void lb_diag_postgres(lb_diag *d) {
    static const char *const steps[] = {"dns",   "tcp",   "tls",
                                        "login", "query", NULL};
    if (!d->cred) {
        for (const char *const *s = steps; *s; s++)
            skip(d, *s, "no credential to log in with");
        return;
    }
    struct addrinfo *ai = NULL;
    if (resolve(d, &ai) != 0) {
        for (const char *const *s = steps + 1; *s; s++)
            skip(d, *s, "the host did not resolve");
        return;
    }
    tcp(d, ai);
    freeaddrinfo(ai);
    if (!d->tcp_ok) {
        for (const char *const *s = steps + 2; *s; s++)
            skip(d, *s, "no TCP connection");
        return;
    }
    login_steps(d);
}
