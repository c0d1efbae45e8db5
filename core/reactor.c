#include "reactor.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* The clock is re-read at least this often, so that timers notice a
 * suspend the wait did not count (epoll_wait runs on CLOCK_MONOTONIC). */
#define MAX_SLEEP_MS 5000
#define BATCH        64
/* The epoll key of the wake-up descriptor. */
#define WAKE_KEY UINT64_MAX

/* A watch's registration: epoll carries its key, (generation << 32) |
 * index, so an event that arrives for a watch removed meanwhile finds a
 * newer generation (or a free slot) and is dropped: the watch itself may be
 * freed by then. */
typedef struct registration {
    lb_watch *w; /* NULL while free */
    uint32_t gen;
    int next_free;
} registration;

struct lb_reactor {
    pthread_mutex_t mu;
    pthread_cond_t settled; /* a callback ended, or the thread stopped */
    int refs;
    int alive; /* the thread runs (or is still ending) */
    int stop;
    pthread_t thread;
    int epfd, wakefd;
    int sleeping; /* in epoll_wait until sleep_until */
    int64_t sleep_until;
    lb_timer *timers;        /* armed, soonest first (few: one per pool or
                                provider, plus connects backing off) */
    const lb_timer *firing;  /* the timer whose fn runs now */
    const lb_watch *running; /* the watch whose fn runs now */
    registration *regs;
    int n_regs, first_free;
};

static lb_reactor the_reactor = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .settled = PTHREAD_COND_INITIALIZER,
    .epfd = -1,
    .wakefd = -1,
    .first_free = -1,
};

