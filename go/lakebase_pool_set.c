// Code generated from bindings/src/lakebase_pool_set.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Public glue for per-user pool sets: handle and argument checks over
 * core/pool_set.c. */
#include "lakebase.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "glue.h"
#include "handle.h"
#include "metrics.h"
#include "pool_set.h"

struct lakebase_user_pools {
    uint32_t tag;
    lb_pool_set *core;
};

#define SET_CHECK(set, err)                                                    \
    do {                                                                       \
        if (!LB_HANDLE_OK(set, LB_TAG_POOL_SET))                               \
            return lb_glue_bad_handle(err, "lakebase_user_pools");             \
    } while (0)

int lakebase_user_pools_new(lakebase_user_pools **out,
                            const lakebase_config *cfg, int max_pools,
                            int idle_evict_seconds, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return lb_glue_bad_handle(err, "lakebase_config");
    lakebase_user_pools *s = calloc(1, sizeof *s);
    if (!s)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int code =
        lb_pool_set_create(&s->core, cfg, max_pools, idle_evict_seconds, err);
    if (code != 0) {
        free(s);
        return code;
    }
    s->tag = LB_TAG_POOL_SET;
    *out = s;
    return 0;
}

int lakebase_user_pools_acquire(lakebase_user_pools *set, const char *key,
                                const char *workspace_token, long timeout_ms,
                                lakebase_conn **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    SET_CHECK(set, err);
    if (timeout_ms < -1)
        return lb_err(err, LAKEBASE_EINVAL,
                      "timeout_ms must be -1 (the pool's setting) or more");
    return lb_pool_set_acquire(set->core, key, workspace_token, timeout_ms, out,
                               err);
}

int lakebase_user_pools_acquire_async(lakebase_user_pools *set, const char *key,
                                      const char *workspace_token,
                                      long timeout_ms, lakebase_lease_fn done,
                                      void *userdata, lakebase_conn **now,
                                      uint64_t *ticket, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!now || !ticket || !done)
        return lb_err(err, LAKEBASE_EINVAL,
                      "done, now and ticket must not be NULL");
    *now = NULL;
    *ticket = 0;
    SET_CHECK(set, err);
    if (timeout_ms < -1)
        return lb_err(err, LAKEBASE_EINVAL,
                      "timeout_ms must be -1 (the pool's setting) or more");
    return lb_pool_set_acquire_async(set->core, key, workspace_token,
                                     timeout_ms, done, userdata, now, ticket,
                                     err);
}

int lakebase_user_pools_acquire_cancel(lakebase_user_pools *set,
                                       uint64_t ticket) {
    if (!LB_HANDLE_OK(set, LB_TAG_POOL_SET))
        return 1;
    return lb_pool_set_acquire_cancel(set->core, ticket);
}

int lakebase_user_pools_close(lakebase_user_pools *set, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    SET_CHECK(set, err);
    lb_pool_set_close(set->core);
    return 0;
}

void lakebase_user_pools_free(lakebase_user_pools *set) {
    if (!LB_HANDLE_OK(set, LB_TAG_POOL_SET))
        return;
    set->tag = LB_TAG_DEAD;
    lb_pool_set_destroy(set->core);
    free(set);
}

int lakebase_user_pools_get_stats(lakebase_user_pools *set,
                                  lakebase_user_pools_stats *out,
                                  lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    SET_CHECK(set, err);
    if (!out || out->version != LAKEBASE_USER_POOLS_STATS_VERSION)
        return lb_err(err, LAKEBASE_EINVAL,
                      "stats->version must be %d: declare the struct with "
                      "LAKEBASE_USER_POOLS_STATS_INIT",
                      LAKEBASE_USER_POOLS_STATS_VERSION);
    lb_pool_set_stats(set->core, out);
    return 0;
}

int lakebase_user_pools_metrics(lakebase_user_pools *set, const char *name,
                                lakebase_metric_fn fn, void *userdata,
                                lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    SET_CHECK(set, err);
    if (!fn)
        return lb_err(err, LAKEBASE_EINVAL, "fn must not be NULL");
    lakebase_user_pools_stats st = LAKEBASE_USER_POOLS_STATS_INIT;
    lb_pool_set_stats(set->core, &st);
    return lakebase_user_pools_metrics_from_stats(&st, name, fn, userdata, err);
}

int lakebase_user_pools_metrics_from_stats(
    const lakebase_user_pools_stats *stats, const char *name,
    lakebase_metric_fn fn, void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!fn || !stats || stats->version != LAKEBASE_USER_POOLS_STATS_VERSION)
        return lb_err(err, LAKEBASE_EINVAL,
                      "fn and stats must not be NULL, and stats->version "
                      "must be %d (LAKEBASE_USER_POOLS_STATS_INIT)",
                      LAKEBASE_USER_POOLS_STATS_VERSION);
    lb_metric_sources src = {.pool = &stats->pool,
                             .cred = &stats->credential,
                             .set = stats,
                             .pool_name = name,
                             .now_wall_ms = lb_wall_ms(lb_clock_system())};
    lb_metrics_collect(&src, fn, userdata);
    return 0;
}
