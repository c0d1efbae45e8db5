// Code generated from core/pool_set.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Per-user pools: one pool per identity key, bounded, idle ones evicted on
 * the reactor (pool_set.h). */
#include "pool_set.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "http.h"
#include "login.h"
#include "pool.h"
#include "reactor.h"
#include "secret.h"
#include "workers.h"

/* One identity's pool. */
typedef struct set_entry {
    uint64_t id; /* never reused: the token source's userdata */
    char *key;
    char *token; /* secret: the identity's latest workspace token */
    lb_login *login;
    lb_pool *pool;
    int active; /* acquires under way, waiting ones included (the set's
                   lock) */
    int64_t last_used_ms;         /* monotonic */
    struct set_entry *next;       /* the set's list */
    struct set_entry *next_by_id; /* the registry */
    lb_job job;                   /* its close, on a worker */
} set_entry;

/* An acquire waiting in an identity's pool, by the set's ticket. */
typedef struct set_request {
    lb_pool_set *s;
    set_entry *e;
    uint64_t ticket;      /* the set's */
    uint64_t pool_ticket; /* its pool's */
    lb_acquired_fn done;
    void *userdata;
    struct set_request *next;
} set_request;

struct lb_pool_set {
    pthread_mutex_t mu;
    pthread_cond_t settled; /* an acquire ended (active went down) */
    lakebase_config *tmpl;  /* the set's copy; its token source is swapped
                               per identity under mu */
    int max_pools;
    int64_t idle_evict_ms;
    set_entry *entries;
    int n;
    int closing;
    lb_reactor *reactor;
    lb_timer timer;
    set_request *requests; /* waiting asynchronous acquires */
    uint64_t last_ticket;
    /* counters */
    uint64_t created, evicted_idle, evicted_full, rejected;
    lakebase_pool_stats retired; /* counters of pools evicted */
    uint64_t retired_mints_ok, retired_mints_failed;
};

/* ---- the token source: entries by id --------------------------------------
 * A provider is cached process-wide under its key, which includes the
 * token source's userdata: a pointer could be reused by the next identity's
 * entry and find the previous identity's credential. Ids never are. */

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static set_entry *registry;
static uint64_t last_id;

static void registry_add(set_entry *e) {
    pthread_mutex_lock(&registry_mu);
    e->id = ++last_id;
    e->next_by_id = registry;
    registry = e;
    pthread_mutex_unlock(&registry_mu);
}

static void registry_remove(set_entry *e) {
    pthread_mutex_lock(&registry_mu);
    for (set_entry **p = &registry; *p; p = &(*p)->next_by_id)
        if (*p == e) {
            *p = e->next_by_id;
            break;
        }
    pthread_mutex_unlock(&registry_mu);
}

static int identity_token(void *userdata, char *buf, size_t cap,
                          int64_t *expires_at_unix_ms) {
    uint64_t id = (uint64_t)(uintptr_t)userdata;
    int rc = -1;
    *expires_at_unix_ms = 0; /* unknown: asked again before every call */
    pthread_mutex_lock(&registry_mu);
    for (set_entry *e = registry; e; e = e->next_by_id)
        if (e->id == id && e->token && strlen(e->token) < cap) {
            memcpy(buf, e->token, strlen(e->token) + 1);
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&registry_mu);
    return rc;
}

static void set_token(set_entry *e, const char *token) {
    char *copy = strdup(token);
    pthread_mutex_lock(&registry_mu);
    char *old = e->token;
    if (copy)
        e->token = copy;
    pthread_mutex_unlock(&registry_mu);
    lb_secret_free(copy ? old : NULL);
}

/* ---- entries ------------------------------------------------------------- */

static int64_t now_ms(void) { return lb_mono_ms(lb_clock_system()); }

/* Frees an entry whose pool is closed or was never made. */
static void entry_free(set_entry *e) {
    registry_remove(e);
    lb_secret_free(e->token);
    free(e->key);
    free(e);
}

