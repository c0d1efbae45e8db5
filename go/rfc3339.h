// Code generated from core/rfc3339.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* RFC 3339 / protobuf-JSON timestamps, parsed exactly. */
#ifndef LB_RFC3339_H
#define LB_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)" ('t'/'z'/' ' accepted as
 * RFC 3339 allows) of exactly `len` bytes into Unix epoch nanoseconds
 * (*out_unix_ns). Rejects out-of-range fields (month 13, Feb 30, hour 24,
 * leap second 60 is accepted and clamped to :59.999999999), trailing bytes,
 * more than 9 fraction digits, and years outside 1970..2262.
 * Returns 0 or -1. Never reads past len. */
int lb_rfc3339_parse(const char *s, size_t len, int64_t *out_unix_ns);

/* Formats Unix epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf
 * (cap >= 25). Returns 0, or -1 if cap is too small or the year falls
 * outside 0000..9999. */
int lb_rfc3339_format_ms(int64_t unix_ms, char *buf, size_t cap);

#endif
