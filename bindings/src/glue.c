#include "glue.h"

#include <string.h>

#include "error.h"
#include "handle.h"
#include "http.h"

int lb_glue_bad_handle(lakebase_error **err, const char *what) {
    return lb_err(err, LAKEBASE_EHANDLE,
                  "%s is NULL, already freed, or not a %s handle", what, what);
}

int lb_glue_login(const lakebase_config *cfg, lb_login **out,
                  lb_pool_settings *pool, lakebase_error **err) {
    *out = NULL;
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return lb_glue_bad_handle(err, "lakebase_config");
    lb_http_global_init();
    lb_resolved_config rc;
    int code = lb_config_resolve(cfg, &rc, err);
    if (code != 0)
        return code;
    code = lb_login_new(out, &rc, err);
    if (code == 0 && pool)
        *pool = rc.pool;
    lb_resolved_config_clear(&rc);
    return code;
}

int lb_glue_stats_version(const unsigned int *version, unsigned int oldest,
                          unsigned int newest, const char *init,
                          lakebase_error **err) {
    if (!version || *version < oldest || *version > newest)
        return lb_err(err, LAKEBASE_EINVAL,
                      "stats->version must be %u..%u: declare the struct with "
                      "%s",
                      oldest, newest, init);
    return 0;
}

int lb_glue_login_stats(lb_login *login, lakebase_credential_stats *out,
                        lakebase_error **err) {
    int code = lb_glue_stats_version(out ? &out->version : NULL, 1,
                                     LAKEBASE_CREDENTIAL_STATS_VERSION,
                                     "LAKEBASE_CREDENTIAL_STATS_INIT", err);
    if (code != 0)
        return code;
    unsigned int version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    lb_login_stats(login, out);
    return 0;
}