/* Closes and frees (may block: a worker's or the freeing caller's). */
static void entry_close(set_entry *e) {
    lb_pool_destroy(e->pool);
    /* Its token is of no use to anybody else: dropped, so the provider is
     * not kept once its last handle goes. */
    lb_login_invalidate(e->login, NULL);
    lb_login_free(e->login);
    entry_free(e);
}

static void run_close(lb_job *job) {
    entry_close((set_entry *)((char *)job - offsetof(set_entry, job)));
}

static void add_counts(lakebase_pool_stats *to, const lakebase_pool_stats *p,
                       int gauges) {
    if (gauges) {
        to->total += p->total;
        to->idle += p->idle;
        to->in_use += p->in_use;
        to->connecting += p->connecting;
        to->waiting += p->waiting;
    }
    to->connects_ok += p->connects_ok;
    to->connects_failed += p->connects_failed;
    to->recycled += p->recycled;
    to->discarded += p->discarded;
    to->trimmed += p->trimmed;
    to->acquires += p->acquires;
    to->acquire_timeouts += p->acquire_timeouts;
    for (int i = 0; i < 7; i++)
        to->wait_histogram[i] += p->wait_histogram[i];
}

static int entry_idle(set_entry *e) {
    if (e->active)
        return 0;
    lakebase_pool_stats st = {.version = LAKEBASE_POOL_STATS_VERSION};
    lb_pool_get_stats(e->pool, &st);
    return st.in_use == 0 && st.waiting == 0 && st.connecting == 0;
}

/* Unlinks `e` and hands its close to a worker (or closes it here when no
 * worker can be had). Lock held; its counters go to the retired books. */
static void evict_locked(lb_pool_set *s, set_entry *e, set_entry **prev) {
    *prev = e->next;
    s->n--;
    lakebase_pool_stats st = {.version = LAKEBASE_POOL_STATS_VERSION};
    lb_pool_get_stats(e->pool, &st);
    add_counts(&s->retired, &st, 0);
    lakebase_credential_stats cs = {.version = 1};
    lb_login_stats(e->login, &cs);
    s->retired_mints_ok += cs.mints_ok;
    s->retired_mints_failed += cs.mints_failed;
    e->job.run = run_close;
    if (lb_workers_submit(&e->job) != 0)
        entry_close(e);
}

static void arm(lb_pool_set *s) {
    int64_t period = s->idle_evict_ms / 4;
    lb_reactor_arm(s->reactor, &s->timer, period < 250 ? 250 : period);
}

/* On the reactor: evicts the pools idle for idle_evict_ms. */
static void on_evict_timer(void *userdata) {
    lb_pool_set *s = userdata;
    int64_t now = now_ms();
    pthread_mutex_lock(&s->mu);
    for (set_entry **p = &s->entries; *p && !s->closing;) {
        set_entry *e = *p;
        if (now - e->last_used_ms >= s->idle_evict_ms && entry_idle(e)) {
            evict_locked(s, e, p);
            s->evicted_idle++;
        } else {
            p = &e->next;
        }
    }
    if (!s->closing)
        arm(s);
    pthread_mutex_unlock(&s->mu);
}

/* Makes the pool of a new identity (lock held; no network). */
static int entry_new(lb_pool_set *s, const char *key, const char *token,
                     set_entry **out, lakebase_error **err) {
    set_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->key = strdup(key)) || !(e->token = strdup(token))) {
        if (e)
            free(e->key);
        free(e);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    registry_add(e);
    s->tmpl->token_source = identity_token;
    s->tmpl->token_source_userdata = (void *)(uintptr_t)e->id;
    lb_resolved_config rc;
    int code = lb_config_resolve(s->tmpl, &rc, err);
    if (code == 0) {
        code = lb_login_new(&e->login, &rc, err);
        if (code == 0)
            code = lb_pool_create(&e->pool, &rc.pool, e->login, NULL, err);
        lb_resolved_config_clear(&rc);
    }
    if (code != 0) {
        lb_login_free(e->login);
        entry_free(e);
        return code;
    }
    *out = e;
    return 0;
}