static int64_t now_ms(void) {
    struct timespec ts;
#ifdef CLOCK_BOOTTIME
    clock_gettime(CLOCK_BOOTTIME, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(lb_reactor *r) {
    uint64_t one = 1;
    /* A full counter (EAGAIN) still reads as readable: nothing is lost. */
    ssize_t n = write(r->wakefd, &one, sizeof one);
    (void)n;
}

static int on_thread(const lb_reactor *r) {
    return r->alive && pthread_equal(r->thread, pthread_self());
}

int lb_reactor_is_current(const lb_reactor *r) { return on_thread(r); }

/* ---- timers (mu held) -------------------------------------------------------
 */

static void unlink_timer(lb_reactor *r, lb_timer *t) {
    if (t->prev)
        t->prev->next = t->next;
    else
        r->timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    t->armed = 0;
}

static void insert_timer(lb_reactor *r, lb_timer *t) {
    lb_timer *prev = NULL, *at = r->timers;
    while (at && at->at_ms <= t->at_ms) {
        prev = at;
        at = at->next;
    }
    t->prev = prev;
    t->next = at;
    if (prev)
        prev->next = t;
    else
        r->timers = t;
    if (at)
        at->prev = t;
    t->armed = 1;
}

/* ---- watch registrations (mu held) ------------------------------------------
 */

static int register_watch(lb_reactor *r, lb_watch *w) {
    if (r->first_free < 0) {
        int n = r->n_regs ? 2 * r->n_regs : 64;
        registration *grown = realloc(r->regs, (size_t)n * sizeof *grown);
        if (!grown)
            return -1;
        for (int i = r->n_regs; i < n; i++)
            grown[i] = (registration){NULL, 0, i + 1 < n ? i + 1 : -1};
        r->regs = grown;
        r->first_free = r->n_regs;
        r->n_regs = n;
    }
    int i = r->first_free;
    registration *g = &r->regs[i];
    r->first_free = g->next_free;
    g->w = w;
    w->key = ((uint64_t)g->gen << 32) | (uint32_t)i;
    return 0;
}

static void unregister_watch(lb_reactor *r, lb_watch *w) {
    uint32_t i = (uint32_t)w->key;
    registration *g = &r->regs[i];
    g->w = NULL;
    g->gen++;
    g->next_free = r->first_free;
    r->first_free = (int)i;
}

static lb_watch *watch_of(const lb_reactor *r, uint64_t key) {
    uint32_t i = (uint32_t)key;
    if ((int)i >= r->n_regs || r->regs[i].gen != (uint32_t)(key >> 32))
        return NULL;
    return r->regs[i].w;
}

/* ---- the thread -------------------------------------------------------------
 */

static int map_events(uint32_t ev) {
    return (ev & EPOLLIN ? POLLIN : 0) | (ev & EPOLLOUT ? POLLOUT : 0) |
           (ev & EPOLLERR ? POLLERR : 0) | (ev & EPOLLHUP ? POLLHUP : 0);
}

/* Runs the events of one epoll_wait (mu held, released around callbacks). */
static void dispatch(lb_reactor *r, const struct epoll_event *events, int n) {
    for (int i = 0; i < n; i++) {
        if (events[i].data.u64 == WAKE_KEY) {
            uint64_t count;
            ssize_t got = read(r->wakefd, &count, sizeof count);
            (void)got;
            continue;
        }
        lb_watch *w = watch_of(r, events[i].data.u64);
        if (!w)
            continue; /* unwatched since the wait returned */
        r->running = w;
        pthread_mutex_unlock(&r->mu);
        w->fn(w->userdata, map_events(events[i].events));
        pthread_mutex_lock(&r->mu);
        r->running = NULL;
        pthread_cond_broadcast(&r->settled);
    }
}

static void *reactor_main(void *arg) {
    lb_reactor *r = arg;
    struct epoll_event events[BATCH];
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        /* The timers due now (one armed again meanwhile waits for the next
         * turn, so descriptors are never starved), then the descriptors. */
        int64_t now = now_ms();
        lb_timer *t;
        while (!r->stop && (t = r->timers) != NULL && t->at_ms <= now) {
            unlink_timer(r, t);
            r->firing = t;
            pthread_mutex_unlock(&r->mu);
            t->fn(t->userdata);
            pthread_mutex_lock(&r->mu);
            r->firing = NULL;
            pthread_cond_broadcast(&r->settled);
        }
        if (r->stop)
            break;
        now = now_ms();
        t = r->timers;
        int64_t wait = t ? t->at_ms - now : MAX_SLEEP_MS;
        if (wait < 0)
            wait = 0;
        if (wait > MAX_SLEEP_MS)
            wait = MAX_SLEEP_MS;
        r->sleeping = 1;
        r->sleep_until = now + wait;
        pthread_mutex_unlock(&r->mu);
        int n = epoll_wait(r->epfd, events, BATCH, (int)wait);
        pthread_mutex_lock(&r->mu);
        r->sleeping = 0;
        if (n > 0)
            dispatch(r, events, n);
    }
    r->alive = 0;
    pthread_cond_broadcast(&r->settled);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void close_descriptors(lb_reactor *r) {
    if (r->epfd >= 0)
        close(r->epfd);
    if (r->wakefd >= 0)
        close(r->wakefd);
    r->epfd = r->wakefd = -1;
}

static int start_locked(lb_reactor *r) {
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    r->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WAKE_KEY};
    if (r->epfd >= 0 && r->wakefd >= 0 &&
        epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->wakefd, &ev) == 0) {
        r->stop = 0;
        r->alive = 1;
        if (pthread_create(&r->thread, NULL, reactor_main, r) == 0)
            return 0;
        r->alive = 0;
    }
    close_descriptors(r);
    return -1;
}

lb_reactor *lb_reactor_acquire(void) {
    lb_reactor *r = &the_reactor;
    pthread_mutex_lock(&r->mu);
    if (r->refs == 0) {
        /* A thread stopped from its own callback may still be ending. */
        while (r->alive)
            pthread_cond_wait(&r->settled, &r->mu);
        close_descriptors(r);
        if (start_locked(r) != 0) {
            pthread_mutex_unlock(&r->mu);
            return NULL;
        }
    }
    r->refs++;
    pthread_mutex_unlock(&r->mu);
    return r;
}

