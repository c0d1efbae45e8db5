/* Finished span records (core/span.c): attributes typed and bounded, the
 * outcome, the times, and what the listener receives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "span.h"

typedef struct received {
    int calls;
    lakebase_span span; /* pointers valid during the call only */
    char first_key[64], first_value[64], message[128];
    int attrs;
} received;

static void listen(void *userdata, const lakebase_span *sp) {
    received *r = userdata;
    r->calls++;
    r->span = *sp;
    r->attrs = (int)sp->attribute_count;
    strcpy(r->first_key, sp->attribute_keys[0]);
    strcpy(r->first_value, sp->attribute_values[0]);
    strcpy(r->message, sp->error_message ? sp->error_message : "");
}

static void test_attributes_are_typed_replaced_and_bounded(void **state) {
    (void)state;
    lb_span_record r;
    lb_span_begin(&r, LB_SPAN_CONNECT);
    lb_span_set_text(&r, "server.address", "a.example");
    lb_span_set_int(&r, "server.port", 5432);
    lb_span_set_text(&r, "server.address", "b.example"); /* replaced */
    assert_int_equal(r.n, 2);
    assert_string_equal(r.values[0], "b.example");
    assert_int_equal(r.is_int[0], 0);
    assert_int_equal(r.is_int[1], 1);
    assert_int_equal(r.ints[1], 5432);
    assert_string_equal(r.values[1], "5432");
    static const char *more[] = {"k3", "k4", "k5", "k6", "k7"};
    for (int i = 0; i < 5; i++)
        lb_span_set_text(&r, more[i], "v");
    assert_int_equal(r.n, LB_SPAN_ATTRS); /* the seventh key is dropped */
}

static void test_a_failure_names_its_class_and_message(void **state) {
    (void)state;
    lb_span_record r;
    lb_span_begin(&r, LB_SPAN_MINT);
    lb_span_set_text(&r, "lakebase.credential.api", "postgres");
    lakebase_error *e = NULL;
    lb_err(&e, LAKEBASE_ELOGIN, "login refused");
    lb_span_end(&r, LAKEBASE_ELOGIN, e);
    lb_err_destroy(e);
    assert_true(r.end_unix_nanos >= r.start_unix_nanos);
    received got = {0};
    lb_span_listener l = {listen, &got};
    lb_span_deliver(&l, &r);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.span.version, LAKEBASE_SPAN_VERSION);
    assert_string_equal(got.span.name, "lakebase.credential.mint");
    assert_int_equal(got.span.error_code, LAKEBASE_ELOGIN);
    assert_string_equal(got.message, "login refused");
    assert_int_equal(got.attrs, 2);
    assert_string_equal(got.first_key, "lakebase.credential.api");
    assert_string_equal(r.keys[1], "error.type");
    assert_string_equal(r.values[1], "ELOGIN");
}

static void test_success_has_no_message_and_no_listener_is_fine(void **state) {
    (void)state;
    lb_span_record r;
    lb_span_begin(&r, LB_SPAN_CONNECT);
    lb_span_set_text(&r, "db.system.name", "postgresql");
    lb_span_end(&r, 0, NULL);
    received got = {0};
    lb_span_listener l = {listen, &got};
    lb_span_deliver(&l, &r);
    assert_int_equal(got.span.error_code, 0);
    assert_null(got.span.error_message);
    assert_int_equal(got.attrs, 1);
    lb_span_listener off = {NULL, NULL};
    lb_span_deliver(&off, &r); /* nothing to call */
    lb_span_deliver(NULL, &r);
    assert_int_equal(got.calls, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attributes_are_typed_replaced_and_bounded),
        cmocka_unit_test(test_a_failure_names_its_class_and_message),
        cmocka_unit_test(test_success_has_no_message_and_no_listener_is_fine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
