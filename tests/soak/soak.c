/* The soak and fault harness: callers query the emulator through one pool
 * (public API only) while tokens rotate, connections rotate and faults are
 * injected one after another, in a cycle, for the run's duration. Every
 * query's outcome is kept, and at the end each fault's window is judged:
 * which failures it caused, with which codes, what it took to recover, and
 * whether memory, descriptors and threads stayed flat.
 *
 *   soak [--duration S] [--callers N] [--ttl S] [--faults a,b|all|none]
 *        [--gap S] [--fault-seconds S] [--warmup S] [--pool-size N]
 *        [--lifetime S] [--http-timeout-ms MS] [--report FILE]
 *
 * Needs LAKEBASE_EMULATOR_ENV_FILE. Exits 0 when every count holds (no
 * failure outside the faults that may fail statements, only their codes,
 * every fault took effect, no connection leaked), 1 otherwise; the timing
 * figures are reported against their targets but never decide the exit
 * status. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"
#include "load.h"
#include "soak.h"
#include "soak_faults.h"
#include "soak_resources.h"

#define MAX_RUNS 4096

/* ---- options ---------------------------------------------------------- */

static void usage(void) {
    fprintf(stderr, "usage: soak [--duration S] [--callers N] [--ttl S] "
                    "[--faults a,b|all|none] [--gap S] [--fault-seconds S] "
                    "[--warmup S] [--pool-size N] [--lifetime S] "
                    "[--http-timeout-ms MS] [--report FILE]\nfaults:");
    for (int k = 0; k < FAULT_COUNT; k++)
        fprintf(stderr, " %s", fault_name((fault_kind)k));
    fprintf(stderr, "\n");
    exit(2);
}

static double number(const char *flag, const char *v, double min, double max) {
    char *end = NULL;
    errno = 0;
    double d = v ? strtod(v, &end) : 0;
    if (!v || errno || end == v || *end || d < min || d > max) {
        fprintf(stderr, "soak: %s wants a number in %g..%g\n", flag, min, max);
        usage();
    }
    return d;
}

static unsigned parse_faults(const char *list) {
    if (strcmp(list, "all") == 0)
        return (1u << FAULT_COUNT) - 1;
    if (strcmp(list, "none") == 0)
        return 0;
    unsigned mask = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *name = strtok_r(buf, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        int k = fault_parse(name);
        if (k < 0) {
            fprintf(stderr, "soak: unknown fault %s\n", name);
            usage();
        }
        mask |= 1u << k;
    }
    return mask;
}

static void parse_options(int argc, char **argv, soak_options *o) {
    *o = (soak_options){.duration_s = 60,
                        .callers = 8,
                        .ttl_s = 10,
                        .lifetime_s = 1,
                        .warmup_s = -1,
                        .gap_s = 3,
                        .fault_s = 3,
                        .http_timeout_ms = 2000,
                        .fault_mask = (1u << FAULT_COUNT) - 1};
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(f, "--duration") == 0)
            o->duration_s = number(f, v, 1, 86400);
        else if (strcmp(f, "--callers") == 0)
            o->callers = (int)number(f, v, 1, LOAD_MAX_THREADS);
        else if (strcmp(f, "--ttl") == 0)
            o->ttl_s = (int)number(f, v, 4, 3600);
        else if (strcmp(f, "--faults") == 0)
            o->fault_mask = v ? parse_faults(v) : (usage(), 0);
        else if (strcmp(f, "--gap") == 0)
            o->gap_s = number(f, v, 0, 3600);
        else if (strcmp(f, "--fault-seconds") == 0)
            o->fault_s = number(f, v, 0.5, 600);
        else if (strcmp(f, "--warmup") == 0)
            o->warmup_s = number(f, v, 0, 86400);
        else if (strcmp(f, "--pool-size") == 0)
            o->pool_size = (int)number(f, v, 1, 1000);
        else if (strcmp(f, "--lifetime") == 0)
            o->lifetime_s = (int)number(f, v, 0, 86400);
        else if (strcmp(f, "--http-timeout-ms") == 0)
            o->http_timeout_ms = (long)number(f, v, 100, 600000);
        else if (strcmp(f, "--report") == 0 && v)
            o->report = v;
        else
            usage();
        i++;
    }
    if (o->pool_size == 0)
        o->pool_size = o->callers;
    if (o->warmup_s < 0)
        o->warmup_s = o->duration_s / 10 < 120 ? o->duration_s / 10 : 120;
}

