// Code generated from bindings/src/lakebase_pool.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Public glue for pools and connections: handle and argument checks, the
 * login context (credentials handle + connect settings) a pool or a direct
 * connection keeps, and statements on a leased connection. */
#include "lakebase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "glue.h"
#include "handle.h"
#include "pg_conn.h"
#include "pool.h"
#include "pool_loop.h"
#include "result.h"

/* What every connect needs: the credentials handle (shared provider or
 * static password) and the settings libpq gets besides the credential. */
typedef struct login_ctx {
    lakebase_credentials *creds;
    lb_login_source src;
    lb_pg_settings pg;
    lb_logger log;
    char *hostaddr, *sslrootcert, *application_name, *identity;
} login_ctx;

struct lakebase_pool {
    uint32_t tag;
    lb_pool *core;
    lb_loop *loop;                  /* NULL until lakebase_pool_attach_loop */
    lakebase_refresh_fn on_refresh; /* host thread only */
    void *refresh_userdata;
    lb_pool_settings settings;
    login_ctx login;
};

static int source_get(void *ctx, lakebase_credential **out,
                      lakebase_error **err) {
    return lakebase_credentials_get(ctx, out, err);
}

static void source_invalidate(void *ctx, const char *token) {
    lakebase_credentials_invalidate(ctx, token, NULL);
}

static char *dup_opt(const char *s, int *oom) {
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *oom = 1;
    return d;
}

/* Names who mints the credential, for login error messages. */
static char *identity_of(const lb_resolved_config *rc, int *oom) {
    if (!lb_config_is_minting(rc))
        return NULL;
    char buf[300];
    if (rc->auth_type == LB_AUTH_OAUTH_M2M)
        snprintf(buf, sizeof buf, "service principal %.200s (auth.client_id)",
                 rc->client_id ? rc->client_id : "?");
    else if (rc->auth_type == LB_AUTH_PAT)
        snprintf(buf, sizeof buf,
                 "the user of the personal access token (auth.token)");
    else
        snprintf(buf, sizeof buf, "the identity of the workspace token source");
    return dup_opt(buf, oom);
}

static void login_clear(login_ctx *l) {
    lakebase_credentials_free(l->creds);
    free(l->hostaddr);
    free(l->sslrootcert);
    free(l->application_name);
    free(l->identity);
    memset(l, 0, sizeof *l);
}

/* Resolves cfg once for the connect settings (and the pool's), then opens
 * the credentials handle, which resolves it again the same way. */
static int login_init(login_ctx *l, const lakebase_config *cfg,
                      lb_pool_settings *pool, lakebase_error **err) {
    memset(l, 0, sizeof *l);
    lb_resolved_config rc;
    int code = lb_glue_resolve(cfg, &rc, err);
    if (code != 0)
        return code;
    int oom = 0;
    l->hostaddr = dup_opt(rc.pg_hostaddr, &oom);
    l->sslrootcert = dup_opt(rc.pg_sslrootcert, &oom);
    l->application_name = dup_opt(rc.pg_application_name, &oom);
    l->identity = identity_of(&rc, &oom);
    l->log = (lb_logger){rc.log_fn, rc.log_userdata, rc.log_level};
    if (pool)
        *pool = rc.pool;
    l->pg = (lb_pg_settings){
        .hostaddr = l->hostaddr,
        .sslrootcert = l->sslrootcert,
        .application_name = l->application_name,
        .connect_timeout_ms = rc.pool.connect_timeout_ms,
        .statement_timeout_ms = rc.pool.statement_timeout_ms,
        .identity = l->identity,
        .log = &l->log,
    };
    lb_resolved_config_clear(&rc);
    code = oom ? lb_err(err, LAKEBASE_ENOMEM, "out of memory")
               : lakebase_credentials_new(&l->creds, cfg, err);
    if (code != 0) {
        login_clear(l);
        return code;
    }
    l->src = (lb_login_source){source_get, source_invalidate, l->creds};
    return 0;
}

/* ---- pool -----------------------------------------------------------------
 */

#define POOL_CHECK(pool, err)                                                  \
    do {                                                                       \
        if (!LB_HANDLE_OK(pool, LB_TAG_POOL))                                  \
            return lb_glue_bad_handle(err, "lakebase_pool");                   \
    } while (0)

int lakebase_pool_new(lakebase_pool **out, const lakebase_config *cfg,
                      lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    lakebase_pool *p = calloc(1, sizeof *p);
    if (!p)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int code = login_init(&p->login, cfg, &p->settings, err);
    if (code == 0)
        code = lb_pool_create(&p->core, &p->settings, &p->login.pg,
                              &p->login.src, &p->login.log, err);
    if (code != 0) {
        login_clear(&p->login);
        free(p);
        return code;
    }
    p->tag = LB_TAG_POOL;
    *out = p;
    return 0;
}

