#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

void lb_log(const lb_logger *lg, int level, const char *fmt, ...) {
    if (!lg || !lg->fn || level > lg->max_level)
        return;
    char buf[LB_LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->fn(lg->userdata, level, buf);
}

void lb_log_defer(lb_log_batch *b, int level, const char *fmt, ...) {
    if (b->n >= LB_LOG_BATCH_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->line[b->n], LB_LOG_LINE_MAX, fmt, ap);
    va_end(ap);
    b->level[b->n++] = level;
}

void lb_log_flush(const lb_logger *lg, lb_log_batch *b) {
    for (int i = 0; i < b->n; i++)
        if (lg && lg->fn && b->level[i] <= lg->max_level)
            lg->fn(lg->userdata, b->level[i], b->line[i]);
    b->n = 0;
}

struct lb_log_sub {
    lb_logger lg;
    lb_span_listener spans;
    int busy;     /* deliveries to it under way */
    int orphaned; /* unsubscribed during its own delivery: the delivery
                     frees it */
    struct lb_log_sub *next;
};

/* The subscriber this thread is delivering to, if any. */
static _Thread_local const lb_log_sub *delivering;

void lb_fanout_init(lb_log_fanout *fo) {
    pthread_mutex_init(&fo->mu, NULL);
    pthread_cond_init(&fo->idle, NULL);
    fo->subs = NULL;
}

void lb_fanout_destroy(lb_log_fanout *fo) {
    pthread_cond_destroy(&fo->idle);
    pthread_mutex_destroy(&fo->mu);
}

int lb_fanout_subscribe(lb_log_fanout *fo, const lb_logger *lg,
                        const lb_span_listener *spans, lb_log_sub **out,
                        lakebase_error **err) {
    *out = NULL;
    int logs = lg && lg->fn, traces = spans && spans->fn;
    if (!logs && !traces)
        return 0;
    lb_log_sub *s = calloc(1, sizeof *s);
    if (!s)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    if (logs)
        s->lg = *lg;
    if (traces)
        s->spans = *spans;
    pthread_mutex_lock(&fo->mu);
    s->next = fo->subs;
    fo->subs = s;
    pthread_mutex_unlock(&fo->mu);
    *out = s;
    return 0;
}

void lb_fanout_unsubscribe(lb_log_fanout *fo, lb_log_sub *sub) {
    if (!sub)
        return;
    pthread_mutex_lock(&fo->mu);
    for (lb_log_sub **link = &fo->subs; *link; link = &(*link)->next)
        if (*link == sub) {
            *link = sub->next;
            break;
        }
    int own = delivering == sub; /* our own delivery stays under way */
    while (sub->busy > own)
        pthread_cond_wait(&fo->idle, &fo->mu);
    if (own)
        sub->orphaned = 1;
    pthread_mutex_unlock(&fo->mu);
    if (!own)
        free(sub);
}

/* What one delivery hands each subscriber: log lines or a span. */
typedef struct delivery {
    const lb_log_batch *lines;
    const lb_span_record *span;
} delivery;

static void deliver(lb_log_sub *s, const delivery *d) {
    const lb_log_sub *outer = delivering;
    delivering = s;
    for (int i = 0; d->lines && i < d->lines->n; i++) {
        if (s->orphaned)
            break;
        if (s->lg.fn && d->lines->level[i] <= s->lg.max_level)
            s->lg.fn(s->lg.userdata, d->lines->level[i], d->lines->line[i]);
    }
    if (d->span && !s->orphaned)
        lb_span_deliver(&s->spans, d->span);
    delivering = outer;
}

/* Every subscriber (one per handle sharing the object) is pinned while it
 * is called, so unsubscribing waits for the call to end. */
static void deliver_to_all(lb_log_fanout *fo, const delivery *d) {
    lb_log_sub *few[16], **picked = few;
    size_t n = 0, cap = 16;
    pthread_mutex_lock(&fo->mu);
    for (lb_log_sub *s = fo->subs; s; s = s->next) {
        if (n == cap) {
            lb_log_sub **more = malloc(2 * cap * sizeof *more);
            if (!more)
                break; /* out of memory: the first ones get the events */
            for (size_t i = 0; i < n; i++)
                more[i] = picked[i];
            if (picked != few)
                free(picked);
            picked = more;
            cap *= 2;
        }
        s->busy++;
        picked[n++] = s;
    }
    pthread_mutex_unlock(&fo->mu);
    for (size_t i = 0; i < n; i++)
        deliver(picked[i], d);
    pthread_mutex_lock(&fo->mu);
    for (size_t i = 0; i < n; i++) {
        lb_log_sub *s = picked[i];
        if (--s->busy == 0 && s->orphaned)
            free(s);
    }
    pthread_cond_broadcast(&fo->idle);
    pthread_mutex_unlock(&fo->mu);
    if (picked != few)
        free(picked);
}

void lb_fanout_flush(lb_log_fanout *fo, lb_log_batch *b) {
    if (b->n == 0)
        return;
    deliver_to_all(fo, &(delivery){.lines = b});
    b->n = 0;
}

void lb_fanout_span(lb_log_fanout *fo, const lb_span_record *r) {
    deliver_to_all(fo, &(delivery){.span = r});
}

int lb_fanout_max_level(lb_log_fanout *fo) {
    int level = 0;
    pthread_mutex_lock(&fo->mu);
    for (lb_log_sub *s = fo->subs; s; s = s->next)
        if (s->lg.max_level > level)
            level = s->lg.max_level;
    pthread_mutex_unlock(&fo->mu);
    return level;
}
