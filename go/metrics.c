// Code generated from core/metrics.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The metric and span tables, and the mapping from counters to points. */
#include "metrics.h"

#include "error.h"

#define ATTR_STATE      "db.client.connection.state"
#define ATTR_RESULT     "lakebase.result"
#define ATTR_REASON     "lakebase.close.reason"
#define ATTR_ERROR_TYPE "error.type"
#define ATTR_SQLSTATE   "db.response.status_code"
#define ATTR_EVICTION   "lakebase.eviction.reason"

static const lb_metric_def metrics[LB_METRIC_COUNT] = {
    [LB_METRIC_MINTS] = {"lakebase.credential.mints", LAKEBASE_METRIC_COUNTER,
                         "{mint}",
                         "Database credential mint attempts, by result (ok, "
                         "failed: each retry counts)",
                         ATTR_RESULT},
    [LB_METRIC_MINT_DURATION] = {"lakebase.credential.mint.duration",
                                 LAKEBASE_METRIC_HISTOGRAM, "s",
                                 "Duration of database credential mint "
                                 "attempts, by result",
                                 ATTR_RESULT},
    [LB_METRIC_EXPIRES_IN] = {"lakebase.credential.expires_in",
                              LAKEBASE_METRIC_GAUGE, "s",
                              "Seconds until the cached database credential "
                              "expires (no point while none is cached)",
                              ""},
    [LB_METRIC_DEGRADED] = {"lakebase.credential.refresh.degraded",
                            LAKEBASE_METRIC_GAUGE, "1",
                            "1 while refreshes fail and the still-valid "
                            "credential is served, else 0",
                            ""},
    [LB_METRIC_CONNECTIONS] = {"db.client.connection.count",
                               LAKEBASE_METRIC_UPDOWN_COUNTER, "{connection}",
                               "Connections of the pool by state: idle, used, "
                               "connecting",
                               ATTR_STATE},
    [LB_METRIC_PENDING_REQUESTS] = {"db.client.connection.pending_requests",
                                    LAKEBASE_METRIC_UPDOWN_COUNTER, "{request}",
                                    "Acquires and statements waiting for a "
                                    "connection",
                                    ""},
    [LB_METRIC_CONNECTS] = {"lakebase.pool.connects", LAKEBASE_METRIC_COUNTER,
                            "{connect}",
                            "Connects the pool finished, by result (ok, "
                            "failed)",
                            ATTR_RESULT},
    [LB_METRIC_CONNECT_DURATION] = {"db.client.connection.create_time",
                                    LAKEBASE_METRIC_HISTOGRAM, "s",
                                    "Time to open a connection and log in, "
                                    "retries and a mint included",
                                    ""},
    [LB_METRIC_CONNECT_ERRORS] = {"lakebase.pool.connect.errors",
                                  LAKEBASE_METRIC_COUNTER, "{error}",
                                  "Failed connects by error class (ELOGIN, "
                                  "ECONNECTION, ...) and SQLSTATE",
                                  ATTR_ERROR_TYPE "," ATTR_SQLSTATE},
    [LB_METRIC_WAIT_TIME] = {"db.client.connection.wait_time",
                             LAKEBASE_METRIC_HISTOGRAM, "s",
                             "Time callers waited to get a connection", ""},
    [LB_METRIC_TIMEOUTS] = {"db.client.connection.timeouts",
                            LAKEBASE_METRIC_COUNTER, "{timeout}",
                            "Acquires and statements that got no connection "
                            "within their timeout",
                            ""},
    [LB_METRIC_ACQUIRES] = {"lakebase.pool.acquires", LAKEBASE_METRIC_COUNTER,
                            "{lease}", "Connections leased to callers", ""},
    [LB_METRIC_CLOSED] = {"lakebase.pool.connections.closed",
                          LAKEBASE_METRIC_COUNTER, "{connection}",
                          "Connections the pool closed, by reason: recycled "
                          "(age), discarded (broken), trimmed (surplus)",
                          ATTR_REASON},
    [LB_METRIC_SET_POOLS] = {"lakebase.pool_set.pools",
                             LAKEBASE_METRIC_UPDOWN_COUNTER, "{pool}",
                             "Pools (identities) a per-user pool set holds",
                             ""},
    [LB_METRIC_SET_EVICTIONS] = {"lakebase.pool_set.evictions",
                                 LAKEBASE_METRIC_COUNTER, "{pool}",
                                 "Pools a per-user pool set closed, by reason: "
                                 "idle, capacity (room for another identity)",
                                 ATTR_EVICTION},
    [LB_METRIC_SET_REJECTIONS] = {"lakebase.pool_set.rejections",
                                  LAKEBASE_METRIC_COUNTER, "{request}",
                                  "Acquires a full pool set refused (every "
                                  "pool in use)",
                                  ""},
};