int lakebase_pool_open(lakebase_pool *pool, int wait, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    return lb_pool_open(pool->core, wait, err);
}

int lakebase_pool_acquire(lakebase_pool *pool, lakebase_conn **out,
                          lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    POOL_CHECK(pool, err);
    return lb_pool_acquire(pool->core, -1, out, err);
}

int lakebase_pool_acquire_timeout(lakebase_pool *pool, long timeout_ms,
                                  lakebase_conn **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    POOL_CHECK(pool, err);
    if (timeout_ms < -1)
        return lb_err(err, LAKEBASE_EINVAL,
                      "timeout_ms must be -1 (the pool's setting) or more");
    return lb_pool_acquire(pool->core, timeout_ms, out, err);
}

static void pool_minted(void *ud);

int lakebase_pool_close(lakebase_pool *pool, int cancel_inflight,
                        lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (pool->loop) {
        lb_glue_credentials_unlisten(pool->login.creds, pool_minted, pool);
        int code = lb_loop_close(pool->loop, cancel_inflight, err);
        if (code != 0)
            return code;
    }
    return lb_pool_close(pool->core, cancel_inflight, err);
}

void lakebase_pool_free(lakebase_pool *pool) {
    if (!LB_HANDLE_OK(pool, LB_TAG_POOL))
        return;
    pool->tag = LB_TAG_DEAD;
    lb_glue_credentials_unlisten(pool->login.creds, pool_minted, pool);
    lb_loop_free(pool->loop);
    lb_pool_destroy(pool->core);
    login_clear(&pool->login);
    free(pool);
}

int lakebase_pool_stats_init(lakebase_pool_stats *stats, unsigned int version) {
    if (!stats || version < 2 || version > LAKEBASE_POOL_STATS_VERSION)
        return LAKEBASE_EINVAL;
    memset(stats, 0, sizeof *stats);
    stats->version = version;
    return 0;
}

int lakebase_pool_get_stats(lakebase_pool *pool, lakebase_pool_stats *out,
                            lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (!out || out->version < 2 || out->version > LAKEBASE_POOL_STATS_VERSION)
        return lb_err(err, LAKEBASE_EINVAL,
                      "stats->version must be 2..%d: declare the struct with "
                      "LAKEBASE_POOL_STATS_INIT",
                      LAKEBASE_POOL_STATS_VERSION);
    unsigned int version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    lb_pool_get_stats(pool->core, out);
    return 0;
}

int lakebase_pool_credential_stats(lakebase_pool *pool,
                                   lakebase_credential_stats *out,
                                   lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    return lakebase_credentials_stats(pool->login.creds, out, err);
}

int lakebase_pool_query(lakebase_pool *pool, const char *sql, int nparams,
                        const char *const *values, lakebase_result **out,
                        lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    lakebase_conn *conn = NULL;
    int code = lakebase_pool_acquire(pool, &conn, err);
    if (code != 0)
        return code;
    code = lakebase_conn_query(conn, sql, nparams, values, out, err);
    lakebase_conn_release(conn);
    return code;
}

/* ---- driven by the host's event loop ---------------------------------------
 */

#define LOOP_CHECK(pool, err)                                                  \
    do {                                                                       \
        POOL_CHECK(pool, err);                                                 \
        if (!(pool)->loop)                                                     \
            return lb_err(err, LAKEBASE_EINVAL,                                \
                          "no event loop is attached to this pool "            \
                          "(lakebase_pool_attach_loop)");                      \
    } while (0)

int lakebase_pool_attach_loop(lakebase_pool *pool, lakebase_watch_fn watch,
                              lakebase_timer_fn timer, void *userdata,
                              lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (pool->loop)
        return lb_err(err, LAKEBASE_EINVAL,
                      "an event loop is already attached");
    return lb_loop_new(&pool->loop, pool->core, &pool->settings, watch, timer,
                       userdata, err);
}

int lakebase_pool_query_async(lakebase_pool *pool, const char *sql, int nparams,
                              const char *const *values, lakebase_done_fn done,
                              void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    return lb_loop_query(pool->loop, sql, nparams, values, done, userdata, err);
}

int lakebase_pool_acquire_async(lakebase_pool *pool, lakebase_lease_fn done,
                                void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    return lb_loop_lease(pool->loop, done, userdata, err);
}

int lakebase_pool_on_socket(lakebase_pool *pool, int fd, int events,
                            lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    return lb_loop_on_socket(pool->loop, fd, events, err);
}

int lakebase_pool_on_timer(lakebase_pool *pool, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    return lb_loop_on_timer(pool->loop, err);
}

