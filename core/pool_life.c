#include "pool_life.h"

#include <string.h>

void lb_life_move(lb_life_books *b, lb_conn_state from, lb_conn_state to) {
    if (from != LB_CONN_GONE)
        b->count[from]--;
    if (to != LB_CONN_GONE)
        b->count[to]++;
}

int lb_life_total(const lb_life_books *b) {
    return b->count[LB_CONN_CONNECTING] + b->count[LB_CONN_IDLE] +
           b->count[LB_CONN_LEASED] + b->count[LB_CONN_SHARED];
}

int64_t lb_life_lifetime_ms(int max_lifetime_s, double jitter,
                            uint32_t random_u32) {
    if (max_lifetime_s <= 0)
        return INT64_MAX;
    double shortened = jitter * ((double)random_u32 / 4294967296.0);
    return (int64_t)((double)max_lifetime_s * 1000.0 * (1.0 - shortened));
}

void lb_life_count(lb_life_books *b, lb_life_verdict why) {
    switch (why) {
    case LB_LIFE_RECYCLE: b->recycled++; break;
    case LB_LIFE_DISCARD: b->discarded++; break;
    case LB_LIFE_TRIM: b->trimmed++; break;
    case LB_LIFE_KEEP: break;
    }
}

lb_life_verdict lb_life_on_return(const lb_pool_settings *s,
                                  const lb_life_books *b, int reusable,
                                  int handed_on, int64_t now_ms,
                                  int64_t retire_ms) {
    if (!reusable)
        return LB_LIFE_DISCARD;
    if (now_ms >= retire_ms)
        return LB_LIFE_RECYCLE;
    /* min_size wins over max_idle: trimming below it would only make the
     * background open another. */
    if (!handed_on && b->count[LB_CONN_IDLE] >= s->max_idle &&
        lb_life_total(b) > s->min_size)
        return LB_LIFE_TRIM;
    return LB_LIFE_KEEP;
}

lb_life_verdict lb_life_while_idle(const lb_pool_settings *s, int surplus,
                                   int64_t now_ms, int64_t retire_ms,
                                   int64_t idle_since_ms, int64_t *due_ms) {
    int64_t idle_timeout_ms = (int64_t)s->idle_timeout_s * 1000;
    int64_t trim_at = surplus > 0 ? idle_since_ms + idle_timeout_ms : INT64_MAX;
    if (due_ms)
        *due_ms = retire_ms < trim_at ? retire_ms : trim_at;
    if (now_ms >= retire_ms)
        return LB_LIFE_RECYCLE;
    if (now_ms >= trim_at)
        return LB_LIFE_TRIM;
    return LB_LIFE_KEEP;
}

int lb_life_needs_validation(const lb_pool_settings *s, int64_t now_ms,
                             int64_t idle_since_ms) {
    return now_ms - idle_since_ms > s->validate_after_idle_ms;
}

int lb_life_wait_bucket(int64_t wait_us) {
    static const int64_t below[] = {10, 100, 1000, 10000, 100000, 1000000};
    for (int i = 0; i < 6; i++)
        if (wait_us < below[i])
            return i;
    return 6;
}

void lb_life_stats(const lb_life_books *b, lakebase_pool_stats *out) {
    out->total = lb_life_total(b);
    out->idle = b->count[LB_CONN_IDLE];
    out->in_use = b->count[LB_CONN_LEASED] + b->count[LB_CONN_SHARED];
    out->connecting = b->count[LB_CONN_CONNECTING];
    out->waiting = b->waiting;
    out->connects_ok = b->connects_ok;
    out->connects_failed = b->connects_failed;
    out->recycled = b->recycled;
    out->discarded = b->discarded;
    out->trimmed = b->trimmed;
    out->acquires = b->acquires;
    out->acquire_timeouts = b->acquire_timeouts;
    memcpy(out->wait_histogram, b->wait_histogram, sizeof out->wait_histogram);
}
