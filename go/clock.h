// Code generated from core/clock.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The clock seam: wall time for expiry, monotonic time for timers. Tests
 * substitute a fake clock to run an hour of rotations in milliseconds. */
#ifndef LB_CLOCK_H
#define LB_CLOCK_H

#include <stdint.h>

typedef struct lb_clock {
    int64_t (*wall_ms)(void *ctx); /* Unix epoch milliseconds */
    int64_t (*mono_ms)(void *ctx); /* monotonic milliseconds (incl. suspend) */
    void (*sleep_ms)(void *ctx, int64_t ms); /* a fake clock just advances */
    void *ctx;
} lb_clock;

/* The real clock (CLOCK_REALTIME / CLOCK_BOOTTIME). Static; never NULL. */
const lb_clock *lb_clock_system(void);

static inline int64_t lb_wall_ms(const lb_clock *c) {
    return c->wall_ms(c->ctx);
}
static inline int64_t lb_mono_ms(const lb_clock *c) {
    return c->mono_ms(c->ctx);
}
static inline void lb_sleep_ms(const lb_clock *c, int64_t ms) {
    c->sleep_ms(c->ctx, ms);
}

#endif
