#include "soak_faults.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"

static const char *const names[FAULT_COUNT] = {
    [FAULT_API_5XX] = "api_5xx",
    [FAULT_API_429] = "api_429",
    [FAULT_API_UNREACHABLE] = "api_unreachable",
    [FAULT_API_SLOW] = "api_slow",
    [FAULT_LOGINS_REFUSED] = "logins_refused",
    [FAULT_PG_RESTART] = "pg_restart",
    [FAULT_BACKENDS_KILLED] = "backends_killed",
    [FAULT_COLD_START] = "cold_start",
    [FAULT_PARTITION] = "partition",
};

const char *fault_name(fault_kind kind) { return names[kind]; }

int fault_parse(const char *name) {
    for (int k = 0; k < FAULT_COUNT; k++)
        if (strcmp(names[k], name) == 0)
            return k;
    return -1;
}

const int *fault_allowed_codes(fault_kind kind) {
    static const int none[] = {0};
    /* Logins refused on purpose fail the queries that need a new
     * connection meanwhile, as they should. */
    static const int login[] = {LAKEBASE_ELOGIN, 0};
    /* Statements on a session the server ended fail; nothing else may. */
    static const int broken[] = {LAKEBASE_ECONNECTION, 0};
    switch (kind) {
    case FAULT_LOGINS_REFUSED: return login;
    case FAULT_PG_RESTART:
    case FAULT_BACKENDS_KILLED: return broken;
    default: return none;
    }
}

void soak_sleep_until(long long at_ms) {
    for (long long left; (left = at_ms - emu_now_ms()) > 0;)
        usleep((useconds_t)(left > 1000 ? 1000 : left) * 1000);
}

/* A wall time (the emulator's, or the library's stats) on the emu_now_ms()
 * clock. The offset is read now, not once at the start: a machine whose
 * clock is stepped during the run (a fresh VM syncing its time) would
 * otherwise place every later fault seconds away from its refresh. */
static long long to_mono(int64_t wall_ms) {
    return (long long)wall_ms - soak_wall_minus_mono_ms();
}

long long soak_wall_minus_mono_ms(void) {
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    long long mono = emu_now_ms();
    return (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000 - mono;
}

static void knobs(const char *fmt, double seconds) {
    char json[256];
    snprintf(json, sizeof json, fmt, seconds);
    emu_post("/emulator/knobs", json);
}

/* ---- API faults: across a whole refresh window --------------------------
 */

/* Where the next refresh window of the pool's token lies: the outage
 * starts a whole window before the planned refresh and ends half a second
 * before the token stops being handed out, so it is longer than the
 * window and the token stays valid throughout. Waits for a fresh token
 * when the current one is too far along. */
static lakebase_credential_stats plan_outage(soak_run *run, fault_kind kind,
                                             long long *start,
                                             long long *refresh_at,
                                             long long *end) {
    for (int tries = 0;; tries++) {
        lakebase_credential_stats cs = emu_credential_stats(run->pool);
        long long refresh = to_mono(cs.next_refresh_unix_ms);
        long long expire = to_mono(cs.expire_time_unix_ms);
        long long window = expire - refresh;
        /* The library's usable floor: a tenth of the lifetime, at most
         * 5 s (lifetime = window / 0.25 with the default fraction). */
        long long floor_ms = window * 4 / 10 < 5000 ? window * 4 / 10 : 5000;
        *start = refresh - window;
        *refresh_at = refresh;
        *end = expire - floor_ms - 500;
        /* A slow API must outlast one refresh attempt's timeout; the
         * token may then run out meanwhile (the API is slow, not down:
         * callers wait for a mint, they do not fail). */
        long long attempt_over = refresh + run->opt->http_timeout_ms + 700;
        if (kind == FAULT_API_SLOW && *end < attempt_over)
            *end = attempt_over;
        if (cs.next_refresh_unix_ms > 0 && cs.expire_time_unix_ms > 0 &&
            *start > emu_now_ms() + 50 && *end > *start)
            return cs;
        if (tries > 2 * (run->opt->ttl_s + 10) * 10) {
            fprintf(stderr, "soak: no refresh window in sight\n");
            *start = *refresh_at = emu_now_ms();
            *end = *start + 2000;
            return cs;
        }
        usleep(100 * 1000); /* until the next token */
    }
}

typedef struct cold_caller {
    soak_run *run;
    long http_ms, budget_ms;
    long long took_ms;
    int code;
} cold_caller;

/* A process that has no token yet asks for one while the API is slow: the
 * call must end with ETIMEOUT within its own budget. */
static void *cold_caller_main(void *arg) {
    cold_caller *c = arg;
    char http[24], budget[24];
    snprintf(http, sizeof http, "%ld", c->http_ms);
    snprintf(budget, sizeof budget, "%ld", c->budget_ms);
    const char *const extra[] = {"http.timeout_ms", http,
                                 "credential.mint_timeout_ms", budget, NULL};
    lakebase_config *cfg = c->run->config("soak-cold", extra);
    lakebase_credentials *creds = NULL;
    lakebase_credential *cred = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_credentials_new(&creds, cfg, &err), err,
              "credentials_new");
    lakebase_config_free(cfg);
    long long t0 = emu_now_ms();
    c->code = lakebase_credentials_get(creds, &cred, &err);
    c->took_ms = emu_now_ms() - t0;
    if (c->code != 0)
        fprintf(stderr, "soak: api_slow: the caller without a token: %s\n",
                lakebase_error_message(err));
    lakebase_error_free(err);
    lakebase_credential_free(cred);
    lakebase_credentials_free(creds);
    return NULL;
}

