/* The pool steps of the conformance runner: pools, leased connections,
 * queries (inline, from many threads, or in the background) and sustained
 * background load. Specified in tests/conformance/README.md. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#define MAX_POOLS         8
#define MAX_CONNS         16
#define MAX_LOADS         8
#define MAX_CALLERS       100
#define MAX_REPEAT        100000
#define MAX_PARAMS        64
#define QUERY_EXPECT_KEYS "rows,columns,command"

/* SQL text plus its $n parameters (a NULL value is SQL NULL). */
typedef struct statement {
    char *sql;
    int nparams;
    char *values[MAX_PARAMS];
} statement;

typedef struct pool_slot {
    char *id;
    lakebase_pool *pool;
} pool_slot;

typedef struct conn_slot {
    char *id;
    lakebase_conn *conn; /* NULL once released */
    /* A query in the background (conn_query with "background"). */
    int running;
    pthread_t thread;
    statement stmt;
    int release_after;
    outcome out;
    lakebase_result *res;
} conn_slot;

typedef struct load_slot {
    char *id;
    lakebase_pool *pool;
    statement stmt;
    int threads;
    pthread_t tids[MAX_CALLERS];
    atomic_int stop;
    atomic_long ok, failed;
    pthread_mutex_t mu;
    int first_code; /* of the first failure */
    char first_message[512];
} load_slot;

struct rn_pools {
    pool_slot pools[MAX_POOLS];
    size_t pool_count;
    conn_slot conns[MAX_CONNS];
    size_t conn_count;
    load_slot *loads[MAX_LOADS];
    size_t load_count;
};

static struct rn_pools *pools_of(scenario *sc) {
    if (sc->pools == NULL)
        sc->pools = calloc(1, sizeof *sc->pools);
    return sc->pools;
}

/* ---- statements --------------------------------------------------------- */

static void statement_clear(statement *st) {
    free(st->sql);
    for (int i = 0; i < st->nparams; i++)
        free(st->values[i]);
    memset(st, 0, sizeof *st);
}

/* Reads "sql" (default `default_sql`, may be NULL: required) and "params". */
static int statement_read(const scenario *sc, const cJSON *step,
                          const char *default_sql, statement *st, rn_why *why) {
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(step, "params");
    const cJSON *item;

    memset(st, 0, sizeof *st);
    if (cJSON_GetObjectItemCaseSensitive(step, "sql") != NULL)
        st->sql = rn_expanded_field(sc, step, "sql", why);
    else if (default_sql != NULL)
        st->sql = strdup(default_sql);
    else
        return rn_fail(why, "\"sql\" is required");
    if (st->sql == NULL)
        return -1;
    if (params != NULL && !cJSON_IsArray(params))
        return rn_fail(why, "\"params\" must be an array");
    cJSON_ArrayForEach(item, params) {
        char num[64];
        if (st->nparams == MAX_PARAMS)
            return rn_fail(why, "more than %d params", MAX_PARAMS);
        char **slot = &st->values[st->nparams++];
        if (cJSON_IsNull(item))
            continue;
        if (cJSON_IsString(item)) {
            if ((*slot = rn_env_expand(sc->env, item->valuestring, why)) ==
                NULL)
                return -1;
            continue;
        }
        if (cJSON_IsNumber(item))
            snprintf(num, sizeof num, "%.17g", item->valuedouble);
        else if (cJSON_IsBool(item))
            snprintf(num, sizeof num, "%s",
                     cJSON_IsTrue(item) ? "true" : "false");
        else
            return rn_fail(why, "params must be strings, numbers, booleans "
                                "or null");
        if ((*slot = strdup(num)) == NULL)
            return rn_fail(why, "out of memory");
    }
    return 0;
}

static const char *const *statement_values(const statement *st) {
    return (const char *const *)st->values;
}

/* ---- checking a query's result ------------------------------------------ */

/* The text an expected cell stands for (NULL for null); free it. */
static char *expected_cell(const scenario *sc, const cJSON *cell, rn_why *why) {
    char num[64];

    if (cJSON_IsString(cell))
        return rn_env_expand(sc->env, cell->valuestring, why);
    if (cJSON_IsNumber(cell))
        snprintf(num, sizeof num, "%.17g", cell->valuedouble);
    else if (cJSON_IsBool(cell))
        snprintf(num, sizeof num, "%s", cJSON_IsTrue(cell) ? "true" : "false");
    else {
        rn_fail(why, "expected cells must be strings, numbers, booleans or "
                     "null");
        return NULL;
    }
    return strdup(num);
}

