// Code generated from bindings/src/lakebase_credentials.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Public glue for credential providers and credentials: argument and handle
 * checks, static-password mode, and the login target each handle adds to
 * the shared provider's token. */
#include "lakebase.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "credential.h"
#include "error.h"
#include "glue.h"
#include "handle.h"
#include "provider_registry.h"
#include "secret.h"

struct lakebase_credentials {
    uint32_t tag;
    lb_provider *provider; /* shared; NULL in static mode */
    char *static_password; /* secret; static mode only */
    char *host;            /* explicit pg.host, or NULL: the provider's */
    char *user;            /* explicit pg.user, or NULL: the provider's */
    int port;
    char *database;
    char *sslmode;
};

struct lakebase_credential {
    uint32_t tag;
    char *token; /* secret */
    int64_t expire_time_ms;
    char *user;
    char *host;
    int port;
    char *database;
    char *sslmode;
};

static char *dup_opt(const char *s) { return s ? strdup(s) : NULL; }

static void credentials_destroy(lakebase_credentials *c) {
    if (!c)
        return;
    c->tag = LB_TAG_DEAD;
    lb_registry_release(c->provider);
    lb_secret_free(c->static_password);
    free(c->host);
    free(c->user);
    free(c->database);
    free(c->sslmode);
    free(c);
}

int lakebase_credentials_new(lakebase_credentials **out,
                             const lakebase_config *cfg, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    lb_resolved_config rc;
    int code = lb_glue_resolve(cfg, &rc, err);
    if (code != 0)
        return code;
    lakebase_credentials *c = calloc(1, sizeof *c);
    if (!c) {
        lb_resolved_config_clear(&rc);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    c->tag = LB_TAG_CREDENTIALS;
    c->host = dup_opt(rc.pg_host);
    c->user = dup_opt(rc.pg_user);
    c->port = rc.pg_port;
    c->database = dup_opt(rc.pg_database);
    c->sslmode = dup_opt(rc.pg_sslmode);
    if ((rc.pg_host && !c->host) || (rc.pg_user && !c->user) ||
        (rc.pg_database && !c->database) || (rc.pg_sslmode && !c->sslmode))
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    else if (lb_config_is_minting(&rc))
        code = lb_registry_acquire(&rc, &c->provider, err);
    else if (!(c->static_password = dup_opt(rc.pg_password)))
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    lb_resolved_config_clear(&rc);
    if (code != 0) {
        credentials_destroy(c);
        return code;
    }
    *out = c;
    return 0;
}

static lakebase_credential *credential_from(const lakebase_credentials *c,
                                            lb_token_snapshot *snap) {
    lakebase_credential *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->tag = LB_TAG_CREDENTIAL;
    k->token = snap->token;
    snap->token = NULL;
    k->expire_time_ms = snap->expire_wall_ms;
    k->user = dup_opt(c->user ? c->user : snap->user);
    k->host = dup_opt(c->host ? c->host : snap->host);
    k->port = c->port;
    k->database = dup_opt(c->database);
    k->sslmode = dup_opt(c->sslmode);
    if (!k->token || !k->user || !k->host || !k->database || !k->sslmode) {
        lakebase_credential_free(k);
        return NULL;
    }
    return k;
}

int lakebase_credentials_get(lakebase_credentials *creds,
                             lakebase_credential **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!LB_HANDLE_OK(creds, LB_TAG_CREDENTIALS))
        return lb_glue_bad_handle(err, "lakebase_credentials");
    lb_token_snapshot snap = {0};
    if (creds->provider) {
        int code = lb_provider_get(creds->provider, &snap, err);
        if (code != 0)
            return code;
    } else {
        snap.token = strdup(creds->static_password);
    }
    *out = credential_from(creds, &snap);
    lb_token_snapshot_clear(&snap);
    return *out ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

int lakebase_credentials_open(lakebase_credentials *creds,
                              lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    lakebase_credential *cred = NULL;
    int code = lakebase_credentials_get(creds, &cred, err);
    lakebase_credential_free(cred);
    return code;
}

int lakebase_credentials_invalidate(lakebase_credentials *creds,
                                    const char *token, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(creds, LB_TAG_CREDENTIALS))
        return lb_glue_bad_handle(err, "lakebase_credentials");
    if (creds->provider)
        lb_provider_invalidate(creds->provider, token);
    return 0;
}

int lakebase_credentials_stats(lakebase_credentials *creds,
                               lakebase_credential_stats *out,
                               lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(creds, LB_TAG_CREDENTIALS))
        return lb_glue_bad_handle(err, "lakebase_credentials");
    if (!out || out->version < 1 ||
        out->version > LAKEBASE_CREDENTIAL_STATS_VERSION)
        return lb_err(err, LAKEBASE_EINVAL,
                      "stats->version must be 1..%d: declare the struct with "
                      "LAKEBASE_CREDENTIAL_STATS_INIT",
                      LAKEBASE_CREDENTIAL_STATS_VERSION);
    unsigned int version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    if (creds->provider)
        lb_provider_stats(creds->provider, out);
    return 0;
}

int lakebase_credential_stats_init(lakebase_credential_stats *stats,
                                   unsigned int version) {
    if (!stats || version < 1 || version > LAKEBASE_CREDENTIAL_STATS_VERSION)
        return LAKEBASE_EINVAL;
    memset(stats, 0, sizeof *stats);
    stats->version = version;
    return 0;
}

void lakebase_credentials_free(lakebase_credentials *creds) {
    if (LB_HANDLE_OK(creds, LB_TAG_CREDENTIALS))
        credentials_destroy(creds);
}

/* ---- one credential ------------------------------------------------------ */

#define CRED_OK(k) LB_HANDLE_OK(k, LB_TAG_CREDENTIAL)

const char *lakebase_credential_token(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->token : NULL;
}

int64_t lakebase_credential_expire_time_ms(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->expire_time_ms : 0;
}

const char *lakebase_credential_user(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->user : NULL;
}

const char *lakebase_credential_host(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->host : NULL;
}

int lakebase_credential_port(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->port : 0;
}

const char *lakebase_credential_database(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->database : NULL;
}

const char *lakebase_credential_sslmode(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->sslmode : NULL;
}

void lakebase_credential_free(lakebase_credential *cred) {
    if (!CRED_OK(cred))
        return;
    cred->tag = LB_TAG_DEAD;
    lb_secret_free(cred->token);
    free(cred->user);
    free(cred->host);
    free(cred->database);
    free(cred->sslmode);
    free(cred);
}

int lb_glue_credentials_listen(lakebase_credentials *c,
                               void (*fn)(void *userdata), void *userdata,
                               lakebase_error **err) {
    return c->provider ? lb_provider_listen(c->provider, fn, userdata, err) : 0;
}

void lb_glue_credentials_unlisten(lakebase_credentials *c,
                                  void (*fn)(void *userdata), void *userdata) {
    if (c->provider)
        lb_provider_unlisten(c->provider, fn, userdata);
}