/* The least recently used idle entry (the link that points to it), or
 * NULL. Lock held. */
static set_entry **least_recent_idle(lb_pool_set *s) {
    set_entry **best = NULL;
    for (set_entry **p = &s->entries; *p; p = &(*p)->next)
        if ((!best || (*p)->last_used_ms < (*best)->last_used_ms) &&
            entry_idle(*p))
            best = p;
    return best;
}

/* The entry of `key`, made (making room if needed) when absent; marked
 * active. Lock held. */
static int entry_for(lb_pool_set *s, const char *key, const char *token,
                     set_entry **out, lakebase_error **err) {
    for (set_entry *e = s->entries; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            if (token)
                set_token(e, token);
            *out = e;
            return 0;
        }
    if (!token)
        return lb_err(err, LAKEBASE_EINVAL,
                      "the pool set has no pool for this identity yet: pass "
                      "its workspace token (the forwarded user token)");
    if (s->n >= s->max_pools) {
        set_entry **lru = least_recent_idle(s);
        if (!lru) {
            s->rejected++;
            return lb_err(err, LAKEBASE_ETIMEOUT,
                          "the pool set holds its max_pools (%d) pools and "
                          "every one is in use: raise max_pools, or retry "
                          "when a request has finished",
                          s->max_pools);
        }
        evict_locked(s, *lru, lru);
        s->evicted_full++;
    }
    set_entry *e;
    int code = entry_new(s, key, token, &e, err);
    if (code != 0)
        return code;
    e->next = s->entries;
    s->entries = e;
    s->n++;
    s->created++;
    *out = e;
    return 0;
}

/* ---- the set ------------------------------------------------------------- */

int lb_pool_set_create(lb_pool_set **out, const lakebase_config *cfg,
                       int max_pools, int idle_evict_seconds,
                       lakebase_error **err) {
    *out = NULL;
    if (max_pools < 1 || idle_evict_seconds < 1)
        return lb_err(err, LAKEBASE_EINVAL,
                      "max_pools and idle_evict_seconds must be at least 1");
    static const lb_key_id identity_keys[] = {
        LB_KEY_PG_USER, LB_KEY_PG_PASSWORD, LB_KEY_AUTH_TOKEN,
        LB_KEY_AUTH_CLIENT_SECRET};
    for (size_t i = 0; i < sizeof identity_keys / sizeof identity_keys[0]; i++)
        if (cfg->values[identity_keys[i]])
            return lb_err(err, LAKEBASE_ECONFIG,
                          "%s is set, but a pool set logs each identity in "
                          "with its own workspace token as its own role: "
                          "unset it",
                          lb_key_table()[identity_keys[i]].name);
    lb_pool_set *s = calloc(1, sizeof *s);
    if (!s || !(s->tmpl = lb_config_clone(cfg))) {
        free(s);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    s->max_pools = max_pools;
    s->idle_evict_ms = (int64_t)idle_evict_seconds * 1000;
    s->retired.version = LAKEBASE_POOL_STATS_VERSION;
    s->tmpl->role_from_identity = 1;
    int code = lb_config_set(s->tmpl, "auth.type", "external", err);
    /* Checked once, with a token source standing for the identities'. */
    lb_resolved_config rc;
    s->tmpl->token_source = identity_token;
    if (code == 0)
        code = lb_config_resolve(s->tmpl, &rc, err);
    if (code == 0) {
        int minting = lb_config_is_minting(&rc);
        lb_resolved_config_clear(&rc);
        if (!minting)
            code = lb_err(err, LAKEBASE_ECONFIG,
                          "a pool set mints for each identity: set "
                          "lakebase.endpoint (LAKEBASE_ENDPOINT) or "
                          "lakebase.instance (LAKEBASE_INSTANCE)");
    }
    if (code == 0 && !(s->reactor = lb_reactor_acquire()))
        code = lb_err(err, LAKEBASE_EINTERNAL,
                      "the background thread could not be started");
    if (code != 0) {
        lb_config_destroy(s->tmpl);
        free(s);
        return code;
    }
    lb_http_global_init();
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->settled, NULL);
    lb_timer_init(&s->timer, on_evict_timer, s);
    arm(s);
    *out = s;
    return 0;
}

