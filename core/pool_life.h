/* The one connection lifecycle of a pool: a connection's states, the books
 * that count them, and every rule that moves a connection on — lifetime
 * with jitter fixed at birth, max_idle, the idle timeout, validation after
 * idle, what happens on release. The synchronous front end (pool.c), its
 * background work (pool_background.c) and the event-loop scheduler
 * (pool_loop.c) all decide through these functions, so a rule lives once
 * and the stats are right whichever front end holds a connection.
 *
 * Pure: no locks, no I/O, times passed in (so unit tests run hours of
 * lifetimes on a fake clock). Callers hold the pool's lock. */
#ifndef LB_POOL_LIFE_H
#define LB_POOL_LIFE_H

#include <stdint.h>

#include "config.h"
#include "lakebase.h"

typedef enum lb_conn_state {
    LB_CONN_CONNECTING, /* a connect in flight holds its place */
    LB_CONN_IDLE,       /* open, nobody uses it (either front end) */
    LB_CONN_LEASED,     /* one caller's (blocking or asynchronous lease) */
    LB_CONN_SHARED,     /* running asynchronous statements (pipelined or
                           one at a time) for the event loop */
    LB_CONN_GONE        /* closed, or being closed */
} lb_conn_state;

/* What a pool counts. */
typedef struct lb_life_books {
    int count[LB_CONN_GONE]; /* connections per state */
    int waiting;
    uint64_t connects_ok, connects_failed;
    uint64_t recycled, discarded, trimmed;
    uint64_t acquires, acquire_timeouts;
    uint64_t wait_histogram[7];
} lb_life_books;

/* Moves one connection's count from `from` to `to` (LB_CONN_GONE: it
 * leaves; use LB_CONN_GONE as `from` for one that arrives). */
void lb_life_move(lb_life_books *b, lb_conn_state from, lb_conn_state to);

/* Open or opening connections. */
int lb_life_total(const lb_life_books *b);

/* How long a connection born now may live: max_lifetime shortened by a
 * random fraction up to `jitter` (r = random_u32 / 2^32), fixed at birth
 * so a fleet never reconnects in lockstep. INT64_MAX when max_lifetime_s
 * is 0 (never). */
int64_t lb_life_lifetime_ms(int max_lifetime_s, double jitter,
                            uint32_t random_u32);

/* Why a connection leaves, and the counter it lands in. */
typedef enum lb_life_verdict {
    LB_LIFE_KEEP,    /* stays (idle, or handed on) */
    LB_LIFE_RECYCLE, /* past its lifetime: recycled */
    LB_LIFE_DISCARD, /* broken, or its session state unknown: discarded */
    LB_LIFE_TRIM     /* surplus (max_idle, idle timeout, pool closing) */
} lb_life_verdict;

/* Counts a connection that leaves for `why` (KEEP counts nothing). */
void lb_life_count(lb_life_books *b, lb_life_verdict why);

/* A connection comes back from use (`reusable`: its session is clean).
 * `handed_on`: a waiter takes it at once (max_idle does not apply). The
 * books count it still (not yet idle). max_idle never trims the pool
 * below min_size. */
lb_life_verdict lb_life_on_return(const lb_pool_settings *s,
                                  const lb_life_books *b, int reusable,
                                  int handed_on, int64_t now_ms,
                                  int64_t retire_ms);

/* An idle connection as time passes: RECYCLE past its lifetime, TRIM after
 * pool.idle_timeout_seconds idle while the pool holds more than min_size
 * (`surplus`: how many over min_size, counting this one), else KEEP.
 * *due_ms (may be NULL) gets when the verdict would change (INT64_MAX:
 * never). */
lb_life_verdict lb_life_while_idle(const lb_pool_settings *s, int surplus,
                                   int64_t now_ms, int64_t retire_ms,
                                   int64_t idle_since_ms, int64_t *due_ms);

/* An idle connection taken for use must first be checked with a round
 * trip when it sat idle longer than pool.validate_after_idle_ms. */
int lb_life_needs_validation(const lb_pool_settings *s, int64_t now_ms,
                             int64_t idle_since_ms);

/* The wait-histogram bucket (0..6) of an acquire that waited `wait_us`:
 * <10us, <100us, <1ms, <10ms, <100ms, <1s, >=1s. */
int lb_life_wait_bucket(int64_t wait_us);

/* Fills the connection and counter fields of the public stats. */
void lb_life_stats(const lb_life_books *b, lakebase_pool_stats *out);

#endif
