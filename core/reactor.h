/* The library's one background thread, shared by every provider and every
 * pool in the process: timers (refresh schedules, recycling, trimming,
 * warm-up retries) and descriptor watches (connects in progress). Another
 * thread hands it work by arming a timer with no delay. Everything it runs
 * must not block: what blocks (an HTTPS mint, a token source, a cancel
 * request) goes to the workers (workers.h), which arm a timer to come back.
 *
 * The thread starts with the first lb_reactor_acquire and stops with the
 * last release, so an idle process has no thread of ours. Callbacks run on
 * the reactor thread with no reactor lock held; they may arm, disarm,
 * watch and unwatch. lb_reactor_disarm and lb_reactor_unwatch may wait for
 * a callback running on the reactor thread: never call them holding a lock
 * that the callback takes. */
#ifndef LB_REACTOR_H
#define LB_REACTOR_H

#include <stdint.h>

typedef struct lb_reactor lb_reactor;

/* A reference on the reactor (starting its thread if needed), or NULL when
 * no thread could be started. */
lb_reactor *lb_reactor_acquire(void);

/* Drops a reference; the last one stops the thread. Every timer, watch and
 * task of the caller must be cancelled first. NULL accepted. */
void lb_reactor_release(lb_reactor *r);

/* 1 on the reactor thread. */
int lb_reactor_is_current(const lb_reactor *r);

/* A timer: `fn(userdata)` once, when it falls due. */
typedef struct lb_timer {
    void (*fn)(void *userdata);
    void *userdata;
    int64_t at_ms; /* the reactor's monotonic clock */
    int armed;
    struct lb_timer *prev, *next; /* the reactor's list, soonest first */
} lb_timer;

void lb_timer_init(lb_timer *t, void (*fn)(void *userdata), void *userdata);

/* Arms `t` to fire `delay_ms` from now (0: as soon as possible), replacing
 * an earlier arming. Callers keep their own clocks (a fake one in tests):
 * only the delay crosses. Thread-safe. */
void lb_reactor_arm(lb_reactor *r, lb_timer *t, int64_t delay_ms);

/* Disarms `t`. Once it returns, `fn` is neither running nor due (except
 * when called from `fn` itself). Thread-safe. */
void lb_reactor_disarm(lb_reactor *r, lb_timer *t);

/* A descriptor watch: `fn(userdata, revents)` (POLLIN / POLLOUT / POLLERR /
 * POLLHUP bits) each time `fd` is ready for `events` (level-triggered). */
typedef struct lb_watch {
    void (*fn)(void *userdata, int revents);
    void *userdata;
    int fd;       /* -1 while not watched */
    int events;   /* POLLIN | POLLOUT */
    uint64_t key; /* the reactor's registration of it */
} lb_watch;

void lb_watch_init(lb_watch *w, void (*fn)(void *userdata, int revents),
                   void *userdata);

/* Watches `fd` for `events`, replacing what `w` watched before. 0, or -1
 * when the descriptor cannot be watched. Thread-safe. */
int lb_reactor_watch(lb_reactor *r, lb_watch *w, int fd, int events);

/* Stops watching (before the descriptor is closed). Once it returns, `fn`
 * is neither running nor about to run for `w` (except when called from
 * `w`'s own callback, which returns to nothing that touches `w`). */
void lb_reactor_unwatch(lb_reactor *r, lb_watch *w);

#endif