/* ---- the pool under test ------------------------------------------------ */

static const soak_options *options;

/* The emulator's identity and endpoint, the soak's pool settings, then
 * `extra`. `group` keys the credential provider: pools of one group share
 * a token. */
static lakebase_config *soak_config(const char *group,
                                    const char *const *extra) {
    char size[16], lifetime[16], http[24];
    snprintf(size, sizeof size, "%d", options->pool_size);
    snprintf(lifetime, sizeof lifetime, "%d", options->lifetime_s);
    snprintf(http, sizeof http, "%ld", options->http_timeout_ms);
    const char *const base[] = {"lakebase.group_name",
                                group,
                                "pool.max_size",
                                size,
                                "pool.min_size",
                                "2",
                                "pool.max_lifetime_seconds",
                                lifetime,
                                "http.timeout_ms",
                                http,
                                NULL};
    lakebase_config *cfg = emu_config_minting(NULL);
    emu_config_apply(cfg, base);
    emu_config_apply(cfg, extra);
    return cfg;
}

static void observe(void *ctx, long long started_ms, long long ended_ms,
                    int code) {
    timeline_record(ctx, started_ms, ended_ms, code);
}

/* ---- resources over time ------------------------------------------------ */

typedef struct sample {
    long long at_ms;
    resources r;
    uint64_t connects;
    int pool_total;
} sample;

typedef struct sampler {
    lakebase_pool *pool;
    long long interval_ms;
    sample *samples;
    size_t n, cap;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    pthread_t tid;
} sampler;

static void take_sample(sampler *s) {
    sample x = {.at_ms = emu_now_ms()};
    lakebase_pool_stats st = emu_pool_stats(s->pool);
    resources_sample(&x.r);
    x.connects = st.connects_ok;
    x.pool_total = st.total;
    pthread_mutex_lock(&s->mu);
    if (s->n < s->cap)
        s->samples[s->n++] = x;
    pthread_mutex_unlock(&s->mu);
}

static void *sampler_main(void *arg) {
    sampler *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += s->interval_ms / 1000;
        ts.tv_nsec += (s->interval_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT &&
            !s->stop) {
            pthread_mutex_unlock(&s->mu);
            take_sample(s);
            pthread_mutex_lock(&s->mu);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- the report --------------------------------------------------------- */

static FILE *report_file;
static int verdict_ok = 1;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (report_file) {
        va_start(ap, fmt);
        vfprintf(report_file, fmt, ap);
        va_end(ap);
    }
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say("- **FAIL**: %s\n", line);
    fprintf(stderr, "soak: FAIL: %s\n", line);
    verdict_ok = 0;
}

static int code_allowed(const int *allowed, int code) {
    for (; *allowed; allowed++)
        if (*allowed == code)
            return 1;
    return 0;
}

/* What one fault's window holds. */
typedef struct judged {
    long failed, not_allowed, in_flight, during, after_ready;
    int codes[8];
    long per_code[8];
    int n_codes;
} judged;

static void judge(timeline *tl, const fault_run *fr, judged *j) {
    memset(j, 0, sizeof *j);
    size_t n = 0;
    const timeline_failure *f = timeline_failures(tl, &n);
    const int *allowed = fault_allowed_codes(fr->kind);
    for (size_t i = 0; i < n; i++) {
        if (f[i].ended_ms < fr->start_ms || f[i].ended_ms >= fr->judge_until_ms)
            continue;
        j->failed++;
        if (!code_allowed(allowed, f[i].code))
            j->not_allowed++;
        if (fr->kind == FAULT_PG_RESTART) {
            if (f[i].started_ms < fr->began_ms)
                j->in_flight++;
            else if (f[i].started_ms < fr->ready_ms)
                j->during++;
            else
                j->after_ready++;
        }
        int k = 0;
        while (k < j->n_codes && j->codes[k] != f[i].code)
            k++;
        if (k == j->n_codes && k < 8) {
            j->codes[k] = f[i].code;
            j->n_codes++;
        }
        if (k < 8)
            j->per_code[k]++;
    }
}

static void codes_text(const judged *j, char *buf, size_t cap) {
    buf[0] = '\0';
    for (int k = 0; k < j->n_codes; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%ld %s", k ? ", " : "",
                 j->per_code[k], lakebase_error_name(j->codes[k]));
    }
}

