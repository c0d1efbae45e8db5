// Code generated from core/span.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Finished spans for a handle's span listener (lakebase_span_fn): a mint
 * attempt or a connect is timed and described in an lb_span_record while
 * it runs, then delivered with no internal lock held (a listener is user
 * code). Attributes are the span table's keys only (metrics.c), never a
 * secret. */
#ifndef LB_SPAN_H
#define LB_SPAN_H

#include <stdint.h>

#include "lakebase.h"
#include "metrics.h"

typedef struct lb_span_listener {
    lakebase_span_fn fn; /* NULL: no tracing */
    void *userdata;
} lb_span_listener;

#define LB_SPAN_ATTRS       6
#define LB_SPAN_VALUE_MAX   256
#define LB_SPAN_MESSAGE_MAX 512

typedef struct lb_span_record {
    lb_span_id id;
    int64_t start_unix_nanos;
    int64_t started_us; /* lb_duration_clock_us at the start */
    int64_t end_unix_nanos;
    int error_code;
    char error_message[LB_SPAN_MESSAGE_MAX];
    int n;
    const char *keys[LB_SPAN_ATTRS];
    char values[LB_SPAN_ATTRS][LB_SPAN_VALUE_MAX];
    int is_int[LB_SPAN_ATTRS];
    int64_t ints[LB_SPAN_ATTRS];
} lb_span_record;

/* Starts timing span `id` now (attributes and outcome cleared). */
void lb_span_begin(lb_span_record *r, lb_span_id id);

/* Sets attribute `key` (a static string) to text or an integer; a key set
 * again is replaced; past LB_SPAN_ATTRS keys it is dropped. */
void lb_span_set_text(lb_span_record *r, const char *key, const char *value);
void lb_span_set_int(lb_span_record *r, const char *key, int64_t value);

/* Ends it now: `code` 0 for success, else its LAKEBASE_E* code and `e`'s
 * message (e may be NULL); a failure sets error.type to the code's name. */
void lb_span_end(lb_span_record *r, int code, const lakebase_error *e);

/* Calls the listener with the finished span. No lock held. */
void lb_span_deliver(const lb_span_listener *l, const lb_span_record *r);

#endif
