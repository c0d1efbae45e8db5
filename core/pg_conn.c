#include "pg_conn.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "handle.h"
#include "login.h"
#include "pg_error.h"
#include "retry.h"
#include "workers.h"

/* A compute waking from scale to zero answers within "a few hundred ms":
 * start retrying quickly, but never hammer it more than every 2 s. */
static const lb_backoff CONNECT_BACKOFF = {.floor_ms = 100, .cap_ms = 2000};
/* How often a blocked connect looks at its stop flag. */
#define STOP_CHECK_MS 100

int64_t lb_pg_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopped(const atomic_int *stop) {
    return stop && atomic_load_explicit(stop, memory_order_relaxed);
}

/* ---- connect parameters ---------------------------------------------------
 */

/* The session settings the result accessors rely on, plus the statement
 * timeout. */
static void login_options(const lb_pg_settings *s, char *buf, size_t cap) {
    int n = snprintf(buf, cap,
                     "-c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex");
    if (s->statement_timeout_ms > 0 && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, " -c statement_timeout=%ld",
                 s->statement_timeout_ms);
}

/* Appends one connection keyword; unset (NULL) values are left to libpq. */
static void add_param(const char **keys, const char **vals, size_t *n,
                      const char *key, const char *value) {
    if (!value)
        return;
    keys[*n] = key;
    vals[(*n)++] = value;
}

/* ---- messages -------------------------------------------------------------
 */

static const char *hint_for(const char *sqlstate, const char *reason,
                            const lb_pg_settings *s,
                            const lb_credential *cred) {
    if (strcmp(sqlstate, "3D000") == 0)
        return "set pg.database (PGDATABASE) to an existing database";
    if (!s->identity)
        return "check pg.user and pg.password";
    /* The server says the token expired, or it had by our clock
     * (expire_time_ms 0: unknown). */
    if (strstr(reason, "expired") ||
        (cred->expire_time_ms > 0 &&
         cred->expire_time_ms <= lb_wall_ms(lb_clock_system())))
        return "the credential had expired when it reached the server (the "
               "workspace issued it expired, or this machine's clock is "
               "off): check the system clock against the workspace's";
    return "the role must be the identity that minted the credential: set "
           "PGUSER / pg.user to that identity, or unset it to use the "
           "identity's own role";
}

static int login_error(const lb_pg_settings *s, const lb_credential *cred,
                       const char *sqlstate, const char *message, int reminted,
                       lakebase_error **err) {
    char reason[512];
    lb_pg_connect_reason(message, reason, sizeof reason);
    return lb_err_sql(
        err, LAKEBASE_ELOGIN, sqlstate,
        "login refused for role \"%.200s\" on database \"%.100s\" at "
        "%.200s:%d (credential minted by %.200s%s): SQLSTATE %s: %.400s; %s",
        cred->user, cred->database, cred->host, cred->port,
        s->identity ? s->identity : "nobody: static password pg.password",
        reminted ? ", refused again with a freshly minted one" : "", sqlstate,
        reason, hint_for(sqlstate, reason, s, cred));
}

/* ---- the connect loop -----------------------------------------------------
 */

/* Connection ids: never reused in the process. */
static atomic_uint_fast64_t last_id;

/* How long after pool.statement_timeout_ms the client stops waiting for a
 * statement's answer: the server's own timeout error comes first whenever
 * the server can still send it. */
#define STATEMENT_GRACE_MS 1000

/* Server notices (a RAISE NOTICE, the termination notice before a
 * restart) go to the handle's logger: libpq would print them on stderr.
 * `arg` is the settings' logger, which outlives the connection. */
static void log_notice(void *arg, const char *message) {
    char clean[512];
    lb_pg_connect_reason(message, clean, sizeof clean);
    lb_log((const lb_logger *)arg, LAKEBASE_LOG_DEBUG, "server notice: %s",
           clean);
}