/* Failures that fall in no fault's window. */
static long outside_faults(timeline *tl, const fault_run *runs, size_t n_runs) {
    size_t n = 0;
    const timeline_failure *f = timeline_failures(tl, &n);
    long outside = 0;
    for (size_t i = 0; i < n; i++) {
        int inside = 0;
        for (size_t r = 0; r < n_runs && !inside; r++)
            inside = f[i].ended_ms >= runs[r].start_ms &&
                     f[i].ended_ms < runs[r].judge_until_ms;
        if (!inside) {
            if (outside < 5)
                fprintf(stderr,
                        "soak: failure outside faults: %s at +%lld ms\n",
                        lakebase_error_name(f[i].code), f[i].ended_ms);
            outside++;
        }
    }
    return outside;
}

static void report_runs(timeline *tl, long long t0, const fault_run *runs,
                        size_t n_runs) {
    say("\n## Faults, one row each\n\n"
        "| # | fault | at s | on s | failed (codes) | evidence | figures |\n"
        "|---|---|---|---|---|---|---|\n");
    for (size_t r = 0; r < n_runs; r++) {
        const fault_run *fr = &runs[r];
        judged j;
        judge(tl, fr, &j);
        char codes[160], figures[448] = "";
        codes_text(&j, codes, sizeof codes);
        /* How callers felt it: the slowest query that started inside the
         * window, and the longest stretch in it without any success. */
        char timing[128];
        snprintf(timing, sizeof timing,
                 "slowest query started in it %lld ms, longest time without a "
                 "success %lld ms",
                 timeline_max_latency(tl, fr->start_ms, fr->judge_until_ms),
                 timeline_longest_gap(tl, fr->start_ms, fr->judge_until_ms));
        switch (fr->kind) {
        case FAULT_PG_RESTART: {
            long long back = timeline_first_success_from(tl, fr->ready_ms);
            snprintf(figures, sizeof figures,
                     "failed: %ld in flight at the restart, %ld started "
                     "while it was down, %ld after it was back; serving "
                     "again %lld ms after it was back; longest time "
                     "without a success %lld ms; then %ld sessions for %d "
                     "pool connections",
                     j.in_flight, j.during, j.after_ready,
                     back < 0 ? -1 : back - fr->ready_ms,
                     timeline_longest_gap(tl, fr->began_ms, fr->judge_until_ms),
                     fr->sessions_after, fr->pool_total_after);
            break;
        }
        case FAULT_COLD_START:
            snprintf(figures, sizeof figures,
                     "fresh pool's first query: %s in %lld ms; %s",
                     lakebase_error_name(fr->probe_code), fr->probe_ms, timing);
            break;
        case FAULT_API_SLOW:
            snprintf(figures, sizeof figures,
                     "caller without a token: %s after %lld ms (budget "
                     "%lld ms); new token %lld ms after the outage",
                     lakebase_error_name(fr->probe_code), fr->probe_ms,
                     fr->probe_budget_ms, fr->recovered_ms - fr->end_ms);
            break;
        case FAULT_API_5XX:
        case FAULT_API_429:
        case FAULT_API_UNREACHABLE:
            snprintf(figures, sizeof figures,
                     "new token %lld ms after the outage; %s",
                     fr->recovered_ms - fr->end_ms, timing);
            break;
        case FAULT_LOGINS_REFUSED:
            snprintf(figures, sizeof figures,
                     "%lld tokens minted meanwhile (a refused login drops "
                     "the token); %s",
                     fr->mints_after - fr->mints_before, timing);
            break;
        default: snprintf(figures, sizeof figures, "%s", timing);
        }
        say("| %zu | %s | %.1f | %.1f | %ld%s%s%s | %s | %s |\n", r + 1,
            fault_name(fr->kind), (double)(fr->start_ms - t0) / 1000,
            (double)(fr->end_ms - fr->start_ms) / 1000, j.failed,
            j.failed ? " (" : "", codes, j.failed ? ")" : "", fr->evidence,
            figures);
    }
}

