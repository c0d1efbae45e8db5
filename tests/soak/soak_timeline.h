/* Every query outcome of a soak run, kept so that fault windows can be
 * judged afterwards: successes in 10 ms buckets (by start and by end),
 * failures one by one. Recording is thread-safe and lock-free for
 * successes; times are emu_now_ms() milliseconds. */
#ifndef LB_SOAK_TIMELINE_H
#define LB_SOAK_TIMELINE_H

#include <stddef.h>

#define TIMELINE_BUCKET_MS 10

typedef struct timeline timeline;

typedef struct timeline_failure {
    long long started_ms, ended_ms;
    int code;
} timeline_failure;

/* A timeline starting at `t0_ms`, able to hold `seconds` of outcomes
 * (later ones are counted but not placed). NULL on ENOMEM. */
timeline *timeline_new(long long t0_ms, long long seconds);
void timeline_free(timeline *t);

/* Records one outcome (code 0: success). */
void timeline_record(timeline *t, long long started_ms, long long ended_ms,
                     int code);

/* Totals. */
long timeline_ok(const timeline *t);
long timeline_failed(const timeline *t);

/* The failures recorded (in recording order) and how many there are; only
 * the first TIMELINE_MAX_FAILURES are kept, the rest only counted. */
#define TIMELINE_MAX_FAILURES 100000
const timeline_failure *timeline_failures(timeline *t, size_t *n);

/* Successes that ended in [from, to). */
long timeline_ok_between(const timeline *t, long long from_ms, long long to_ms);

/* The earliest end of a success that started at or after `from_ms`, or -1
 * when none has (yet). */
long long timeline_first_success_from(const timeline *t, long long from_ms);

/* The longest stretch inside [from, to) in which no success ended. */
long long timeline_longest_gap(const timeline *t, long long from_ms,
                               long long to_ms);

/* The slowest success that started in [from, to), in ms (0 if none). */
long long timeline_max_latency(const timeline *t, long long from_ms,
                               long long to_ms);

#endif
