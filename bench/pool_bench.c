/* Pool benchmarks against PostgreSQL directly (static password mode, no
 * proxy), from the environment the emulator prints:
 *   pool_bench acquire [iterations]     uncontended acquire+release, ns/op
 *   pool_bench pool THREADS SECONDS     pooled SELECT 1, queries/s
 *   pool_bench raw THREADS SECONDS      one libpq connection per thread
 *   pool_bench async CALLERS SECONDS PIPELINE MAX_SIZE
 *                                       lakebase_pool_query_async from one
 *                                       poll(2) loop thread, CALLERS
 *                                       statements outstanding
 *   pool_bench warmup N ROUNDS [MAX_CONNECTING]
 *                                       open(wait) with min_size N vs with
 *                                       min_size 1, alternating
 *   pool_bench warmup-proxied N ROUNDS [MAX_CONNECTING]
 *                                       the same through the emulator's
 *                                       TLS login proxy with a minted
 *                                       token (minted once, before timing),
 *                                       as an application logs in
 * Prints one "name value" line per measurement. */
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lakebase.h"

static const char *need(const char *name) {
    const char *v = getenv(name);
    if (!v || !v[0]) {
        fprintf(stderr, "pool_bench: %s is not set (source the emulator env)\n",
                name);
        exit(2);
    }
    return v;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int code, lakebase_error *err, const char *what) {
    if (code == 0)
        return;
    fprintf(stderr, "pool_bench: %s: %s\n", what,
            err ? lakebase_error_message(err) : lakebase_strerror(code));
    exit(1);
}

static void apply(lakebase_config *cfg, const char *const *kv) {
    lakebase_error *err = NULL;
    for (size_t i = 0; kv && kv[i]; i += 2)
        check(lakebase_config_set(cfg, kv[i], kv[i + 1], &err), err, kv[i]);
}

/* A configuration from NULL-ended key/value lists, `base` then `extra`
 * (either may be NULL). */
static lakebase_config *config_of(const char *const *base,
                                  const char *const *extra) {
    lakebase_config *cfg = NULL;
    lakebase_error *err = NULL;
    check(lakebase_config_new(&cfg, &err), err, "config");
    apply(cfg, base);
    apply(cfg, extra);
    return cfg;
}

static lakebase_config *direct_config(const char *const *extra) {
    const char *const kv[] = {"config.use_environment",
                              "false",
                              "pg.host",
                              need("EMULATOR_DIRECT_HOST"),
                              "pg.port",
                              need("EMULATOR_DIRECT_PORT"),
                              "pg.user",
                              need("DATABRICKS_CLIENT_ID"),
                              "pg.password",
                              need("EMULATOR_DIRECT_PASSWORD"),
                              "pg.sslmode",
                              "disable",
                              NULL};
    return config_of(kv, extra);
}

static lakebase_pool *make_pool(int max_size) {
    char size[16];
    snprintf(size, sizeof size, "%d", max_size);
    const char *const extra[] = {"pool.max_size",
                                 size,
                                 "pool.min_size",
                                 size,
                                 "pool.max_connecting",
                                 size,
                                 NULL};
    lakebase_config *cfg = direct_config(extra);
    lakebase_pool *pool = NULL;
    lakebase_error *err = NULL;
    check(lakebase_pool_new(&pool, cfg, &err), err, "pool_new");
    lakebase_config_free(cfg);
    check(lakebase_pool_open(pool, 1, &err), err, "pool_open");
    return pool;
}

static void bench_acquire(long iterations) {
    lakebase_pool *pool = make_pool(1);
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    for (long i = 0; i < 10000; i++) { /* warm caches */
        check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
        lakebase_conn_release(conn);
    }
    double t0 = now_s();
    for (long i = 0; i < iterations; i++) {
        check(lakebase_pool_acquire(pool, &conn, &err), err, "acquire");
        lakebase_conn_release(conn);
    }
    double took = now_s() - t0;
    printf("acquire_release_ns %.1f\n", took * 1e9 / (double)iterations);
    lakebase_pool_free(pool);
}

typedef struct runner {
    lakebase_pool *pool; /* NULL: raw libpq */
    PGconn *raw;
    double until;
    atomic_int *go;
    long done;
} runner;

static void *pooled(void *arg) {
    runner *r = arg;
    while (!atomic_load(r->go))
        ;
    while (now_s() < r->until) {
        for (int i = 0; i < 64; i++) {
            lakebase_result *res = NULL;
            lakebase_error *err = NULL;
            check(lakebase_pool_query(r->pool, "SELECT 1", 0, NULL, &res, &err),
                  err, "query");
            lakebase_result_free(res);
        }
        r->done += 64;
    }
    return NULL;
}