static int finish(const lb_pg_settings *s, PGconn *pg, lb_pg_conn **out,
                  lakebase_error **err) {
    lb_pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        PQfinish(pg);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    c->tag = LB_TAG_DEAD;
    c->id = atomic_fetch_add(&last_id, 1) + 1;
    c->pg = pg;
    PQsetNoticeProcessor(pg, log_notice, (void *)s->log);
    atomic_init(&c->cancel_requested, 0);
    c->born_ms = lb_pg_now_ms();
    c->retire_ms = INT64_MAX;
    c->idle_since_ms = c->born_ms;
    c->answer_within_ms = s->statement_timeout_ms > 0
                              ? s->statement_timeout_ms + STATEMENT_GRACE_MS
                              : 0;
    /* A connection that cannot answer an empty query in the time a login
     * may take is not one to hand out. */
    c->validate_within_ms = s->connect_timeout_ms;
    c->prepare_threshold = s->prepare_threshold;
    *out = c;
    return 0;
}

/* ---- the connect state machine --------------------------------------------
 */

typedef enum connector_state {
    CC_START,   /* needs a credential and a new attempt */
    CC_READY,   /* has the credential: starts the attempt */
    CC_POLLING, /* PQconnectPoll in progress */
    CC_BACKOFF  /* waiting before the next attempt */
} connector_state;

struct lb_pg_connector {
    const lb_pg_settings *s;
    lb_login *login;
    connector_state state;
    PostgresPollingStatusType poll;
    PGconn *pg;
    lb_credential *cred;
    int64_t deadline, backoff_until;
    int tries, reminted;
    char last[512];
    lb_span_record span; /* the connect's, ended once (span_ended) */
    int span_ended;
};

int lb_pg_connector_new(lb_login *login, lb_pg_connector **out,
                        lakebase_error **err) {
    lb_pg_connector *cc = calloc(1, sizeof *cc);
    *out = cc;
    if (!cc)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    cc->s = lb_login_pg(login);
    cc->login = login;
    cc->deadline = lb_pg_now_ms() + cc->s->connect_timeout_ms;
    lb_span_begin(&cc->span, LB_SPAN_CONNECT);
    lb_span_set_text(&cc->span, "db.system.name", "postgresql");
    return 0;
}

/* Ends the current attempt (its PGconn and credential). */
static void drop_attempt(lb_pg_connector *cc) {
    PQfinish(cc->pg);
    cc->pg = NULL;
    lb_credential_free(cc->cred);
    cc->cred = NULL;
}

void lb_pg_connector_free(lb_pg_connector *cc) {
    if (!cc)
        return;
    drop_attempt(cc);
    free(cc);
}

static int timeout_error(lb_pg_connector *cc, const char *sqlstate,
                         lakebase_error **err) {
    const lb_credential *cred = cc->cred;
    return lb_err_sql(err, LAKEBASE_ETIMEOUT, sqlstate,
                      "could not connect to %.200s:%d within %ld ms "
                      "(pool.connect_timeout_ms; %d attempts): %s",
                      cred->host, cred->port, cc->s->connect_timeout_ms,
                      cc->tries, cc->last[0] ? cc->last : "timeout expired");
}