static int check_rows(const scenario *sc, const cJSON *rows,
                      const lakebase_result *res, rn_why *why) {
    int want_rows = cJSON_GetArraySize(rows);
    int r = 0;
    const cJSON *row;

    if (!cJSON_IsArray(rows))
        return rn_fail(why, "\"rows\" must be an array of arrays");
    if (lakebase_result_rows(res) != want_rows)
        return rn_fail(why, "%d rows, expected %d", lakebase_result_rows(res),
                       want_rows);
    cJSON_ArrayForEach(row, rows) {
        const cJSON *cell;
        int c = 0;
        if (!cJSON_IsArray(row))
            return rn_fail(why, "\"rows\" must be an array of arrays");
        if (cJSON_GetArraySize(row) != lakebase_result_columns(res))
            return rn_fail(why, "%d columns, expected %d",
                           lakebase_result_columns(res),
                           cJSON_GetArraySize(row));
        cJSON_ArrayForEach(cell, row) {
            const char *got = lakebase_result_is_null(res, r, c)
                                  ? NULL
                                  : lakebase_result_text(res, r, c, NULL);
            if (cJSON_IsNull(cell)) {
                if (got != NULL)
                    return rn_fail(why,
                                   "row %d column %d is \"%s\", expected "
                                   "NULL",
                                   r + 1, c + 1, got);
            } else {
                char *want = expected_cell(sc, cell, why);
                if (want == NULL)
                    return -1;
                int same = got != NULL && strcmp(got, want) == 0;
                if (!same)
                    rn_fail(why, "row %d column %d is %s%s%s, expected \"%s\"",
                            r + 1, c + 1, got ? "\"" : "", got ? got : "NULL",
                            got ? "\"" : "", want);
                free(want);
                if (!same)
                    return -1;
            }
            c++;
        }
        r++;
    }
    return 0;
}

static int check_columns(const cJSON *columns, const lakebase_result *res,
                         rn_why *why) {
    const cJSON *name;
    int c = 0;

    if (!cJSON_IsArray(columns))
        return rn_fail(why, "\"columns\" must be an array of names");
    if (cJSON_GetArraySize(columns) != lakebase_result_columns(res))
        return rn_fail(why, "%d columns, expected %d",
                       lakebase_result_columns(res),
                       cJSON_GetArraySize(columns));
    cJSON_ArrayForEach(name, columns) {
        const char *got = lakebase_result_column_name(res, c);
        if (!cJSON_IsString(name) || strcmp(name->valuestring, got) != 0)
            return rn_fail(why, "column %d is named \"%s\"", c + 1, got);
        c++;
    }
    return 0;
}

static int check_query(const scenario *sc, const cJSON *expect,
                       const outcome *o, const lakebase_result *res,
                       rn_why *why) {
    if (rn_check_outcome(sc, expect, o, QUERY_EXPECT_KEYS, why) != 0)
        return -1;
    if (o->rc != 0 || expect == NULL)
        return 0;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(expect, "rows");
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(expect, "columns");
    const char *command = rn_string_field(expect, "command");
    if (rows != NULL && check_rows(sc, rows, res, why) != 0)
        return -1;
    if (columns != NULL && check_columns(columns, res, why) != 0)
        return -1;
    if (command != NULL && strcmp(command, lakebase_result_command(res)) != 0)
        return rn_fail(why, "command tag \"%s\", expected \"%s\"",
                       lakebase_result_command(res), command);
    return 0;
}

/* ---- finding ids -------------------------------------------------------- */

static pool_slot *find_pool_id(scenario *sc, const char *id, rn_why *why) {
    struct rn_pools *ps = pools_of(sc);

    if (ps == NULL) {
        rn_fail(why, "out of memory");
        return NULL;
    }
    for (size_t i = 0; id != NULL && i < ps->pool_count; i++)
        if (strcmp(ps->pools[i].id, id) == 0)
            return &ps->pools[i];
    rn_fail(why, "no pool with id \"%s\"", id ? id : "(none)");
    return NULL;
}

static pool_slot *find_pool(scenario *sc, const cJSON *step, rn_why *why) {
    return find_pool_id(sc, rn_string_field(step, "pool"), why);
}

