#include "credential.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_parse.h"
#include "auth.h"
#include "error.h"
#include "reactor.h"
#include "log.h"
#include "resolve.h"
#include "retry.h"
#include "rfc3339.h"
#include "secret.h"
#include "workspace_api.h"
#include "workers.h"

/* Tokens default to one hour; an answer claiming longer is clamped. */
#define DEFAULT_TTL_MS (3600 * 1000LL)
/* Used when the server's expiry is already past by our clock (skew). */
#define SKEWED_LIFETIME_MS (300 * 1000LL)
/* A token is handed out only while it has at least this much life left
 * (or a tenth of its lifetime, for very short test tokens). */
#define USABLE_FLOOR_MS 5000

static const lb_backoff REFRESH_BACKOFF = {.floor_ms = 1000, .cap_ms = 60000};

typedef struct mint_listener {
    lb_mint_listener_fn fn;
    void *userdata;
    struct mint_listener *next;
} mint_listener;

struct lb_provider {
    /* Immutable after construction. */
    lb_resolved_config rc;
    lb_http_client *http;
    lb_http_send_fn send;
    void *send_ctx;
    const lb_clock *clock;
    lb_log_fanout logs; /* every handle's logger (log.h) */
    lb_auth *auth;
    lb_workspace_api api;
    lb_api_kind kind;
    char target[512];         /* "endpoint projects/..." for messages */
    lb_mint_books mint_books; /* atomics: recorded without mu */

    pthread_mutex_t mu;
    pthread_cond_t changed; /* a mint finished, or work was requested */

    /* Guarded by mu. */
    char *host;  /* resolved once */
    char *user;  /* resolved once */
    char *token; /* secret */
    int64_t expire_wall_ms;
    int64_t expire_mono_ms;
    int64_t lifetime_ms;
    int64_t refresh_at_mono_ms;
    int minting;             /* the single flight */
    uint64_t mints_finished; /* attempts or chains that ended */
    int last_finish_sync;    /* the last to end was a caller's retry chain */
    lakebase_error *last_error;
    int consecutive_failures;
    int64_t next_attempt_mono_ms; /* background backoff gate */
    int dropped_after_refusal;    /* a refused login dropped a token... */
    int64_t dropped_mono_ms;      /* ...last at this time */
    int refresh_requested;
    int64_t degraded_since_wall_ms;
    uint64_t mints_ok, mints_failed;
    int64_t last_mint_latency_us;
    mint_listener *listeners;

    int paused; /* no handle: lingering in the registry, no refresh */

    /* Background refresh: a timer on the process's reactor, and one
     * attempt at a time on a worker (NULL reactor: tests drive
     * lb_provider_tick). */
    lb_reactor *reactor;
    lb_timer timer;
    lb_job job;
    int job_running;       /* until the job no longer touches the provider */
    int lingering_reactor; /* paused with background refresh: resume takes
                              the reactor again */
};

void lb_token_snapshot_clear(lb_token_snapshot *s) {
    lb_secret_clear(&s->token);
    free(s->host);
    free(s->user);
    memset(s, 0, sizeof *s);
}

/* ---- one mint attempt (no lock held) ------------------------------------ */

