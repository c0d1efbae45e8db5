/* Pure policy of the event-loop side: how many connections it asks the
 * driver thread for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pool_loop.h"

static void
test_unpipelined_asks_one_connection_per_waiting_statement(void **state) {
    (void)state;
    assert_int_equal(lb_loop_connections_needed(0, 10, 0, 0, 3, 0), 3);
    /* Two already on their way. */
    assert_int_equal(lb_loop_connections_needed(0, 10, 0, 2, 3, 0), 1);
    assert_int_equal(lb_loop_connections_needed(0, 10, 2, 0, 0, 1), 0);
}

static void test_unpipelined_never_asks_beyond_max_size(void **state) {
    (void)state;
    assert_int_equal(lb_loop_connections_needed(0, 4, 3, 0, 50, 1), 1);
    assert_int_equal(lb_loop_connections_needed(0, 4, 2, 2, 50, 1), 0);
}

static void
test_pipelined_asks_one_at_a_time_when_statements_wait(void **state) {
    (void)state;
    assert_int_equal(lb_loop_connections_needed(1, 10, 0, 0, 64, 0), 1);
    assert_int_equal(lb_loop_connections_needed(1, 10, 0, 1, 64, 0), 0);
}

static void
test_pipelined_grows_only_when_every_connection_is_deep(void **state) {
    (void)state;
    assert_int_equal(lb_loop_connections_needed(1, 10, 1, 0, 0, 3), 0);
    assert_int_equal(lb_loop_connections_needed(1, 10, 1, 0, 0, 8), 1);
    assert_int_equal(lb_loop_connections_needed(1, 2, 2, 0, 0, 30), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_unpipelined_asks_one_connection_per_waiting_statement),
        cmocka_unit_test(test_unpipelined_never_asks_beyond_max_size),
        cmocka_unit_test(
            test_pipelined_asks_one_at_a_time_when_statements_wait),
        cmocka_unit_test(
            test_pipelined_grows_only_when_every_connection_is_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
