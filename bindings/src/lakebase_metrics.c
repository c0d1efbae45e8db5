/* Public glue for the metric and span tables and the collect functions:
 * argument checks over core/metrics.c, the counters read through the
 * public stats functions, the handle's books (glue.h) beside them. */
#include "lakebase.h"

#include "clock.h"
#include "error.h"
#include "glue.h"
#include "metrics.h"

int lakebase_metric_at(size_t index, const char **name, int *kind,
                       const char **unit, const char **description,
                       const char **attributes) {
    if (index >= LB_METRIC_COUNT)
        return LAKEBASE_ERANGE;
    const lb_metric_def *m = &lb_metric_table()[index];
    if (name)
        *name = m->name;
    if (kind)
        *kind = m->kind;
    if (unit)
        *unit = m->unit;
    if (description)
        *description = m->description;
    if (attributes)
        *attributes = m->attributes;
    return 0;
}

int lakebase_span_at(size_t index, const char **name, const char **description,
                     const char **attributes) {
    if (index >= LB_SPAN_COUNT)
        return LAKEBASE_ERANGE;
    const lb_span_def *s = &lb_span_table()[index];
    if (name)
        *name = s->name;
    if (description)
        *description = s->description;
    if (attributes)
        *attributes = s->attributes;
    return 0;
}

static int stats_version_ok(const lakebase_pool_stats *pool,
                            const lakebase_credential_stats *cred) {
    return (!pool || (pool->version >= 2 &&
                      pool->version <= LAKEBASE_POOL_STATS_VERSION)) &&
           (!cred || (cred->version >= 1 &&
                      cred->version <= LAKEBASE_CREDENTIAL_STATS_VERSION));
}

int lakebase_metrics_from_stats(const lakebase_pool_stats *pool,
                                const lakebase_credential_stats *cred,
                                const char *pool_name, lakebase_metric_fn fn,
                                void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!fn)
        return lb_err(err, LAKEBASE_EINVAL, "fn must not be NULL");
    if (!stats_version_ok(pool, cred))
        return lb_err(err, LAKEBASE_EINVAL,
                      "a stats struct has a version this library does not "
                      "know: declare it with LAKEBASE_POOL_STATS_INIT / "
                      "LAKEBASE_CREDENTIAL_STATS_INIT");
    lb_metric_sources src = {.pool = pool,
                             .cred = cred,
                             .pool_name = pool_name,
                             .now_wall_ms = lb_wall_ms(lb_clock_system())};
    lb_metrics_collect(&src, fn, userdata);
    return 0;
}

int lakebase_pool_metrics(lakebase_pool *pool, const char *pool_name,
                          lakebase_metric_fn fn, void *userdata,
                          lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lakebase_credential_stats cst = LAKEBASE_CREDENTIAL_STATS_INIT;
    int code = lakebase_pool_get_stats(pool, &st, err);
    if (code == 0)
        code = lakebase_pool_credential_stats(pool, &cst, err);
    if (code != 0)
        return code;
    if (!fn)
        return lb_err(err, LAKEBASE_EINVAL, "fn must not be NULL");
    /* A pool with a static password reports its provider's counters as
     * zero (it never mints, and is never degraded) and no mint durations. */
    lb_metric_sources src = {.pool = &st,
                             .cred = &cst,
                             .pool_name = pool_name,
                             .now_wall_ms = lb_wall_ms(lb_clock_system())};
    lb_glue_pool_books(pool, &src);
    lb_metrics_collect(&src, fn, userdata);
    return 0;
}

int lakebase_credentials_metrics(lakebase_credentials *creds,
                                 lakebase_metric_fn fn, void *userdata,
                                 lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    lakebase_credential_stats cst = LAKEBASE_CREDENTIAL_STATS_INIT;
    int code = lakebase_credentials_stats(creds, &cst, err);
    if (code != 0)
        return code;
    if (!fn)
        return lb_err(err, LAKEBASE_EINVAL, "fn must not be NULL");
    lb_metric_sources src = {.cred = &cst,
                             .now_wall_ms = lb_wall_ms(lb_clock_system())};
    lb_glue_credentials_books(creds, &src);
    lb_metrics_collect(&src, fn, userdata);
    return 0;
}
