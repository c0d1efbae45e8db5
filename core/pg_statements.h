/* A connection's prepared statements: SQL text it has run before, and the
 * name of the server-side statement once prepared there, so a repeated
 * statement skips the server's parse and plan (as pgx and pgjdbc do).
 * Bounded: at most LB_PG_STATEMENTS_MAX texts of at most
 * LB_PG_STATEMENT_SQL_MAX bytes per connection; later ones run unprepared.
 * One thread at a time, as the connection. */
#ifndef LB_PG_STATEMENTS_H
#define LB_PG_STATEMENTS_H

#include <stdint.h>

#define LB_PG_STATEMENTS_MAX    128
#define LB_PG_STATEMENT_SQL_MAX 4096

typedef enum lb_pg_statement_state {
    LB_STMT_SEEN,     /* run unprepared so far */
    LB_STMT_PREPARED, /* prepared under `name` on this connection */
    LB_STMT_REFUSED   /* the server would not prepare it: never again */
} lb_pg_statement_state;

typedef struct lb_pg_statement {
    char *sql;
    uint64_t hash;
    uint32_t uses;
    lb_pg_statement_state state;
    char name[24]; /* "lb_<n>", when prepared */
} lb_pg_statement;

typedef struct lb_pg_statements {
    lb_pg_statement *items;
    int n;
    uint32_t last_name; /* names are never reused on the connection */
} lb_pg_statements;

/* The entry for `sql` run with `nparams` parameters, counting this use
 * (created on first sight), or NULL when it is not kept: too long, the
 * cache full or out of memory, or a parameterless text with a ';' before
 * its end (perhaps several statements, which only run unprepared). */
lb_pg_statement *lb_pg_statement_use(lb_pg_statements *s, const char *sql,
                                     int nparams);

/* Names `st` for preparing (a name never used before on the connection). */
void lb_pg_statement_name(lb_pg_statements *s, lb_pg_statement *st);

/* The server no longer has `st`'s statement, or its plan no longer fits
 * (SQLSTATE 26000, 0A000): it runs unprepared until prepared anew. */
void lb_pg_statement_forget(lb_pg_statement *st);

/* Frees every entry (the connection closes). */
void lb_pg_statements_clear(lb_pg_statements *s);

#endif