/* On the minting thread, under the provider's lock. */
static void pool_minted(void *ud) {
    lakebase_pool *pool = ud;
    lb_loop_signal_refresh(pool->loop);
}

/* On the host thread. */
static void pool_refreshed(void *ud) {
    lakebase_pool *pool = ud;
    if (!pool->on_refresh)
        return;
    lakebase_credential_stats st = {.version =
                                        LAKEBASE_CREDENTIAL_STATS_VERSION};
    if (lakebase_credentials_stats(pool->login.creds, &st, NULL) == 0)
        pool->on_refresh(pool->refresh_userdata, &st);
}

int lakebase_pool_on_refresh(lakebase_pool *pool, lakebase_refresh_fn fn,
                             void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    int code = lb_loop_on_refresh(pool->loop, pool_refreshed, pool, err);
    if (code != 0)
        return code;
    if (fn && !pool->on_refresh) {
        code = lb_glue_credentials_listen(pool->login.creds, pool_minted, pool,
                                          err);
        if (code != 0)
            return code;
    } else if (!fn && pool->on_refresh) {
        lb_glue_credentials_unlisten(pool->login.creds, pool_minted, pool);
    }
    pool->on_refresh = fn;
    pool->refresh_userdata = userdata;
    return 0;
}

int lakebase_pool_busy(lakebase_pool *pool) {
    LOOP_CHECK(pool, NULL);
    return lb_loop_busy(pool->loop);
}

/* ---- connections ----------------------------------------------------------
 */

#define CONN_CHECK(conn, err)                                                  \
    do {                                                                       \
        if (!LB_HANDLE_OK(conn, LB_TAG_CONN))                                  \
            return lb_glue_bad_handle(err, "lakebase_conn");                   \
    } while (0)

/* A lease whose connection broke or whose pool was closed while it was
 * held: only its handle is left. */
static int gone(lakebase_error **err) {
    return lb_err(err, LAKEBASE_ECLOSED,
                  "this connection is gone (it broke, or its pool was "
                  "closed): release it");
}

static void direct_release(void *owner, lb_pg_conn *c) {
    login_ctx *l = owner;
    lb_pg_close(c);
    login_clear(l);
    free(l);
}

int lakebase_connect(lakebase_conn **out, const lakebase_config *cfg,
                     lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    login_ctx *l = calloc(1, sizeof *l);
    if (!l)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int code = login_init(l, cfg, NULL, err);
    lb_pg_conn *c = NULL;
    if (code == 0)
        code = lb_pg_connect(&l->pg, &l->src, NULL, &c, err);
    if (code != 0) {
        login_clear(l);
        free(l);
        return code;
    }
    c->owner = l;
    c->on_release = direct_release;
    c->tag = LB_TAG_CONN;
    *out = c;
    return 0;
}

void lakebase_conn_release(lakebase_conn *conn) {
    if (!LB_HANDLE_OK(conn, LB_TAG_CONN))
        return;
    if (conn->loop_lease)
        lb_loop_release(conn);
    else
        conn->on_release(conn->owner, conn);
}

int lakebase_conn_query(lakebase_conn *conn, const char *sql, int nparams,
                        const char *const *values, lakebase_result **out,
                        lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    CONN_CHECK(conn, err);
    if (!sql)
        return lb_err(err, LAKEBASE_EINVAL, "sql must not be NULL");
    if (nparams < 0 || nparams > 65535 || (nparams > 0 && !values))
        return lb_err(err, LAKEBASE_EINVAL,
                      "nparams must be 0..65535 with a values array");
    if (conn->loop_lease)
        return lb_err(err, LAKEBASE_EINVAL,
                      "this connection is driven by the event loop: use "
                      "lakebase_conn_query_async");
    if (!conn->pg)
        return gone(err);
    PGresult *res = NULL;
    int code = lb_pg_exec(conn, sql, nparams, values, &res, err);
    if (code != 0)
        return code;
    *out = lb_result_wrap(res);
    return *out ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

int lakebase_conn_query_async(lakebase_conn *conn, const char *sql, int nparams,
                              const char *const *values, lakebase_done_fn done,
                              void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CONN_CHECK(conn, err);
    if (!conn->loop_lease && conn->pg)
        return lb_err(err, LAKEBASE_EINVAL,
                      "this connection is not from "
                      "lakebase_pool_acquire_async: use lakebase_conn_query");
    return lb_loop_conn_query(conn, sql, nparams, values, done, userdata, err);
}

int lakebase_conn_cancel(lakebase_conn *conn, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CONN_CHECK(conn, err);
    if (!conn->pg)
        return gone(err);
    return lb_pg_cancel(conn, err);
}
