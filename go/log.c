// Code generated from core/log.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void lb_log(const lb_logger *lg, int level, const char *fmt, ...) {
    if (!lg || !lg->fn || level > lg->max_level)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->fn(lg->userdata, level, buf);
}