static void *raw(void *arg) {
    runner *r = arg;
    while (!atomic_load(r->go))
        ;
    while (now_s() < r->until) {
        for (int i = 0; i < 64; i++) {
            PGresult *res = PQexec(r->raw, "SELECT 1");
            if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                fprintf(stderr, "raw: %s", PQerrorMessage(r->raw));
                exit(1);
            }
            PQclear(res);
        }
        r->done += 64;
    }
    return NULL;
}

static void bench_throughput(const char *mode, int threads, double seconds) {
    int use_pool = strcmp(mode, "pool") == 0;
    lakebase_pool *pool = use_pool ? make_pool(threads) : NULL;
    runner *rs = calloc((size_t)threads, sizeof *rs);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    atomic_int go = 0;
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo,
             "host=%s port=%s user=%s password=%s dbname=databricks_postgres "
             "sslmode=disable",
             need("EMULATOR_DIRECT_HOST"), need("EMULATOR_DIRECT_PORT"),
             need("DATABRICKS_CLIENT_ID"), need("EMULATOR_DIRECT_PASSWORD"));
    for (int i = 0; i < threads; i++) {
        rs[i].pool = pool;
        rs[i].go = &go;
        if (!use_pool) {
            rs[i].raw = PQconnectdb(conninfo);
            if (PQstatus(rs[i].raw) != CONNECTION_OK) {
                fprintf(stderr, "raw connect: %s", PQerrorMessage(rs[i].raw));
                exit(1);
            }
        }
    }
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        rs[i].until = t0 + seconds;
        pthread_create(&tids[i], NULL, use_pool ? pooled : raw, &rs[i]);
    }
    atomic_store(&go, 1);
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tids[i], NULL);
        total += rs[i].done;
        PQfinish(rs[i].raw);
    }
    double took = now_s() - t0;
    printf("%s_qps_%d %.0f\n", mode, threads, (double)total / took);
    lakebase_pool_free(pool);
    free(rs);
    free(tids);
}

/* ---- async: one loop thread --------------------------------------------- */

typedef struct loop_host {
    lakebase_pool *pool;
    struct pollfd fds[64];
    int n;
    double timer_at; /* < 0: none */
    long done, failed;
    double until;
} loop_host;

static void host_watch(void *ud, int fd, int events) {
    loop_host *h = ud;
    short ev = (short)((events & LAKEBASE_WATCH_READ ? POLLIN : 0) |
                       (events & LAKEBASE_WATCH_WRITE ? POLLOUT : 0));
    for (int i = 0; i < h->n; i++) {
        if (h->fds[i].fd != fd)
            continue;
        if (events)
            h->fds[i].events = ev;
        else
            h->fds[i] = h->fds[--h->n];
        return;
    }
    if (events && h->n < 64)
        h->fds[h->n++] = (struct pollfd){.fd = fd, .events = ev};
}

static void host_timer(void *ud, long delay_ms) {
    loop_host *h = ud;
    h->timer_at = delay_ms < 0 ? -1 : now_s() + (double)delay_ms / 1000;
}

static void on_async_done(void *ud, lakebase_result *res, lakebase_error *e) {
    loop_host *h = ud;
    if (e) {
        fprintf(stderr, "async: %s\n", lakebase_error_message(e));
        lakebase_error_free(e);
        h->failed++;
    }
    lakebase_result_free(res);
    h->done++;
    if (now_s() < h->until) {
        lakebase_error *err = NULL;
        check(lakebase_pool_query_async(h->pool, "SELECT 1", 0, NULL,
                                        on_async_done, h, &err),
              err, "query_async");
    }
}