/* Per kind: how many runs, failures, and the timing figures' range. */
static void report_kinds(timeline *tl, const fault_run *runs, size_t n_runs) {
    say("\n## Faults by kind\n\n"
        "| fault | runs | took effect | failed queries | allowed codes | "
        "figure (min / max) |\n|---|---|---|---|---|---|\n");
    for (int k = 0; k < FAULT_COUNT; k++) {
        long n = 0, effect = 0, failed = 0;
        long long lo = -1, hi = -1;
        for (size_t r = 0; r < n_runs; r++) {
            const fault_run *fr = &runs[r];
            if ((int)fr->kind != k)
                continue;
            judged j;
            judge(tl, fr, &j);
            n++;
            effect += fr->took_effect;
            failed += j.failed;
            long long fig = -1;
            if (k == FAULT_PG_RESTART) {
                long long back = timeline_first_success_from(tl, fr->ready_ms);
                fig = back < 0 ? -1 : back - fr->ready_ms;
            } else if (k == FAULT_COLD_START || k == FAULT_API_SLOW) {
                fig = fr->probe_ms;
            } else if (k <= FAULT_API_UNREACHABLE) {
                fig = fr->recovered_ms - fr->end_ms;
            } else {
                fig =
                    timeline_longest_gap(tl, fr->start_ms, fr->judge_until_ms);
            }
            if (fig >= 0 && (lo < 0 || fig < lo))
                lo = fig;
            if (fig > hi)
                hi = fig;
        }
        if (!n)
            continue;
        const int *allowed = fault_allowed_codes((fault_kind)k);
        static const char *const what[FAULT_COUNT] = {
            [FAULT_API_5XX] = "new token after the outage, ms",
            [FAULT_API_429] = "new token after the outage, ms",
            [FAULT_API_UNREACHABLE] = "new token after the outage, ms",
            [FAULT_API_SLOW] = "caller without a token gave up after, ms",
            [FAULT_LOGINS_REFUSED] = "longest time without a success, ms",
            [FAULT_PG_RESTART] = "serving again after PostgreSQL was back, ms",
            [FAULT_BACKENDS_KILLED] = "longest time without a success, ms",
            [FAULT_COLD_START] = "fresh pool's first query, ms",
            [FAULT_PARTITION] = "longest time without a success, ms",
        };
        say("| %s | %ld | %ld | %ld | %s | %s: %lld / %lld |\n",
            fault_name((fault_kind)k), n, effect, failed,
            allowed[0] ? lakebase_error_name(allowed[0]) : "none", what[k], lo,
            hi);
    }
}

