/* The soak harness's shared pieces: its options and the run both the
 * main loop (soak.c) and the faults (soak_faults.c) work on. */
#ifndef LB_SOAK_H
#define LB_SOAK_H

#include "lakebase.h"
#include "soak_timeline.h"

typedef struct soak_options {
    double duration_s;    /* run at least this long (one whole cycle) */
    int callers;          /* threads querying through the pool */
    int ttl_s;            /* the emulator's credential lifetime */
    int pool_size;        /* pool.max_size */
    int lifetime_s;       /* pool.max_lifetime_seconds: connection rotation */
    double warmup_s;      /* resources are compared against this point */
    double gap_s;         /* quiet time after each fault */
    double fault_s;       /* length of the timed faults */
    long http_timeout_ms; /* http.timeout_ms of the pool */
    unsigned fault_mask;  /* which faults cycle (1 << fault kind) */
    const char *report;   /* also write the report here (NULL: stdout only) */
} soak_options;

typedef struct soak_run {
    const soak_options *opt;
    lakebase_pool *pool;
    lakebase_config *(*config)(const char *group, const char *const *extra);
    timeline *tl;
} soak_run;

/* The wall clock less the emu_now_ms() clock, read now (it moves when the
 * machine's clock is stepped). */
long long soak_wall_minus_mono_ms(void);

/* Sleeps until the emu_now_ms() time `at_ms` (returns at once if past). */
void soak_sleep_until(long long at_ms);

#endif
