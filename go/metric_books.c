// Code generated from core/metric_books.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Duration histograms and the connect-failure tally (metric_books.h). */
#include "metric_books.h"

#include <string.h>
#include <time.h>

const double lb_duration_bounds[LB_DURATION_BOUNDS] = {
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10};

int64_t lb_duration_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void lb_duration_record(lb_duration_histogram *h, int64_t duration_us) {
    if (duration_us < 0)
        duration_us = 0;
    double seconds = (double)duration_us / 1e6;
    int i = 0;
    while (i < LB_DURATION_BOUNDS && seconds > lb_duration_bounds[i])
        i++;
    atomic_fetch_add(&h->buckets[i], 1);
    atomic_fetch_add(&h->sum_us, (uint_fast64_t)duration_us);
}

void lb_duration_snapshot_of(lb_duration_histogram *h,
                             lb_duration_snapshot *out) {
    out->count = 0;
    for (int i = 0; i <= LB_DURATION_BOUNDS; i++) {
        out->buckets[i] = atomic_load(&h->buckets[i]);
        out->count += out->buckets[i];
    }
    out->sum_seconds = (double)atomic_load(&h->sum_us) / 1e6;
}

void lb_connect_books_init(lb_connect_books *b) {
    memset(b, 0, sizeof *b);
    pthread_mutex_init(&b->mu, NULL);
}

void lb_connect_books_destroy(lb_connect_books *b) {
    pthread_mutex_destroy(&b->mu);
}

/* The entry for (code, sqlstate), made if there is room. The last slot is
 * kept for every pair past the limit: code 0, exported as the class
 * "_OTHER" (OpenTelemetry's fallback for error.type). Lock held. */
static lb_connect_failure *failure_slot(lb_connect_books *b, int code,
                                        const char *sqlstate) {
    for (int i = 0; i < b->n_failures; i++)
        if (b->failures[i].code == code &&
            strcmp(b->failures[i].sqlstate, sqlstate) == 0)
            return &b->failures[i];
    lb_connect_failure *other = &b->failures[LB_CONNECT_FAILURE_KINDS - 1];
    if (b->n_failures < LB_CONNECT_FAILURE_KINDS - 1) {
        lb_connect_failure *f = &b->failures[b->n_failures++];
        f->code = code;
        strcpy(f->sqlstate, sqlstate);
        return f;
    }
    if (b->n_failures < LB_CONNECT_FAILURE_KINDS) {
        b->n_failures++;
        other->code = 0;
        other->sqlstate[0] = '\0';
    }
    return other;
}

void lb_connect_books_record(lb_connect_books *b, int64_t duration_us, int code,
                             const char *sqlstate) {
    lb_duration_record(&b->duration, duration_us);
    if (code == 0)
        return;
    /* A SQLSTATE is five characters; anything else is not one. */
    if (!sqlstate || strlen(sqlstate) != 5)
        sqlstate = "";
    pthread_mutex_lock(&b->mu);
    failure_slot(b, code, sqlstate)->count++;
    pthread_mutex_unlock(&b->mu);
}

int lb_connect_books_failures(lb_connect_books *b, lb_connect_failure *out,
                              int cap) {
    pthread_mutex_lock(&b->mu);
    int n = b->n_failures < cap ? b->n_failures : cap;
    memcpy(out, b->failures, (size_t)n * sizeof *out);
    pthread_mutex_unlock(&b->mu);
    return n;
}

void lb_mint_books_init(lb_mint_books *b) { memset(b, 0, sizeof *b); }

void lb_mint_books_record(lb_mint_books *b, int64_t duration_us, int code) {
    lb_duration_record(code == 0 ? &b->ok : &b->failed, duration_us);
}