/* A failed attempt: re-mint, back off, or give up (returns the error). */
static int attempt_failed(lb_pg_connector *cc, int timed_out,
                          lakebase_error **err) {
    const lb_pg_settings *s = cc->s;
    const lb_credential *cred = cc->cred;
    char sqlstate[6] = "";
    const char *msg = cc->pg ? PQerrorMessage(cc->pg) : "out of memory";
    lb_connect_verdict v =
        timed_out ? LB_CONNECT_RETRY : lb_pg_classify_connect(msg, sqlstate);
    if (timed_out) /* libpq's message is only its prefix then */
        snprintf(cc->last, sizeof cc->last, "no answer to the login in time");
    else
        lb_pg_connect_reason(msg, cc->last, sizeof cc->last);
    int code = 0;
    if (!cc->pg) {
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    } else if (v == LB_CONNECT_REAUTH && !cc->reminted && s->identity) {
        /* The login proxy judged this token stale before our clock did:
         * drop it, mint once more, try again at once. (Static mode has no
         * identity and nothing new to mint: its refusal is final.) */
        lb_login_invalidate(cc->login, cred->token);
        cc->reminted = 1;
        lb_log(s->log, LAKEBASE_LOG_WARN,
               "login as \"%.200s\" refused (28P01); retrying once with a "
               "freshly minted credential",
               cred->user);
        cc->backoff_until = 0;
    } else if (v == LB_CONNECT_REAUTH || v == LB_CONNECT_LOGIN) {
        code = login_error(s, cred, sqlstate, msg, cc->reminted, err);
    } else if (v == LB_CONNECT_FAIL) {
        code = lb_err_sql(err, LAKEBASE_ECONNECTION, sqlstate,
                          "could not connect to %.200s:%d: %s", cred->host,
                          cred->port, cc->last);
    } else {
        int64_t wait =
            lb_backoff_ms(&CONNECT_BACKOFF, cc->tries, -1, lb_random_u32());
        int64_t now = lb_pg_now_ms();
        if (timed_out || now + wait >= cc->deadline) {
            code = timeout_error(cc, sqlstate, err);
        } else {
            lb_log(s->log, LAKEBASE_LOG_INFO,
                   "connect to %.200s:%d failed (%s); retry %d in %" PRId64
                   " ms",
                   cred->host, cred->port, cc->last, cc->tries, wait);
            cc->backoff_until = now + wait;
        }
    }
    drop_attempt(cc);
    cc->state = CC_BACKOFF;
    return code;
}

void lb_pg_connector_give(lb_pg_connector *cc, lb_credential *cred) {
    lb_credential_free(cc->cred);
    cc->cred = cred;
    cc->state = CC_READY;
    lb_span_set_text(&cc->span, "server.address", cred->host);
    lb_span_set_int(&cc->span, "server.port", cred->port);
    lb_span_set_text(&cc->span, "db.namespace", cred->database);
}

/* Starts one attempt with the credential given for it. */
static int start_attempt(lb_pg_connector *cc, lakebase_error **err) {
    cc->tries++;
    const lb_pg_settings *s = cc->s;
    const lb_credential *cred = cc->cred;
    char port[16], timeout[24], options[160];
    snprintf(port, sizeof port, "%d", cred->port);
    /* libpq's own timeout only guards each socket wait; ours is the real
     * budget. It rounds 1 s up to 2 s. */
    int64_t left_s = (cc->deadline - lb_pg_now_ms() + 999) / 1000;
    snprintf(timeout, sizeof timeout, "%" PRId64, left_s < 2 ? 2 : left_s);
    login_options(s, options, sizeof options);
    const char *keys[16], *vals[16];
    size_t n = 0;
    add_param(keys, vals, &n, "host", cred->host);
    add_param(keys, vals, &n, "hostaddr", s->hostaddr);
    add_param(keys, vals, &n, "port", port);
    add_param(keys, vals, &n, "dbname", cred->database);
    add_param(keys, vals, &n, "user", cred->user);
    add_param(keys, vals, &n, "password", cred->token);
    add_param(keys, vals, &n, "sslmode", cred->sslmode);
    add_param(keys, vals, &n, "sslrootcert", s->sslrootcert);
    add_param(keys, vals, &n, "application_name", s->application_name);
    add_param(keys, vals, &n, "fallback_application_name", "liblakebase");
    add_param(keys, vals, &n, "connect_timeout", timeout);
    add_param(keys, vals, &n, "options", options);
    keys[n] = vals[n] = NULL;

    cc->pg = PQconnectStartParams(keys, vals, 0);
    if (!cc->pg)
        return attempt_failed(cc, 0, err);
    /* Right away, so a refused login carries its SQLSTATE in the text. */
    PQsetErrorVerbosity(cc->pg, PQERRORS_VERBOSE);
    if (PQstatus(cc->pg) == CONNECTION_BAD)
        return attempt_failed(cc, 0, err);
    cc->state = CC_POLLING;
    cc->poll = PGRES_POLLING_WRITING;
    return 0;
}