static const lb_span_def spans[LB_SPAN_COUNT] = {
    [LB_SPAN_MINT] = {"lakebase.credential.mint",
                      "One database credential mint attempt (an HTTPS call "
                      "to the workspace; each retry is a span of its own)",
                      "lakebase.credential.api,error.type,"
                      "http.response.status_code"},
    [LB_SPAN_CONNECT] = {"lakebase.connect",
                         "One new PostgreSQL connection: credential, TCP, "
                         "TLS and login, wake-up retries included",
                         "db.system.name,server.address,server.port,"
                         "db.namespace,error.type,db.response.status_code"},
};

const lb_metric_def *lb_metric_table(void) { return metrics; }
const lb_span_def *lb_span_table(void) { return spans; }

/* ---- collection ---------------------------------------------------------- */

#define MAX_ATTRS 3

/* One point being built: the attributes a collection adds to all (the pool
 * name) come first. */
typedef struct point_builder {
    lakebase_metric_fn fn;
    void *userdata;
    const char *keys[MAX_ATTRS];
    const char *values[MAX_ATTRS];
    size_t n_common;
} point_builder;

static void emit(point_builder *b, lb_metric_id id, const char *key,
                 const char *value, const char *key2, const char *value2,
                 lakebase_metric_point *pt) {
    size_t n = b->n_common;
    if (key) {
        b->keys[n] = key;
        b->values[n++] = value;
    }
    if (key2) {
        b->keys[n] = key2;
        b->values[n++] = value2;
    }
    pt->version = LAKEBASE_METRIC_POINT_VERSION;
    pt->metric = (size_t)id;
    pt->name = metrics[id].name;
    pt->attribute_count = n;
    pt->attribute_keys = b->keys;
    pt->attribute_values = b->values;
    b->fn(b->userdata, pt);
}

static void emit_value(point_builder *b, lb_metric_id id, const char *key,
                       const char *value, double v) {
    lakebase_metric_point pt = {.value = v};
    emit(b, id, key, value, NULL, NULL, &pt);
}

static void emit_durations(point_builder *b, lb_metric_id id, const char *key,
                           const char *value, lb_duration_histogram *h) {
    lb_duration_snapshot s;
    lb_duration_snapshot_of(h, &s);
    lakebase_metric_point pt = {.count = s.count,
                                .sum = s.sum_seconds,
                                .has_sum = 1,
                                .bucket_count = LB_DURATION_BOUNDS + 1,
                                .bounds = lb_duration_bounds,
                                .bucket_counts = s.buckets};
    emit(b, id, key, value, NULL, NULL, &pt);
}

/* The pool's acquire wait histogram's bounds (lakebase_pool_stats). */
static const double wait_bounds[6] = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};

