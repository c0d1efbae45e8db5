#include "workers.h"

#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static lb_job *head, *tail;
static int threads, idle;

static void *worker_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!head) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += LB_WORKERS_IDLE_MS / 1000;
            idle++;
            int rc = pthread_cond_timedwait(&work, &mu, &until);
            idle--;
            if (rc != 0 && !head) {
                threads--;
                pthread_mutex_unlock(&mu);
                return NULL;
            }
        }
        lb_job *job = head;
        head = job->next;
        if (!head)
            tail = NULL;
        pthread_mutex_unlock(&mu);
        job->run(job);
        pthread_mutex_lock(&mu);
    }
}

int lb_workers_submit(lb_job *job) {
    job->next = NULL;
    pthread_mutex_lock(&mu);
    int queued_ahead = 0;
    for (lb_job *j = head; j; j = j->next)
        queued_ahead++;
    if (idle <= queued_ahead && threads < LB_WORKERS_MAX) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        if (pthread_create(&t, &attr, worker_main, NULL) == 0)
            threads++;
        pthread_attr_destroy(&attr);
    }
    if (threads == 0) {
        pthread_mutex_unlock(&mu);
        return -1;
    }
    if (tail)
        tail->next = job;
    else
        head = job;
    tail = job;
    pthread_cond_signal(&work);
    pthread_mutex_unlock(&mu);
    return 0;
}
