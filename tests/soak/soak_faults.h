/* The faults a soak cycles through, each injected through the emulator's
 * control API and run to its end, with the evidence that it really hit
 * the library and the figures it yields. */
#ifndef LB_SOAK_FAULTS_H
#define LB_SOAK_FAULTS_H

#include "soak.h"

typedef enum fault_kind {
    FAULT_API_5XX,         /* API answers 503 across a refresh window */
    FAULT_API_429,         /* API answers 429 (Retry-After) across one */
    FAULT_API_UNREACHABLE, /* API refuses connections across one */
    FAULT_API_SLOW,        /* API slower than http.timeout_ms across one */
    FAULT_LOGINS_REFUSED,  /* the login proxy refuses every login */
    FAULT_PG_RESTART,      /* PostgreSQL restarts (fast) */
    FAULT_BACKENDS_KILLED, /* random backends terminated */
    FAULT_COLD_START,      /* refused, then 57P03, for fault_s */
    FAULT_PARTITION,       /* the login proxy stops forwarding for fault_s */
    FAULT_COUNT
} fault_kind;

/* One fault as it happened. Times are emu_now_ms(). */
typedef struct fault_run {
    fault_kind kind;
    long long start_ms, end_ms; /* the fault was on in [start, end) */
    long long judge_until_ms;   /* failures ending before this are its own
                                   (set by the caller: the next fault) */
    int took_effect;            /* the evidence below was seen */
    char evidence[200];
    /* Figures, per kind (-1: not measured). */
    long long began_ms, ready_ms; /* PG_RESTART: restart began, server back */
    long long recovered_ms;    /* API_*: the first new token after the outage */
    long long probe_ms;        /* COLD_START: first query of a fresh pool;
                                  API_SLOW: a caller without a token gave up */
    long long probe_budget_ms; /* API_SLOW: that caller's configured budget */
    int probe_code;            /* their result */
    long killed;               /* BACKENDS_KILLED */
    /* The provider's mints_ok at the start, and when the window closed
     * (set by the caller with judge_until_ms). */
    long long mints_before, mints_after;
    /* When the window closed: sessions the login proxy relayed, and the
     * connections the pool counted (more sessions than connections: a
     * connection the pool lost track of). Set by the caller. */
    long sessions_after;
    int pool_total_after;
} fault_run;

const char *fault_name(fault_kind kind);
/* The kind named `name` ("api_5xx"...), or -1. */
int fault_parse(const char *name);

/* Codes a failure inside this fault's window may have (0-terminated; an
 * empty list: no failure is allowed). */
const int *fault_allowed_codes(fault_kind kind);

/* Injects `kind` now (API faults first wait for the next refresh window)
 * and returns once it is over. */
void fault_inject(soak_run *run, fault_kind kind, fault_run *out);

#endif