/* Starts an acquire: the entry of `key` (made when absent), marked
 * active. Takes the lock and keeps it on success. */
static int begin_acquire(lb_pool_set *s, const char *key,
                         const char *workspace_token, set_entry **out,
                         lakebase_error **err) {
    if (!key || !key[0] || (workspace_token && !workspace_token[0]))
        return lb_err(err, LAKEBASE_EINVAL,
                      "key must be a non-empty name of the identity, and "
                      "workspace_token NULL or non-empty");
    pthread_mutex_lock(&s->mu);
    int code = s->closing
                   ? lb_err(err, LAKEBASE_ECLOSED, "the pool set is closed")
                   : entry_for(s, key, workspace_token, out, err);
    if (code != 0) {
        pthread_mutex_unlock(&s->mu);
        return code;
    }
    (*out)->active++;
    (*out)->last_used_ms = now_ms();
    return 0;
}

/* Ends an acquire of `e` (lock held). */
static void end_acquire_locked(lb_pool_set *s, set_entry *e) {
    e->active--;
    e->last_used_ms = now_ms();
    pthread_cond_broadcast(&s->settled);
}

int lb_pool_set_acquire(lb_pool_set *s, const char *key,
                        const char *workspace_token, long timeout_ms,
                        lb_pg_conn **out, lakebase_error **err) {
    *out = NULL;
    set_entry *e = NULL;
    int code = begin_acquire(s, key, workspace_token, &e, err);
    if (code != 0)
        return code;
    pthread_mutex_unlock(&s->mu);
    code = lb_pool_acquire(e->pool, timeout_ms, out, err);
    pthread_mutex_lock(&s->mu);
    end_acquire_locked(s, e);
    pthread_mutex_unlock(&s->mu);
    return code;
}

static void unlink_request_locked(lb_pool_set *s, set_request *r) {
    for (set_request **p = &s->requests; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            return;
        }
}

/* The pool's completion of a waiting request: the caller's callback runs
 * before the acquire ends, so a set being freed waits for it. */
static void request_done(void *userdata, lb_pg_conn *c, lakebase_error *err) {
    set_request *r = userdata;
    lb_pool_set *s = r->s;
    pthread_mutex_lock(&s->mu);
    unlink_request_locked(s, r); /* too late to cancel now */
    pthread_mutex_unlock(&s->mu);
    r->done(r->userdata, c, err);
    pthread_mutex_lock(&s->mu);
    end_acquire_locked(s, r->e);
    pthread_mutex_unlock(&s->mu);
    free(r);
}

int lb_pool_set_acquire_async(lb_pool_set *s, const char *key,
                              const char *workspace_token, long timeout_ms,
                              lb_acquired_fn done, void *userdata,
                              lb_pg_conn **now, uint64_t *ticket,
                              lakebase_error **err) {
    *now = NULL;
    *ticket = 0;
    set_request *r = calloc(1, sizeof *r);
    if (!r)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    set_entry *e = NULL;
    int code = begin_acquire(s, key, workspace_token, &e, err);
    if (code != 0) {
        free(r);
        return code;
    }
    *r = (set_request){.s = s, .e = e, .done = done, .userdata = userdata};
    /* Under the set's lock: the completion (never run inside this call)
     * waits for the request to be on the list. */
    code = lb_pool_acquire_async(e->pool, timeout_ms, request_done, r, now,
                                 &r->pool_ticket, err);
    if (code == 1) {
        r->ticket = ++s->last_ticket;
        r->next = s->requests;
        s->requests = r;
        *ticket = r->ticket;
    } else {
        end_acquire_locked(s, e);
        free(r);
    }
    pthread_mutex_unlock(&s->mu);
    return code;
}

