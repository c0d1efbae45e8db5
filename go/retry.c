// Code generated from core/retry.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "retry.h"

#include <pthread.h>
#include <time.h>

#include <openssl/rand.h>
#include <sys/random.h>

#include "lakebase.h"

lb_retry_class lb_retry_classify(int code, long http_status) {
    if (code == LAKEBASE_ENETWORK || code == LAKEBASE_ETIMEOUT)
        return LB_RETRY_YES;
    if (code != 0)
        return LB_RETRY_NO;
    switch (http_status) {
    case 429: /* RESOURCE_EXHAUSTED, REQUEST_LIMIT_EXCEEDED */
    case 500:
    case 502:
    case 503:
    case 504: return LB_RETRY_YES;
    default: return LB_RETRY_NO;
    }
}

int lb_http_status_code(long http_status) {
    if (http_status >= 200 && http_status < 300)
        return 0;
    switch (http_status) {
    case 401: return LAKEBASE_EAUTH;
    case 403: return LAKEBASE_EPERM;
    case 404: return LAKEBASE_ENOTFOUND;
    case 429: return LAKEBASE_ESERVER;
    default: break;
    }
    if (http_status >= 500 && http_status < 600)
        return LAKEBASE_ESERVER;
    if (http_status >= 400 && http_status < 500)
        return LAKEBASE_EAPI;
    /* 1xx, 3xx (redirects are never followed) or no status at all. */
    return LAKEBASE_EPROTOCOL;
}

int64_t lb_backoff_ms(const lb_backoff *b, int attempt, int64_t server_hint_ms,
                      uint32_t random_u32) {
    int64_t floor_ms = b->floor_ms > 0 ? b->floor_ms : 0;
    int64_t cap_ms = b->cap_ms > floor_ms ? b->cap_ms : floor_ms;
    int64_t ceiling = floor_ms > 0 ? floor_ms : 1;
    for (int i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    /* Uniform over [floor, ceiling]: random_u32 == UINT32_MAX lands exactly on
     * the ceiling. Split so span * random never overflows 64 bits. */
    uint64_t span = (uint64_t)(ceiling > floor_ms ? ceiling - floor_ms : 0);
    uint64_t jitter = span / UINT32_MAX * random_u32 +
                      span % UINT32_MAX * random_u32 / UINT32_MAX;
    int64_t wait = floor_ms + (int64_t)jitter;
    if (server_hint_ms > wait)
        wait = server_hint_ms;
    return wait < cap_ms ? wait : cap_ms;
}

/* xorshift64*: jitter only needs to de-synchronise clients, not resist an
 * attacker, and must not drain the CSPRNG on every retry. */
static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state;

static uint64_t seed(void) {
    uint64_t s = 0;
    if (RAND_bytes((unsigned char *)&s, sizeof s) != 1 &&
        getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
        /* Last resort: distinct per process and per start time. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
            (uint64_t)(uintptr_t)&ts;
    }
    return s ? s : UINT64_C(0x9e3779b97f4a7c15);
}

uint32_t lb_random_u32(void) {
    pthread_mutex_lock(&rng_lock);
    if (rng_state == 0)
        rng_state = seed();
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t out = rng_state * UINT64_C(0x2545F4914F6CDD1D);
    pthread_mutex_unlock(&rng_lock);
    return (uint32_t)(out >> 32);
}