static int build_mint_request(lb_provider *p, char **body, const char **path,
                              lakebase_error **err) {
    if (p->kind == LB_API_AUTOSCALING) {
        *path = "/api/2.0/postgres/credentials";
        *body =
            lb_build_autoscaling_request(p->rc.endpoint, p->rc.ttl_seconds,
                                         p->rc.claims_json, p->rc.group_name);
    } else {
        char request_id[37];
        if (lb_uuid4(request_id) != 0)
            return lb_err(err, LAKEBASE_EINTERNAL,
                          "could not generate a request id (RAND_bytes)");
        *path = "/api/2.0/database/credentials";
        *body = lb_build_provisioned_request(p->rc.instance, p->rc.claims_json,
                                             request_id);
    }
    return *body ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

/* Host and role are looked up once and then reused for every mint. */
static int ensure_login_target(lb_provider *p, int64_t *hint,
                               lakebase_error **err) {
    pthread_mutex_lock(&p->mu);
    int have_host = p->host != NULL, have_user = p->user != NULL;
    pthread_mutex_unlock(&p->mu);
    char *host = NULL, *user = NULL;
    int rc = 0;
    if (!have_host)
        rc = lb_resolve_host(&p->api, &p->rc, &host, hint, err);
    if (rc == 0 && !have_user)
        rc = lb_resolve_role(&p->api, &p->rc, &user, hint, err);
    pthread_mutex_lock(&p->mu);
    if (host && !p->host) {
        p->host = host;
        host = NULL;
    }
    if (user && !p->user) {
        p->user = user;
        user = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    free(host);
    free(user);
    return rc;
}

typedef struct minted {
    char *token;
    int64_t expire_wall_ms;
    int64_t lifetime_ms;
    int64_t issued_mono_ms;
} minted;

/* Expiry from the server, clamped by local issue time + requested ttl so a
 * skewed or lying clock cannot stretch a token's life. */
static void clamp_expiry(lb_provider *p, int64_t issued_wall_ms,
                         int64_t server_expire_ns, minted *m,
                         lb_log_batch *log) {
    int64_t server_ms = server_expire_ns / 1000000;
    int64_t ttl_ms =
        p->rc.ttl_seconds > 0 ? p->rc.ttl_seconds * 1000LL : DEFAULT_TTL_MS;
    int64_t cap = issued_wall_ms + ttl_ms;
    m->expire_wall_ms = server_ms < cap ? server_ms : cap;
    m->lifetime_ms = m->expire_wall_ms - issued_wall_ms;
    if (m->lifetime_ms <= 0) {
        lb_log_defer(
            log, LAKEBASE_LOG_WARN,
            "the credential for %s expires %" PRId64
            " ms before it was issued by the local clock: is the clock "
            "skewed? assuming %lld s",
            p->target, -m->lifetime_ms, SKEWED_LIFETIME_MS / 1000);
        m->lifetime_ms = SKEWED_LIFETIME_MS;
        m->expire_wall_ms = issued_wall_ms + SKEWED_LIFETIME_MS;
    }
}

static int request_credential(lb_provider *p, minted *m, int64_t *hint,
                              lakebase_error **err) {
    *hint = -1;
    memset(m, 0, sizeof *m);
    int64_t started_mono = lb_mono_ms(p->clock);
    int64_t started_wall = lb_wall_ms(p->clock);
    int rc = ensure_login_target(p, hint, err);
    if (rc != 0)
        return rc;
    char *body = NULL;
    const char *path = NULL;
    rc = build_mint_request(p, &body, &path, err);
    if (rc != 0)
        return rc;
    lb_http_response resp = {0};
    rc = lb_workspace_call(&p->api, "POST", path, body, &resp, hint, err);
    free(body);
    if (rc != 0)
        return rc;
    int64_t expire_ns = 0;
    rc = lb_parse_credential(p->kind, resp.body, resp.body_len, &m->token,
                             &expire_ns, err);
    lb_http_response_clear(&resp);
    if (rc != 0)
        return rc;
    lb_log_batch log = {0};
    clamp_expiry(p, started_wall, expire_ns, m, &log);
    lb_fanout_flush(&p->logs, &log);
    m->issued_mono_ms = started_mono;
    pthread_mutex_lock(&p->mu);
    p->last_mint_latency_us = (lb_mono_ms(p->clock) - started_mono) * 1000;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* Hands `e` to the caller's out-parameter, or frees it. */
static void give_error(lakebase_error **err, lakebase_error *e) {
    if (err && !*err)
        *err = e;
    else
        lb_err_destroy(e);
}

/* One mint attempt, its duration and outcome in the mint books and a
 * span to every handle's listener (each retry of a chain is an attempt of
 * its own). Runs without the lock. */
static int mint_once(lb_provider *p, minted *m, int64_t *hint,
                     lakebase_error **err) {
    lb_span_record span;
    lb_span_begin(&span, LB_SPAN_MINT);
    lb_span_set_text(&span, "lakebase.credential.api",
                     p->kind == LB_API_AUTOSCALING ? "postgres" : "database");
    lakebase_error *e = NULL;
    int rc = request_credential(p, m, hint, &e);
    lb_span_end(&span, rc, e);
    lb_mint_books_record(&p->mint_books,
                         (span.end_unix_nanos - span.start_unix_nanos) / 1000,
                         rc);
    int status = rc == 0 ? 200 : e ? lb_err_http_status(e) : 0;
    if (status)
        lb_span_set_int(&span, "http.response.status_code", status);
    lb_fanout_span(&p->logs, &span);
    give_error(err, e);
    return rc;
}

static void schedule_locked(lb_provider *p);

/* ---- cache state (lock held) --------------------------------------------- */

static int64_t usable_floor_ms(const lb_provider *p) {
    int64_t tenth = p->lifetime_ms / 10;
    return tenth < USABLE_FLOOR_MS ? tenth : USABLE_FLOOR_MS;
}

static int64_t hard_margin_ms(const lb_provider *p) {
    int64_t margin = p->rc.hard_margin_seconds * 1000LL;
    int64_t quarter = p->lifetime_ms / 4;
    return margin < quarter ? margin : quarter;
}

/* Remaining life by both clocks: monotonic survives wall-clock jumps, wall
 * time catches a suspend the monotonic clock did not count. */
static int64_t remaining_ms(const lb_provider *p, int64_t now_mono,
                            int64_t now_wall) {
    int64_t by_mono = p->expire_mono_ms - now_mono;
    int64_t by_wall = p->expire_wall_ms - now_wall;
    return by_mono < by_wall ? by_mono : by_wall;
}

static int token_usable(const lb_provider *p, int64_t now_mono,
                        int64_t now_wall) {
    return p->token && remaining_ms(p, now_mono, now_wall) > usable_floor_ms(p);
}

static void install_token(lb_provider *p, minted *m, lb_log_batch *log) {
    lb_secret_free(p->token);
    p->token = m->token;
    m->token = NULL;
    p->expire_wall_ms = m->expire_wall_ms;
    p->lifetime_ms = m->lifetime_ms;
    p->expire_mono_ms = m->issued_mono_ms + m->lifetime_ms;
    p->refresh_at_mono_ms =
        m->issued_mono_ms +
        (int64_t)((double)m->lifetime_ms * (1.0 - p->rc.refresh_fraction));
    p->mints_ok++;
    for (mint_listener *l = p->listeners; l; l = l->next)
        l->fn(l->userdata);
    p->consecutive_failures = 0;
    p->next_attempt_mono_ms = 0;
    p->refresh_requested = 0;
    if (p->degraded_since_wall_ms) {
        lb_log_defer(log, LAKEBASE_LOG_INFO,
                     "credential refresh for %s recovered after %" PRId64 " ms",
                     p->target,
                     lb_wall_ms(p->clock) - p->degraded_since_wall_ms);
    }
    p->degraded_since_wall_ms = 0;
    lb_err_destroy(p->last_error);
    p->last_error = NULL;
    char when[40];
    lb_rfc3339_format_ms(p->expire_wall_ms, when, sizeof when);
    lb_log_defer(log, LAKEBASE_LOG_INFO,
                 "minted a database credential for role %s on %s, expires %s "
                 "(lifetime %" PRId64 " s)",
                 p->user ? p->user : "?", p->target, when,
                 p->lifetime_ms / 1000);
}

static void record_failure(lb_provider *p, lakebase_error *e, int64_t hint,
                           lb_log_batch *log) {
    p->mints_failed++;
    p->consecutive_failures++;
    if (!p->degraded_since_wall_ms)
        p->degraded_since_wall_ms = lb_wall_ms(p->clock);
    int64_t wait = lb_backoff_ms(&REFRESH_BACKOFF, p->consecutive_failures,
                                 hint, lb_random_u32());
    p->next_attempt_mono_ms = lb_mono_ms(p->clock) + wait;
    lb_err_destroy(p->last_error);
    p->last_error = e ? lb_err_clone(e) : NULL;
    int64_t now_mono = lb_mono_ms(p->clock), now_wall = lb_wall_ms(p->clock);
    if (token_usable(p, now_mono, now_wall))
        lb_log_defer(log, LAKEBASE_LOG_WARN,
                     "credential refresh for %s failed (%s); still serving the "
                     "current token (%" PRId64
                     " s left), next attempt in %" PRId64 " ms",
                     p->target, e ? lb_err_message(e) : "unknown error",
                     remaining_ms(p, now_mono, now_wall) / 1000, wait);
    else
        lb_log_defer(
            log, LAKEBASE_LOG_ERROR,
            "credential mint for %s failed (%s); next attempt in %" PRId64
            " ms",
            p->target, e ? lb_err_message(e) : "unknown error", wait);
}

static void copy_snapshot(const lb_provider *p, lb_token_snapshot *out,
                          int *oom) {
    out->token = strdup(p->token);
    out->expire_wall_ms = p->expire_wall_ms;
    out->host = p->host ? strdup(p->host) : NULL;
    out->user = p->user ? strdup(p->user) : NULL;
    *oom = !out->token || (p->host && !out->host) || (p->user && !out->user);
}

/* Ends the single flight (lock held): installs a new token and wakes every
 * caller waiting for it. `by_caller` tells waiters whether this was a
 * caller's full retry chain (whose verdict they share) or one background
 * attempt. */
static void end_flight(lb_provider *p, int by_caller, int rc, minted *m,
                       lb_log_batch *log) {
    p->minting = 0;
    p->mints_finished++;
    p->last_finish_sync = by_caller;
    if (rc == 0)
        install_token(p, m, log);
    pthread_cond_broadcast(&p->changed);
}

/* ---- the caller's path ----------------------------------------------------
 */

/* A caller with no usable token retries inside the mint deadline: retryable
 * failures (network, 429, 5xx) wait with jittered backoff, honouring the
 * server's hint; anything else fails at once. Runs without the lock, as the
 * single flight. */
static int mint_chain(lb_provider *p, minted *m, lakebase_error **err) {
    int64_t deadline = lb_mono_ms(p->clock) + p->rc.mint_timeout_ms;
    for (int attempt = 1;; attempt++) {
        lakebase_error *e = NULL;
        int64_t hint = -1;
        int rc = mint_once(p, m, &hint, &e);
        if (rc == 0)
            return 0;
        int status = e ? lb_err_http_status(e) : 0;
        int retryable =
            lb_retry_classify(status ? 0 : rc, status) == LB_RETRY_YES;
        int64_t wait =
            lb_backoff_ms(&REFRESH_BACKOFF, attempt, hint, lb_random_u32());
        int64_t now = lb_mono_ms(p->clock);
        pthread_mutex_lock(&p->mu);
        p->mints_failed++;
        lb_err_destroy(p->last_error);
        p->last_error = e ? lb_err_clone(e) : NULL;
        pthread_mutex_unlock(&p->mu);
        if (!retryable || now + wait > deadline) {
            if (retryable && e && err && !*err) {
                /* Say that we retried, and for how long. */
                lb_err_http(err, rc, status, lb_err_api_code(e),
                            "%s (gave up after %d attempts in %" PRId64
                            " ms; raise credential.mint_timeout_ms to wait "
                            "longer)",
                            lb_err_message(e), attempt,
                            p->rc.mint_timeout_ms - (deadline - now));
                lb_err_destroy(e);
            } else {
                give_error(err, e);
            }
            return rc;
        }
        lb_log_batch log = {0};
        lb_log_defer(
            &log, LAKEBASE_LOG_WARN,
            "credential mint for %s failed (%s); retry %d in %" PRId64 " ms",
            p->target, e ? lb_err_message(e) : "unknown error", attempt, wait);
        lb_fanout_flush(&p->logs, &log);
        lb_err_destroy(e);
        lb_sleep_ms(p->clock, wait);
    }
}

/* Serves the usable cached token (lock held; released here). Inside the
 * hard margin it also starts a refresh, but keeps serving the still-valid
 * token so no caller waits on the mint. */
static int serve_and_unlock(lb_provider *p, lb_token_snapshot *out,
                            int64_t now_mono, int64_t now_wall,
                            lakebase_error **err) {
    int lazy = 0;
    if (remaining_ms(p, now_mono, now_wall) < hard_margin_ms(p) &&
        !p->minting && now_mono >= p->next_attempt_mono_ms) {
        p->refresh_requested = 1;
        if (p->reactor)
            lb_reactor_arm(p->reactor, &p->timer, 0);
        else
            lazy = 1;
    }
    int oom = 0;
    copy_snapshot(p, out, &oom);
    pthread_mutex_unlock(&p->mu);
    if (lazy)
        lb_provider_tick(p);
    if (oom) {
        lb_token_snapshot_clear(out);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    return 0;
}

int lb_provider_get_nowait(lb_provider *p, lb_token_snapshot *out,
                           lakebase_error **err) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&p->mu);
    int64_t now_mono = lb_mono_ms(p->clock);
    int64_t now_wall = lb_wall_ms(p->clock);
    if (token_usable(p, now_mono, now_wall))
        return serve_and_unlock(p, out, now_mono, now_wall, err);
    pthread_mutex_unlock(&p->mu);
    return LB_MINT_NEEDED;
}

int lb_provider_get(lb_provider *p, lb_token_snapshot *out,
                    lakebase_error **err) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        int64_t now_mono = lb_mono_ms(p->clock);
        int64_t now_wall = lb_wall_ms(p->clock);
        if (token_usable(p, now_mono, now_wall))
            return serve_and_unlock(p, out, now_mono, now_wall, err);
        if (p->minting) {
            uint64_t seen = p->mints_finished;
            while (p->minting && p->mints_finished == seen)
                pthread_cond_wait(&p->changed, &p->mu);
            now_mono = lb_mono_ms(p->clock);
            now_wall = lb_wall_ms(p->clock);
            /* A caller's chain already retried until its deadline: share its
             * verdict instead of starting another one straight away. */
            if (!token_usable(p, now_mono, now_wall) && p->last_finish_sync &&
                p->last_error) {
                lakebase_error *copy = lb_err_clone(p->last_error);
                int code = lb_err_code(p->last_error);
                pthread_mutex_unlock(&p->mu);
                give_error(err, copy);
                return code;
            }
            continue;
        }
        p->minting = 1;
        pthread_mutex_unlock(&p->mu);

        minted m;
        lakebase_error *e = NULL;
        int rc = mint_chain(p, &m, &e);

        lb_log_batch log = {0};
        pthread_mutex_lock(&p->mu);
        end_flight(p, 1, rc, &m, &log);
        schedule_locked(p);
        pthread_mutex_unlock(&p->mu);
        lb_fanout_flush(&p->logs, &log);
        if (rc != 0) {
            give_error(err, e);
            return rc;
        }
        pthread_mutex_lock(&p->mu);
    }
}

