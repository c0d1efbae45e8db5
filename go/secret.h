// Code generated from core/secret.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Secrets in memory: zeroed before they are freed. */
#ifndef LB_SECRET_H
#define LB_SECRET_H

#include <stddef.h>

/* Zeroes n bytes in a way the compiler cannot elide. */
void lb_memzero(void *p, size_t n);

/* Zeroes the NUL-terminated string then frees it. Accepts NULL. */
void lb_secret_free(char *s);

/* Zeroes and frees *s, then sets *s = NULL. Accepts NULL / *s == NULL. */
void lb_secret_clear(char **s);

#endif