/* What the server's next message asks of a minted credential. */
typedef enum auth_check { AUTH_FINE, AUTH_WAIT, AUTH_REFUSE } auth_check;

/* Lakebase takes a database credential only as a cleartext password inside
 * TLS. A server that asks for anything else (MD5, SCRAM) is not a Lakebase
 * endpoint: libpq would answer it by itself with material derived from the
 * token. So while libpq awaits the authentication request, the request is
 * peeked at inside TLS (nothing consumed) before libpq may read it; a
 * request only partly in waits for the rest. *method names a refused one. */
static auth_check check_auth_request(PGconn *pg, const char **method) {
    SSL *ssl = PQsslStruct(pg, "OpenSSL");
    if (!ssl || PQstatus(pg) != CONNECTION_AWAITING_RESPONSE)
        return AUTH_FINE;
    unsigned char m[9]; /* 'R', length, the request's code */
    int n = SSL_peek(ssl, m, sizeof m);
    if (n <= 0)
        return SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ ? AUTH_WAIT
                                                            : AUTH_FINE;
    if (m[0] != 'R')
        return AUTH_FINE; /* an error, a protocol negotiation: libpq's */
    if (n < (int)sizeof m)
        return AUTH_WAIT;
    uint32_t code = (uint32_t)m[5] << 24 | (uint32_t)m[6] << 16 |
                    (uint32_t)m[7] << 8 | m[8];
    switch (code) {
    case 0: /* AuthenticationOk */
    case 3: /* AuthenticationCleartextPassword */ return AUTH_FINE;
    case 5: *method = "MD5"; break;
    case 10: *method = "SCRAM (SASL)"; break;
    case 7: *method = "GSSAPI"; break;
    case 2: *method = "Kerberos"; break;
    default: *method = "an unknown method"; break;
    }
    return AUTH_REFUSE;
}

/* The server asked for an authentication method no Lakebase endpoint uses:
 * final (another credential would not help, and it is kept). */
static int auth_refused(lb_pg_connector *cc, const char *method,
                        lakebase_error **err) {
    int code = lb_err(
        err, LAKEBASE_ECONNECTION,
        "the server at %.200s:%d asked for %s authentication; a Lakebase "
        "database credential is only ever sent as a password inside TLS, so "
        "this is not a Lakebase Postgres endpoint (a pooler, or a plain "
        "PostgreSQL?): check pg.host / PGHOST and the endpoint; nothing "
        "derived from the credential was sent",
        cc->cred->host, cc->cred->port, method);
    drop_attempt(cc);
    cc->state = CC_BACKOFF;
    return code;
}

