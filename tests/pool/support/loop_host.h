/* A minimal single-threaded poll(2) host for the event-loop pool tests:
 * it watches what the pool asks it to and calls lakebase_pool_socket_ready /
 * lakebase_pool_timer_expired when those fire. Assertions are cmocka's. */
#ifndef LB_TEST_LOOP_HOST_H
#define LB_TEST_LOOP_HOST_H

#include "lakebase.h"

#define HOST_MAX_FDS 64

typedef struct host {
    lakebase_pool *pool;
    struct {
        int fd, events;
    } w[HOST_MAX_FDS];
    int n;
    long long timer_at; /* -1: none */
} host;

/* One turn of the loop: waits up to 100 ms, dispatches what fired. */
void host_turn(host *h);

/* Turns until lakebase_pool_busy is 0 (asserted) or `limit_ms` passed. */
void host_run_until_idle(host *h, long long limit_ms);

/* A pool of the emulator (minting, `extra` key/value pairs, NULL-ended)
 * attached to `h`; opened (waiting) when `open`. */
lakebase_pool *async_pool(host *h, const char *const *extra, int open);

#endif