/* Counts that decide the exit status. */
static void check_runs(timeline *tl, const fault_run *runs, size_t n_runs) {
    for (size_t r = 0; r < n_runs; r++) {
        const fault_run *fr = &runs[r];
        judged j;
        judge(tl, fr, &j);
        const char *name = fault_name(fr->kind);
        if (!fr->took_effect)
            fail("fault #%zu %s had no effect (%s): it tested nothing", r + 1,
                 name, fr->evidence);
        if (j.not_allowed)
            fail("fault #%zu %s: %ld failures with a code it may not cause",
                 r + 1, name, j.not_allowed);
        if (fr->kind == FAULT_BACKENDS_KILLED && j.failed > fr->killed)
            fail("fault #%zu %s: %ld failures for %ld killed backends", r + 1,
                 name, j.failed, fr->killed);
        if (fr->kind == FAULT_PG_RESTART && j.failed > options->pool_size)
            fail("fault #%zu %s: %ld failures, more than the %d connections "
                 "the restart could break",
                 r + 1, name, j.failed, options->pool_size);
        if (fr->kind == FAULT_COLD_START && fr->probe_code != 0)
            fail("fault #%zu %s: a fresh pool's first query failed (%s)", r + 1,
                 name, lakebase_error_name(fr->probe_code));
        if (fr->sessions_after > fr->pool_total_after)
            fail("fault #%zu %s: %ld sessions at the proxy for %d pool "
                 "connections afterwards: connections leaked",
                 r + 1, name, fr->sessions_after, fr->pool_total_after);
        if (fr->kind == FAULT_API_SLOW && fr->probe_code != LAKEBASE_ETIMEOUT)
            fail("fault #%zu %s: a caller without a token got %s, want "
                 "ETIMEOUT",
                 r + 1, name, lakebase_error_name(fr->probe_code));
    }
    long outside = outside_faults(tl, runs, n_runs);
    if (outside)
        fail("%ld failed queries outside every fault window", outside);
}

static double growth(double warm, double last) {
    return warm > 0 ? (last - warm) * 100.0 / warm : 0;
}

static void resource_row(const char *label, const sample *x, long long t0) {
    say("| %s | %.0f | %llu | %ld | %ld | %d | %d | %d |\n", label,
        (double)(x->at_ms - t0) / 1000, (unsigned long long)x->connects,
        x->r.rss_kb, x->r.heap_kb, x->r.fds, x->r.fds - x->pool_total,
        x->r.threads);
}

/* The highest value of each resource over samples [from, to]. */
static sample peak(const sample *from, const sample *to) {
    sample m = *from;
    m.pool_total = 0; /* fds less pool connections kept in r.fds */
    m.r.fds = from->r.fds - from->pool_total;
    for (const sample *x = from; x <= to; x++) {
        if (x->r.rss_kb > m.r.rss_kb)
            m.r.rss_kb = x->r.rss_kb;
        if (x->r.heap_kb > m.r.heap_kb)
            m.r.heap_kb = x->r.heap_kb;
        if (x->r.fds - x->pool_total > m.r.fds)
            m.r.fds = x->r.fds - x->pool_total;
        if (x->r.threads > m.r.threads)
            m.r.threads = x->r.threads;
    }
    return m;
}

static void report_resources(const sampler *s, long long t0) {
    const sample *warm = NULL, *last = s->n ? &s->samples[s->n - 1] : NULL;
    for (size_t i = 0; i < s->n && !warm; i++)
        if (s->samples[i].at_ms - t0 >= (long long)(options->warmup_s * 1000))
            warm = &s->samples[i];
    size_t span = warm && last ? (size_t)(last - warm) : 0;
    if (span < 10) {
        say("\n## Resources\n\nnot enough samples after the warm-up\n");
        return;
    }
    say("\n## Resources after the warm-up (%.0f s)\n\n"
        "| | at s | connections opened | RSS kB | heap in use kB | fds | fds "
        "less pool connections | threads |\n"
        "|---|---|---|---|---|---|---|---|\n",
        options->warmup_s);
    for (size_t i = 0; i < span; i += span / 10)
        resource_row(i ? "" : "warm", warm + i, t0);
    resource_row("last", last, t0);
    /* Connections come and go: compare the highest point of the first
     * tenth after the warm-up with that of the last tenth. */
    sample first = peak(warm, warm + span / 10);
    sample final = peak(last - span / 10, last);
    say("\n%llu connection rotations after the warm-up. Highest in the "
        "first tenth after it -> in the last tenth: RSS %ld -> %ld kB "
        "(%+.1f %%), heap in use %ld -> %ld kB (%+.1f %%), fds less pool "
        "connections %d -> %d (%+.1f %%), threads %d -> %d (%+.1f %%); "
        "target <= 5 %% over >= 10 000 rotations. (Heap in use is glibc's "
        "count, allocator caches included; tests/soak/heap_series.sh gives "
        "the live heap of a heaptrack recording.)\n",
        (unsigned long long)(last->connects - warm->connects), first.r.rss_kb,
        final.r.rss_kb, growth((double)first.r.rss_kb, (double) final.r.rss_kb),
        first.r.heap_kb, final.r.heap_kb,
        growth((double)first.r.heap_kb, (double) final.r.heap_kb), first.r.fds,
        final.r.fds, growth(first.r.fds, final.r.fds), first.r.threads,
        final.r.threads, growth(first.r.threads, final.r.threads));
}

