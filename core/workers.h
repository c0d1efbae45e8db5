/* A few threads for the work that blocks — an HTTPS mint (or a token
 * source called for one), a cancel request to a PostgreSQL server — so
 * that neither the reactor (reactor.h) nor a host's event loop ever waits
 * on the network. At most LB_WORKERS_MAX threads for the whole process,
 * started when work arrives and ended after LB_WORKERS_IDLE_MS without
 * any: the library's thread count never grows with pools or identities.
 * A job waits only while LB_WORKERS_MAX others are blocked at once. */
#ifndef LB_WORKERS_H
#define LB_WORKERS_H

#define LB_WORKERS_MAX     4
#define LB_WORKERS_IDLE_MS 10000

/* One piece of work, embedded in the submitter's state: `run` is called
 * once on a worker thread (no lock of the submitter held) and may free
 * the memory the job lives in. */
typedef struct lb_job {
    void (*run)(struct lb_job *job);
    struct lb_job *next;
} lb_job;

/* Queues `job`. Never blocks. Returns -1 when no worker exists and none
 * can be started (the caller then runs the job itself or fails it). */
int lb_workers_submit(lb_job *job);

#endif
