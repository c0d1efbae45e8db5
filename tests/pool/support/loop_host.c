/* The minimal single-threaded poll(2) host of the event-loop pool tests. */
#include "loop_host.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"

static void host_watch(void *ud, int fd, int events) {
    host *h = ud;
    for (int i = 0; i < h->n; i++) {
        if (h->w[i].fd != fd)
            continue;
        if (events)
            h->w[i].events = events;
        else
            h->w[i] = h->w[--h->n];
        return;
    }
    if (events) {
        assert_true(h->n < HOST_MAX_FDS);
        h->w[h->n].fd = fd;
        h->w[h->n++].events = events;
    }
}

static void host_timer(void *ud, long delay_ms) {
    host *h = ud;
    h->timer_at = delay_ms < 0 ? -1 : emu_now_ms() + delay_ms;
}

/* One turn of the loop: waits up to 100 ms, dispatches what fired. */
void host_turn(host *h) {
    struct pollfd fds[HOST_MAX_FDS];
    int n = h->n;
    for (int i = 0; i < n; i++)
        fds[i] = (struct pollfd){
            .fd = h->w[i].fd,
            .events =
                (short)((h->w[i].events & LAKEBASE_WATCH_READ ? POLLIN : 0) |
                        (h->w[i].events & LAKEBASE_WATCH_WRITE ? POLLOUT : 0))};
    long long wait = 100;
    if (h->timer_at >= 0) {
        wait = h->timer_at - emu_now_ms();
        if (wait < 0)
            wait = 0;
        if (wait > 100)
            wait = 100;
    }
    assert_true(poll(fds, (nfds_t)n, (int)wait) >= 0);
    lakebase_error *err = NULL;
    for (int i = 0; i < n; i++) {
        if (!fds[i].revents)
            continue;
        int ev =
            (fds[i].revents & (POLLIN | POLLERR | POLLHUP) ? LAKEBASE_WATCH_READ
                                                           : 0) |
            (fds[i].revents & POLLOUT ? LAKEBASE_WATCH_WRITE : 0);
        emu_check(lakebase_pool_socket_ready(h->pool, fds[i].fd, ev, &err), err,
                  "on_socket");
    }
    if (h->timer_at >= 0 && emu_now_ms() >= h->timer_at) {
        h->timer_at = -1;
        emu_check(lakebase_pool_timer_expired(h->pool, &err), err, "on_timer");
    }
}

void host_run_until_idle(host *h, long long limit_ms) {
    long long end = emu_now_ms() + limit_ms;
    while (lakebase_pool_busy(h->pool) > 0 && emu_now_ms() < end)
        host_turn(h);
    assert_int_equal(lakebase_pool_busy(h->pool), 0);
}

lakebase_pool *async_pool(host *h, const char *const *extra, int open) {
    memset(h, 0, sizeof *h);
    h->timer_at = -1;
    h->pool = emu_pool(emu_config_minting(extra));
    lakebase_error *err = NULL;
    emu_check(
        lakebase_pool_attach_loop(h->pool, host_watch, host_timer, h, &err),
        err, "attach_loop");
    if (open)
        emu_check(lakebase_pool_open(h->pool, 1, &err), err, "open");
    return h->pool;
}
