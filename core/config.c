/* The configuration object: explicit values keyed by the key table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "handle.h"
#include "secret.h"

lakebase_config *lb_config_create(void) {
    lakebase_config *cfg = calloc(1, sizeof *cfg);
    if (cfg)
        cfg->tag = LB_TAG_CONFIG;
    return cfg;
}

void lb_config_destroy(lakebase_config *cfg) {
    if (!cfg)
        return;
    /* Any value may be a secret; zeroing them all keeps this simple. */
    for (size_t i = 0; i < LB_KEY_COUNT; i++)
        lb_secret_clear(&cfg->values[i]);
    cfg->tag = LB_TAG_DEAD;
    free(cfg);
}

lakebase_config *lb_config_clone(const lakebase_config *src) {
    lakebase_config *cfg = lb_config_create();
    if (!cfg)
        return NULL;
    for (size_t i = 0; i < LB_KEY_COUNT; i++) {
        if (src->values[i] && !(cfg->values[i] = strdup(src->values[i]))) {
            lb_config_destroy(cfg);
            return NULL;
        }
    }
    cfg->token_source = src->token_source;
    cfg->token_source_userdata = src->token_source_userdata;
    cfg->log_fn = src->log_fn;
    cfg->log_userdata = src->log_userdata;
    cfg->log_level = src->log_level;
    cfg->span_fn = src->span_fn;
    cfg->span_userdata = src->span_userdata;
    cfg->role_from_identity = src->role_from_identity;
    return cfg;
}

static const lb_key_def *find_key(const char *key, lakebase_error **err) {
    const lb_key_def *def = lb_key_find(key);
    if (!def)
        lb_err(err, LAKEBASE_ECONFIG,
               "unknown configuration key \"%.100s\"; the keys are listed "
               "in docs/configuration.md",
               key);
    return def;
}

int lb_config_set(lakebase_config *cfg, const char *key, const char *value,
                  lakebase_error **err) {
    if (value)
        return lb_config_set_many(cfg, &key, &value, 1, "set explicitly", err);
    const lb_key_def *def = find_key(key, err);
    if (!def)
        return LAKEBASE_ECONFIG;
    lb_secret_clear(&cfg->values[def - lb_key_table()]);
    return 0;
}

int lb_config_set_many(lakebase_config *cfg, const char *const *keys,
                       const char *const *values, size_t n, const char *where,
                       lakebase_error **err) {
    char *copies[LB_KEY_COUNT] = {0};
    size_t slots[LB_KEY_COUNT];
    int rc = 0;
    if (n > LB_KEY_COUNT)
        return lb_err(err, LAKEBASE_EINVAL, "too many keys at once");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const lb_key_def *def = find_key(keys[i], err);
        rc = def ? lb_key_check(def, values[i], where, err) : LAKEBASE_ECONFIG;
        if (rc == 0) {
            slots[i] = (size_t)(def - lb_key_table());
            copies[i] = strdup(values[i]);
            if (!copies[i])
                rc = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (rc != 0) {
            lb_secret_free(copies[i]);
            continue;
        }
        lb_secret_free(cfg->values[slots[i]]);
        cfg->values[slots[i]] = copies[i];
    }
    return rc;
}
