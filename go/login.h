// Code generated from core/login.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The login target of one handle (a credentials handle, a pool, a direct
 * connection): where and as whom every new connection logs in and with
 * which password — a credential of the process-wide provider for the
 * handle's key, or the static pg.password — plus the libpq settings that
 * go with it and the handle's own logger. Resolved once, when the handle
 * is made; immutable afterwards, so every function here is thread-safe. */
#ifndef LB_LOGIN_H
#define LB_LOGIN_H

#include <stdint.h>

#include "config.h"
#include "log.h"
#include "metric_books.h"
#include "pg_conn.h"

/* One credential and where to use it: the object behind the public
 * lakebase_credential handle. Immutable once made. */
struct lakebase_credential {
    uint32_t tag; /* LB_TAG_CREDENTIAL while alive */
    char *token;  /* secret */
    int64_t expire_time_ms;
    char *user;
    char *host;
    int port;
    char *database;
    char *sslmode;
    char *sslrootcert;      /* NULL when unset */
    char *hostaddr;         /* NULL when unset */
    char *application_name; /* NULL when unset */
};
typedef struct lakebase_credential lb_credential;

/* Zeroes the token and frees. Accepts NULL. */
void lb_credential_free(lb_credential *c);

typedef struct lb_login lb_login;

/* Copies what it needs from `rc`: takes a reference on the shared provider
 * for rc's key (minting mode; no network) or keeps the static password,
 * the explicit pg.host / pg.user that override the provider's, and
 * subscribes rc's logger to the provider's events. */
int lb_login_new(lb_login **out, const lb_resolved_config *rc,
                 lakebase_error **err);

/* Unsubscribes the logger (never called again once this returns) and
 * drops the provider reference. Accepts NULL. */
void lb_login_free(lb_login *l);

/* A credential usable now: the cached one, or one minted (blocking). */
int lb_login_get(lb_login *l, lb_credential **out, lakebase_error **err);

/* The cached credential if one is usable, without ever blocking:
 * LB_LOGIN_MINT_NEEDED otherwise (get it with lb_login_get where blocking
 * is allowed). */
#define LB_LOGIN_MINT_NEEDED 1
int lb_login_get_nowait(lb_login *l, lb_credential **out, lakebase_error **err);

/* Drops the cached token if it is still `token` (NULL: whatever is cached)
 * so the next get mints anew. Never blocks on the network. */
void lb_login_invalidate(lb_login *l, const char *token);

/* The provider's counters (all zero in static mode). Never blocks. */
void lb_login_stats(lb_login *l, lakebase_credential_stats *out);

/* The provider's mint durations (metric_books.h); NULL in static mode. */
lb_mint_books *lb_login_mint_books(lb_login *l);

/* 1 when credentials are minted, 0 with a static password. */
int lb_login_minting(const lb_login *l);

/* What libpq gets besides the credential; lives as long as `l`. */
const lb_pg_settings *lb_login_pg(const lb_login *l);

/* The handle's own logger, for the handle's own events (a pool's connects,
 * a direct connection's retries). */
const lb_logger *lb_login_logger(const lb_login *l);

/* Calls fn(userdata) after every new credential (on the minting thread,
 * under the provider's lock: it must only signal). A static login never
 * calls it. Once unlisten returns it is never called again. */
int lb_login_listen(lb_login *l, void (*fn)(void *), void *userdata,
                    lakebase_error **err);
void lb_login_unlisten(lb_login *l, void (*fn)(void *), void *userdata);

#endif
