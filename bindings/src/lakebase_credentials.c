/* Public glue for credential providers and credentials: handle and argument
 * checks over core/login.c. */
#include "lakebase.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "glue.h"
#include "handle.h"
#include "login.h"
#include "workers.h"

struct lakebase_credentials {
    uint32_t tag;
    lb_login *login;
};

#define CREDS_CHECK(creds, err)                                                \
    do {                                                                       \
        if (!LB_HANDLE_OK(creds, LB_TAG_CREDENTIALS))                          \
            return lb_glue_bad_handle(err, "lakebase_credentials");            \
    } while (0)

int lakebase_credentials_new(lakebase_credentials **out,
                             const lakebase_config *cfg, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    lakebase_credentials *c = calloc(1, sizeof *c);
    if (!c)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int code = lb_glue_login(cfg, &c->login, NULL, err);
    if (code != 0) {
        free(c);
        return code;
    }
    c->tag = LB_TAG_CREDENTIALS;
    *out = c;
    return 0;
}

int lakebase_credentials_get(lakebase_credentials *creds,
                             lakebase_credential **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    CREDS_CHECK(creds, err);
    return lb_login_get(creds->login, out, err);
}

/* A mint for lakebase_credentials_get_async, on a worker. */
typedef struct async_get {
    lb_job job;
    lb_login *login;
    lakebase_credential_fn done;
    void *userdata;
} async_get;

static void run_async_get(lb_job *job) {
    async_get *g = (async_get *)job;
    lb_credential *cred = NULL;
    lakebase_error *e = NULL;
    lb_login_get(g->login, &cred, &e);
    lakebase_credential_fn done = g->done;
    void *userdata = g->userdata;
    free(g);
    done(userdata, cred, e);
}

int lakebase_credentials_get_async(lakebase_credentials *creds,
                                   lakebase_credential **now,
                                   lakebase_credential_fn done, void *userdata,
                                   lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!now || !done)
        return lb_err(err, LAKEBASE_EINVAL, "now and done must not be NULL");
    *now = NULL;
    CREDS_CHECK(creds, err);
    int code = lb_login_get_nowait(creds->login, now, err);
    if (code != LB_LOGIN_MINT_NEEDED)
        return code;
    async_get *g = calloc(1, sizeof *g);
    if (!g)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    *g = (async_get){.job.run = run_async_get,
                     .login = creds->login,
                     .done = done,
                     .userdata = userdata};
    if (lb_workers_submit(&g->job) != 0) {
        free(g);
        return lb_err(err, LAKEBASE_EINTERNAL,
                      "no worker thread could be started to mint");
    }
    return 1;
}

int lakebase_credentials_open(lakebase_credentials *creds,
                              lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CREDS_CHECK(creds, err);
    lb_credential *cred = NULL;
    int code = lb_login_get(creds->login, &cred, err);
    lb_credential_free(cred);
    return code;
}

int lakebase_credentials_invalidate(lakebase_credentials *creds,
                                    const char *token, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CREDS_CHECK(creds, err);
    lb_login_invalidate(creds->login, token);
    return 0;
}

int lakebase_credentials_stats(lakebase_credentials *creds,
                               lakebase_credential_stats *out,
                               lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CREDS_CHECK(creds, err);
    return lb_glue_login_stats(creds->login, out, err);
}

void lb_glue_credentials_books(lakebase_credentials *creds,
                               lb_metric_sources *src) {
    src->mints = lb_login_mint_books(creds->login);
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
    if (!LB_HANDLE_OK(creds, LB_TAG_CREDENTIALS))
        return;
    creds->tag = LB_TAG_DEAD;
    lb_login_free(creds->login);
    free(creds);
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

const char *lakebase_credential_sslrootcert(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->sslrootcert : NULL;
}

const char *lakebase_credential_hostaddr(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->hostaddr : NULL;
}

const char *
lakebase_credential_application_name(const lakebase_credential *cred) {
    return CRED_OK(cred) ? cred->application_name : NULL;
}

void lakebase_credential_free(lakebase_credential *cred) {
    if (CRED_OK(cred))
        lb_credential_free(cred);
}