/* After a refused login drops the token, refusals this soon after keep
 * the new one: it was minted after the refusal, so a server that refuses
 * it refuses more than a stale token (logins refused for everyone, a wrong
 * role), and minting again for every refused connect would be a storm
 * against the workspace API (hundreds of mints in 3 s, measured). */
#define DROP_AGAIN_AFTER_MS 5000

void lb_provider_invalidate(lb_provider *p, const char *token) {
    lb_log_batch log = {0};
    pthread_mutex_lock(&p->mu);
    int64_t now = lb_mono_ms(p->clock);
    int matches = p->token && (!token || strcmp(token, p->token) == 0);
    int recent = token && p->dropped_after_refusal &&
                 now - p->dropped_mono_ms < DROP_AGAIN_AFTER_MS;
    if (matches && recent) {
        lb_log_defer(&log, LAKEBASE_LOG_DEBUG,
                     "kept the credential for %s although a login refused "
                     "it: it was minted after the last refusal",
                     p->target);
    } else if (matches) {
        if (token) {
            p->dropped_after_refusal = 1;
            p->dropped_mono_ms = now;
        }
        lb_secret_clear(&p->token);
        p->expire_wall_ms = p->expire_mono_ms = 0;
        lb_log_defer(&log, LAKEBASE_LOG_INFO,
                     "dropped the cached credential for %s (login refused); "
                     "the next request mints a new one",
                     p->target);
    }
    pthread_mutex_unlock(&p->mu);
    lb_fanout_flush(&p->logs, &log);
}

