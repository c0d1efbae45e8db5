// Code generated from core/log.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Log events to callers' callbacks. Messages must never hold secrets.
 *
 * A callback is user code: it runs with no internal lock held, so a log
 * handler may call back into the library. Code that decides what to log
 * while holding a lock formats the lines into an lb_log_batch and emits it
 * after unlocking.
 *
 * An object shared by several handles (the credential provider) sends its
 * events to every handle's logger, and its finished spans to every
 * handle's span listener (span.h), through an lb_log_fanout: each handle
 * subscribes its own pair, and once it unsubscribes they and their
 * userdata are never called again. */
#ifndef LB_LOG_H
#define LB_LOG_H

#include <pthread.h>

#include "lakebase.h"
#include "span.h"

typedef struct lb_logger {
    lakebase_log_fn fn; /* NULL: logging off */
    void *userdata;
    int max_level;
} lb_logger;

/* Formats and delivers one line at once. Call with no internal lock held. */
void lb_log(const lb_logger *lg, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Lines decided under a lock, delivered after it is released. */
#define LB_LOG_BATCH_LINES 4
#define LB_LOG_LINE_MAX    512
typedef struct lb_log_batch {
    int n;
    int level[LB_LOG_BATCH_LINES];
    char line[LB_LOG_BATCH_LINES][LB_LOG_LINE_MAX];
} lb_log_batch;

/* Adds a line (dropped silently once the batch is full). */
void lb_log_defer(lb_log_batch *b, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Delivers the batch to one logger and empties it. No lock held. */
void lb_log_flush(const lb_logger *lg, lb_log_batch *b);

/* One subscriber of a fan-out. */
typedef struct lb_log_sub lb_log_sub;

typedef struct lb_log_fanout {
    pthread_mutex_t mu;
    pthread_cond_t idle; /* a delivery finished */
    lb_log_sub *subs;
} lb_log_fanout;

void lb_fanout_init(lb_log_fanout *fo);
/* Every subscriber must have left. */
void lb_fanout_destroy(lb_log_fanout *fo);

/* Subscribes `lg` and `spans` (copied; both without a fn subscribe
 * nothing: *out NULL). LAKEBASE_ENOMEM. */
int lb_fanout_subscribe(lb_log_fanout *fo, const lb_logger *lg,
                        const lb_span_listener *spans, lb_log_sub **out,
                        lakebase_error **err);

/* Unsubscribes: once this returns, the logger is never called again. It
 * waits for deliveries to it running on other threads; on the thread of a
 * delivery (a log handler freeing its own handle) it does not wait. NULL
 * accepted. */
void lb_fanout_unsubscribe(lb_log_fanout *fo, lb_log_sub *sub);

/* Delivers the batch to every subscriber and empties it. No lock held. */
void lb_fanout_flush(lb_log_fanout *fo, lb_log_batch *b);

/* Delivers a finished span to every subscriber's listener. No lock held. */
void lb_fanout_span(lb_log_fanout *fo, const lb_span_record *r);

/* The most verbose level any subscriber wants (0: nobody listens). */
int lb_fanout_max_level(lb_log_fanout *fo);

#endif