static int step(lb_pg_connector *cc, int ready, lb_pg_wait *w, lb_pg_conn **out,
                lakebase_error **err) {
    *out = NULL;
    for (;;) {
        int64_t now = lb_pg_now_ms();
        int code = 0;
        switch (cc->state) {
        case CC_BACKOFF:
            if (now < cc->backoff_until) {
                *w = (lb_pg_wait){-1, 0, cc->backoff_until};
                return 1;
            }
            cc->state = CC_START;
            continue;
        case CC_START: return LB_PG_NEEDS_CREDENTIAL;
        case CC_READY: code = start_attempt(cc, err); break;
        case CC_POLLING:
            if (ready) {
                const char *method = NULL;
                auth_check a = cc->s->identity
                                   ? check_auth_request(cc->pg, &method)
                                   : AUTH_FINE;
                if (a == AUTH_REFUSE) {
                    code = auth_refused(cc, method, err);
                    break;
                }
                if (a == AUTH_FINE)
                    cc->poll = PQconnectPoll(cc->pg);
                ready = 0;
            }
            if (cc->poll == PGRES_POLLING_OK) {
                lb_credential_free(cc->cred);
                cc->cred = NULL;
                PGconn *pg = cc->pg;
                cc->pg = NULL;
                return finish(cc->s, pg, out, err);
            }
            if (cc->poll == PGRES_POLLING_FAILED) {
                code = attempt_failed(cc, 0, err);
                break;
            }
            if (now >= cc->deadline || PQsocket(cc->pg) < 0) {
                code = attempt_failed(cc, now >= cc->deadline, err);
                break;
            }
            *w = (lb_pg_wait){PQsocket(cc->pg),
                              cc->poll == PGRES_POLLING_READING ? POLLIN
                                                                : POLLOUT,
                              cc->deadline};
            return 1;
        }
        if (code != 0)
            return code;
    }
}

void lb_pg_connector_end(lb_pg_connector *cc, int code,
                         const lakebase_error *e) {
    if (!cc || cc->span_ended)
        return;
    cc->span_ended = 1;
    lb_span_end(&cc->span, code, e);
    const char *sqlstate = e ? lb_err_sqlstate(e) : NULL;
    if (sqlstate && *sqlstate)
        lb_span_set_text(&cc->span, "db.response.status_code", sqlstate);
    lb_span_deliver(cc->s->spans, &cc->span);
}

int lb_pg_connector_step(lb_pg_connector *cc, int ready, lb_pg_wait *w,
                         lb_pg_conn **out, lakebase_error **err) {
    lakebase_error *e = NULL;
    int code = step(cc, ready, w, out, &e);
    if (code != 1 && code != LB_PG_NEEDS_CREDENTIAL)
        lb_pg_connector_end(cc, code, e);
    if (err && !*err)
        *err = e;
    else
        lb_err_destroy(e);
    return code;
}

int lb_pg_connect(lb_login *login, const atomic_int *stop, lb_pg_conn **out,
                  lakebase_error **err) {
    *out = NULL;
    lb_pg_connector *cc = NULL;
    int code = lb_pg_connector_new(login, &cc, err);
    int ready = 0;
    while (code == 0) {
        lb_pg_wait w;
        code = lb_pg_connector_step(cc, ready, &w, out, err);
        if (code == LB_PG_NEEDS_CREDENTIAL) {
            lb_credential *cred = NULL;
            code = lb_login_get(login, &cred, err);
            if (code == 0)
                lb_pg_connector_give(cc, cred);
            continue;
        }
        if (code != 1)
            break;
        code = 0;
        if (stopped(stop)) {
            code = lb_err(err, LAKEBASE_ECLOSED,
                          "the pool was closed while connecting");
            break;
        }
        int64_t left = w.until_ms - lb_pg_now_ms();
        struct pollfd pfd = {.fd = w.fd, .events = w.events};
        int n = poll(&pfd, w.fd >= 0 ? 1 : 0,
                     (int)(left < 0               ? 0
                           : left < STOP_CHECK_MS ? left
                                                  : STOP_CHECK_MS));
        ready = n > 0;
    }
    lb_pg_connector_end(cc, code, err ? *err : NULL);
    lb_pg_connector_free(cc);
    return code;
}

/* A cancel request on its way: shared by the connection (until it is
 * closed) and the worker that sends it. */
typedef struct lb_cancel_request {
    lb_job job;
    PGcancel *cancel;
    atomic_int refs;
    atomic_int sent; /* the worker is done with it */
} lb_cancel_request;

/* Serialises replacing, dropping and reading a connection's request
 * (cancels are rare: an uncontended lock; a connection without one is
 * checked without it). */
static pthread_mutex_t cancel_mu = PTHREAD_MUTEX_INITIALIZER;

static void cancel_request_drop(lb_cancel_request *r) {
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        PQfreeCancel(r->cancel);
        free(r);
    }
}

