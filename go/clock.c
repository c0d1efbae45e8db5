// Code generated from core/clock.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "clock.h"

#include <errno.h>
#include <time.h>

static int64_t read_clock(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t system_wall_ms(void *ctx) {
    (void)ctx;
    return read_clock(CLOCK_REALTIME);
}

/* CLOCK_BOOTTIME keeps counting while a laptop sleeps, so a refresh timer
 * notices that its token expired during suspend. */
static int64_t system_mono_ms(void *ctx) {
    (void)ctx;
#ifdef CLOCK_BOOTTIME
    return read_clock(CLOCK_BOOTTIME);
#else
    return read_clock(CLOCK_MONOTONIC);
#endif
}

static void system_sleep_ms(void *ctx, int64_t ms) {
    (void)ctx;
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static const lb_clock system_clock = {system_wall_ms, system_mono_ms,
                                      system_sleep_ms, NULL};

const lb_clock *lb_clock_system(void) { return &system_clock; }
