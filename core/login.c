#include "login.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "error.h"
#include "handle.h"
#include "provider_registry.h"
#include "secret.h"

struct lb_login {
    lb_provider *provider; /* shared; NULL in static mode */
    lb_log_sub *log_sub;   /* this handle's logger and spans on the provider */
    char *static_password; /* secret; static mode only */
    char *host;            /* explicit pg.host, or NULL: the provider's */
    char *user;            /* explicit pg.user, or NULL: the provider's */
    int port;
    char *database;
    char *sslmode;
    lb_logger log;
    lb_span_listener spans;
    lb_pg_settings pg;
    char *hostaddr, *sslrootcert, *application_name, *identity;
};

void lb_credential_free(lb_credential *c) {
    if (!c)
        return;
    c->tag = LB_TAG_DEAD;
    lb_secret_free(c->token);
    free(c->user);
    free(c->host);
    free(c->database);
    free(c->sslmode);
    free(c->sslrootcert);
    free(c->hostaddr);
    free(c->application_name);
    free(c);
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

void lb_login_free(lb_login *l) {
    if (!l)
        return;
    if (l->provider) {
        lb_provider_unsubscribe(l->provider, l->log_sub);
        lb_registry_release(l->provider);
    }
    lb_secret_free(l->static_password);
    free(l->host);
    free(l->user);
    free(l->database);
    free(l->sslmode);
    free(l->hostaddr);
    free(l->sslrootcert);
    free(l->application_name);
    free(l->identity);
    free(l);
}

int lb_login_new(lb_login **out, const lb_resolved_config *rc,
                 lakebase_error **err) {
    *out = NULL;
    lb_login *l = calloc(1, sizeof *l);
    if (!l)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    int oom = 0;
    l->host = dup_opt(rc->pg_host, &oom);
    l->user = dup_opt(rc->pg_user, &oom);
    l->port = rc->pg_port;
    l->database = dup_opt(rc->pg_database, &oom);
    l->sslmode = dup_opt(rc->pg_sslmode, &oom);
    l->hostaddr = dup_opt(rc->pg_hostaddr, &oom);
    l->sslrootcert = dup_opt(rc->pg_sslrootcert, &oom);
    l->application_name = dup_opt(rc->pg_application_name, &oom);
    l->identity = identity_of(rc, &oom);
    l->log = (lb_logger){rc->log_fn, rc->log_userdata, rc->log_level};
    l->spans = (lb_span_listener){rc->span_fn, rc->span_userdata};
    l->pg = (lb_pg_settings){
        .hostaddr = l->hostaddr,
        .sslrootcert = l->sslrootcert,
        .application_name = l->application_name,
        .connect_timeout_ms = rc->pool.connect_timeout_ms,
        .statement_timeout_ms = rc->pool.statement_timeout_ms,
        .prepare_threshold = rc->pool.prepare_threshold,
        .identity = l->identity,
        .log = &l->log,
        .spans = &l->spans,
    };
    int code = 0;
    if (oom)
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    else if (!lb_config_is_minting(rc))
        l->static_password = dup_opt(rc->pg_password, &oom);
    else if ((code = lb_registry_acquire(rc, &l->provider, err)) == 0)
        code = lb_provider_subscribe(l->provider, &l->log, &l->spans,
                                     &l->log_sub, err);
    if (code == 0 && oom)
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    if (code != 0) {
        lb_login_free(l);
        return code;
    }
    *out = l;
    return 0;
}

/* The credential for `snap`, with this login's overrides (consumes the
 * snapshot's token). */
static int make_credential(const lb_login *l, lb_token_snapshot *snap,
                           lb_credential **out, lakebase_error **err) {
    *out = NULL;
    lb_credential *c = calloc(1, sizeof *c);
    int oom = !c;
    if (c) {
        c->tag = LB_TAG_CREDENTIAL;
        c->token = snap->token;
        snap->token = NULL;
        c->expire_time_ms = snap->expire_wall_ms;
        c->user = dup_opt(l->user ? l->user : snap->user, &oom);
        c->host = dup_opt(l->host ? l->host : snap->host, &oom);
        c->port = l->port;
        c->database = dup_opt(l->database, &oom);
        c->sslmode = dup_opt(l->sslmode, &oom);
        c->sslrootcert = dup_opt(l->sslrootcert, &oom);
        c->hostaddr = dup_opt(l->hostaddr, &oom);
        c->application_name = dup_opt(l->application_name, &oom);
        oom = oom || !c->token || !c->user || !c->host || !c->database ||
              !c->sslmode;
    }
    lb_token_snapshot_clear(snap);
    if (oom) {
        lb_credential_free(c);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    *out = c;
    return 0;
}

int lb_login_get(lb_login *l, lb_credential **out, lakebase_error **err) {
    *out = NULL;
    lb_token_snapshot snap = {0};
    if (l->provider) {
        int code = lb_provider_get(l->provider, &snap, err);
        if (code != 0)
            return code;
    } else {
        snap.token = strdup(l->static_password);
    }
    return make_credential(l, &snap, out, err);
}

int lb_login_get_nowait(lb_login *l, lb_credential **out,
                        lakebase_error **err) {
    *out = NULL;
    lb_token_snapshot snap = {0};
    if (l->provider) {
        int code = lb_provider_get_nowait(l->provider, &snap, err);
        if (code != 0)
            return code;
    } else {
        snap.token = strdup(l->static_password);
    }
    return make_credential(l, &snap, out, err);
}

void lb_login_invalidate(lb_login *l, const char *token) {
    if (l->provider)
        lb_provider_invalidate(l->provider, token);
}

void lb_login_stats(lb_login *l, lakebase_credential_stats *out) {
    if (l->provider)
        lb_provider_stats(l->provider, out);
}

lb_mint_books *lb_login_mint_books(lb_login *l) {
    return l->provider ? lb_provider_mint_books(l->provider) : NULL;
}

int lb_login_minting(const lb_login *l) { return l->provider != NULL; }

const lb_pg_settings *lb_login_pg(const lb_login *l) { return &l->pg; }

const lb_logger *lb_login_logger(const lb_login *l) { return &l->log; }

int lb_login_listen(lb_login *l, void (*fn)(void *), void *userdata,
                    lakebase_error **err) {
    return l->provider ? lb_provider_listen(l->provider, fn, userdata, err) : 0;
}

void lb_login_unlisten(lb_login *l, void (*fn)(void *), void *userdata) {
    if (l->provider)
        lb_provider_unlisten(l->provider, fn, userdata);
}
