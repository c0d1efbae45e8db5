#include "soak_timeline.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct timeline {
    long long t0;
    size_t n_buckets;
    /* Per bucket of start time: successes, the earliest end (ms after t0,
     * INT_MAX: none) and the longest latency. */
    atomic_int *started;
    atomic_int *min_end;
    atomic_int *max_latency;
    /* Per bucket of end time: successes. */
    atomic_int *ended;
    atomic_long ok, failed;
    pthread_mutex_t mu;
    timeline_failure *failures;
    size_t n_failures;
};

/* Allocated and written now, so that the pages are resident from the
 * start: the soak measures the process's RSS, and memory this harness
 * touches only as time passes would read as growth. */
static void *resident(size_t n, size_t size) {
    void *p = malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

timeline *timeline_new(long long t0_ms, long long seconds) {
    timeline *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->t0 = t0_ms;
    t->n_buckets = (size_t)(seconds * 1000 / TIMELINE_BUCKET_MS + 1);
    t->started = resident(t->n_buckets, sizeof *t->started);
    t->min_end = resident(t->n_buckets, sizeof *t->min_end);
    t->max_latency = resident(t->n_buckets, sizeof *t->max_latency);
    t->ended = resident(t->n_buckets, sizeof *t->ended);
    t->failures = resident(TIMELINE_MAX_FAILURES, sizeof *t->failures);
    if (!t->started || !t->min_end || !t->max_latency || !t->ended ||
        !t->failures) {
        timeline_free(t);
        return NULL;
    }
    for (size_t i = 0; i < t->n_buckets; i++)
        atomic_init(&t->min_end[i], INT_MAX);
    pthread_mutex_init(&t->mu, NULL);
    return t;
}

void timeline_free(timeline *t) {
    if (!t)
        return;
    free(t->started);
    free(t->min_end);
    free(t->max_latency);
    free(t->ended);
    free(t->failures);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

/* The bucket of an absolute time, or -1 outside the timeline. */
static long bucket_of(const timeline *t, long long ms) {
    long long b = (ms - t->t0) / TIMELINE_BUCKET_MS;
    return b < 0 || (size_t)b >= t->n_buckets ? -1 : (long)b;
}

static void atomic_min(atomic_int *slot, int v) {
    int cur = atomic_load(slot);
    while (v < cur && !atomic_compare_exchange_weak(slot, &cur, v))
        ;
}

static void atomic_max(atomic_int *slot, int v) {
    int cur = atomic_load(slot);
    while (v > cur && !atomic_compare_exchange_weak(slot, &cur, v))
        ;
}

void timeline_record(timeline *t, long long started_ms, long long ended_ms,
                     int code) {
    if (code != 0) {
        atomic_fetch_add(&t->failed, 1);
        pthread_mutex_lock(&t->mu);
        if (t->n_failures < TIMELINE_MAX_FAILURES)
            t->failures[t->n_failures++] =
                (timeline_failure){started_ms, ended_ms, code};
        pthread_mutex_unlock(&t->mu);
        return;
    }
    atomic_fetch_add(&t->ok, 1);
    long s = bucket_of(t, started_ms), e = bucket_of(t, ended_ms);
    if (s >= 0) {
        atomic_fetch_add(&t->started[s], 1);
        atomic_min(&t->min_end[s], (int)(ended_ms - t->t0));
        atomic_max(&t->max_latency[s], (int)(ended_ms - started_ms));
    }
    if (e >= 0)
        atomic_fetch_add(&t->ended[e], 1);
}

long timeline_ok(const timeline *t) { return atomic_load(&t->ok); }

long timeline_failed(const timeline *t) { return atomic_load(&t->failed); }

const timeline_failure *timeline_failures(timeline *t, size_t *n) {
    pthread_mutex_lock(&t->mu);
    *n = t->n_failures;
    pthread_mutex_unlock(&t->mu);
    return t->failures;
}

/* Clamps [from, to) to bucket indexes [*b0, *b1). */
static void range(const timeline *t, long long from_ms, long long to_ms,
                  long *b0, long *b1) {
    long long a = (from_ms - t->t0 + TIMELINE_BUCKET_MS - 1) /
                  TIMELINE_BUCKET_MS; /* buckets wholly after from */
    long long b = (to_ms - t->t0) / TIMELINE_BUCKET_MS;
    if (a < 0)
        a = 0;
    if (b > (long long)t->n_buckets)
        b = (long long)t->n_buckets;
    *b0 = (long)a;
    *b1 = (long)(b > a ? b : a);
}

long timeline_ok_between(const timeline *t, long long from_ms,
                         long long to_ms) {
    long b0, b1, sum = 0;
    range(t, from_ms, to_ms, &b0, &b1);
    for (long b = b0; b < b1; b++)
        sum += atomic_load(&t->ended[b]);
    return sum;
}

long long timeline_first_success_from(const timeline *t, long long from_ms) {
    long b0, b1;
    range(t, from_ms, t->t0 + (long long)t->n_buckets * TIMELINE_BUCKET_MS, &b0,
          &b1);
    int best = INT_MAX;
    /* A success starting later cannot end before the best found so far. */
    for (long b = b0; b < b1 && (long long)b * TIMELINE_BUCKET_MS < best; b++)
        if (atomic_load(&t->started[b]) > 0) {
            int end = atomic_load(&t->min_end[b]);
            if (end < best)
                best = end;
        }
    return best == INT_MAX ? -1 : t->t0 + best;
}

long long timeline_longest_gap(const timeline *t, long long from_ms,
                               long long to_ms) {
    long b0, b1;
    range(t, from_ms, to_ms, &b0, &b1);
    long longest = 0, run = 0;
    for (long b = b0; b < b1; b++) {
        run = atomic_load(&t->ended[b]) ? 0 : run + 1;
        if (run > longest)
            longest = run;
    }
    return (long long)longest * TIMELINE_BUCKET_MS;
}

long long timeline_max_latency(const timeline *t, long long from_ms,
                               long long to_ms) {
    long b0, b1;
    int worst = 0;
    range(t, from_ms, to_ms, &b0, &b1);
    for (long b = b0; b < b1; b++) {
        int v = atomic_load(&t->max_latency[b]);
        if (v > worst)
            worst = v;
    }
    return worst;
}