static void bench_async(int callers, double seconds, int pipeline,
                        int max_size) {
    char size[16];
    snprintf(size, sizeof size, "%d", max_size);
    const char *const extra[] = {"pool.max_size",
                                 size,
                                 "pool.min_size",
                                 size,
                                 "pool.pipeline",
                                 pipeline ? "true" : "false",
                                 NULL};
    lakebase_config *cfg = direct_config(extra);
    lakebase_pool *pool = NULL;
    lakebase_error *err = NULL;
    check(lakebase_pool_new(&pool, cfg, &err), err, "pool_new");
    lakebase_config_free(cfg);
    loop_host h = {.pool = pool, .timer_at = -1};
    check(lakebase_pool_attach_loop(pool, host_watch, host_timer, &h, &err),
          err, "attach_loop");
    check(lakebase_pool_open(pool, 1, &err), err, "pool_open");
    double t0 = now_s();
    h.until = t0 + seconds;
    for (int i = 0; i < callers; i++)
        check(lakebase_pool_query_async(pool, "SELECT 1", 0, NULL,
                                        on_async_done, &h, &err),
              err, "query_async");
    while (lakebase_pool_busy(pool) > 0) {
        struct pollfd fds[64];
        int n = h.n;
        memcpy(fds, h.fds, sizeof fds);
        int wait = 100;
        if (h.timer_at >= 0) {
            double left = (h.timer_at - now_s()) * 1000;
            wait = left <= 0 ? 0 : left < 100 ? (int)left : 100;
        }
        poll(fds, (nfds_t)n, wait);
        for (int i = 0; i < n; i++)
            if (fds[i].revents)
                lakebase_pool_socket_ready(
                    pool, fds[i].fd,
                    (fds[i].revents & ~POLLOUT ? LAKEBASE_WATCH_READ : 0) |
                        (fds[i].revents & POLLOUT ? LAKEBASE_WATCH_WRITE : 0),
                    NULL);
        if (h.timer_at >= 0 && now_s() >= h.timer_at) {
            h.timer_at = -1;
            lakebase_pool_timer_expired(pool, NULL);
        }
    }
    double took = now_s() - t0;
    printf("async%s_qps_%d_conns_%d %.0f\n", pipeline ? "_pipelined" : "",
           callers, max_size, (double)h.done / took);
    if (h.failed)
        exit(1);
    lakebase_pool_free(pool);
}

/* ---- warm-up ---------------------------------------------------------------
 */

/* The emulator's workspace, identity and endpoint from the environment:
 * logins go through its TLS proxy with a minted credential. */
static lakebase_config *proxied_config(const char *const *extra) {
    return config_of(extra, NULL);
}

typedef lakebase_config *(*config_fn)(const char *const *extra);

/* Seconds for open(wait) of a pool with min_size = max_size = n. */
static double time_open(config_fn make_config, int n,
                        const char *max_connecting) {
    char size[16];
    snprintf(size, sizeof size, "%d", n);
    const char *const extra[] = {
        "pool.min_size", size, "pool.max_size", size, "pool.max_connecting",
        max_connecting,  NULL};
    lakebase_config *cfg = make_config(extra);
    lakebase_pool *pool = NULL;
    lakebase_error *err = NULL;
    check(lakebase_pool_new(&pool, cfg, &err), err, "pool_new");
    lakebase_config_free(cfg);
    double t0 = now_s();
    check(lakebase_pool_open(pool, 1, &err), err, "pool_open");
    double took = now_s() - t0;
    lakebase_pool_free(pool);
    return took;
}

static void bench_warmup(config_fn make_config, int n, int rounds,
                         const char *max_connecting) {
    /* Proxied: a credentials handle keeps the shared provider and its
     * token alive, so no open below waits on a mint. */
    lakebase_credentials *creds = NULL;
    if (make_config == proxied_config) {
        lakebase_config *cfg = proxied_config(NULL);
        lakebase_error *err = NULL;
        check(lakebase_credentials_new(&creds, cfg, &err), err, "credentials");
        check(lakebase_credentials_open(creds, &err), err, "mint");
        lakebase_config_free(cfg);
    }
    for (int r = 0; r < rounds; r++) {
        double one = time_open(make_config, 1, max_connecting);
        double all = time_open(make_config, n, max_connecting);
        printf("open_wait_1_ms %.2f\nopen_wait_%d_ms %.2f\n"
               "warmup_ratio_max_connecting_%s %.2f\n",
               one * 1e3, n, all * 1e3, max_connecting, all / one);
    }
    lakebase_credentials_free(creds);
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "acquire") == 0) {
        bench_acquire(argc >= 3 ? atol(argv[2]) : 2000000);
        return 0;
    }
    if (argc >= 4 &&
        (strcmp(argv[1], "pool") == 0 || strcmp(argv[1], "raw") == 0)) {
        bench_throughput(argv[1], atoi(argv[2]), atof(argv[3]));
        return 0;
    }
    if (argc >= 6 && strcmp(argv[1], "async") == 0) {
        bench_async(atoi(argv[2]), atof(argv[3]), atoi(argv[4]), atoi(argv[5]));
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "warmup") == 0) {
        bench_warmup(direct_config, atoi(argv[2]), atoi(argv[3]),
                     argc >= 5 ? argv[4] : "4");
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "warmup-proxied") == 0) {
        bench_warmup(proxied_config, atoi(argv[2]), atoi(argv[3]),
                     argc >= 5 ? argv[4] : "4");
        return 0;
    }
    fprintf(stderr, "usage: pool_bench acquire [n] | pool|raw THREADS SECONDS "
                    "| async CALLERS SECONDS PIPELINE MAX_SIZE | warmup N "
                    "ROUNDS [MAX_CONNECTING] | warmup-proxied N ROUNDS "
                    "[MAX_CONNECTING]\n");
    return 2;
}