/* ---- background refresh ---------------------------------------------------
 */

/* Background work exists only while a token is cached: the first mint, and
 * the one after an invalidation, are made by the caller who needs them. */
static int refresh_due(const lb_provider *p, int64_t now_mono) {
    if (!p->token || p->paused || p->minting ||
        now_mono < p->next_attempt_mono_ms)
        return 0;
    return p->refresh_requested || now_mono >= p->refresh_at_mono_ms;
}

static int64_t next_due_locked(const lb_provider *p) {
    if (!p->token || p->paused)
        return INT64_MAX;
    int64_t at = p->refresh_requested ? 0 : p->refresh_at_mono_ms;
    if (p->next_attempt_mono_ms > at)
        at = p->next_attempt_mono_ms;
    return at;
}

/* Arms the refresh timer for the next background work, if any. Never
 * disarms (that could wait for the timer's callback, which takes the
 * lock): a timer that finds nothing due does nothing. Lock held. */
static void schedule_locked(lb_provider *p) {
    if (!p->reactor || p->paused)
        return;
    int64_t next = next_due_locked(p);
    if (next != INT64_MAX)
        lb_reactor_arm(p->reactor, &p->timer, next - lb_mono_ms(p->clock));
}

/* One background attempt (the flight is already ours): a failure is
 * retried on the backoff schedule, forever, while the current token keeps
 * being served. Returns when more work falls due. */
