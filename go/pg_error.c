// Code generated from core/pg_error.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "pg_error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lakebase.h"

static int is_sqlstate_char(int c) { return isdigit(c) || isupper(c); }

/* The first "SEVERITY:  XXXXX: " in the text (libpq's verbose form). */
static const char *find_verbose_error(const char *message, char sqlstate[6]) {
    static const char *const severities[] = {
        "FATAL:  ", "ERROR:  ", "PANIC:  "};
    sqlstate[0] = '\0';
    const char *best = NULL;
    for (size_t i = 0; i < 3; i++) {
        for (const char *p = strstr(message, severities[i]); p;
             p = strstr(p + 1, severities[i])) {
            const char *code = p + strlen(severities[i]);
            int ok = 1;
            for (size_t k = 0; k < 5 && ok; k++)
                ok = is_sqlstate_char((unsigned char)code[k]);
            if (ok && code[5] == ':' && (!best || p < best)) {
                best = p;
                memcpy(sqlstate, code, 5);
                sqlstate[5] = '\0';
                break;
            }
        }
    }
    return best;
}

/* Transport failures libpq reports without a server error. */
static int is_transient_network(const char *m) {
    static const char *const transient[] = {
        "Connection refused",
        "server closed the connection unexpectedly",
        "Connection reset by peer",
        "Connection timed out",
        "timeout expired",
        "No route to host",
        "Network is unreachable",
        "SSL SYSCALL error",
        /* The TLS peer (Lakebase's proxy) hung up mid-login: the
         * server behind it restarted. */
        "SSL connection has been closed unexpectedly",
        "could not receive data from server",
        "could not send data to server",
        "could not send startup packet",
        "could not send SSL negotiation packet",
        "Broken pipe",
        "the database system is starting up",
        "the database system is shutting down",
    };
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
        if (strstr(m, transient[i]))
            return 1;
    return 0;
}

lb_connect_verdict lb_pg_classify_connect(const char *message,
                                          char sqlstate[6]) {
    if (!message) {
        sqlstate[0] = '\0';
        return LB_CONNECT_FAIL;
    }
    if (find_verbose_error(message, sqlstate)) {
        if (strcmp(sqlstate, "28P01") == 0)
            return LB_CONNECT_REAUTH;
        /* 57P01-03: shutting down, crashed, starting up; 53300: too many
         * connections; class 08: the server could not be reached (the
         * proxy answers 08006 when PostgreSQL is down behind it). */
        if (strncmp(sqlstate, "57P0", 4) == 0 ||
            strcmp(sqlstate, "53300") == 0 || strncmp(sqlstate, "08", 2) == 0)
            return LB_CONNECT_RETRY;
        if (strncmp(sqlstate, "28", 2) == 0 || strcmp(sqlstate, "3D000") == 0 ||
            strcmp(sqlstate, "42501") == 0)
            return LB_CONNECT_LOGIN;
        return LB_CONNECT_FAIL;
    }
    return is_transient_network(message) ? LB_CONNECT_RETRY : LB_CONNECT_FAIL;
}

/* Length of the well-formed UTF-8 character at s[0..n), or 0 when it is
 * not one (a stray continuation byte, an overlong form, a surrogate,
 * beyond U+10FFFF, or cut short). */
static size_t utf8_char_len(const unsigned char *s, size_t n) {
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* bounds of the second byte */
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;
        hi = s[0] == 0xed ? 0x9f : 0xbf;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

void lb_pg_connect_reason(const char *message, char *buf, size_t cap) {
    if (cap == 0)
        return;
    buf[0] = '\0';
    if (!message)
        return;
    char sqlstate[6];
    const char *start = find_verbose_error(message, sqlstate);
    if (start)
        start = strstr(start, sqlstate) + 7; /* "XXXXX: " */
    else
        start = message;
    /* The text may quote whatever a hostile server sent: keep well-formed
     * UTF-8, replace control bytes and anything else with '?', and never
     * cut a character in two (bindings hand it to JNI, N-API, Go). */
    const unsigned char *in = (const unsigned char *)start;
    size_t n = strcspn(start, "\n"), out = 0;
    for (size_t i = 0; i < n && out + 1 < cap;) {
        size_t len = in[i] < 0x80 ? 1 : utf8_char_len(in + i, n - i);
        if (len > 1 && out + len < cap) {
            memcpy(buf + out, in + i, len);
            out += len;
            i += len;
            continue;
        }
        if (len > 1) /* no room for the whole character */
            break;
        buf[out++] =
            len == 1 && in[i] >= 0x20 && in[i] != 0x7f ? (char)in[i] : '?';
        i++;
    }
    buf[out] = '\0';
}

int lb_pg_statement_error_code(const char *sqlstate, const char *message,
                               int connection_lost, int cancel_requested) {
    if (connection_lost)
        return LAKEBASE_ECONNECTION;
    /* No SQLSTATE on a live connection: libpq refused the call itself. */
    if (!sqlstate || !sqlstate[0])
        return LAKEBASE_ESQL;
    if (strcmp(sqlstate, "57014") == 0) {
        if (!cancel_requested && message &&
            strstr(message, "statement timeout"))
            return LAKEBASE_ETIMEOUT;
        return LAKEBASE_ECANCELED;
    }
    /* The server ends the session for these; libpq may not know yet. */
    if (strncmp(sqlstate, "57P0", 4) == 0 || strncmp(sqlstate, "08", 2) == 0)
        return LAKEBASE_ECONNECTION;
    return LAKEBASE_ESQL;
}
