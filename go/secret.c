// Code generated from core/secret.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "secret.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void lb_memzero(void *p, size_t n) {
    if (p && n)
        OPENSSL_cleanse(p, n);
}

void lb_secret_free(char *s) {
    if (!s)
        return;
    lb_memzero(s, strlen(s));
    free(s);
}

void lb_secret_clear(char **s) {
    if (!s || !*s)
        return;
    lb_secret_free(*s);
    *s = NULL;
}
