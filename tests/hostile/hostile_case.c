#define _GNU_SOURCE /* strcasestr */
#include "hostile_case.h"

#include <locale.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include <cmocka.h>

#include "emulator.h"

/* Every configured timeout, three times over, plus room for a loaded
 * machine: a case still running then is hung. */
#define HOSTILE_BOUND_MS 60000

/* ---- the watchdog ------------------------------------------------------ */

static pthread_mutex_t dog_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dog_cv = PTHREAD_COND_INITIALIZER;
static long long dog_deadline; /* emu_now_ms(); 0: not armed */
static long dog_bound_ms;
static char dog_what[128];
static int dog_started;
static pthread_t dog_thread;

static void *dog_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&dog_mu);
    for (;;) {
        while (!dog_deadline)
            pthread_cond_wait(&dog_cv, &dog_mu);
        long long left = dog_deadline - emu_now_ms();
        if (left <= 0) {
            fprintf(stderr,
                    "HUNG: %s was still running %ld s after it started, past "
                    "every configured timeout (http %s ms, mint %s ms, "
                    "connect %s ms, acquire %s ms): killed\n",
                    dog_what, dog_bound_ms / 1000, HOSTILE_HTTP_TIMEOUT_MS,
                    HOSTILE_MINT_TIMEOUT_MS, HOSTILE_CONNECT_TIMEOUT_MS,
                    HOSTILE_ACQUIRE_TIMEOUT_MS);
            fflush(stderr);
            _exit(1);
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long wait = left < 200 ? left : 200;
        ts.tv_nsec += (long)(wait * 1000000);
        ts.tv_sec += ts.tv_nsec / 1000000000;
        ts.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&dog_cv, &dog_mu, &ts);
    }
    return NULL;
}

void hostile_watch(const char *what, long bound_ms, void (*fn)(void *),
                   void *arg) {
    pthread_mutex_lock(&dog_mu);
    if (!dog_started) {
        pthread_create(&dog_thread, NULL, dog_main, NULL);
        pthread_detach(dog_thread);
        dog_started = 1;
    }
    snprintf(dog_what, sizeof dog_what, "%s", what);
    dog_bound_ms = bound_ms;
    dog_deadline = emu_now_ms() + bound_ms;
    pthread_cond_signal(&dog_cv);
    pthread_mutex_unlock(&dog_mu);
    fn(arg);
    pthread_mutex_lock(&dog_mu);
    dog_deadline = 0;
    pthread_mutex_unlock(&dog_mu);
}

/* ---- a case ------------------------------------------------------------ */

static void collect(void *ud, int level, const char *message) {
    hostile_outcome *o = ud;
    (void)level; /* WARN and more severe only: see the logger below */
    size_t len = strlen(o->warnings);
    snprintf(o->warnings + len, sizeof o->warnings - len, "%s\n", message);
}

static void keep(hostile_outcome *o, int code, lakebase_error *err) {
    o->code = code;
    if (!err)
        return;
    snprintf(o->message, sizeof o->message, "%s", lakebase_error_message(err));
    snprintf(o->sqlstate, sizeof o->sqlstate, "%s",
             lakebase_error_sqlstate(err));
    o->http_status = lakebase_error_http_status(err);
    lakebase_error_free(err);
}

typedef struct open_args {
    lakebase_pool *pool;
    hostile_outcome *out;
} open_args;

static void open_and_query(void *arg) {
    open_args *a = arg;
    lakebase_error *err = NULL;
    int code = lakebase_pool_open(a->pool, 1, &err);
    if (code == 0) {
        lakebase_result *res = NULL;
        code = lakebase_pool_query(a->pool, "SELECT 1", 0, NULL, &res, &err);
        lakebase_result_free(res);
    }
    keep(a->out, code, err);
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_pool_credential_stats(a->pool, &st, NULL);
    a->out->cred = st;
}

static void free_pool(void *pool) { lakebase_pool_free(pool); }

void hostile_open(const char *name, const char *knobs, const char *const *extra,
                  hostile_outcome *out) {
    memset(out, 0, sizeof *out);
    emu_reset(knobs);
    const char *const base[] = {"lakebase.group_name",
                                name,
                                "http.timeout_ms",
                                HOSTILE_HTTP_TIMEOUT_MS,
                                "credential.mint_timeout_ms",
                                HOSTILE_MINT_TIMEOUT_MS,
                                "pool.connect_timeout_ms",
                                HOSTILE_CONNECT_TIMEOUT_MS,
                                "pool.acquire_timeout_ms",
                                HOSTILE_ACQUIRE_TIMEOUT_MS,
                                NULL};
    lakebase_config *cfg = emu_config_minting(base);
    emu_config_apply(cfg, extra);
    lakebase_error *err = NULL;
    emu_check(
        lakebase_config_set_logger(cfg, collect, out, LAKEBASE_LOG_WARN, &err),
        err, "logger");
    open_args a = {.pool = emu_pool(cfg), .out = out};
    hostile_watch(name, HOSTILE_BOUND_MS, open_and_query, &a);
    /* Closing may wait on a mint in flight: watched too. */
    hostile_watch(name, HOSTILE_BOUND_MS, free_pool, a.pool);
    fprintf(stderr, "%s: %s %s\n", name, lakebase_error_name(out->code),
            out->message);
}

/* ---- checks ------------------------------------------------------------ */

void assert_code(const hostile_outcome *o, int want) {
    if (o->code != want)
        fail_msg("got %s (%s), want %s", lakebase_error_name(o->code),
                 o->message, lakebase_error_name(want));
}

void assert_mentions(const char *text, const char *needle) {
    if (!strcasestr(text, needle))
        fail_msg("\"%s\" does not mention \"%s\"", text, needle);
}

void assert_printable_utf8(const char *text) {
    /* The C library's own UTF-8 decoder is the oracle. */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    assert_non_null(utf8);
    locale_t old = uselocale(utf8);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = text;
    size_t left = strlen(text);
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, left, &st);
        if (n == (size_t)-1 || n == (size_t)-2) {
            uselocale(old);
            freelocale(utf8);
            fail_msg("invalid UTF-8 at byte %zu of \"%s\"", (size_t)(p - text),
                     text);
        }
        if (iswcntrl((wint_t)wc)) {
            uselocale(old);
            freelocale(utf8);
            fail_msg("control character U+%04X at byte %zu of \"%s\"",
                     (unsigned)wc, (size_t)(p - text), text);
        }
        p += n;
        left -= n;
    }
    uselocale(old);
    freelocale(utf8);
}
