/* What every public entry point shares: the err rule, the handle error,
 * and turning a configuration handle into a login (resolved once). */
#ifndef LB_GLUE_H
#define LB_GLUE_H

#include "config.h"
#include "lakebase.h"
#include "login.h"
#include "metrics.h"

/* The header's rule for `err`: a *err that is not NULL on entry is an
 * earlier error the caller has not freed; the call does nothing. */
#define LB_GLUE_ERR_IN(err)                                                    \
    do {                                                                       \
        if ((err) && *(err))                                                   \
            return LAKEBASE_EINVAL;                                            \
    } while (0)

/* LAKEBASE_EHANDLE naming the handle type `what`. */
int lb_glue_bad_handle(lakebase_error **err, const char *what);

/* Checks cfg's tag, initialises libcurl once, resolves cfg once (values >
 * environment > profile > defaults, validated) and makes the handle's
 * login from it; `pool` (may be NULL) receives the pool.* settings of the
 * same resolution. */
int lb_glue_login(const lakebase_config *cfg, lb_login **out,
                  lb_pool_settings *pool, lakebase_error **err);

/* A stats struct's version (NULL: no struct) is one the library fills:
 * from `oldest` to `newest`; else LAKEBASE_EINVAL naming the `init`
 * macro. */
int lb_glue_stats_version(const unsigned int *version, unsigned int oldest,
                          unsigned int newest, const char *init,
                          lakebase_error **err);

/* Checks the stats struct's version and fills it from the login's
 * provider. */
int lb_glue_login_stats(lb_login *login, lakebase_credential_stats *out,
                        lakebase_error **err);

/* The books behind a handle's metrics, into src: a pool's connects and its
 * provider's mints (none with a static password), a credentials handle's
 * mints. The caller has checked the handle. */
void lb_glue_pool_books(lakebase_pool *pool, lb_metric_sources *src);
void lb_glue_credentials_books(lakebase_credentials *creds,
                               lb_metric_sources *src);

#endif