static void send_cancel(lb_job *job) {
    lb_cancel_request *r = (lb_cancel_request *)job;
    char buf[256];
    (void)PQcancel(r->cancel, buf, sizeof buf); /* best effort */
    atomic_store(&r->sent, 1);
    cancel_request_drop(r);
}

int lb_pg_cancel(lb_pg_conn *c, lakebase_error **err) {
    lb_cancel_request *r = calloc(1, sizeof *r);
    if (!r || !(r->cancel = PQgetCancel(c->pg))) {
        free(r);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    atomic_init(&r->refs, 2);
    atomic_init(&r->sent, 0);
    r->job.run = send_cancel;
    atomic_store(&c->cancel_requested, 1);
    pthread_mutex_lock(&cancel_mu);
    cancel_request_drop(atomic_exchange(&c->cancel, r));
    pthread_mutex_unlock(&cancel_mu);
    if (lb_workers_submit(&r->job) != 0) {
        atomic_store(&r->sent, 1);
        cancel_request_drop(r);
        return lb_err(err, LAKEBASE_ECONNECTION,
                      "could not send the cancel request: no worker thread "
                      "could be started");
    }
    return 0;
}

int lb_pg_cancel_pending(lb_pg_conn *c) {
    if (!atomic_load(&c->cancel))
        return 0;
    pthread_mutex_lock(&cancel_mu);
    lb_cancel_request *r = atomic_load(&c->cancel);
    int pending = r && !atomic_load(&r->sent);
    pthread_mutex_unlock(&cancel_mu);
    return pending;
}

void lb_pg_disconnect(lb_pg_conn *c) {
    lb_pg_step_abandon(c);
    lb_pg_statements_clear(&c->statements);
    PQfinish(c->pg);
    c->pg = NULL;
    pthread_mutex_lock(&cancel_mu);
    cancel_request_drop(atomic_exchange(&c->cancel, NULL));
    pthread_mutex_unlock(&cancel_mu);
}

void lb_pg_close(lb_pg_conn *c) {
    if (!c)
        return;
    c->tag = LB_TAG_DEAD;
    lb_pg_disconnect(c);
    free(c);
}

/* ---- statements -----------------------------------------------------------
 */

int lb_pg_statement_error(lb_pg_conn *c, const PGresult *res,
                          lakebase_error **err) {
    int lost = PQstatus(c->pg) == CONNECTION_BAD;
    if (lost)
        c->broken = 1;
    const char *sqlstate =
        res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary =
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail =
        res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    char conn_msg[512];
    if (!primary) {
        lb_pg_connect_reason(PQerrorMessage(c->pg), conn_msg, sizeof conn_msg);
        primary = conn_msg[0] ? conn_msg : "no answer from the server";
    }
    int cancel = atomic_load(&c->cancel_requested);
    int code = lb_pg_statement_error_code(sqlstate, primary, lost, cancel);
    /* Whatever the session state, a connection whose protocol state we do
     * not know is not handed out again. */
    if (code == LAKEBASE_ECONNECTION)
        c->broken = 1;
    const char *what = code == LAKEBASE_ETIMEOUT
                           ? "statement timeout (pool.statement_timeout_ms)"
                       : code == LAKEBASE_ECANCELED
                           ? (cancel ? "statement cancelled by "
                                       "lakebase_conn_cancel"
                                     : "statement cancelled by the server")
                       : code == LAKEBASE_ECONNECTION ? "connection lost"
                                                      : "SQL error";
    return lb_err_sql(err, code, sqlstate, "%s%s%s: %.600s%s%.400s", what,
                      sqlstate ? " " : "", sqlstate ? sqlstate : "", primary,
                      detail ? " DETAIL: " : "", detail ? detail : "");
}

int lb_pg_outcome(lb_pg_conn *c, PGresult *res, PGresult **out,
                  lakebase_error **err) {
    *out = NULL;
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
        st == PGRES_EMPTY_QUERY) {
        *out = res;
        return 0;
    }
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        PQclear(res);
        c->broken = 1; /* stuck in COPY: nobody will finish it */
        return lb_err(err, LAKEBASE_EINVAL,
                      "COPY is not supported by the statement functions");
    }
    int code = lb_pg_statement_error(c, res, err);
    PQclear(res);
    return code;
}

