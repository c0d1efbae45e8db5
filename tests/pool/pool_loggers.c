/* Loggers are per handle and user code never runs under the library's
 * locks: two handles sharing one provider each receive its events through
 * their own logger; once a handle is freed its logger and userdata are
 * never touched again (the userdata is freed here, so ASan would catch a
 * late call); and a logger may call back into the library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emulator.h"

typedef struct sink {
    lakebase_credentials *creds; /* read back from inside the callback */
    int events, stats_ok;
} sink;

static void count_event(void *userdata, int level, const char *message) {
    (void)level;
    (void)message;
    ((sink *)userdata)->events++;
}

/* Reads the provider's stats from the log callback: with a log line
 * delivered under the provider's lock this would deadlock. */
static void read_stats_while_logging(void *userdata, int level,
                                     const char *message) {
    (void)level;
    (void)message;
    sink *s = userdata;
    s->events++;
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    if (s->creds && lakebase_credentials_stats(s->creds, &st, NULL) == 0)
        s->stats_ok++;
}

static lakebase_credentials *creds_with(lakebase_log_fn fn, sink *s) {
    lakebase_config *cfg = emu_config_minting(NULL);
    lakebase_error *err = NULL;
    emu_check(lakebase_config_set_logger(cfg, fn, s, LAKEBASE_LOG_DEBUG, &err),
              err, "logger");
    lakebase_credentials *creds = NULL;
    emu_check(lakebase_credentials_new(&creds, cfg, &err), err, "credentials");
    lakebase_config_free(cfg);
    return creds;
}

/* A mint ("minted ..." logged), or with one cached a drop ("dropped ...")
 * and a mint. */
static void mint_again(lakebase_credentials *creds) {
    lakebase_error *err = NULL;
    emu_check(lakebase_credentials_invalidate(creds, NULL, &err), err,
              "invalidate");
    emu_check(lakebase_credentials_open(creds, &err), err, "open");
}

static void test_handles_sharing_a_provider_each_get_its_events(void **s) {
    (void)s;
    emu_reset(NULL);
    sink *first = calloc(1, sizeof *first);
    sink second = {0};
    lakebase_credentials *a = creds_with(count_event, first);
    lakebase_credentials *b = creds_with(count_event, &second);
    mint_again(a);
    assert_int_equal(emu_stat("mints.autoscaling"), 1); /* one provider */
    assert_true(first->events >= 1);                    /* minted */
    assert_int_equal(first->events, second.events);
    /* The first handle goes, and its userdata with it: ASan reports any
     * later call. */
    lakebase_credentials_free(a);
    free(first);
    int before = second.events;
    mint_again(b);
    assert_int_equal(emu_stat("mints.autoscaling"), 2);
    assert_true(second.events >= before + 2);
    lakebase_credentials_free(b);
}

static void test_a_logger_may_read_stats_from_its_callback(void **s) {
    (void)s;
    emu_reset(NULL);
    sink logged = {0};
    lakebase_credentials *creds = creds_with(read_stats_while_logging, &logged);
    logged.creds = creds;
    mint_again(creds);
    mint_again(creds);
    assert_true(logged.events >= 3);
    assert_int_equal(logged.stats_ok, logged.events);
    logged.creds = NULL;
    lakebase_credentials_free(creds);
}

int main(void) {
    emu_load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handles_sharing_a_provider_each_get_its_events),
        cmocka_unit_test(test_a_logger_may_read_stats_from_its_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