static int64_t refresh_attempt(lb_provider *p) {
    minted m;
    lakebase_error *e = NULL;
    int64_t hint = -1;
    int rc = mint_once(p, &m, &hint, &e);

    lb_log_batch log = {0};
    pthread_mutex_lock(&p->mu);
    if (rc != 0)
        record_failure(p, e, hint, &log);
    end_flight(p, 0, rc, &m, &log);
    schedule_locked(p);
    int64_t next = next_due_locked(p);
    pthread_mutex_unlock(&p->mu);
    lb_fanout_flush(&p->logs, &log);
    lb_err_destroy(e);
    return next;
}

int64_t lb_provider_tick(lb_provider *p) {
    pthread_mutex_lock(&p->mu);
    if (!refresh_due(p, lb_mono_ms(p->clock))) {
        int64_t next = next_due_locked(p);
        pthread_mutex_unlock(&p->mu);
        return next;
    }
    p->minting = 1;
    pthread_mutex_unlock(&p->mu);
    return refresh_attempt(p);
}

/* On a worker: the attempt blocks on HTTPS (and the token source). */
static void run_refresh_job(lb_job *job) {
    lb_provider *p = (lb_provider *)((char *)job - offsetof(lb_provider, job));
    refresh_attempt(p);
    pthread_mutex_lock(&p->mu);
    p->job_running = 0;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->mu);
}

