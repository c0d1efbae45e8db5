// Code generated from core/pg_error.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* What a PostgreSQL failure means for the client: whether a failed connect
 * is worth retrying, and which LAKEBASE_E* code a failed statement maps to.
 * Pure functions over libpq's text, so they are unit-tested without a
 * server. */
#ifndef LB_PG_ERROR_H
#define LB_PG_ERROR_H

#include <stddef.h>

typedef enum lb_connect_verdict {
    LB_CONNECT_RETRY,  /* waking from scale to zero, restarting, unreachable */
    LB_CONNECT_REAUTH, /* 28P01: the credential may be stale; mint, retry once
                        */
    LB_CONNECT_LOGIN,  /* login refused for good (28000, 3D000, ...) */
    LB_CONNECT_FAIL    /* anything else: fail fast (TLS, DNS, protocol) */
} lb_connect_verdict;

/* Classifies libpq's message for a failed connect (made with
 * PQERRORS_VERBOSE, so a server error reads "FATAL:  28P01: ..."). Copies
 * the SQLSTATE into `sqlstate` ("" when there is none). */
lb_connect_verdict lb_pg_classify_connect(const char *message,
                                          char sqlstate[6]);

/* The server's own words from such a message: the text after
 * "FATAL:  XXXXX: " up to the end of the line, or the first line of the
 * message when the server said nothing. Written into buf (always
 * NUL-terminated, valid UTF-8 without control characters: other bytes
 * become '?', and a character that does not fit is left out whole). */
void lb_pg_connect_reason(const char *message, char *buf, size_t cap);

/* The LAKEBASE_E* code for a failed statement. `sqlstate` may be NULL or
 * ""; `connection_lost` is set when the connection is no longer usable;
 * `cancel_requested` when lakebase_conn_cancel was called for it. A 57014
 * that we did not ask for and whose message names the statement timeout is
 * LAKEBASE_ETIMEOUT. */
int lb_pg_statement_error_code(const char *sqlstate, const char *message,
                               int connection_lost, int cancel_requested);

#endif