static void api_outage(soak_run *run, fault_kind kind, fault_run *out) {
    long long start, refresh, end;
    lakebase_credential_stats before;
    /* The plan holds when, at the outage's start, the same token is cached
     * and its refresh is still due when planned; otherwise (the machine's
     * clock was stepped, the process was paused) plan again. */
    for (int plans = 1;; plans++) {
        lakebase_credential_stats planned =
            plan_outage(run, kind, &start, &refresh, &end);
        soak_sleep_until(start);
        before = emu_credential_stats(run->pool);
        long long moved = to_mono(before.next_refresh_unix_ms) - refresh;
        if (plans == 3 || (before.mints_ok == planned.mints_ok && moved < 250 &&
                           moved > -250))
            break;
        fprintf(stderr,
                "soak: %s: the refresh moved %lld ms from its plan before the "
                "outage began; planning again\n",
                fault_name(kind), moved);
    }
    long answers_before = emu_stat("faults.api_outage_answers");
    out->start_ms = emu_now_ms();
    out->mints_before = (long long)before.mints_ok;
    double seconds = (double)(end - out->start_ms) / 1000.0;
    pthread_t tid;
    cold_caller cold = {.run = run, .code = 1};
    switch (kind) {
    case FAULT_API_5XX:
        knobs("{\"api_outage\": {\"seconds\": %.3f, \"status\": 503}}",
              seconds);
        break;
    case FAULT_API_429:
        knobs("{\"api_outage\": {\"seconds\": %.3f, \"status\": 429, "
              "\"retry_after\": 1}}",
              seconds);
        break;
    case FAULT_API_UNREACHABLE:
        knobs("{\"api_outage\": {\"seconds\": %.3f, \"mode\": \"refuse\"}}",
              seconds);
        break;
    default: /* FAULT_API_SLOW */
        knobs("{\"latency_ms\": %.0f}", 2.0 * run->opt->http_timeout_ms);
        cold.http_ms = (long)(end - start) / 3;
        if (cold.http_ms > run->opt->http_timeout_ms)
            cold.http_ms = run->opt->http_timeout_ms;
        cold.budget_ms = (long)(end - start) / 2;
        pthread_create(&tid, NULL, cold_caller_main, &cold);
        break;
    }
    /* The refresh must be seen failing while the outage lasts. */
    int degraded = 0;
    while (emu_now_ms() < end) {
        degraded |= emu_credential_stats(run->pool).degraded_since_unix_ms != 0;
        usleep(50 * 1000);
    }
    lakebase_credential_stats during = emu_credential_stats(run->pool);
    degraded |= during.degraded_since_unix_ms != 0;
    if (kind == FAULT_API_SLOW) {
        knobs("{\"latency_ms\": %.0f}", 0);
        pthread_join(tid, NULL);
        out->probe_ms = cold.took_ms;
        out->probe_budget_ms = cold.budget_ms + cold.http_ms;
        out->probe_code = cold.code;
    }
    out->end_ms = emu_now_ms();
    long answers = emu_stat("faults.api_outage_answers") - answers_before;
    uint64_t failed = during.mints_failed - before.mints_failed;
    out->took_effect = degraded && failed > 0 &&
                       (kind == FAULT_API_UNREACHABLE ||
                        kind == FAULT_API_SLOW || answers > 0);
    snprintf(out->evidence, sizeof out->evidence,
             "%.1f s around the refresh due at +%.1f s; %llu refresh "
             "attempts failed, degraded %s, %ld requests answered by it",
             seconds, (double)(refresh - out->start_ms) / 1000.0,
             (unsigned long long)failed, degraded ? "yes" : "no", answers);
    /* Recovered: a new token after the outage. */
    long long give_up = emu_now_ms() + 1000LL * (run->opt->ttl_s + 30);
    while (emu_now_ms() < give_up &&
           emu_credential_stats(run->pool).mints_ok <= before.mints_ok)
        usleep(20 * 1000);
    out->recovered_ms = emu_now_ms();
}

