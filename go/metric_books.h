// Code generated from core/metric_books.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The counts the metric table needs that neither the pool's books nor the
 * provider's counters keep: how long connects take and why they fail
 * (error class and SQLSTATE), per pool; how long mints take, per provider.
 * Recorded from any thread without blocking anybody for long (atomics, and
 * a short mutex for the failure tally), read as a snapshot by
 * lb_metrics_collect (metrics.h). */
#ifndef LB_METRIC_BOOKS_H
#define LB_METRIC_BOOKS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Upper bounds (seconds) of the duration buckets, the last bucket open:
 * OpenTelemetry's advice for database client durations. */
#define LB_DURATION_BOUNDS 9
extern const double lb_duration_bounds[LB_DURATION_BOUNDS];

typedef struct lb_duration_histogram {
    atomic_uint_fast64_t buckets[LB_DURATION_BOUNDS + 1];
    atomic_uint_fast64_t sum_us;
} lb_duration_histogram;

/* A copy of a histogram at one moment. */
typedef struct lb_duration_snapshot {
    uint64_t buckets[LB_DURATION_BOUNDS + 1];
    uint64_t count;
    double sum_seconds;
} lb_duration_snapshot;

/* Microseconds of CLOCK_MONOTONIC: what every recorded duration is
 * measured with (never a test's fake clock). */
int64_t lb_duration_clock_us(void);

void lb_duration_record(lb_duration_histogram *h, int64_t duration_us);
void lb_duration_snapshot_of(lb_duration_histogram *h,
                             lb_duration_snapshot *out);

/* Distinct (error class, SQLSTATE) pairs a pool keeps apart, the last
 * entry counting every pair past the limit (code 0): the tally, and the
 * metric's cardinality, stay bounded. */
#define LB_CONNECT_FAILURE_KINDS 16

typedef struct lb_connect_failure {
    int code;         /* LAKEBASE_E*; 0 for the entry past the limit */
    char sqlstate[6]; /* "" when none */
    uint64_t count;
} lb_connect_failure;

typedef struct lb_connect_books {
    lb_duration_histogram duration; /* every connect, failed or not */
    pthread_mutex_t mu;             /* the failure tally */
    int n_failures;
    lb_connect_failure failures[LB_CONNECT_FAILURE_KINDS];
} lb_connect_books;

void lb_connect_books_init(lb_connect_books *b);
void lb_connect_books_destroy(lb_connect_books *b);

/* One connect that ended: `code` 0 for a login, else its LAKEBASE_E* code
 * and `sqlstate` (NULL or "" when none). */
void lb_connect_books_record(lb_connect_books *b, int64_t duration_us, int code,
                             const char *sqlstate);

/* Copies the failure tally; returns how many entries were written. */
int lb_connect_books_failures(lb_connect_books *b, lb_connect_failure *out,
                              int cap);

typedef struct lb_mint_books {
    lb_duration_histogram ok;     /* mints that returned a credential */
    lb_duration_histogram failed; /* attempts that failed (each retry) */
} lb_mint_books;

/* Zeroed memory is a ready lb_mint_books; this says so explicitly. */
void lb_mint_books_init(lb_mint_books *b);
void lb_mint_books_record(lb_mint_books *b, int64_t duration_us, int code);

#endif
