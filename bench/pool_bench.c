/* Pool benchmarks against PostgreSQL directly (static password mode, no
 * proxy), from the environment the emulator prints:
 *   pool_bench acquire [iterations]     uncontended acquire+release, ns/op
 *   pool_bench pool THREADS SECONDS     pooled SELECT 1, queries/s
 *   pool_bench raw THREADS SECONDS      one libpq connection per thread
 * Prints one "name value" line per measurement. */
#include <libpq-fe.h>
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

static lakebase_pool *make_pool(int max_size) {
    char size[16];
    snprintf(size, sizeof size, "%d", max_size);
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
                              "pool.max_size",
                              size,
                              "pool.min_size",
                              size,
                              "pool.max_connecting",
                              size,
                              NULL};
    lakebase_config *cfg = NULL;
    lakebase_error *err = NULL;
    check(lakebase_config_new(&cfg, &err), err, "config");
    for (size_t i = 0; kv[i]; i += 2)
        check(lakebase_config_set(cfg, kv[i], kv[i + 1], &err), err, kv[i]);
    lakebase_pool *pool = NULL;
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
    fprintf(stderr,
            "usage: pool_bench acquire [n] | pool|raw THREADS SECONDS\n");
    return 2;
}