static conn_slot *find_conn(scenario *sc, const cJSON *step, int must_be_held,
                            rn_why *why) {
    struct rn_pools *ps = pools_of(sc);
    const char *id = rn_string_field(step, "conn");

    if (ps == NULL) {
        rn_fail(why, "out of memory");
        return NULL;
    }
    for (size_t i = 0; id != NULL && i < ps->conn_count; i++) {
        conn_slot *c = &ps->conns[i];
        if (strcmp(c->id, id) != 0)
            continue;
        if (must_be_held && (c->conn == NULL || c->running)) {
            rn_fail(why,
                    c->running ? "connection \"%s\" is running a query"
                               : "connection \"%s\" was released",
                    id);
            return NULL;
        }
        return c;
    }
    rn_fail(why,
            id ? "no connection with id \"%s\""
               : "\"conn\" (an id) is required",
            id);
    return NULL;
}

/* 1 when a number field is absent (*out = dflt) or within [lo, hi]. */
static int int_field(const cJSON *step, const char *key, int dflt, int lo,
                     int hi, int *out, rn_why *why) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(step, key);

    *out = dflt;
    if (v == NULL)
        return 1;
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi) {
        rn_fail(why, "\"%s\" must be %d..%d", key, lo, hi);
        return 0;
    }
    *out = v->valueint;
    return 1;
}

static int bool_field(const cJSON *step, const char *key, int dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(step, key);
    return v == NULL ? dflt : cJSON_IsTrue(v);
}

/* Checks that a blocking call took no longer than "within_ms", if given. */
static int check_within(const cJSON *step, long long took_ms, rn_why *why) {
    const cJSON *within = cJSON_GetObjectItemCaseSensitive(step, "within_ms");

    if (within == NULL)
        return 0;
    if (!cJSON_IsNumber(within))
        return rn_fail(why, "\"within_ms\" must be a number");
    if (took_ms > (long long)within->valuedouble)
        return rn_fail(why, "took %lld ms, expected at most %.0f ms", took_ms,
                       within->valuedouble);
    return 0;
}

/* ---- pool, pool_open, pool_close ---------------------------------------- */

int rn_op_pool(scenario *sc, const cJSON *step, rn_why *why) {
    struct rn_pools *ps = pools_of(sc);
    const char *id = rn_string_field(step, "id");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(step, "config");
    lakebase_config *cfg = NULL;
    lakebase_pool *pool = NULL;
    outcome o = {0};

    if (ps == NULL)
        return rn_fail(why, "out of memory");
    if (id == NULL || !cJSON_IsObject(config))
        return rn_fail(why,
                       "\"id\" (string) and \"config\" (object) are required");
    for (size_t i = 0; i < ps->pool_count; i++)
        if (strcmp(ps->pools[i].id, id) == 0)
            return rn_fail(why, "pool \"%s\" already exists", id);
    if (ps->pool_count == MAX_POOLS)
        return rn_fail(why, "more than %d pools", MAX_POOLS);

    o.rc = lakebase_config_new(&cfg, &o.err);
    if (o.rc == 0 && rn_set_config(sc, cfg, config, &o, why) != 0) {
        lakebase_config_free(cfg);
        rn_outcome_clear(&o);
        return -1;
    }
    if (o.rc == 0)
        o.rc = lakebase_pool_new(&pool, cfg, &o.err);
    lakebase_config_free(cfg);
    int rc = rn_check_outcome(
        sc, cJSON_GetObjectItemCaseSensitive(step, "expect"), &o, "", why);
    rn_outcome_clear(&o);
    if (pool == NULL)
        return rc;
    pool_slot *slot = &ps->pools[ps->pool_count];
    if ((slot->id = strdup(id)) == NULL) {
        lakebase_pool_free(pool);
        return rn_fail(why, "out of memory");
    }
    slot->pool = pool;
    ps->pool_count++;
    return rc;
}

int rn_op_pool_open(scenario *sc, const cJSON *step, rn_why *why) {
    pool_slot *p = find_pool(sc, step, why);
    outcome o = {0};

    if (p == NULL)
        return -1;
    long long t0 = rn_now_ms();
    o.rc = lakebase_pool_open(p->pool, bool_field(step, "wait", 1), &o.err);
    long long took = rn_now_ms() - t0;
    int rc = rn_check_outcome(
        sc, cJSON_GetObjectItemCaseSensitive(step, "expect"), &o, "", why);
    rn_outcome_clear(&o);
    return rc != 0 ? rc : check_within(step, took, why);
}