/* On the reactor: never blocks; hands a due refresh to a worker. */
static void on_refresh_timer(void *userdata) {
    lb_provider *p = userdata;
    pthread_mutex_lock(&p->mu);
    if (!refresh_due(p, lb_mono_ms(p->clock)) || p->job_running) {
        schedule_locked(p);
        pthread_mutex_unlock(&p->mu);
        return;
    }
    p->minting = 1;
    p->job_running = 1;
    pthread_mutex_unlock(&p->mu);
    p->job.run = run_refresh_job;
    if (lb_workers_submit(&p->job) == 0)
        return;
    lakebase_error *e = NULL;
    lb_err(&e, LAKEBASE_EINTERNAL,
           "no worker thread could be started for the refresh");
    lb_log_batch log = {0};
    pthread_mutex_lock(&p->mu);
    record_failure(p, e, -1, &log);
    end_flight(p, 0, e ? lb_err_code(e) : LAKEBASE_EINTERNAL, NULL, &log);
    p->job_running = 0;
    schedule_locked(p);
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->mu);
    lb_fanout_flush(&p->logs, &log);
    lb_err_destroy(e);
}

/* ---- lifecycle and stats ------------------------------------------------- */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Deep-copies the fields a provider uses; everything else stays zero, so a
 * field added to the resolved config later can never be freed twice. */