/* ---- the others ---------------------------------------------------------
 */

static void logins_refused(soak_run *run, fault_run *out) {
    long refused = emu_stat("logins.refused.rejected_by_knob");
    out->start_ms = emu_now_ms();
    emu_post("/emulator/knobs", "{\"reject_logins\": true}");
    soak_sleep_until(out->start_ms + (long long)(run->opt->fault_s * 1000));
    emu_post("/emulator/knobs", "{\"reject_logins\": false}");
    out->end_ms = emu_now_ms();
    refused = emu_stat("logins.refused.rejected_by_knob") - refused;
    out->took_effect = refused > 0;
    snprintf(out->evidence, sizeof out->evidence, "%ld logins refused",
             refused);
}

static void pg_restart(fault_run *out) {
    char answer[512];
    out->start_ms = emu_now_ms();
    emu_post_answer("/emulator/restart-postgres", NULL, answer, sizeof answer);
    out->end_ms = emu_now_ms();
    double began = emu_json_number(answer, "began_unix_ms");
    double ready = emu_json_number(answer, "ready_unix_ms");
    out->took_effect = began > 0 && ready >= began;
    out->began_ms = to_mono((int64_t)began);
    out->ready_ms = to_mono((int64_t)ready);
    snprintf(out->evidence, sizeof out->evidence,
             "PostgreSQL down and back in %.0f ms", ready - began);
}

static void backends_killed(soak_run *run, fault_run *out) {
    char json[64], answer[256];
    int n = run->opt->callers / 2 > 0 ? run->opt->callers / 2 : 1;
    snprintf(json, sizeof json, "{\"count\": %d}", n);
    out->start_ms = emu_now_ms();
    emu_post_answer("/emulator/kill-backends", json, answer, sizeof answer);
    out->end_ms = emu_now_ms();
    out->killed = (long)emu_json_number(answer, "killed");
    out->took_effect = out->killed > 0;
    snprintf(out->evidence, sizeof out->evidence,
             "%ld of %d backends asked for terminated", out->killed, n);
}

static void cold_start(soak_run *run, fault_run *out) {
    long refused = emu_stat("logins.refused.cold_start");
    out->start_ms = emu_now_ms();
    knobs("{\"cold_start\": {\"seconds\": %.3f, \"mode\": "
          "\"refuse_then_57P03\"}}",
          run->opt->fault_s);
    /* A pool opened now: its first query has to get through the wake-up. */
    lakebase_pool *fresh = emu_pool(run->config("soak", NULL));
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    long long t0 = emu_now_ms();
    out->probe_code =
        lakebase_pool_query(fresh, "SELECT 1", 0, NULL, &res, &err);
    out->probe_ms = emu_now_ms() - t0;
    if (out->probe_code != 0)
        fprintf(stderr, "soak: cold_start: the fresh pool's first query: %s\n",
                lakebase_error_message(err));
    lakebase_error_free(err);
    lakebase_result_free(res);
    lakebase_pool_free(fresh);
    soak_sleep_until(out->start_ms + (long long)(run->opt->fault_s * 1000));
    out->end_ms = emu_now_ms();
    refused = emu_stat("logins.refused.cold_start") - refused;
    out->took_effect = refused > 0;
    snprintf(out->evidence, sizeof out->evidence,
             "%ld logins answered 57P03; a fresh pool's first query took "
             "%lld ms",
             refused, out->probe_ms);
}

static void partition(soak_run *run, fault_run *out) {
    long stalls = emu_stat("faults.partition_stalls");
    out->start_ms = emu_now_ms();
    knobs("{\"partition\": {\"seconds\": %.3f}}", run->opt->fault_s);
    soak_sleep_until(out->start_ms + (long long)(run->opt->fault_s * 1000));
    out->end_ms = emu_now_ms();
    stalls = emu_stat("faults.partition_stalls") - stalls;
    out->took_effect = stalls > 0;
    snprintf(out->evidence, sizeof out->evidence,
             "%ld reads held by the partition", stalls);
}

void fault_inject(soak_run *run, fault_kind kind, fault_run *out) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->began_ms = out->ready_ms = out->recovered_ms = out->probe_ms = -1;
    out->mints_before = (long long)emu_credential_stats(run->pool).mints_ok;
    switch (kind) {
    case FAULT_API_5XX:
    case FAULT_API_429:
    case FAULT_API_UNREACHABLE:
    case FAULT_API_SLOW: api_outage(run, kind, out); break;
    case FAULT_LOGINS_REFUSED: logins_refused(run, out); break;
    case FAULT_PG_RESTART: pg_restart(out); break;
    case FAULT_BACKENDS_KILLED: backends_killed(run, out); break;
    case FAULT_COLD_START: cold_start(run, out); break;
    default: partition(run, out); break;
    }
}
