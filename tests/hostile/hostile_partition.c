/* The login proxy stops forwarding (the emulator's partition knob) for
 * longer than every timeout the pool is given. A caller must get an error
 * within its own timeouts (pool.acquire_timeout_ms, pool.statement_timeout_ms)
 * rather than wait for the network to heal: the partition here outlasts
 * them twentyfold, and heals before the watchdog would fire, so a call
 * that waits for it comes back successful and the test fails on its code.
 * (A statement waits at most pool.statement_timeout_ms + 1 s for its
 * answer, a validation at most pool.connect_timeout_ms.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "emulator.h"
#include "hostile_case.h"

#define PARTITION "{\"partition\": {\"seconds\": 40}}"
#define BOUND_MS  60000

typedef struct call {
    lakebase_pool *pool;
    lakebase_conn *conn; /* NULL: lakebase_pool_query */
    int code;
    long long took_ms;
} call;

static void run_query(void *arg) {
    call *c = arg;
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    long long t0 = emu_now_ms();
    c->code =
        c->conn ? lakebase_conn_query(c->conn, "SELECT 1", 0, NULL, &res, &err)
                : lakebase_pool_query(c->pool, "SELECT 1", 0, NULL, &res, &err);
    c->took_ms = emu_now_ms() - t0;
    fprintf(stderr, "across the partition: %s after %lld ms %s\n",
            lakebase_error_name(c->code), c->took_ms,
            err ? lakebase_error_message(err) : "");
    lakebase_error_free(err);
    lakebase_result_free(res);
}

static lakebase_pool *open_pool(const char *name) {
    emu_reset(NULL);
    const char *const extra[] = {"lakebase.group_name",
                                 name,
                                 "pool.acquire_timeout_ms",
                                 "2000",
                                 "pool.connect_timeout_ms",
                                 "2000",
                                 "pool.statement_timeout_ms",
                                 "2000",
                                 NULL};
    lakebase_pool *pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_open(pool, 1, &err), err, "open");
    return pool;
}

static void test_acquire_honours_its_timeout_across_a_partition(void **state) {
    (void)state;
    call c = {.pool = open_pool("partition-acquire")};
    usleep(1500 * 1000); /* idle past pool.validate_after_idle_ms */
    emu_post("/emulator/knobs", PARTITION);
    hostile_watch("a query across a partition", BOUND_MS, run_query, &c);
    emu_reset(NULL); /* heal */
    lakebase_pool_free(c.pool);
    assert_int_equal(c.code, LAKEBASE_ETIMEOUT);
}

static void
test_statement_honours_its_timeout_across_a_partition(void **state) {
    (void)state;
    call c = {.pool = open_pool("partition-statement")};
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_acquire(c.pool, &c.conn, &err), err, "acquire");
    emu_post("/emulator/knobs", PARTITION);
    hostile_watch("a statement across a partition", BOUND_MS, run_query, &c);
    emu_reset(NULL);
    lakebase_conn_release(c.conn);
    lakebase_pool_free(c.pool);
    assert_int_equal(c.code, LAKEBASE_ETIMEOUT);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acquire_honours_its_timeout_across_a_partition),
        cmocka_unit_test(test_statement_honours_its_timeout_across_a_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
