#include "fake_clock.h"

#include <pthread.h>

static pthread_mutex_t fake_clock_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t fake_wall(void *ctx) {
    fake_clock *fc = ctx;
    pthread_mutex_lock(&fake_clock_mu);
    int64_t v = fc->wall_ms;
    pthread_mutex_unlock(&fake_clock_mu);
    return v;
}

static int64_t fake_mono(void *ctx) {
    fake_clock *fc = ctx;
    pthread_mutex_lock(&fake_clock_mu);
    int64_t v = fc->mono_ms;
    pthread_mutex_unlock(&fake_clock_mu);
    return v;
}

static void fake_sleep(void *ctx, int64_t ms) {
    fake_clock *fc = ctx;
    pthread_mutex_lock(&fake_clock_mu);
    fc->slept_ms += ms;
    pthread_mutex_unlock(&fake_clock_mu);
    fake_clock_advance(fc, ms);
}

void fake_clock_init(fake_clock *fc, int64_t wall_ms) {
    fc->clock = (lb_clock){fake_wall, fake_mono, fake_sleep, fc};
    fc->wall_ms = wall_ms;
    fc->mono_ms = 1000000;
    fc->slept_ms = 0;
}

void fake_clock_advance(fake_clock *fc, int64_t ms) {
    pthread_mutex_lock(&fake_clock_mu);
    fc->wall_ms += ms;
    fc->mono_ms += ms;
    pthread_mutex_unlock(&fake_clock_mu);
}