void lb_reactor_release(lb_reactor *r) {
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    if (--r->refs > 0) {
        pthread_mutex_unlock(&r->mu);
        return;
    }
    r->stop = 1;
    wake(r);
    if (on_thread(r)) {
        /* The thread ends after this callback; the next acquire waits. */
        pthread_detach(r->thread);
        pthread_mutex_unlock(&r->mu);
        return;
    }
    pthread_t thread = r->thread;
    pthread_mutex_unlock(&r->mu);
    pthread_join(thread, NULL);
    pthread_mutex_lock(&r->mu);
    if (r->refs == 0)
        close_descriptors(r);
    pthread_mutex_unlock(&r->mu);
}

/* ---- timers ---------------------------------------------------------------
 */

void lb_timer_init(lb_timer *t, void (*fn)(void *userdata), void *userdata) {
    *t = (lb_timer){.fn = fn, .userdata = userdata};
}

void lb_reactor_arm(lb_reactor *r, lb_timer *t, int64_t delay_ms) {
    int64_t at = now_ms() + (delay_ms > 0 ? delay_ms : 0);
    pthread_mutex_lock(&r->mu);
    if (t->armed)
        unlink_timer(r, t);
    t->at_ms = at;
    insert_timer(r, t);
    if (r->sleeping && at < r->sleep_until)
        wake(r);
    pthread_mutex_unlock(&r->mu);
}

void lb_reactor_disarm(lb_reactor *r, lb_timer *t) {
    pthread_mutex_lock(&r->mu);
    if (t->armed)
        unlink_timer(r, t);
    if (!on_thread(r))
        while (r->firing == t)
            pthread_cond_wait(&r->settled, &r->mu);
    pthread_mutex_unlock(&r->mu);
}

/* ---- descriptor watches
 * -------------------------------------------------------
 */

void lb_watch_init(lb_watch *w, void (*fn)(void *userdata, int revents),
                   void *userdata) {
    *w = (lb_watch){.fn = fn, .userdata = userdata, .fd = -1};
}

int lb_reactor_watch(lb_reactor *r, lb_watch *w, int fd, int events) {
    pthread_mutex_lock(&r->mu);
    if (w->fd >= 0 && w->fd != fd) {
        (void)epoll_ctl(r->epfd, EPOLL_CTL_DEL, w->fd, NULL);
        unregister_watch(r, w);
        w->fd = -1;
    }
    int rc = 0;
    int fresh = w->fd < 0;
    if (fresh)
        rc = register_watch(r, w);
    if (rc == 0) {
        struct epoll_event ev = {.events = (events & POLLIN ? EPOLLIN : 0u) |
                                           (events & POLLOUT ? EPOLLOUT : 0u),
                                 .data.u64 = w->key};
        rc = epoll_ctl(r->epfd, fresh ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
        /* The same number may be a new descriptor: a connect that closed
         * its socket and opened another (a retry after a refused login)
         * gets the lowest free number again, and closing the old one took
         * it out of the epoll set. */
        if (rc != 0 && !fresh && errno == ENOENT)
            rc = epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (rc != 0 && fresh)
            unregister_watch(r, w);
    }
    if (rc == 0) {
        w->fd = fd;
        w->events = events;
    }
    pthread_mutex_unlock(&r->mu);
    return rc == 0 ? 0 : -1;
}

void lb_reactor_unwatch(lb_reactor *r, lb_watch *w) {
    pthread_mutex_lock(&r->mu);
    if (w->fd >= 0) {
        (void)epoll_ctl(r->epfd, EPOLL_CTL_DEL, w->fd, NULL);
        unregister_watch(r, w);
        w->fd = -1;
    }
    if (!on_thread(r))
        while (r->running == w)
            pthread_cond_wait(&r->settled, &r->mu);
    pthread_mutex_unlock(&r->mu);
}