static int copy_config(lb_resolved_config *dst, const lb_resolved_config *src) {
    memset(dst, 0, sizeof *dst);
    dst->auth_type = src->auth_type;
    dst->http_timeout_ms = src->http_timeout_ms;
    dst->token_source = src->token_source;
    dst->token_source_userdata = src->token_source_userdata;
    dst->ttl_seconds = src->ttl_seconds;
    dst->read_only = src->read_only;
    dst->refresh_fraction = src->refresh_fraction;
    dst->hard_margin_seconds = src->hard_margin_seconds;
    dst->mint_timeout_ms = src->mint_timeout_ms;
    dst->pg_port = src->pg_port;
#define COPY(f)                                                                \
    do {                                                                       \
        dst->f = dup_or_null(src->f);                                          \
        if (src->f && !dst->f)                                                 \
            return -1;                                                         \
    } while (0)
    COPY(host);
    COPY(token);
    COPY(client_id);
    COPY(client_secret);
    COPY(ca_file);
    COPY(endpoint);
    COPY(instance);
    COPY(claims_json);
    COPY(group_name);
    COPY(pg_host);
    COPY(pg_user);
#undef COPY
    return 0;
}

int lb_provider_new(lb_provider **out, const lb_resolved_config *rc,
                    const lb_provider_deps *deps, lakebase_error **err) {
    if (!lb_config_is_minting(rc))
        return lb_err(err, LAKEBASE_EINTERNAL,
                      "a credential provider needs an endpoint or instance");
    lb_provider *p = calloc(1, sizeof *p);
    if (!p)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    pthread_mutex_init(&p->mu, NULL);
    lb_fanout_init(&p->logs);
    lb_mint_books_init(&p->mint_books);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->changed, &ca);
    pthread_condattr_destroy(&ca);
    int rcode = 0;
    if (copy_config(&p->rc, rc) != 0) {
        rcode = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
        goto fail;
    }
    p->clock = deps && deps->clock ? deps->clock : lb_clock_system();
    if (deps && deps->send) {
        p->send = deps->send;
        p->send_ctx = deps->send_ctx;
    } else {
        rcode = lb_http_client_new(&p->http, p->rc.ca_file, err);
        if (rcode != 0)
            goto fail;
        p->send = lb_http_send;
        p->send_ctx = p->http;
    }
    rcode = lb_auth_new(&p->auth, &p->rc, p->send, p->send_ctx, p->clock, err);
    if (rcode != 0)
        goto fail;
    p->api = (lb_workspace_api){p->rc.host, p->auth, p->send, p->send_ctx,
                                p->rc.http_timeout_ms};
    p->kind = p->rc.endpoint ? LB_API_AUTOSCALING : LB_API_PROVISIONED;
    snprintf(p->target, sizeof p->target, "%s %s",
             p->rc.endpoint ? "endpoint" : "instance",
             p->rc.endpoint ? p->rc.endpoint : p->rc.instance);
    lb_timer_init(&p->timer, on_refresh_timer, p);
    if (!(deps && deps->no_background) &&
        !(p->reactor = lb_reactor_acquire())) {
        rcode = lb_err(err, LAKEBASE_EINTERNAL,
                       "could not start the library's background thread");
        goto fail;
    }
    *out = p;
    return 0;
fail:
    lb_provider_free(p);
    return rcode;
}

void lb_provider_free(lb_provider *p) {
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->paused = 1; /* nothing new is scheduled */
    while (p->job_running)
        pthread_cond_wait(&p->changed, &p->mu);
    lb_reactor *r = p->reactor;
    p->reactor = NULL;
    pthread_mutex_unlock(&p->mu);
    if (r) {
        lb_reactor_disarm(r, &p->timer);
        lb_reactor_release(r);
    }
    lb_auth_free(p->auth);
    lb_http_client_free(p->http);
    lb_resolved_config_clear(&p->rc);
    free(p->host);
    free(p->user);
    lb_secret_free(p->token);
    lb_err_destroy(p->last_error);
    while (p->listeners) {
        mint_listener *l = p->listeners;
        p->listeners = l->next;
        free(l);
    }
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->mu);
    lb_fanout_destroy(&p->logs);
    free(p);
}