/* ---- main ----------------------------------------------------------------
 */

/* Sessions at the proxy against the pool's connections, once the proxy
 * has noticed the connections the pool closed (up to a second). */
static void count_sessions(lakebase_pool *pool, fault_run *fr) {
    for (int tries = 0; tries < 10; tries++) {
        fr->pool_total_after = emu_pool_stats(pool).total;
        fr->sessions_after = emu_stat("open_connections");
        if (fr->sessions_after <= fr->pool_total_after)
            return;
        usleep(100 * 1000);
    }
}

/* Waits until the proxy holds no session of ours (the pool is gone). */
static long sessions_left(void) {
    long open = emu_stat("open_connections");
    for (int i = 0; i < 100 && open > 0; i++) {
        usleep(100 * 1000);
        open = emu_stat("open_connections");
    }
    return open;
}

int main(int argc, char **argv) {
    soak_options opt;
    parse_options(argc, argv, &opt);
    options = &opt;
    emu_load();
    if (opt.report && !(report_file = fopen(opt.report, "w"))) {
        fprintf(stderr, "soak: cannot write %s\n", opt.report);
        return 2;
    }
    char knobs[64];
    snprintf(knobs, sizeof knobs, "{\"ttl_seconds\": %d}", opt.ttl_s);
    emu_reset(knobs);

    long long t0 = emu_now_ms(), clock_offset = soak_wall_minus_mono_ms();
    soak_run run = {.opt = &opt, .config = soak_config};
    /* Room for the run, one more cycle and its tail. */
    run.tl = timeline_new(t0, (long long)opt.duration_s * 3 + 1200);
    run.pool = emu_pool(soak_config("soak", NULL));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(run.pool, 1, &err), err, "open");

    sampler smp = {.pool = run.pool,
                   .interval_ms = opt.duration_s >= 300 ? 5000 : 1000};
    smp.cap =
        (size_t)(opt.duration_s * 3 + 1200) * 1000 / (size_t)smp.interval_ms +
        16;
    smp.samples = malloc(smp.cap * sizeof *smp.samples);
    memset(smp.samples, 0, smp.cap * sizeof *smp.samples); /* resident */
    pthread_mutex_init(&smp.mu, NULL);
    pthread_cond_init(&smp.cv, NULL);
    take_sample(&smp);
    pthread_create(&smp.tid, NULL, sampler_main, &smp);

    load l;
    load_start_observed(&l, run.pool, opt.callers, observe, run.tl);
    soak_sleep_until(t0 + (long long)(opt.warmup_s * 1000));

    fault_run *runs = malloc(MAX_RUNS * sizeof *runs);
    memset(runs, 0, MAX_RUNS * sizeof *runs); /* resident */
    size_t n_runs = 0;
    long long end = t0 + (long long)(opt.duration_s * 1000);
    int cycles = 0;
    do {
        for (int k = 0; k < FAULT_COUNT && n_runs < MAX_RUNS; k++) {
            if (!(opt.fault_mask & (1u << k)))
                continue;
            fault_run *fr = &runs[n_runs++];
            fault_inject(&run, (fault_kind)k, fr);
            fprintf(stderr, "soak: +%.0f s %s: %s\n",
                    (double)(fr->end_ms - t0) / 1000, fault_name((fault_kind)k),
                    fr->evidence);
            soak_sleep_until(emu_now_ms() + (long long)(opt.gap_s * 1000));
            fr->judge_until_ms = emu_now_ms();
            fr->mints_after =
                (long long)emu_credential_stats(run.pool).mints_ok;
            count_sessions(run.pool, fr);
        }
        cycles++;
    } while (opt.fault_mask && emu_now_ms() < end && n_runs < MAX_RUNS);
    soak_sleep_until(end);

    pthread_mutex_lock(&smp.mu);
    smp.stop = 1;
    pthread_cond_signal(&smp.cv);
    pthread_mutex_unlock(&smp.mu);
    pthread_join(smp.tid, NULL);
    take_sample(&smp); /* the last one under load, like the others */
    load_stop(&l);
    load_report(&l); /* the first failures' messages, on stderr */
    long long stopped = emu_now_ms();
    lakebase_pool_stats st = emu_pool_stats(run.pool);
    lakebase_credential_stats cs = emu_credential_stats(run.pool);
    long minted = emu_stat("mints.autoscaling");
    lakebase_pool_free(run.pool);
    long leaked = sessions_left();

    double secs = (double)(stopped - t0) / 1000;
    /* A refused login drops the token and mints again: those mints are no
     * rotation. */
    long long remints = 0;
    for (size_t r = 0; r < n_runs; r++)
        if (runs[r].kind == FAULT_LOGINS_REFUSED)
            remints += runs[r].mints_after - runs[r].mints_before;
    say("# Soak report\n\n%.0f s, %d callers, pool.max_size %d, connections "
        "retired after %d s, %d s tokens, %d fault cycles (gap %.1f s, "
        "timed faults %.1f s)\n",
        secs, opt.callers, opt.pool_size, opt.lifetime_s, opt.ttl_s, cycles,
        opt.gap_s, opt.fault_s);
    long long stepped = soak_wall_minus_mono_ms() - clock_offset;
    if (stepped > 100 || stepped < -100)
        say("\nThe machine's wall clock was stepped by %+lld ms during the "
            "run; faults are placed on the monotonic clock.\n",
            stepped);
    say("\n## Totals\n\n| queries ok | failed | q/s | token rotations "
        "(mints ok less re-mints after refused logins) | mints ok / failed "
        "attempts / emulator mints | connections opened | recycled | "
        "discarded | sessions left after the pool was freed "
        "|\n|---|---|---|---|---|---|---|---|---|\n");
    say("| %ld | %ld | %.0f | %lld | %llu / %llu / %ld | %llu | %llu | %llu "
        "| %ld |\n",
        timeline_ok(run.tl), timeline_failed(run.tl),
        (double)timeline_ok(run.tl) / secs, (long long)cs.mints_ok - remints,
        (unsigned long long)cs.mints_ok, (unsigned long long)cs.mints_failed,
        minted, (unsigned long long)st.connects_ok,
        (unsigned long long)st.recycled, (unsigned long long)st.discarded,
        leaked);
    report_runs(run.tl, t0, runs, n_runs);
    report_kinds(run.tl, runs, n_runs);
    report_resources(&smp, t0);

    say("\n## Verdict\n\n");
    check_runs(run.tl, runs, n_runs);
    if (leaked)
        fail("%ld proxied sessions still open after the pool was freed",
             leaked);
    if (cs.mints_ok < 2)
        fail("no token rotation happened (%llu mints)",
             (unsigned long long)cs.mints_ok);
    if (verdict_ok)
        say("- every count held: no failure outside the faults that may "
            "fail statements, only their codes, every fault took effect, "
            "no session leaked\n");

    free(runs);
    free(smp.samples);
    pthread_mutex_destroy(&smp.mu);
    pthread_cond_destroy(&smp.cv);
    timeline_free(run.tl);
    if (report_file)
        fclose(report_file);
    return verdict_ok ? 0 : 1;
}