int rn_op_pool_close(scenario *sc, const cJSON *step, rn_why *why) {
    pool_slot *p = find_pool(sc, step, why);
    outcome o = {0};

    if (p == NULL)
        return -1;
    long long t0 = rn_now_ms();
    o.rc = lakebase_pool_close(p->pool, bool_field(step, "cancel_inflight", 0),
                               &o.err);
    long long took = rn_now_ms() - t0;
    int rc = rn_check_outcome(
        sc, cJSON_GetObjectItemCaseSensitive(step, "expect"), &o, "", why);
    rn_outcome_clear(&o);
    return rc != 0 ? rc : check_within(step, took, why);
}

/* ---- pool_query: many callers, each repeating --------------------------- */

typedef struct caller {
    const scenario *sc;
    lakebase_pool *pool;
    const statement *stmt;
    const cJSON *expect;
    int repeat;
    pthread_barrier_t *start;
    int failed_at; /* 1-based query number, 0: none failed */
    rn_why why;
} caller;

static void run_caller(caller *c) {
    for (int i = 1; i <= c->repeat; i++) {
        outcome o = {0};
        lakebase_result *res = NULL;
        o.rc = lakebase_pool_query(c->pool, c->stmt->sql, c->stmt->nparams,
                                   statement_values(c->stmt), &res, &o.err);
        int rc = check_query(c->sc, c->expect, &o, res, &c->why);
        lakebase_result_free(res);
        rn_outcome_clear(&o);
        if (rc != 0) {
            c->failed_at = i;
            return;
        }
    }
}

static void *caller_thread(void *arg) {
    caller *c = arg;
    pthread_barrier_wait(c->start);
    run_caller(c);
    return NULL;
}

int rn_op_pool_query(scenario *sc, const cJSON *step, rn_why *why) {
    pool_slot *p = find_pool(sc, step, why);
    caller callers[MAX_CALLERS];
    pthread_t tids[MAX_CALLERS];
    pthread_barrier_t start;
    statement stmt;
    int threads, repeat, rc = 0;

    if (p == NULL ||
        !int_field(step, "threads", 1, 1, MAX_CALLERS, &threads, why) ||
        !int_field(step, "repeat", 1, 1, MAX_REPEAT, &repeat, why))
        return -1;
    if (statement_read(sc, step, NULL, &stmt, why) != 0) {
        statement_clear(&stmt);
        return -1;
    }
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (int i = 0; i < threads; i++)
        callers[i] =
            (caller){sc,     p->pool,
                     &stmt,  cJSON_GetObjectItemCaseSensitive(step, "expect"),
                     repeat, &start,
                     0,      {""}};
    if (threads == 1) {
        run_caller(&callers[0]);
    } else {
        for (int i = 0; i < threads; i++)
            if (pthread_create(&tids[i], NULL, caller_thread, &callers[i]) !=
                0) {
                fprintf(stderr, "conformance_runner: pthread_create failed\n");
                exit(2);
            }
        for (int i = 0; i < threads; i++)
            pthread_join(tids[i], NULL);
    }
    pthread_barrier_destroy(&start);
    for (int i = 0; i < threads && rc == 0; i++) {
        if (callers[i].failed_at == 0)
            continue;
        if (threads == 1 && repeat == 1)
            rc = rn_fail(why, "%s", callers[i].why.text);
        else
            rc = rn_fail(why, "thread %d of %d, query %d: %s", i + 1, threads,
                         callers[i].failed_at, callers[i].why.text);
    }
    statement_clear(&stmt);
    return rc;
}

/* ---- pool_load_start / pool_load_stop ----------------------------------- */

static void *load_thread(void *arg) {
    load_slot *l = arg;

    while (!atomic_load(&l->stop)) {
        lakebase_result *res = NULL;
        lakebase_error *err = NULL;
        int rc = lakebase_pool_query(l->pool, l->stmt.sql, l->stmt.nparams,
                                     statement_values(&l->stmt), &res, &err);
        lakebase_result_free(res);
        if (rc == 0) {
            atomic_fetch_add(&l->ok, 1);
        } else {
            pthread_mutex_lock(&l->mu);
            if (atomic_fetch_add(&l->failed, 1) == 0) {
                l->first_code = rc;
                snprintf(l->first_message, sizeof l->first_message, "%s",
                         lakebase_error_message(err));
            }
            pthread_mutex_unlock(&l->mu);
        }
        lakebase_error_free(err);
    }
    return NULL;
}

