// Code generated from core/log.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Log events to the caller's callback. Messages must never hold secrets. */
#ifndef LB_LOG_H
#define LB_LOG_H

#include "lakebase.h"

typedef struct lb_logger {
    lakebase_log_fn fn; /* NULL: logging off */
    void *userdata;
    int max_level;
} lb_logger;

void lb_log(const lb_logger *lg, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
