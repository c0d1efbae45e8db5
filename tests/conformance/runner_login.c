/* One Postgres login through the emulator's proxy, as an application would
 * make it, reporting the SQLSTATE of a refusal. */
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "runner.h"

#define LOGIN_TIMEOUT_MS 15000

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq has no accessor for the SQLSTATE of a failed connect, but in
 * verbose mode the message reads "FATAL:  28P01: password ...". */
static void sqlstate_from_message(const char *msg, char out[6]) {
    static const char *const severities[] = {
        "FATAL:  ", "ERROR:  ", "PANIC:  "};

    out[0] = '\0';
    for (size_t s = 0; s < sizeof severities / sizeof severities[0]; s++) {
        const char *p = strstr(msg, severities[s]);
        if (p == NULL)
            continue;
        p += strlen(severities[s]);
        int i = 0;
        while (i < 5 &&
               (isdigit((unsigned char)p[i]) || isupper((unsigned char)p[i])))
            i++;
        if (i == 5 && p[5] == ':') {
            memcpy(out, p, 5);
            out[5] = '\0';
            return;
        }
    }
}

/* Drives a non-blocking connect to its end (libpq's documented loop). */
static int finish_connect(PGconn *conn) {
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    long long deadline = now_ms() + LOGIN_TIMEOUT_MS;

    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        struct pollfd pfd = {.fd = PQsocket(conn)};
        long long left = deadline - now_ms();

        if (pfd.fd < 0 || left <= 0)
            return -1;
        pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        if (poll(&pfd, 1, (int)left) < 0)
            return -1;
        st = PQconnectPoll(conn);
    }
    return st == PGRES_POLLING_OK ? 0 : -1;
}

static void copy_trimmed(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src);
    for (size_t n = strlen(dst); n > 0 && isspace((unsigned char)dst[n - 1]);
         n--)
        dst[n - 1] = '\0';
    for (char *c = dst; *c; c++)
        if (*c == '\n')
            *c = ' ';
}

void rn_login(const rn_login_params *p, rn_login_result *out) {
    const char *keys[] = {"host",
                          "port",
                          "user",
                          "password",
                          "dbname",
                          "sslmode",
                          "connect_timeout",
                          "application_name",
                          p->sslrootcert ? "sslrootcert" : NULL,
                          NULL};
    const char *values[] = {
        p->host,        p->port,    p->user, p->password,
        p->database,    p->sslmode, "15",    "lakebase-conformance",
        p->sslrootcert, NULL};

    memset(out, 0, sizeof *out);
    PGconn *conn = PQconnectStartParams(keys, values, 0);
    if (conn == NULL) {
        snprintf(out->message, sizeof out->message, "out of memory");
        return;
    }
    PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    if (PQstatus(conn) == CONNECTION_BAD || finish_connect(conn) != 0) {
        const char *msg = PQerrorMessage(conn);
        copy_trimmed(out->message, sizeof out->message,
                     msg[0] ? msg : "connect timed out");
        sqlstate_from_message(msg, out->sqlstate);
        PQfinish(conn);
        return;
    }
    PGresult *res = PQexec(conn, "SELECT current_user");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        out->ok = 1;
        snprintf(out->current_user, sizeof out->current_user, "%s",
                 PQgetvalue(res, 0, 0));
    } else {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        copy_trimmed(out->message, sizeof out->message, PQerrorMessage(conn));
        snprintf(out->sqlstate, sizeof out->sqlstate, "%s", state ? state : "");
    }
    PQclear(res);
    PQfinish(conn);
}