static void load_stop_and_free(load_slot *l) {
    atomic_store(&l->stop, 1);
    for (int i = 0; i < l->threads; i++)
        pthread_join(l->tids[i], NULL);
    pthread_mutex_destroy(&l->mu);
    statement_clear(&l->stmt);
    free(l->id);
    free(l);
}

int rn_op_pool_load_start(scenario *sc, const cJSON *step, rn_why *why) {
    struct rn_pools *ps = pools_of(sc);
    pool_slot *p = find_pool(sc, step, why);
    const char *id = rn_string_field(step, "id");
    int threads;

    if (p == NULL)
        return -1;
    if (id == NULL)
        return rn_fail(why, "\"id\" (string) is required");
    if (!int_field(step, "threads", 0, 1, MAX_CALLERS, &threads, why))
        return -1;
    if (threads == 0)
        return rn_fail(why, "\"threads\" is required");
    for (size_t i = 0; i < ps->load_count; i++)
        if (strcmp(ps->loads[i]->id, id) == 0)
            return rn_fail(why, "load \"%s\" is already running", id);
    if (ps->load_count == MAX_LOADS)
        return rn_fail(why, "more than %d loads", MAX_LOADS);
    load_slot *l = calloc(1, sizeof *l);
    if (l == NULL || (l->id = strdup(id)) == NULL) {
        free(l);
        return rn_fail(why, "out of memory");
    }
    if (statement_read(sc, step, "SELECT 1", &l->stmt, why) != 0) {
        statement_clear(&l->stmt);
        free(l->id);
        free(l);
        return -1;
    }
    l->pool = p->pool;
    pthread_mutex_init(&l->mu, NULL);
    for (; l->threads < threads; l->threads++)
        if (pthread_create(&l->tids[l->threads], NULL, load_thread, l) != 0)
            break;
    ps->loads[ps->load_count++] = l;
    if (l->threads < threads)
        return rn_fail(why, "could only start %d of %d threads", l->threads,
                       threads);
    return 0;
}

int rn_op_pool_load_stop(scenario *sc, const cJSON *step, rn_why *why) {
    struct rn_pools *ps = pools_of(sc);
    const char *id = rn_string_field(step, "load");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(step, "expect");
    size_t i = 0;

    while (ps != NULL && id != NULL && i < ps->load_count &&
           strcmp(ps->loads[i]->id, id) != 0)
        i++;
    if (ps == NULL || id == NULL || i == ps->load_count)
        return rn_fail(why, "no running load \"%s\"", id ? id : "(none)");
    load_slot *l = ps->loads[i];
    ps->loads[i] = ps->loads[--ps->load_count];
    atomic_store(&l->stop, 1);
    for (int t = 0; t < l->threads; t++)
        pthread_join(l->tids[t], NULL);
    l->threads = 0;

    cJSON *actual = cJSON_CreateObject();
    cJSON *want = expect ? cJSON_Duplicate(expect, 1) : cJSON_CreateObject();
    int rc = 0;
    if (rn_check_keys(want, "queries,failed", "expect", why) != 0)
        rc = -1;
    if (cJSON_GetObjectItemCaseSensitive(want, "failed") == NULL)
        cJSON_AddNumberToObject(want, "failed", 0);
    cJSON_AddNumberToObject(actual, "queries", (double)atomic_load(&l->ok));
    cJSON_AddNumberToObject(actual, "failed", (double)atomic_load(&l->failed));
    if (rc == 0 && rn_match_all(sc, "load", want, actual, NULL, why) != 0) {
        rn_why inner = *why;
        rc = atomic_load(&l->failed) > 0
                 ? rn_fail(why, "%s; first failure: %s: %s", inner.text,
                           rn_error_name(l->first_code), l->first_message)
                 : -1;
    }
    if (sc->verbose)
        fprintf(stderr, "    load %s: %ld queries ok, %ld failed\n", l->id,
                atomic_load(&l->ok), atomic_load(&l->failed));
    cJSON_Delete(actual);
    cJSON_Delete(want);
    load_stop_and_free(l);
    return rc;
}