/* Waits for `fd` to be ready for `events` (LAKEBASE_WATCH_*) until
 * `deadline_ms` (INT64_MAX: none). 0 when it is, -1 when time ran out. */
static int wait_socket(int fd, int events, int64_t deadline_ms) {
    struct pollfd p = {
        .fd = fd,
        .events = (short)((events & LAKEBASE_WATCH_READ ? POLLIN : 0) |
                          (events & LAKEBASE_WATCH_WRITE ? POLLOUT : 0))};
    for (;;) {
        int64_t left = deadline_ms - lb_pg_now_ms();
        if (left <= 0)
            return -1;
        int n = poll(&p, 1,
                     deadline_ms == INT64_MAX ? -1
                     : left > INT_MAX         ? INT_MAX
                                              : (int)left);
        if (n > 0 || (n < 0 && errno != EINTR))
            return 0; /* ready, or an error the next read reports */
    }
}

/* Runs a statement to its end on the calling thread, giving up after
 * `within_ms` (0: never) without an answer: the connection is then marked
 * broken (-1 returned, nothing in *out). */
static int run_within(lb_pg_conn *c, const char *sql, int nparams,
                      const char *const *values, long within_ms, PGresult **out,
                      lakebase_error **err) {
    int fd = -1, events = 0;
    int64_t deadline = within_ms > 0 ? lb_pg_now_ms() + within_ms : INT64_MAX;
    int rc = lb_pg_send(c, sql, nparams, values, &fd, &events, out, err);
    while (rc == 1) {
        if (wait_socket(fd, events, deadline) != 0) {
            lb_pg_step_abandon(c);
            return -1;
        }
        rc = lb_pg_advance(c, &fd, &events, out, err);
    }
    return rc;
}

int lb_pg_exec(lb_pg_conn *c, const char *sql, int nparams,
               const char *const *values, PGresult **out,
               lakebase_error **err) {
    /* Without parameters the simple protocol allows several statements in
     * one string ("BEGIN; ...; COMMIT"); the last one's result is kept. */
    int rc = run_within(c, sql, nparams, values, c->answer_within_ms, out, err);
    if (rc != -1)
        return rc;
    return lb_err(err, LAKEBASE_ETIMEOUT,
                  "no answer from the server within %ld ms "
                  "(pool.statement_timeout_ms + %d ms): the connection is "
                  "closed and the statement's outcome is unknown (the "
                  "network to the server is down, or the server is "
                  "overloaded)",
                  c->answer_within_ms, STATEMENT_GRACE_MS);
}

int lb_pg_validate(lb_pg_conn *c) {
    if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
        return 0;
    PGresult *res = NULL;
    lakebase_error *e = NULL;
    int rc = run_within(c, "", 0, NULL, c->validate_within_ms, &res, &e);
    lb_err_destroy(e);
    int ok = rc == 0 && PQresultStatus(res) == PGRES_EMPTY_QUERY &&
             PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    PQclear(res);
    return ok;
}

int lb_pg_reset(lb_pg_conn *c) {
    if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
        return -1;
    switch (PQtransactionStatus(c->pg)) {
    case PQTRANS_IDLE: return 0;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR: {
        PGresult *res = PQexec(c->pg, "ROLLBACK");
        int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK &&
                 PQtransactionStatus(c->pg) == PQTRANS_IDLE;
        PQclear(res);
        return ok ? 0 : -1;
    }
    default: /* active (a statement still running) or unknown */ return -1;
    }
}
