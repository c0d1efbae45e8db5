// Code generated from bindings/src/lakebase_pool.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Public glue for pools and connections: handle and argument checks over
 * core/pool.c, core/pool_loop.c and core/pg_conn.c. */
#include "lakebase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "glue.h"
#include "handle.h"
#include "login.h"
#include "pg_conn.h"
#include "pool.h"
#include "pool_loop.h"
#include "result.h"

struct lakebase_pool {
    uint32_t tag;
    lb_pool *core;
    lb_loop *loop;                  /* NULL until lakebase_pool_attach_loop */
    lakebase_refresh_fn on_refresh; /* host thread only */
    void *refresh_userdata;
    lb_pool_settings settings;
    lb_login *login;
};

#define POOL_CHECK(pool, err)                                                  \
    do {                                                                       \
        if (!LB_HANDLE_OK(pool, LB_TAG_POOL))                                  \
            return lb_glue_bad_handle(err, "lakebase_pool");                   \
    } while (0)

/* ---- pool -----------------------------------------------------------------
 */

int lakebase_pool_new(lakebase_pool **out, const lakebase_config *cfg,
                      lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    lakebase_pool *p = calloc(1, sizeof *p);
    if (!p)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int code = lb_glue_login(cfg, &p->login, &p->settings, err);
    if (code == 0)
        code = lb_pool_create(&p->core, &p->settings, p->login, NULL, err);
    if (code != 0) {
        lb_login_free(p->login);
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

int lakebase_pool_open_async(lakebase_pool *pool, lakebase_open_fn done,
                             void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (!done)
        return lb_err(err, LAKEBASE_EINVAL, "done must not be NULL");
    if (pool->loop)
        return lb_loop_open(pool->loop, done, userdata, err);
    return lb_pool_open_async(pool->core, done, userdata, err);
}

int lakebase_pool_acquire(lakebase_pool *pool, lakebase_conn **out,
                          lakebase_error **err) {
    return lakebase_pool_acquire_timeout(pool, -1, out, err);
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

int lakebase_pool_acquire_async(lakebase_pool *pool, long timeout_ms,
                                lakebase_lease_fn done, void *userdata,
                                lakebase_conn **now, uint64_t *ticket,
                                lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (now)
        *now = NULL;
    if (ticket)
        *ticket = 0;
    if (!done || timeout_ms < -1)
        return lb_err(err, LAKEBASE_EINVAL,
                      "done must not be NULL and timeout_ms must be -1 (the "
                      "pool's setting) or more");
    if (pool->loop) {
        int code = lb_loop_lease(pool->loop, timeout_ms, done, userdata, err);
        return code == 0 ? 1 : code;
    }
    if (!now || !ticket)
        return lb_err(err, LAKEBASE_EINVAL,
                      "now and ticket must not be NULL without an event loop");
    return lb_pool_acquire_async(pool->core, timeout_ms, done, userdata, now,
                                 ticket, err);
}

int lakebase_pool_acquire_cancel(lakebase_pool *pool, uint64_t ticket) {
    if (!LB_HANDLE_OK(pool, LB_TAG_POOL) || pool->loop)
        return 1;
    return lb_pool_acquire_cancel(pool->core, ticket);
}

static void pool_minted(void *ud);

int lakebase_pool_close(lakebase_pool *pool, int cancel_inflight,
                        lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (pool->loop) {
        lb_login_unlisten(pool->login, pool_minted, pool);
        int code = lb_loop_close(pool->loop, cancel_inflight, err);
        if (code != 0)
            return code;
    }
    return lb_pool_close(pool->core, cancel_inflight, err);
}

int lakebase_pool_close_async(lakebase_pool *pool, long cancel_after_ms,
                              lakebase_closed_fn done, void *userdata,
                              lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    if (!done)
        return lb_err(err, LAKEBASE_EINVAL, "done must not be NULL");
    if (pool->loop) {
        lb_login_unlisten(pool->login, pool_minted, pool);
        return lb_loop_close_async(pool->loop, cancel_after_ms, done, userdata,
                                   err);
    }
    return lb_pool_close_async(pool->core, cancel_after_ms, done, userdata,
                               err);
}

void lakebase_pool_free(lakebase_pool *pool) {
    if (!LB_HANDLE_OK(pool, LB_TAG_POOL))
        return;
    pool->tag = LB_TAG_DEAD;
    lb_login_unlisten(pool->login, pool_minted, pool);
    lb_loop_free(pool->loop);
    lb_pool_destroy(pool->core);
    lb_login_free(pool->login);
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
    int code = lb_glue_stats_version(out ? &out->version : NULL, 2,
                                     LAKEBASE_POOL_STATS_VERSION,
                                     "LAKEBASE_POOL_STATS_INIT", err);
    if (code != 0)
        return code;
    unsigned int version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    lb_pool_get_stats(pool->core, out);
    return 0;
}

void lb_glue_pool_books(lakebase_pool *pool, lb_metric_sources *src) {
    src->connects = lb_pool_connect_books(pool->core);
    src->mints = lb_login_mint_books(pool->login);
}

int lakebase_pool_credential_stats(lakebase_pool *pool,
                                   lakebase_credential_stats *out,
                                   lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    return lb_glue_login_stats(pool->login, out, err);
}

int lakebase_pool_query(lakebase_pool *pool, const char *sql, int nparams,
                        const char *const *values, lakebase_result **out,
                        lakebase_error **err) {
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

int lakebase_pool_socket_ready(lakebase_pool *pool, int fd, int events,
                               lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    return lb_loop_on_socket(pool->loop, fd, events, err);
}

int lakebase_pool_timer_expired(lakebase_pool *pool, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    return lb_loop_on_timer(pool->loop, err);
}

/* On the minting thread, under the provider's lock: only signals. */
static void pool_minted(void *ud) {
    lakebase_pool *pool = ud;
    lb_loop_signal_refresh(pool->loop);
}

/* On the host thread. */
static void pool_refreshed(void *ud) {
    lakebase_pool *pool = ud;
    if (!pool->on_refresh)
        return;
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    lb_login_stats(pool->login, &st);
    pool->on_refresh(pool->refresh_userdata, &st);
}

int lakebase_pool_set_refresh_callback(lakebase_pool *pool,
                                       lakebase_refresh_fn fn, void *userdata,
                                       lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    LOOP_CHECK(pool, err);
    int code = lb_loop_on_refresh(pool->loop, pool_refreshed, pool, err);
    if (code != 0)
        return code;
    if (fn && !pool->on_refresh) {
        code = lb_login_listen(pool->login, pool_minted, pool, err);
        if (code != 0)
            return code;
    } else if (!fn && pool->on_refresh) {
        lb_login_unlisten(pool->login, pool_minted, pool);
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
    lb_pg_close(c);
    lb_login_free(owner);
}

/* What a statement on a leased connection (lakebase_conn_query, _send)
 * needs: a live handle of a connection not driven by an event loop, and
 * well-formed arguments. */
static int check_statement(lakebase_conn *conn, const char *sql, int nparams,
                           const char *const *values, lakebase_error **err) {
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
    return 0;
}

/* A statement's outcome as the public result: `res` (taken) on success. */
static int wrapped(int code, PGresult *res, lakebase_result **out,
                   lakebase_error **err) {
    if (code != 0)
        return code;
    *out = lb_result_wrap(res);
    return *out ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

int lakebase_connect(lakebase_conn **out, const lakebase_config *cfg,
                     lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out)
        return lb_err(err, LAKEBASE_EINVAL, "out must not be NULL");
    *out = NULL;
    lb_login *login = NULL;
    int code = lb_glue_login(cfg, &login, NULL, err);
    lb_pg_conn *c = NULL;
    if (code == 0)
        code = lb_pg_connect(login, NULL, &c, err);
    if (code != 0) {
        lb_login_free(login);
        return code;
    }
    c->owner = login;
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
    int code = check_statement(conn, sql, nparams, values, err);
    if (code != 0)
        return code;
    PGresult *res = NULL;
    code = lb_pg_exec(conn, sql, nparams, values, &res, err);
    return wrapped(code, res, out, err);
}

int lakebase_conn_query_async(lakebase_conn *conn, const char *sql, int nparams,
                              const char *const *values, lakebase_done_fn done,
                              void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CONN_CHECK(conn, err);
    if (!conn->loop_lease && conn->pg)
        return lb_err(err, LAKEBASE_EINVAL,
                      "this connection is not from an attached pool's "
                      "lakebase_pool_acquire_async: use lakebase_conn_query");
    return lb_loop_conn_query(conn, sql, nparams, values, done, userdata, err);
}

int lakebase_conn_send(lakebase_conn *conn, const char *sql, int nparams,
                       const char *const *values, int *fd, int *events,
                       lakebase_result **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out || !fd || !events)
        return lb_err(err, LAKEBASE_EINVAL,
                      "out, fd and events must not be NULL");
    *out = NULL;
    int code = check_statement(conn, sql, nparams, values, err);
    if (code != 0)
        return code;
    PGresult *res = NULL;
    code = lb_pg_send(conn, sql, nparams, values, fd, events, &res, err);
    return code == 1 ? 1 : wrapped(code, res, out, err);
}

int lakebase_conn_advance(lakebase_conn *conn, int *fd, int *events,
                          lakebase_result **out, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!out || !fd || !events)
        return lb_err(err, LAKEBASE_EINVAL,
                      "out, fd and events must not be NULL");
    *out = NULL;
    CONN_CHECK(conn, err);
    if (!conn->pg)
        return gone(err);
    PGresult *res = NULL;
    int code = lb_pg_advance(conn, fd, events, &res, err);
    return code == 1 ? 1 : wrapped(code, res, out, err);
}

uint64_t lakebase_conn_id(const lakebase_conn *conn) {
    return LB_HANDLE_OK(conn, LB_TAG_CONN) ? conn->id : 0;
}

int lakebase_pool_set_close_callback(lakebase_pool *pool,
                                     lakebase_conn_closed_fn fn, void *userdata,
                                     lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    POOL_CHECK(pool, err);
    lb_pool_on_close(pool->core, fn, userdata);
    return 0;
}

int lakebase_conn_cancel(lakebase_conn *conn, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    CONN_CHECK(conn, err);
    if (!conn->pg)
        return gone(err);
    return lb_pg_cancel(conn, err);
}
