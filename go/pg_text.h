// Code generated from core/pg_text.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Parsers for PostgreSQL's text output of the types the result accessors
 * convert (the session runs with DateStyle=ISO and TimeZone=UTC, set at
 * login). Values come from the server but are treated as hostile: every
 * parser checks the whole string and the range, and returns -1 (never
 * crashes) on anything else. */
#ifndef LB_PG_TEXT_H
#define LB_PG_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A decimal integer (int2/int4/int8/oid) that fits in int64. */
int lb_pg_parse_int64(const char *s, int64_t *out);

/* A float4/float8/numeric/integer value, "NaN" and "[-]Infinity" included.
 * A finite value too large for a double is refused. Locale-independent. */
int lb_pg_parse_double(const char *s, double *out);

/* "t" or "f". */
int lb_pg_parse_bool(const char *s, int *out);

/* An ISO date ("2024-02-29"), timestamp ("2024-02-29 13:14:15.123456") or
 * timestamptz ("... +00", "+05:30", "-03:30:15"), with " BC" for years
 * before 1, to microseconds since 1970-01-01 00:00:00 UTC. "infinity",
 * "-infinity" and values beyond int64 are refused. */
int lb_pg_parse_timestamp_us(const char *s, int64_t *out);

/* A bytea in hex output format ("\x0aff..."): *out is malloc'ed (free with
 * free(); never NULL on success, even for zero bytes). */
int lb_pg_parse_bytea_hex(const char *s, size_t len, unsigned char **out,
                          size_t *out_len);

#endif