static void collect_pool(point_builder *b, const lakebase_pool_stats *st) {
    emit_value(b, LB_METRIC_CONNECTIONS, ATTR_STATE, "idle", st->idle);
    emit_value(b, LB_METRIC_CONNECTIONS, ATTR_STATE, "used", st->in_use);
    emit_value(b, LB_METRIC_CONNECTIONS, ATTR_STATE, "connecting",
               st->connecting);
    emit_value(b, LB_METRIC_PENDING_REQUESTS, NULL, NULL, st->waiting);
    emit_value(b, LB_METRIC_CONNECTS, ATTR_RESULT, "ok",
               (double)st->connects_ok);
    emit_value(b, LB_METRIC_CONNECTS, ATTR_RESULT, "failed",
               (double)st->connects_failed);
    uint64_t waits = 0;
    for (int i = 0; i < 7; i++)
        waits += st->wait_histogram[i];
    lakebase_metric_point wait = {.count = waits,
                                  .bucket_count = 7,
                                  .bounds = wait_bounds,
                                  .bucket_counts = st->wait_histogram};
    emit(b, LB_METRIC_WAIT_TIME, NULL, NULL, NULL, NULL, &wait);
    emit_value(b, LB_METRIC_TIMEOUTS, NULL, NULL, (double)st->acquire_timeouts);
    emit_value(b, LB_METRIC_ACQUIRES, NULL, NULL, (double)st->acquires);
    emit_value(b, LB_METRIC_CLOSED, ATTR_REASON, "recycled",
               (double)st->recycled);
    emit_value(b, LB_METRIC_CLOSED, ATTR_REASON, "discarded",
               (double)st->discarded);
    emit_value(b, LB_METRIC_CLOSED, ATTR_REASON, "trimmed",
               (double)st->trimmed);
}

static void collect_connects(point_builder *b, lb_connect_books *books) {
    emit_durations(b, LB_METRIC_CONNECT_DURATION, NULL, NULL, &books->duration);
    lb_connect_failure f[LB_CONNECT_FAILURE_KINDS];
    int n = lb_connect_books_failures(books, f, LB_CONNECT_FAILURE_KINDS);
    for (int i = 0; i < n; i++) {
        lakebase_metric_point pt = {.value = (double)f[i].count};
        const char *type = f[i].code ? lb_err_name(f[i].code) : "_OTHER";
        emit(b, LB_METRIC_CONNECT_ERRORS, ATTR_ERROR_TYPE, type,
             f[i].sqlstate[0] ? ATTR_SQLSTATE : NULL, f[i].sqlstate, &pt);
    }
}

static void collect_credential(point_builder *b,
                               const lakebase_credential_stats *st,
                               int64_t now_wall_ms) {
    emit_value(b, LB_METRIC_MINTS, ATTR_RESULT, "ok", (double)st->mints_ok);
    emit_value(b, LB_METRIC_MINTS, ATTR_RESULT, "failed",
               (double)st->mints_failed);
    if (st->expire_time_unix_ms > 0)
        emit_value(b, LB_METRIC_EXPIRES_IN, NULL, NULL,
                   (double)(st->expire_time_unix_ms - now_wall_ms) / 1000.0);
    emit_value(b, LB_METRIC_DEGRADED, NULL, NULL,
               st->degraded_since_unix_ms ? 1.0 : 0.0);
}

void lb_metrics_collect(const lb_metric_sources *src, lakebase_metric_fn fn,
                        void *userdata) {
    point_builder b = {.fn = fn, .userdata = userdata};
    if (src->pool_name) {
        b.keys[0] = LAKEBASE_ATTRIBUTE_POOL_NAME;
        b.values[0] = src->pool_name;
        b.n_common = 1;
    }
    if (src->set) {
        emit_value(&b, LB_METRIC_SET_POOLS, NULL, NULL, src->set->pools);
        emit_value(&b, LB_METRIC_SET_EVICTIONS, ATTR_EVICTION, "idle",
                   (double)src->set->evicted_idle);
        emit_value(&b, LB_METRIC_SET_EVICTIONS, ATTR_EVICTION, "capacity",
                   (double)src->set->evicted_full);
        emit_value(&b, LB_METRIC_SET_REJECTIONS, NULL, NULL,
                   (double)src->set->rejected);
    }
    if (src->pool)
        collect_pool(&b, src->pool);
    if (src->connects)
        collect_connects(&b, src->connects);
    if (src->cred)
        collect_credential(&b, src->cred, src->now_wall_ms);
    if (src->mints) {
        emit_durations(&b, LB_METRIC_MINT_DURATION, ATTR_RESULT, "ok",
                       &src->mints->ok);
        emit_durations(&b, LB_METRIC_MINT_DURATION, ATTR_RESULT, "failed",
                       &src->mints->failed);
    }
}