/* ---- leased connections ------------------------------------------------- */

int rn_op_conn_acquire(scenario *sc, const cJSON *step, rn_why *why) {
    struct rn_pools *ps = pools_of(sc);
    pool_slot *p = find_pool(sc, step, why);
    const char *id = rn_string_field(step, "id");
    conn_slot *slot = NULL;
    outcome o = {0};
    lakebase_conn *conn = NULL;

    if (p == NULL)
        return -1;
    if (id == NULL)
        return rn_fail(why, "\"id\" (string) is required");
    for (size_t i = 0; i < ps->conn_count; i++) {
        if (strcmp(ps->conns[i].id, id) != 0)
            continue;
        if (ps->conns[i].conn != NULL || ps->conns[i].running)
            return rn_fail(why, "connection \"%s\" is still held", id);
        slot = &ps->conns[i];
    }
    if (slot == NULL && ps->conn_count == MAX_CONNS)
        return rn_fail(why, "more than %d connections", MAX_CONNS);
    o.rc = lakebase_pool_acquire(p->pool, &conn, &o.err);
    int rc = rn_check_outcome(
        sc, cJSON_GetObjectItemCaseSensitive(step, "expect"), &o, "", why);
    rn_outcome_clear(&o);
    if (conn == NULL)
        return rc;
    if (slot == NULL) {
        slot = &ps->conns[ps->conn_count];
        *slot = (conn_slot){.id = strdup(id)};
        if (slot->id == NULL) {
            lakebase_conn_release(conn);
            return rn_fail(why, "out of memory");
        }
        ps->conn_count++;
    }
    slot->conn = conn;
    return rc;
}

static void run_conn_query(conn_slot *c) {
    c->out.rc =
        lakebase_conn_query(c->conn, c->stmt.sql, c->stmt.nparams,
                            statement_values(&c->stmt), &c->res, &c->out.err);
    if (c->release_after) {
        lakebase_conn_release(c->conn);
        c->conn = NULL;
    }
}

static void *conn_query_thread(void *arg) {
    run_conn_query(arg);
    return NULL;
}

/* Checks and forgets the outcome of the connection's last query. */
static int finish_conn_query(const scenario *sc, conn_slot *c,
                             const cJSON *expect, rn_why *why) {
    int rc = check_query(sc, expect, &c->out, c->res, why);
    lakebase_result_free(c->res);
    c->res = NULL;
    rn_outcome_clear(&c->out);
    statement_clear(&c->stmt);
    return rc;
}

int rn_op_conn_query(scenario *sc, const cJSON *step, rn_why *why) {
    conn_slot *c = find_conn(sc, step, 1, why);

    if (c == NULL)
        return -1;
    if (statement_read(sc, step, NULL, &c->stmt, why) != 0) {
        statement_clear(&c->stmt);
        return -1;
    }
    c->release_after = bool_field(step, "release_after", 0);
    if (!bool_field(step, "background", 0)) {
        run_conn_query(c);
        return finish_conn_query(
            sc, c, cJSON_GetObjectItemCaseSensitive(step, "expect"), why);
    }
    if (cJSON_GetObjectItemCaseSensitive(step, "expect") != NULL)
        return rn_fail(why, "a background query's expect goes on conn_wait");
    if (pthread_create(&c->thread, NULL, conn_query_thread, c) != 0)
        return rn_fail(why, "pthread_create failed");
    c->running = 1;
    return 0;
}

int rn_op_conn_wait(scenario *sc, const cJSON *step, rn_why *why) {
    conn_slot *c = find_conn(sc, step, 0, why);

    if (c == NULL)
        return -1;
    if (!c->running)
        return rn_fail(why, "no background query on connection \"%s\"", c->id);
    pthread_join(c->thread, NULL);
    c->running = 0;
    return finish_conn_query(
        sc, c, cJSON_GetObjectItemCaseSensitive(step, "expect"), why);
}

int rn_op_conn_cancel(scenario *sc, const cJSON *step, rn_why *why) {
    conn_slot *c = find_conn(sc, step, 0, why);
    outcome o = {0};

    if (c == NULL)
        return -1;
    if (c->conn == NULL)
        return rn_fail(why, "connection \"%s\" was released", c->id);
    o.rc = lakebase_conn_cancel(c->conn, &o.err);
    int rc = rn_check_outcome(
        sc, cJSON_GetObjectItemCaseSensitive(step, "expect"), &o, "", why);
    rn_outcome_clear(&o);
    return rc;
}