int lb_provider_subscribe(lb_provider *p, const lb_logger *lg,
                          const lb_span_listener *spans, lb_log_sub **out,
                          lakebase_error **err) {
    return lb_fanout_subscribe(&p->logs, lg, spans, out, err);
}

void lb_provider_unsubscribe(lb_provider *p, lb_log_sub *sub) {
    lb_fanout_unsubscribe(&p->logs, sub);
}

int lb_provider_listen(lb_provider *p, lb_mint_listener_fn fn, void *userdata,
                       lakebase_error **err) {
    mint_listener *l = malloc(sizeof *l);
    if (!l)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    l->fn = fn;
    l->userdata = userdata;
    pthread_mutex_lock(&p->mu);
    l->next = p->listeners;
    p->listeners = l;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void lb_provider_unlisten(lb_provider *p, lb_mint_listener_fn fn,
                          void *userdata) {
    pthread_mutex_lock(&p->mu);
    for (mint_listener **link = &p->listeners; *link; link = &(*link)->next) {
        mint_listener *l = *link;
        if (l->fn == fn && l->userdata == userdata) {
            *link = l->next;
            free(l);
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
}

int lb_provider_pause(lb_provider *p) {
    pthread_mutex_lock(&p->mu);
    /* Let a refresh in flight finish first: it may call the token source
     * of the handle being released, whose userdata may be freed once we
     * return. */
    while (p->minting || p->job_running)
        pthread_cond_wait(&p->changed, &p->mu);
    p->paused = 1;
    int usable = token_usable(p, lb_mono_ms(p->clock), lb_wall_ms(p->clock));
    /* A lingering provider costs no thread: its timer goes, and its
     * reference on the reactor with it. */
    lb_reactor *r = p->reactor;
    p->reactor = NULL;
    if (r)
        p->lingering_reactor = 1;
    pthread_mutex_unlock(&p->mu);
    if (r) {
        lb_reactor_disarm(r, &p->timer);
        lb_reactor_release(r);
    }
    return usable;
}

int lb_provider_usable(lb_provider *p) {
    pthread_mutex_lock(&p->mu);
    int usable = token_usable(p, lb_mono_ms(p->clock), lb_wall_ms(p->clock));
    pthread_mutex_unlock(&p->mu);
    return usable;
}

int lb_provider_resume(lb_provider *p) {
    lb_reactor *r = NULL;
    if (p->lingering_reactor && !(r = lb_reactor_acquire()))
        return 0; /* no background thread: make a new provider instead */
    pthread_mutex_lock(&p->mu);
    int usable = token_usable(p, lb_mono_ms(p->clock), lb_wall_ms(p->clock));
    if (usable) {
        p->paused = 0;
        if (r) {
            p->reactor = r;
            p->lingering_reactor = 0;
            r = NULL;
        }
        schedule_locked(p);
    }
    pthread_mutex_unlock(&p->mu);
    lb_reactor_release(r);
    return usable;
}

lb_mint_books *lb_provider_mint_books(lb_provider *p) { return &p->mint_books; }

void lb_provider_stats(lb_provider *p, lakebase_credential_stats *out) {
    pthread_mutex_lock(&p->mu);
    out->mints_ok = p->mints_ok;
    out->mints_failed = p->mints_failed;
    out->last_mint_latency_us = p->last_mint_latency_us;
    out->expire_time_unix_ms = p->token ? p->expire_wall_ms : 0;
    out->degraded_since_unix_ms = p->degraded_since_wall_ms;
    out->last_error_code = p->last_error ? lb_err_code(p->last_error) : 0;
    out->last_error_http_status =
        p->last_error ? lb_err_http_status(p->last_error) : 0;
    snprintf(out->last_error_message, sizeof out->last_error_message, "%s",
             p->last_error ? lb_err_message(p->last_error) : "");
    if (p->token) {
        int64_t due = next_due_locked(p);
        out->next_refresh_unix_ms =
            due == INT64_MAX
                ? 0
                : lb_wall_ms(p->clock) + (due - lb_mono_ms(p->clock));
    } else {
        out->next_refresh_unix_ms = 0;
    }
    pthread_mutex_unlock(&p->mu);
}
