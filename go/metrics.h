// Code generated from core/metrics.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* THE table of metric and span names (lakebase.h, "Observability"), and
 * the one mapping from the library's counters to data points, so every
 * binding exports the same names with the same meaning. */
#ifndef LB_METRICS_H
#define LB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lakebase.h"
#include "metric_books.h"

/* Indexes into the metric table, in its order (names are the ABI,
 * positions are not; new metrics go before LB_METRIC_COUNT). */
typedef enum lb_metric_id {
    LB_METRIC_MINTS,
    LB_METRIC_MINT_DURATION,
    LB_METRIC_EXPIRES_IN,
    LB_METRIC_DEGRADED,
    LB_METRIC_CONNECTIONS,
    LB_METRIC_PENDING_REQUESTS,
    LB_METRIC_CONNECTS,
    LB_METRIC_CONNECT_DURATION,
    LB_METRIC_CONNECT_ERRORS,
    LB_METRIC_WAIT_TIME,
    LB_METRIC_TIMEOUTS,
    LB_METRIC_ACQUIRES,
    LB_METRIC_CLOSED,
    LB_METRIC_SET_POOLS,
    LB_METRIC_SET_EVICTIONS,
    LB_METRIC_SET_REJECTIONS,
    LB_METRIC_COUNT
} lb_metric_id;

typedef struct lb_metric_def {
    const char *name;
    int kind; /* LAKEBASE_METRIC_* */
    const char *unit;
    const char *description;
    const char *attributes; /* comma-separated keys */
} lb_metric_def;

typedef struct lb_span_def {
    const char *name;
    const char *description;
    const char *attributes;
} lb_span_def;

typedef enum lb_span_id {
    LB_SPAN_MINT,
    LB_SPAN_CONNECT,
    LB_SPAN_COUNT
} lb_span_id;

const lb_metric_def *lb_metric_table(void);
const lb_span_def *lb_span_table(void);

/* What one collection reads. NULL members are left out: a pool with a
 * static password has no credential counters, a credentials handle no
 * pool, and the books only where the handle keeps them. */
typedef struct lb_metric_sources {
    const lakebase_pool_stats *pool;
    const lakebase_credential_stats *cred;
    lb_connect_books *connects;
    lb_mint_books *mints;
    const lakebase_user_pools_stats *set; /* the set's own counters */
    const char *pool_name;                /* NULL: no pool name attribute */
    int64_t now_wall_ms;                  /* for the seconds to expiry */
} lb_metric_sources;

/* A pool's connect books (pool.c); they live as long as the pool. */
struct lb_pool;
lb_connect_books *lb_pool_connect_books(struct lb_pool *p);

/* Calls fn once per point, with no lock held. */
void lb_metrics_collect(const lb_metric_sources *src, lakebase_metric_fn fn,
                        void *userdata);

#endif
