// Code generated from core/pg_statements.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "pg_statements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: a cheap first comparison before the text's. */
static uint64_t hash_of(const char *sql, size_t len) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)sql[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* A ';' followed by more than whitespace: perhaps several statements. */
static int may_be_several(const char *sql, size_t len) {
    const char *semi = memchr(sql, ';', len);
    if (!semi)
        return 0;
    for (const char *p = semi + 1; p < sql + len; p++)
        if (!strchr(" \t\r\n;", *p))
            return 1;
    return 0;
}

lb_pg_statement *lb_pg_statement_use(lb_pg_statements *s, const char *sql,
                                     int nparams) {
    size_t len = strnlen(sql, LB_PG_STATEMENT_SQL_MAX + 1);
    if (len > LB_PG_STATEMENT_SQL_MAX)
        return NULL;
    uint64_t h = hash_of(sql, len);
    for (int i = 0; i < s->n; i++) {
        lb_pg_statement *st = &s->items[i];
        if (st->hash == h && strcmp(st->sql, sql) == 0) {
            if (st->uses < UINT32_MAX)
                st->uses++;
            return st;
        }
    }
    if (s->n == LB_PG_STATEMENTS_MAX ||
        (nparams == 0 && may_be_several(sql, len)))
        return NULL;
    /* Allocated whole at first use, so entries never move. */
    if (!s->items &&
        !(s->items = calloc(LB_PG_STATEMENTS_MAX, sizeof *s->items)))
        return NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, sql, len + 1);
    lb_pg_statement *st = &s->items[s->n++];
    *st = (lb_pg_statement){.sql = copy, .hash = h, .uses = 1};
    return st;
}

void lb_pg_statement_name(lb_pg_statements *s, lb_pg_statement *st) {
    snprintf(st->name, sizeof st->name, "lb_%u", ++s->last_name);
}

void lb_pg_statement_forget(lb_pg_statement *st) {
    st->state = LB_STMT_SEEN;
    st->uses = 0;
    st->name[0] = '\0';
}

void lb_pg_statements_clear(lb_pg_statements *s) {
    for (int i = 0; i < s->n; i++)
        free(s->items[i].sql);
    free(s->items);
    *s = (lb_pg_statements){0};
}
