#include "span.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "metric_books.h"

static int64_t wall_now_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void lb_span_begin(lb_span_record *r, lb_span_id id) {
    memset(r, 0, sizeof *r);
    r->id = id;
    r->start_unix_nanos = wall_now_nanos();
    r->started_us = lb_duration_clock_us();
}

/* The slot for `key`: its own when set before, else a new one (NULL when
 * full). */
static int slot_of(lb_span_record *r, const char *key) {
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->keys[i], key) == 0)
            return i;
    if (r->n >= LB_SPAN_ATTRS)
        return -1;
    r->keys[r->n] = key;
    return r->n++;
}

void lb_span_set_text(lb_span_record *r, const char *key, const char *value) {
    int i = slot_of(r, key);
    if (i < 0)
        return;
    snprintf(r->values[i], LB_SPAN_VALUE_MAX, "%s", value ? value : "");
    r->is_int[i] = 0;
    r->ints[i] = 0;
}

void lb_span_set_int(lb_span_record *r, const char *key, int64_t value) {
    int i = slot_of(r, key);
    if (i < 0)
        return;
    snprintf(r->values[i], LB_SPAN_VALUE_MAX, "%lld", (long long)value);
    r->is_int[i] = 1;
    r->ints[i] = value;
}

void lb_span_end(lb_span_record *r, int code, const lakebase_error *e) {
    int64_t took_us = lb_duration_clock_us() - r->started_us;
    r->end_unix_nanos =
        r->start_unix_nanos + (took_us > 0 ? took_us : 0) * 1000;
    r->error_code = code;
    if (code == 0)
        return;
    snprintf(r->error_message, sizeof r->error_message, "%s",
             e ? lb_err_message(e) : lb_err_name(code));
    lb_span_set_text(r, "error.type", lb_err_name(code));
}

void lb_span_deliver(const lb_span_listener *l, const lb_span_record *r) {
    if (!l || !l->fn)
        return;
    const char *values[LB_SPAN_ATTRS];
    for (int i = 0; i < r->n; i++)
        values[i] = r->values[i];
    const lb_span_def *def = &lb_span_table()[r->id];
    lakebase_span span = {
        .version = LAKEBASE_SPAN_VERSION,
        .span = (size_t)r->id,
        .name = def->name,
        .start_unix_nanos = r->start_unix_nanos,
        .end_unix_nanos = r->end_unix_nanos,
        .error_code = r->error_code,
        .error_message = r->error_code ? r->error_message : NULL,
        .attribute_count = (size_t)r->n,
        .attribute_keys = r->keys,
        .attribute_values = values,
        .attribute_is_int = r->is_int,
        .attribute_ints = r->ints,
    };
    l->fn(l->userdata, &span);
}
