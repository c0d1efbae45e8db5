/* Public configuration API: argument and handle checks over core/config. */
#include "lakebase.h"

#include "config.h"
#include "error.h"
#include "glue.h"
#include "handle.h"

static int bad_handle(const char *fn, lakebase_error **err) {
    return lb_err(err, LAKEBASE_EHANDLE,
                  "%s: cfg is NULL, freed or not a lakebase_config", fn);
}

int lakebase_config_new(lakebase_config **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "lakebase_config_new: out is NULL");
    *out = lb_config_create();
    return *out ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

int lakebase_config_set(lakebase_config *cfg, const char *key,
                        const char *value, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return bad_handle("lakebase_config_set", err);
    if (!key)
        return lb_err(err, LAKEBASE_EINVAL, "lakebase_config_set: key is NULL");
    return lb_config_set(cfg, key, value, err);
}

int lakebase_config_set_dsn(lakebase_config *cfg, const char *dsn,
                            lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return bad_handle("lakebase_config_set_dsn", err);
    if (!dsn)
        return lb_err(err, LAKEBASE_EINVAL,
                      "lakebase_config_set_dsn: dsn is NULL");
    return lb_config_apply_dsn(cfg, dsn, err);
}

int lakebase_config_set_token_source(lakebase_config *cfg,
                                     lakebase_token_source_fn fn,
                                     void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return bad_handle("lakebase_config_set_token_source", err);
    cfg->token_source = fn;
    cfg->token_source_userdata = fn ? userdata : NULL;
    return 0;
}

int lakebase_config_set_logger(lakebase_config *cfg, lakebase_log_fn fn,
                               void *userdata, int max_level,
                               lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return bad_handle("lakebase_config_set_logger", err);
    if (fn &&
        (max_level < LAKEBASE_LOG_ERROR || max_level > LAKEBASE_LOG_DEBUG))
        return lb_err(err, LAKEBASE_EINVAL,
                      "lakebase_config_set_logger: max_level %d is not one of "
                      "LAKEBASE_LOG_ERROR (1) .. LAKEBASE_LOG_DEBUG (4)",
                      max_level);
    cfg->log_fn = fn;
    cfg->log_userdata = fn ? userdata : NULL;
    cfg->log_level = fn ? max_level : 0;
    return 0;
}

int lakebase_config_set_span_listener(lakebase_config *cfg, lakebase_span_fn fn,
                                      void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return bad_handle("lakebase_config_set_span_listener", err);
    cfg->span_fn = fn;
    cfg->span_userdata = fn ? userdata : NULL;
    return 0;
}

void lakebase_config_free(lakebase_config *cfg) {
    /* A foreign or already freed pointer is left alone: there is no error
     * channel here, and touching it could corrupt someone else's memory. */
    if (LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        lb_config_destroy(cfg);
}

int lakebase_config_key_at(size_t index, const char **name,
                           const char **env_vars, const char **doc) {
    if (index >= LB_KEY_COUNT)
        return LAKEBASE_ERANGE;
    const lb_key_def *k = &lb_key_table()[index];
    if (name)
        *name = k->name;
    if (env_vars)
        *env_vars = k->env;
    if (doc)
        *doc = k->doc;
    return 0;
}
