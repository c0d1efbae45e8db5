/* One hostile-server case: the emulator is switched into a hostile mode,
 * a pool of the case's own (its own credential provider, keyed by the
 * case's name, so no token is shared between cases) is opened against it
 * through the public API with short timeouts, and the outcome is kept:
 * code, message, what the library logged, and its provider's counters.
 * A watchdog kills the test if the case runs past a generous bound on
 * the configured timeouts: a hang is a failure, not a slow pass. */
#ifndef LB_TEST_HOSTILE_CASE_H
#define LB_TEST_HOSTILE_CASE_H

#include "lakebase.h"

/* The timeouts every case configures (the library's own settings). */
#define HOSTILE_HTTP_TIMEOUT_MS    "2000"
#define HOSTILE_MINT_TIMEOUT_MS    "5000"
#define HOSTILE_CONNECT_TIMEOUT_MS "3000"
#define HOSTILE_ACQUIRE_TIMEOUT_MS "5000"

typedef struct hostile_outcome {
    int code;           /* of open(wait), then of a query if it opened */
    char message[1024]; /* "" on success */
    char sqlstate[6];
    int http_status;
    lakebase_credential_stats cred; /* the case's provider afterwards */
    char warnings[8192];            /* WARN and ERROR log lines, one per line */
} hostile_outcome;

/* Resets the emulator with `knobs` (NULL: none), opens a pool named
 * `name` (extra key/value pairs applied last, NULL-ended), runs SELECT 1
 * if it opened, and fills *out. */
void hostile_open(const char *name, const char *knobs, const char *const *extra,
                  hostile_outcome *out);

/* Runs fn(arg) under the watchdog: past `bound_ms` the process exits 1
 * naming `what` (hostile_open uses it with its own bound). */
void hostile_watch(const char *what, long bound_ms, void (*fn)(void *),
                   void *arg);

/* cmocka checks with the text in the failure report. */
void assert_code(const hostile_outcome *o, int want);
void assert_mentions(const char *text, const char *needle);
/* Valid UTF-8 without control characters: what bindings can carry. */
void assert_printable_utf8(const char *text);

#endif