int rn_op_conn_release(scenario *sc, const cJSON *step, rn_why *why) {
    conn_slot *c = find_conn(sc, step, 1, why);

    if (c == NULL)
        return -1;
    lakebase_conn_release(c->conn);
    c->conn = NULL;
    return 0;
}

/* ---- stats -------------------------------------------------------------- */

static cJSON *pool_stats_json(lakebase_pool *pool, rn_why *why) {
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lakebase_credential_stats credential = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_error *err = NULL;
    int rc = lakebase_pool_get_stats(pool, &st, &err);
    if (rc == 0)
        rc = lakebase_pool_credential_stats(pool, &credential, &err);

    if (rc != 0) {
        rn_fail(why, "lakebase_pool_get_stats: %s: %s", rn_error_name(rc),
                lakebase_error_message(err));
        lakebase_error_free(err);
        return NULL;
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "total", st.total);
    cJSON_AddNumberToObject(j, "idle", st.idle);
    cJSON_AddNumberToObject(j, "in_use", st.in_use);
    cJSON_AddNumberToObject(j, "connecting", st.connecting);
    cJSON_AddNumberToObject(j, "waiting", st.waiting);
    cJSON_AddNumberToObject(j, "connects_ok", (double)st.connects_ok);
    cJSON_AddNumberToObject(j, "connects_failed", (double)st.connects_failed);
    cJSON_AddNumberToObject(j, "recycled", (double)st.recycled);
    cJSON_AddNumberToObject(j, "discarded", (double)st.discarded);
    cJSON_AddNumberToObject(j, "acquires", (double)st.acquires);
    cJSON_AddNumberToObject(j, "acquire_timeouts", (double)st.acquire_timeouts);
    cJSON_AddItemToObject(j, "credential",
                          rn_credential_stats_json(&credential));
    return j;
}

static const char POOL_STATS_KEYS[] =
    "id,total,idle,in_use,connecting,waiting,connects_ok,connects_failed,"
    "recycled,discarded,acquires,acquire_timeouts,credential.mints_ok,"
    "credential.mints_failed,credential.degraded,credential.cached,"
    "credential.last_error,credential.last_error_http_status";

int rn_check_pool_stats(scenario *sc, const cJSON *want, rn_why *why) {
    const cJSON *item;
    const cJSON *list = want;
    cJSON *single = NULL;
    int rc = 0;

    if (cJSON_IsObject(want)) {
        single = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(single, (cJSON *)want);
        list = single;
    }
    cJSON_ArrayForEach(item, list) {
        char where[160];
        cJSON *actual = NULL;
        pool_slot *p = find_pool_id(sc, rn_string_field(item, "id"), why);

        if (p == NULL)
            rc = -1;
        else if (rn_check_keys(item, POOL_STATS_KEYS, "pool stats", why))
            rc = -1;
        else if ((actual = pool_stats_json(p->pool, why)) == NULL)
            rc = -1;
        else {
            snprintf(where, sizeof where, "pool %s", p->id);
            rc = rn_match_all(sc, where, item, actual, "id", why);
        }
        cJSON_Delete(actual);
        if (rc != 0)
            break;
    }
    cJSON_Delete(single);
    return rc;
}

/* ---- end of scenario ---------------------------------------------------- */

void rn_pools_clear(scenario *sc) {
    struct rn_pools *ps = sc->pools;

    if (ps == NULL)
        return;
    for (size_t i = 0; i < ps->load_count; i++)
        load_stop_and_free(ps->loads[i]);
    for (size_t i = 0; i < ps->conn_count; i++) {
        conn_slot *c = &ps->conns[i];
        if (c->running)
            pthread_join(c->thread, NULL);
        lakebase_result_free(c->res);
        rn_outcome_clear(&c->out);
        statement_clear(&c->stmt);
        lakebase_conn_release(c->conn);
        free(c->id);
    }
    for (size_t i = 0; i < ps->pool_count; i++) {
        lakebase_pool_free(ps->pools[i].pool);
        free(ps->pools[i].id);
    }
    free(ps);
    sc->pools = NULL;
}