int lb_pool_set_acquire_cancel(lb_pool_set *s, uint64_t ticket) {
    pthread_mutex_lock(&s->mu);
    set_request *r = s->requests;
    while (r && r->ticket != ticket)
        r = r->next;
    int too_late = !r || lb_pool_acquire_cancel(r->e->pool, r->pool_ticket);
    if (!too_late) {
        unlink_request_locked(s, r);
        end_acquire_locked(s, r->e);
        free(r);
    }
    pthread_mutex_unlock(&s->mu);
    return too_late;
}

void lb_pool_set_stats(lb_pool_set *s, lakebase_user_pools_stats *out) {
    unsigned int version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    pthread_mutex_lock(&s->mu);
    out->pools = s->n;
    out->pools_created = s->created;
    out->evicted_idle = s->evicted_idle;
    out->evicted_full = s->evicted_full;
    out->rejected = s->rejected;
    out->pool = s->retired;
    out->credential.version = LAKEBASE_CREDENTIAL_STATS_VERSION;
    out->credential.mints_ok = s->retired_mints_ok;
    out->credential.mints_failed = s->retired_mints_failed;
    for (set_entry *e = s->entries; e; e = e->next) {
        lakebase_pool_stats st = {.version = LAKEBASE_POOL_STATS_VERSION};
        lb_pool_get_stats(e->pool, &st);
        add_counts(&out->pool, &st, 1);
        lakebase_credential_stats cs = {.version = 1};
        lb_login_stats(e->login, &cs);
        lakebase_credential_stats *c = &out->credential;
        c->mints_ok += cs.mints_ok;
        c->mints_failed += cs.mints_failed;
        if (cs.expire_time_unix_ms &&
            (!c->expire_time_unix_ms ||
             cs.expire_time_unix_ms < c->expire_time_unix_ms))
            c->expire_time_unix_ms = cs.expire_time_unix_ms;
        if (cs.degraded_since_unix_ms &&
            (!c->degraded_since_unix_ms ||
             cs.degraded_since_unix_ms < c->degraded_since_unix_ms))
            c->degraded_since_unix_ms = cs.degraded_since_unix_ms;
    }
    pthread_mutex_unlock(&s->mu);
}

void lb_pool_set_close(lb_pool_set *s) {
    pthread_mutex_lock(&s->mu);
    s->closing = 1; /* no entry is made or evicted from now on */
    pthread_mutex_unlock(&s->mu);
    lb_reactor_disarm(s->reactor, &s->timer);
    /* Wakes the acquires waiting in every pool (ECLOSED) without the
     * set's lock (their completions take it), then waits for them to
     * end. */
    for (set_entry *e = s->entries; e; e = e->next)
        lb_pool_close_begin(e->pool, 0);
    pthread_mutex_lock(&s->mu);
    for (set_entry *e = s->entries; e;)
        if (e->active > 0) {
            pthread_cond_wait(&s->settled, &s->mu);
            e = s->entries;
        } else {
            e = e->next;
        }
    pthread_mutex_unlock(&s->mu);
}

void lb_pool_set_destroy(lb_pool_set *s) {
    if (!s)
        return;
    lb_pool_set_close(s);
    lb_reactor_release(s->reactor);
    set_entry *e = s->entries;
    s->entries = NULL;
    while (e) {
        set_entry *next = e->next;
        entry_close(e);
        e = next;
    }
    pthread_cond_destroy(&s->settled);
    pthread_mutex_destroy(&s->mu);
    lb_config_destroy(s->tmpl);
    free(s);
}
