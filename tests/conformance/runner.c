/* conformance_runner: executes the language-neutral scenarios of
 * tests/conformance/scenarios against the emulator with the C library.
 *
 *   conformance_runner [-v] --env-file FILE scenario.json...
 *
 * Prints "ok NAME", "skip NAME: why" or "FAIL NAME: step N (op): why" per
 * scenario, then "N passed, N failed" (", N skipped" when some were). Exits
 * 1 when a scenario failed, 77 when every scenario was skipped, 2 on usage
 * errors. The format is specified in tests/conformance/README.md. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lakebase.h"
#include "runner.h"

#define MAX_THREADS         1000
#define MAX_SCENARIO_BYTES  (1024 * 1024)
#define WAIT_FOR_DEFAULT_MS 10000
#define WAIT_FOR_POLL_MS    100

/* What this runner implements; scenarios requiring more are skipped. */
static const char *const CAPABILITIES[] = {"credentials", "pool"};

int rn_fail(rn_why *why, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->text, sizeof why->text, fmt, ap);
    va_end(ap);
    return -1;
}

const char *rn_error_name(int code) {
    return code == 0 ? "" : lakebase_error_name(code);
}

static int error_code_named(const char *name) {
    int code;
    if (lakebase_error_code_from_name(name, &code) != 0 || code == 0)
        return 1; /* no LAKEBASE_E* code is positive */
    return code;
}

static void free_secret_string(char *s) {
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void rn_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

long long rn_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */
/* Scenario state                                                            */
/* ------------------------------------------------------------------------ */

static void scenario_clear(scenario *sc) {
    rn_pools_clear(sc);
    for (size_t i = 0; i < sc->provider_count; i++) {
        lakebase_credentials_free(sc->providers[i].creds);
        lakebase_credential_free(sc->providers[i].latest);
        free(sc->providers[i].id);
    }
    for (size_t i = 0; i < sc->saved_count; i++) {
        free(sc->saved[i].name);
        free_secret_string(sc->saved[i].token);
    }
    sc->provider_count = sc->saved_count = 0;
}

static provider_slot *find_provider(scenario *sc, const char *id) {
    for (size_t i = 0; i < sc->provider_count; i++)
        if (strcmp(sc->providers[i].id, id) == 0)
            return &sc->providers[i];
    return NULL;
}

static const char *find_saved(const scenario *sc, const char *name) {
    for (size_t i = 0; i < sc->saved_count; i++)
        if (strcmp(sc->saved[i].name, name) == 0)
            return sc->saved[i].token;
    return NULL;
}

static int save_token(scenario *sc, const char *name, const char *token,
                      rn_why *why) {
    for (size_t i = 0; i < sc->saved_count; i++) {
        if (strcmp(sc->saved[i].name, name) == 0) {
            char *copy = strdup(token);
            if (copy == NULL)
                return rn_fail(why, "out of memory");
            free_secret_string(sc->saved[i].token);
            sc->saved[i].token = copy;
            return 0;
        }
    }
    if (sc->saved_count == MAX_SAVED_TOKENS)
        return rn_fail(why, "more than %d saved tokens", MAX_SAVED_TOKENS);
    saved_token *s = &sc->saved[sc->saved_count];
    s->name = strdup(name);
    s->token = strdup(token);
    if (s->name == NULL || s->token == NULL) {
        free(s->name);
        free_secret_string(s->token);
        return rn_fail(why, "out of memory");
    }
    sc->saved_count++;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading steps                                                             */
/* ------------------------------------------------------------------------ */

/* Fails on a key outside `allowed` (comma-separated), so a misspelt
 * expectation can never pass silently. */
int rn_check_keys(const cJSON *obj, const char *allowed, const char *what,
                  rn_why *why) {
    const cJSON *item;

    cJSON_ArrayForEach(item, obj) {
        const char *k = item->string;
        size_t n = strlen(k);
        const char *p = allowed;
        int found = 0;

        while (!found && (p = strstr(p, k)) != NULL) {
            found =
                (p == allowed || p[-1] == ',') && (p[n] == ',' || p[n] == '\0');
            p += n;
        }
        if (!found)
            return rn_fail(why, "unknown key \"%s\" in %s", k, what);
    }
    return 0;
}

const char *rn_string_field(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A required string field, with ${VAR} substitution; free the result. */
char *rn_expanded_field(const scenario *sc, const cJSON *obj, const char *key,
                        rn_why *why) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (cJSON_IsNumber(v)) {
        char num[64];
        snprintf(num, sizeof num, "%.17g", v->valuedouble);
        return strdup(num);
    }
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (!cJSON_IsString(v)) {
        rn_fail(why, "\"%s\" must be a string", key);
        return NULL;
    }
    return rn_env_expand(sc->env, v->valuestring, why);
}

static provider_slot *step_provider(scenario *sc, const cJSON *step,
                                    int must_be_open, rn_why *why) {
    const char *id = rn_string_field(step, "provider");
    provider_slot *slot = id ? find_provider(sc, id) : NULL;

    if (id == NULL)
        rn_fail(why, "\"provider\" (an id) is required");
    else if (slot == NULL)
        rn_fail(why, "no provider with id \"%s\"", id);
    else if (must_be_open && slot->creds == NULL)
        rn_fail(why, "provider \"%s\" was freed", id);
    else
        return slot;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Expectations on a library call                                           */
/* ------------------------------------------------------------------------ */

void rn_outcome_clear(outcome *o) {
    lakebase_error_free(o->err);
    lakebase_credential_free(o->cred);
    *o = (outcome){0};
}

/* Checks `text` against a string or an array of strings that it must
 * (`want` 1) or must not (`want` 0) contain. */
static int rn_check_contains(const scenario *sc, const cJSON *expected,
                             const char *text, int want, rn_why *why) {
    const cJSON *item;
    const cJSON *list = expected;
    cJSON *single = NULL;

    if (expected == NULL)
        return 0;
    if (cJSON_IsString(expected)) {
        single = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(single, (cJSON *)expected);
        list = single;
    }
    int rc = 0;
    cJSON_ArrayForEach(item, list) {
        char *needle = cJSON_IsString(item)
                           ? rn_env_expand(sc->env, item->valuestring, why)
                           : NULL;
        if (needle == NULL) {
            if (!cJSON_IsString(item))
                rn_fail(why, "message expectations must be strings");
            rc = -1;
            break;
        }
        int found = strstr(text, needle) != NULL;
        if (found != want) {
            /* Never print a needle that should have been absent: it may be
             * a secret the library must not leak. */
            if (want)
                rn_fail(why, "message \"%s\" does not contain \"%s\"", text,
                        needle);
            else
                rn_fail(why, "message contains a forbidden string (%s)",
                        item->valuestring);
            rc = -1;
        }
        free(needle);
        if (rc != 0)
            break;
    }
    cJSON_Delete(single);
    return rc;
}

static void describe_outcome(const outcome *o, char *buf, size_t cap) {
    if (o->rc == 0) {
        snprintf(buf, cap, "success");
        return;
    }
    snprintf(buf, cap, "%s (HTTP %d, api_code \"%s\"): %s",
             rn_error_name(o->rc), lakebase_error_http_status(o->err),
             lakebase_error_api_code(o->err), lakebase_error_message(o->err));
}

static int check_cred_field(const scenario *sc, const cJSON *expect,
                            const char *key, const char *actual, rn_why *why) {
    if (cJSON_GetObjectItemCaseSensitive(expect, key) == NULL)
        return 0;
    char *want = rn_expanded_field(sc, expect, key, why);
    if (want == NULL)
        return -1;
    int rc = strcmp(want, actual) == 0
                 ? 0
                 : rn_fail(why, "credential %s is \"%s\", expected \"%s\"", key,
                           actual, want);
    free(want);
    return rc;
}

static int check_credential(const scenario *sc, const cJSON *expect,
                            const lakebase_credential *cred, rn_why *why) {
    char port[16];
    const char *token = lakebase_credential_token(cred);
    const char *name;

    snprintf(port, sizeof port, "%d", lakebase_credential_port(cred));
    if (check_cred_field(sc, expect, "user", lakebase_credential_user(cred),
                         why) ||
        check_cred_field(sc, expect, "host", lakebase_credential_host(cred),
                         why) ||
        check_cred_field(sc, expect, "port", port, why) ||
        check_cred_field(sc, expect, "database",
                         lakebase_credential_database(cred), why) ||
        check_cred_field(sc, expect, "sslmode",
                         lakebase_credential_sslmode(cred), why))
        return -1;
    if (token == NULL || token[0] == '\0')
        return rn_fail(why, "the credential has an empty token");
    if ((name = rn_string_field(expect, "same_token_as")) != NULL) {
        const char *saved = find_saved(sc, name);
        if (saved == NULL)
            return rn_fail(why, "no saved token \"%s\"", name);
        if (strcmp(saved, token) != 0)
            return rn_fail(why, "the token differs from saved token \"%s\"",
                           name);
    }
    if ((name = rn_string_field(expect, "different_token_from")) != NULL) {
        const char *saved = find_saved(sc, name);
        if (saved == NULL)
            return rn_fail(why, "no saved token \"%s\"", name);
        if (strcmp(saved, token) == 0)
            return rn_fail(why, "the token equals saved token \"%s\"", name);
    }
    return 0;
}

static const char EXPECT_CALL_KEYS[] =
    "ok,error,api_code,http_status,message_contains,message_not_contains,"
    "user,host,port,database,sslmode,same_token_as,different_token_from,"
    "sqlstate";

/* `expect` absent means {"ok": true}. */
int rn_check_outcome(const scenario *sc, const cJSON *expect, const outcome *o,
                     const char *extra_keys, rn_why *why) {
    char got[1024], allowed[512];
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(expect, "ok");
    const char *error = rn_string_field(expect, "error");
    const cJSON *status;
    const char *api_code;
    int want_ok =
        expect == NULL || cJSON_IsTrue(ok) || (ok == NULL && error == NULL);

    snprintf(allowed, sizeof allowed, "%s%s%s", EXPECT_CALL_KEYS,
             extra_keys[0] ? "," : "", extra_keys);
    if (expect != NULL && rn_check_keys(expect, allowed, "expect", why))
        return -1;
    describe_outcome(o, got, sizeof got);
    if (want_ok) {
        if (o->rc != 0)
            return rn_fail(why, "expected success, got %s", got);
        return o->cred && expect ? check_credential(sc, expect, o->cred, why)
                                 : 0;
    }
    if (o->rc == 0)
        return rn_fail(why, "expected %s, got success",
                       error ? error : "an error");
    if (error != NULL && o->rc != error_code_named(error))
        return rn_fail(why, "expected %s, got %s", error, got);
    api_code = rn_string_field(expect, "api_code");
    if (api_code != NULL &&
        strcmp(api_code, lakebase_error_api_code(o->err)) != 0)
        return rn_fail(why, "expected api_code %s, got %s", api_code, got);
    const char *sqlstate = rn_string_field(expect, "sqlstate");
    if (sqlstate != NULL &&
        strcmp(sqlstate, lakebase_error_sqlstate(o->err)) != 0)
        return rn_fail(why, "expected sqlstate %s, got \"%s\": %s", sqlstate,
                       lakebase_error_sqlstate(o->err), got);
    status = cJSON_GetObjectItemCaseSensitive(expect, "http_status");
    if (cJSON_IsNumber(status) &&
        status->valueint != lakebase_error_http_status(o->err))
        return rn_fail(why, "expected HTTP %d, got %s", status->valueint, got);
    if (rn_check_contains(
            sc, cJSON_GetObjectItemCaseSensitive(expect, "message_contains"),
            lakebase_error_message(o->err), 1, why) ||
        rn_check_contains(
            sc,
            cJSON_GetObjectItemCaseSensitive(expect, "message_not_contains"),
            lakebase_error_message(o->err), 0, why))
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Steps: provider, get, open, invalidate, free                              */
/* ------------------------------------------------------------------------ */

static void log_to_stderr(void *userdata, int level, const char *message) {
    (void)userdata;
    fprintf(stderr, "    [lakebase log %d] %s\n", level, message);
}

int rn_set_config(const scenario *sc, lakebase_config *cfg, const cJSON *config,
                  outcome *o, rn_why *why) {
    const cJSON *item;

    /* Only the scenario's configuration applies, whatever the runner's
     * environment holds. */
    o->rc =
        lakebase_config_set(cfg, "config.use_environment", "false", &o->err);
    cJSON_ArrayForEach(item, config) {
        if (o->rc != 0)
            break;
        char *value = NULL;
        if (!cJSON_IsNull(item) &&
            (value = rn_expanded_field(sc, config, item->string, why)) == NULL)
            return -1;
        o->rc = lakebase_config_set(cfg, item->string, value, &o->err);
        free_secret_string(value);
    }
    if (o->rc == 0 && sc->verbose)
        o->rc = lakebase_config_set_logger(cfg, log_to_stderr, NULL,
                                           LAKEBASE_LOG_DEBUG, &o->err);
    return 0;
}

static int op_provider(scenario *sc, const cJSON *step, rn_why *why) {
    const char *id = rn_string_field(step, "id");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(step, "config");
    provider_slot *slot;
    lakebase_config *cfg = NULL;
    lakebase_credentials *creds = NULL;
    outcome o = {0};
    int rc;

    if (id == NULL || !cJSON_IsObject(config))
        return rn_fail(why,
                       "\"id\" (string) and \"config\" (object) are required");
    slot = find_provider(sc, id);
    if (slot != NULL && slot->creds != NULL)
        return rn_fail(why, "provider \"%s\" already exists", id);
    if (slot == NULL && sc->provider_count == MAX_PROVIDERS)
        return rn_fail(why, "more than %d providers", MAX_PROVIDERS);

    o.rc = lakebase_config_new(&cfg, &o.err);
    if (o.rc == 0 && rn_set_config(sc, cfg, config, &o, why) != 0) {
        lakebase_config_free(cfg);
        rn_outcome_clear(&o);
        return -1;
    }
    if (o.rc == 0)
        o.rc = lakebase_credentials_new(&creds, cfg, &o.err);
    lakebase_config_free(cfg);

    rc = rn_check_outcome(sc, cJSON_GetObjectItemCaseSensitive(step, "expect"),
                          &o, "", why);
    rn_outcome_clear(&o);
    if (creds == NULL)
        return rc;
    if (slot == NULL) {
        slot = &sc->providers[sc->provider_count];
        *slot = (provider_slot){.id = strdup(id)};
        if (slot->id == NULL) {
            lakebase_credentials_free(creds);
            return rn_fail(why, "out of memory");
        }
        sc->provider_count++;
    }
    slot->creds = creds;
    return rc;
}

typedef struct call {
    lakebase_credentials *creds;
    int open; /* lakebase_credentials_open, else _get */
    pthread_barrier_t *start;
    outcome out;
} call;

static void make_call(call *c) {
    if (c->open)
        c->out.rc = lakebase_credentials_open(c->creds, &c->out.err);
    else
        c->out.rc =
            lakebase_credentials_get(c->creds, &c->out.cred, &c->out.err);
}

static void *call_thread(void *arg) {
    call *c = arg;

    /* Release every thread at once so the calls really overlap. */
    pthread_barrier_wait(c->start);
    make_call(c);
    return NULL;
}

/* Makes the call from `count` threads at once (or inline for one). */
static void run_calls(call *calls, int count) {
    pthread_t tids[MAX_THREADS];
    pthread_barrier_t start;
    int started = 0;

    if (count == 1) {
        make_call(&calls[0]);
        return;
    }
    pthread_barrier_init(&start, NULL, (unsigned)count);
    for (; started < count; started++) {
        calls[started].start = &start;
        if (pthread_create(&tids[started], NULL, call_thread,
                           &calls[started]) != 0)
            break;
    }
    if (started < count) {
        /* The barrier can never open now: a broken runner, not a result. */
        fprintf(stderr, "conformance_runner: pthread_create failed\n");
        exit(2);
    }
    for (int i = 0; i < count; i++)
        pthread_join(tids[i], NULL);
    pthread_barrier_destroy(&start);
}

static int check_calls(scenario *sc, const cJSON *step, provider_slot *slot,
                       call *calls, int count, rn_why *why) {
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(step, "expect");
    const char *save = rn_string_field(step, "save_token");
    int first_cred = -1;

    for (int i = 0; i < count; i++) {
        if (rn_check_outcome(sc, expect, &calls[i].out, "", why) != 0) {
            if (count > 1) {
                rn_why inner = *why;
                rn_fail(why, "thread %d of %d: %s", i + 1, count, inner.text);
            }
            return -1;
        }
        if (calls[i].out.cred != NULL && first_cred < 0)
            first_cred = i;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
            step, "same_token_across_threads"))) {
        for (int i = 0; i < count; i++)
            if (calls[i].out.cred != NULL && first_cred >= 0 &&
                strcmp(lakebase_credential_token(calls[i].out.cred),
                       lakebase_credential_token(calls[first_cred].out.cred)) !=
                    0)
                return rn_fail(why, "threads %d and %d got different tokens",
                               first_cred + 1, i + 1);
    }
    if (first_cred < 0)
        return save ? rn_fail(why, "no token to save as \"%s\"", save) : 0;
    if (save != NULL &&
        save_token(sc, save,
                   lakebase_credential_token(calls[first_cred].out.cred),
                   why) != 0)
        return -1;
    lakebase_credential_free(slot->latest);
    slot->latest = calls[first_cred].out.cred;
    calls[first_cred].out.cred = NULL;
    return 0;
}

static int get_or_open(scenario *sc, const cJSON *step, int open, rn_why *why) {
    provider_slot *slot = step_provider(sc, step, 1, why);
    const cJSON *threads = cJSON_GetObjectItemCaseSensitive(step, "threads");
    int count = threads ? threads->valueint : 1;
    call *calls;
    int rc;

    if (slot == NULL)
        return -1;
    if (threads &&
        (!cJSON_IsNumber(threads) || count < 1 || count > MAX_THREADS))
        return rn_fail(why, "\"threads\" must be 1..%d", MAX_THREADS);
    calls = calloc((size_t)count, sizeof *calls);
    if (calls == NULL)
        return rn_fail(why, "out of memory");
    for (int i = 0; i < count; i++) {
        calls[i].creds = slot->creds;
        calls[i].open = open;
    }
    run_calls(calls, count);
    rc = check_calls(sc, step, slot, calls, count, why);
    for (int i = 0; i < count; i++)
        rn_outcome_clear(&calls[i].out);
    free(calls);
    return rc;
}

static int op_get(scenario *sc, const cJSON *step, rn_why *why) {
    return get_or_open(sc, step, 0, why);
}

static int op_open(scenario *sc, const cJSON *step, rn_why *why) {
    return get_or_open(sc, step, 1, why);
}

static int op_invalidate(scenario *sc, const cJSON *step, rn_why *why) {
    provider_slot *slot = step_provider(sc, step, 1, why);
    const char *name = rn_string_field(step, "token");
    const char *token = NULL;
    outcome o = {0};
    int rc;

    if (slot == NULL)
        return -1;
    if (name != NULL && (token = find_saved(sc, name)) == NULL)
        return rn_fail(why, "no saved token \"%s\"", name);
    o.rc = lakebase_credentials_invalidate(slot->creds, token, &o.err);
    rc = rn_check_outcome(sc, cJSON_GetObjectItemCaseSensitive(step, "expect"),
                          &o, "", why);
    rn_outcome_clear(&o);
    return rc;
}

static int op_free(scenario *sc, const cJSON *step, rn_why *why) {
    provider_slot *slot = step_provider(sc, step, 1, why);

    if (slot == NULL)
        return -1;
    lakebase_credentials_free(slot->creds);
    slot->creds = NULL;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Step: login                                                               */
/* ------------------------------------------------------------------------ */

/* A login parameter: the step's own value, else the provider credential's. */
static int login_param(const scenario *sc, const cJSON *step, const char *key,
                       const char *from_cred, char **out, rn_why *why) {
    if (cJSON_GetObjectItemCaseSensitive(step, key) != NULL)
        *out = rn_expanded_field(sc, step, key, why);
    else if (from_cred != NULL)
        *out = strdup(from_cred);
    else
        return rn_fail(why, "\"%s\" is required without a provider credential",
                       key);
    return *out ? 0 : -1;
}

static int check_login(const scenario *sc, const cJSON *expect,
                       const rn_login_result *r, rn_why *why) {
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(expect, "ok");
    const char *sqlstate = rn_string_field(expect, "sqlstate");
    int want_ok =
        expect == NULL || cJSON_IsTrue(ok) || (ok == NULL && sqlstate == NULL);

    if (expect != NULL &&
        rn_check_keys(expect,
                      "ok,role,sqlstate,message_contains,message_not_contains",
                      "expect", why))
        return -1;
    if (want_ok) {
        if (!r->ok)
            return rn_fail(why, "expected login to succeed, got [%s] %s",
                           r->sqlstate, r->message);
        if (cJSON_GetObjectItemCaseSensitive(expect, "role") == NULL)
            return 0;
        char *role = rn_expanded_field(sc, expect, "role", why);
        if (role == NULL)
            return -1;
        int rc = strcmp(role, r->current_user) == 0
                     ? 0
                     : rn_fail(why, "current_user is \"%s\", expected \"%s\"",
                               r->current_user, role);
        free(role);
        return rc;
    }
    if (r->ok)
        return rn_fail(why,
                       "expected login to fail%s%s, it succeeded as \"%s\"",
                       sqlstate ? " with " : "", sqlstate ? sqlstate : "",
                       r->current_user);
    if (sqlstate != NULL && strcmp(sqlstate, r->sqlstate) != 0)
        return rn_fail(why, "expected SQLSTATE %s, got [%s] %s", sqlstate,
                       r->sqlstate, r->message);
    if (rn_check_contains(
            sc, cJSON_GetObjectItemCaseSensitive(expect, "message_contains"),
            r->message, 1, why) ||
        rn_check_contains(
            sc,
            cJSON_GetObjectItemCaseSensitive(expect, "message_not_contains"),
            r->message, 0, why))
        return -1;
    return 0;
}

static int op_login(scenario *sc, const cJSON *step, rn_why *why) {
    const lakebase_credential *cred = NULL;
    char *host = NULL, *port = NULL, *user = NULL, *password = NULL;
    char *database = NULL, *sslmode = NULL;
    char cred_port[16] = "";
    rn_login_result result;
    int rc;

    if (cJSON_GetObjectItemCaseSensitive(step, "provider") != NULL) {
        provider_slot *slot = step_provider(sc, step, 0, why);
        if (slot == NULL)
            return -1;
        if (slot->latest == NULL)
            return rn_fail(why, "provider \"%s\" has no credential yet",
                           slot->id);
        cred = slot->latest;
        snprintf(cred_port, sizeof cred_port, "%d",
                 lakebase_credential_port(cred));
    }
    rc = login_param(sc, step, "host",
                     cred ? lakebase_credential_host(cred) : NULL, &host, why);
    if (rc == 0)
        rc = login_param(sc, step, "port", cred ? cred_port : NULL, &port, why);
    if (rc == 0)
        rc = login_param(sc, step, "user",
                         cred ? lakebase_credential_user(cred) : NULL, &user,
                         why);
    if (rc == 0)
        rc = login_param(sc, step, "password",
                         cred ? lakebase_credential_token(cred) : NULL,
                         &password, why);
    if (rc == 0)
        rc = login_param(sc, step, "database",
                         cred ? lakebase_credential_database(cred)
                              : "databricks_postgres",
                         &database, why);
    if (rc == 0)
        rc = login_param(sc, step, "sslmode",
                         cred ? lakebase_credential_sslmode(cred) : "require",
                         &sslmode, why);
    if (rc == 0) {
        rn_login_params p = {host,
                             port,
                             user,
                             password,
                             database,
                             sslmode,
                             rn_env_get(sc->env, "PGSSLROOTCERT")};
        rn_login(&p, &result);
        rc = check_login(sc, cJSON_GetObjectItemCaseSensitive(step, "expect"),
                         &result, why);
    }
    free(host);
    free(port);
    free(user);
    free_secret_string(password);
    free(database);
    free(sslmode);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Steps: reset, knobs, sleep, stats, wait_for                               */
/* ------------------------------------------------------------------------ */

static int op_reset(scenario *sc, const cJSON *step, rn_why *why) {
    (void)step;
    return rn_emulator_post(sc->env, "/emulator/reset", NULL, why);
}

static int post_knobs(const scenario *sc, const cJSON *knobs, rn_why *why) {
    if (!cJSON_IsObject(knobs))
        return rn_fail(why, "\"knobs\" must be an object");
    char *body = cJSON_PrintUnformatted(knobs);
    if (body == NULL)
        return rn_fail(why, "out of memory");
    int rc = rn_emulator_post(sc->env, "/emulator/knobs", body, why);
    free(body);
    return rc;
}

static int op_knobs(scenario *sc, const cJSON *step, rn_why *why) {
    return post_knobs(sc, cJSON_GetObjectItemCaseSensitive(step, "knobs"), why);
}

static int op_sleep(scenario *sc, const cJSON *step, rn_why *why) {
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(step, "ms");

    (void)sc;
    if (!cJSON_IsNumber(ms) || ms->valuedouble < 0)
        return rn_fail(why, "\"ms\" must be a number >= 0");
    rn_sleep_ms((long)ms->valuedouble);
    return 0;
}

/* The item at a dot path ("logins.refused.expired"), or NULL. */
static const cJSON *at_path(const cJSON *root, const char *path) {
    char key[128];
    const cJSON *node = root;

    while (node != NULL && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, key);
        path += n + (path[n] == '.');
    }
    return node;
}

static void describe_value(const cJSON *v, char *buf, size_t cap) {
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    snprintf(buf, cap, "%s", text ? text : "missing");
    free(text);
}

/* Compares one counter: a number (exact), {"min": a, "max": b}, a boolean
 * or a string. */
static int match_value(const scenario *sc, const char *where, const char *path,
                       const cJSON *want, const cJSON *got, rn_why *why) {
    char shown[256], wanted[256];
    int ok;

    describe_value(got, shown, sizeof shown);
    describe_value(want, wanted, sizeof wanted);
    if (cJSON_IsNumber(want)) {
        ok = cJSON_IsNumber(got) && got->valuedouble == want->valuedouble;
    } else if (cJSON_IsBool(want)) {
        ok = cJSON_IsBool(got) && cJSON_IsTrue(got) == cJSON_IsTrue(want);
    } else if (cJSON_IsString(want)) {
        char *s = rn_env_expand(sc->env, want->valuestring, why);
        if (s == NULL)
            return -1;
        ok = cJSON_IsString(got) && strcmp(s, got->valuestring) == 0;
        free(s);
    } else if (cJSON_IsObject(want)) {
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(want, "min");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(want, "max");
        if (rn_check_keys(want, "min,max", path, why))
            return -1;
        ok = cJSON_IsNumber(got) &&
             (!cJSON_IsNumber(min) || got->valuedouble >= min->valuedouble) &&
             (!cJSON_IsNumber(max) || got->valuedouble <= max->valuedouble);
    } else {
        return rn_fail(why, "%s %s: unsupported expectation %s", where, path,
                       wanted);
    }
    return ok ? 0
              : rn_fail(why, "%s %s is %s, expected %s", where, path, shown,
                        wanted);
}

int rn_match_all(const scenario *sc, const char *where, const cJSON *want,
                 const cJSON *actual, const char *skip_key, rn_why *why) {
    const cJSON *item;

    cJSON_ArrayForEach(item, want) {
        if (skip_key && strcmp(item->string, skip_key) == 0)
            continue;
        if (match_value(sc, where, item->string, item,
                        at_path(actual, item->string), why) != 0)
            return -1;
    }
    return 0;
}

cJSON *rn_credential_stats_json(const lakebase_credential_stats *st) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "mints_ok", (double)st->mints_ok);
    cJSON_AddNumberToObject(j, "mints_failed", (double)st->mints_failed);
    cJSON_AddBoolToObject(j, "degraded", st->degraded_since_unix_ms != 0);
    cJSON_AddBoolToObject(j, "cached", st->expire_time_unix_ms != 0);
    cJSON_AddStringToObject(j, "last_error",
                            rn_error_name(st->last_error_code));
    cJSON_AddNumberToObject(j, "last_error_http_status",
                            st->last_error_http_status);
    return j;
}

/* The provider's counters as JSON, named as in README.md. */
static cJSON *provider_stats_json(provider_slot *slot, rn_why *why) {
    lakebase_credential_stats st = {.version =
                                        LAKEBASE_CREDENTIAL_STATS_VERSION};
    lakebase_error *err = NULL;
    int rc = lakebase_credentials_stats(slot->creds, &st, &err);

    if (rc != 0) {
        rn_fail(why, "lakebase_credentials_stats: %s: %s", rn_error_name(rc),
                lakebase_error_message(err));
        lakebase_error_free(err);
        return NULL;
    }
    return rn_credential_stats_json(&st);
}

static int check_provider_stats(scenario *sc, const cJSON *want, rn_why *why) {
    const cJSON *item;
    const cJSON *list = want;
    cJSON *single = NULL;
    int rc = 0;

    if (cJSON_IsObject(want)) {
        single = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(single, (cJSON *)want);
        list = single;
    }
    cJSON_ArrayForEach(item, list) {
        const char *id = rn_string_field(item, "id");
        provider_slot *slot = id ? find_provider(sc, id) : NULL;
        cJSON *actual = NULL;
        char where[160];

        if (slot == NULL || slot->creds == NULL)
            rc = rn_fail(why,
                         "provider stats need the \"id\" of an open provider");
        else if (rn_check_keys(item,
                               "id,mints_ok,mints_failed,degraded,cached,"
                               "last_error,last_error_http_status",
                               "provider stats", why))
            rc = -1;
        else if ((actual = provider_stats_json(slot, why)) == NULL)
            rc = -1;
        else {
            snprintf(where, sizeof where, "provider %s", id);
            rc = rn_match_all(sc, where, item, actual, "id", why);
        }
        cJSON_Delete(actual);
        if (rc != 0)
            break;
    }
    cJSON_Delete(single);
    return rc;
}

static int check_stats(scenario *sc, const cJSON *step, rn_why *why) {
    const cJSON *emu = cJSON_GetObjectItemCaseSensitive(step, "emulator");
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(step, "provider");
    const cJSON *pool = cJSON_GetObjectItemCaseSensitive(step, "pool");

    if (emu == NULL && prov == NULL && pool == NULL)
        return rn_fail(why, "\"emulator\", \"provider\" or \"pool\" "
                            "expectations are required");
    if (emu != NULL) {
        cJSON *actual = rn_emulator_get_json(sc->env, "/emulator/stats", why);
        if (actual == NULL)
            return -1;
        int rc = rn_match_all(sc, "emulator", emu, actual, NULL, why);
        cJSON_Delete(actual);
        if (rc != 0)
            return -1;
    }
    if (prov != NULL && check_provider_stats(sc, prov, why) != 0)
        return -1;
    return pool ? rn_check_pool_stats(sc, pool, why) : 0;
}

static int op_kill_connections(scenario *sc, const cJSON *step, rn_why *why) {
    (void)step;
    return rn_emulator_post(sc->env, "/emulator/kill-connections", NULL, why);
}

static int op_restart_postgres(scenario *sc, const cJSON *step, rn_why *why) {
    (void)step;
    return rn_emulator_post(sc->env, "/emulator/restart-postgres", NULL, why);
}

static int op_stats(scenario *sc, const cJSON *step, rn_why *why) {
    return check_stats(sc, step, why);
}

static int op_wait_for(scenario *sc, const cJSON *step, rn_why *why) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(step, "timeout_ms");
    long long timeout =
        cJSON_IsNumber(t) ? (long long)t->valuedouble : WAIT_FOR_DEFAULT_MS;
    long long deadline = rn_now_ms() + timeout;

    for (;;) {
        if (check_stats(sc, step, why) == 0)
            return 0;
        if (rn_now_ms() >= deadline) {
            rn_why last = *why;
            return rn_fail(why, "still not true after %lld ms: %s", timeout,
                           last.text);
        }
        rn_sleep_ms(WAIT_FOR_POLL_MS);
    }
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                 */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int (*run)(scenario *sc, const cJSON *step, rn_why *why);
    const char *keys; /* besides "op" and "comment" */
} OPS[] = {
    {"reset", op_reset, ""},
    {"knobs", op_knobs, "knobs"},
    {"provider", op_provider, "id,config,expect"},
    {"get", op_get,
     "provider,threads,expect,save_token,same_token_across_threads"},
    {"open", op_open, "provider,threads,expect"},
    {"invalidate", op_invalidate, "provider,token,expect"},
    {"free", op_free, "provider"},
    {"login", op_login,
     "provider,host,port,user,password,database,sslmode,expect"},
    {"sleep", op_sleep, "ms"},
    {"stats", op_stats, "emulator,provider,pool"},
    {"wait_for", op_wait_for, "emulator,provider,pool,timeout_ms"},
    {"emulator_kill_connections", op_kill_connections, ""},
    {"emulator_restart_postgres", op_restart_postgres, ""},
    {"pool", rn_op_pool, "id,config,expect"},
    {"pool_open", rn_op_pool_open, "pool,wait,within_ms,expect"},
    {"pool_query", rn_op_pool_query, "pool,sql,params,threads,repeat,expect"},
    {"pool_close", rn_op_pool_close, "pool,cancel_inflight,within_ms,expect"},
    {"pool_load_start", rn_op_pool_load_start, "id,pool,threads,sql,params"},
    {"pool_load_stop", rn_op_pool_load_stop, "load,expect"},
    {"conn_acquire", rn_op_conn_acquire, "id,pool,expect"},
    {"conn_query", rn_op_conn_query,
     "conn,sql,params,background,release_after,expect"},
    {"conn_wait", rn_op_conn_wait, "conn,expect"},
    {"conn_cancel", rn_op_conn_cancel, "conn,expect"},
    {"conn_release", rn_op_conn_release, "conn"},
};
enum { OP_COUNT = sizeof OPS / sizeof OPS[0] };

static int run_step(scenario *sc, const cJSON *step, rn_why *why) {
    const char *op = rn_string_field(step, "op");
    char allowed[256];

    for (int i = 0; op != NULL && i < OP_COUNT; i++) {
        if (strcmp(OPS[i].name, op) != 0)
            continue;
        snprintf(allowed, sizeof allowed, "op,comment%s%s",
                 OPS[i].keys[0] ? "," : "", OPS[i].keys);
        if (rn_check_keys(step, allowed, "the step", why))
            return -1;
        return OPS[i].run(sc, step, why);
    }
    return rn_fail(why, "unknown op \"%s\"", op ? op : "(none)");
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *data = malloc(MAX_SCENARIO_BYTES + 1);
    size_t n = 0;

    if (f != NULL && data != NULL) {
        n = fread(data, 1, MAX_SCENARIO_BYTES + 1, f);
        if (n > MAX_SCENARIO_BYTES || ferror(f)) {
            free(data);
            data = NULL;
        } else {
            data[n] = '\0';
        }
    } else {
        free(data);
        data = NULL;
    }
    if (f != NULL)
        fclose(f);
    return data;
}

/* The first required capability this runner lacks, or NULL. */
static const char *missing_capability(const cJSON *requires) {
    const cJSON *item;

    cJSON_ArrayForEach(item, requires) {
        int have = 0;
        for (size_t i = 0; i < sizeof CAPABILITIES / sizeof CAPABILITIES[0];
             i++)
            have |= cJSON_IsString(item) &&
                    strcmp(item->valuestring, CAPABILITIES[i]) == 0;
        if (!have)
            return cJSON_IsString(item) ? item->valuestring : "(not a string)";
    }
    return NULL;
}

typedef enum verdict { PASSED, FAILED, SKIPPED } verdict;

static verdict run_steps(scenario *sc, const char *name, const cJSON *root) {
    const cJSON *knobs = cJSON_GetObjectItemCaseSensitive(root, "knobs");
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
    const cJSON *step;
    rn_why why = {""};
    int n = 0;

    if (rn_emulator_post(sc->env, "/emulator/reset", NULL, &why) != 0 ||
        (knobs != NULL && post_knobs(sc, knobs, &why) != 0)) {
        printf("FAIL %s: setup: %s\n", name, why.text);
        return FAILED;
    }
    cJSON_ArrayForEach(step, steps) {
        const char *op = rn_string_field(step, "op");
        n++;
        if (sc->verbose)
            fprintf(stderr, "  %s: step %d (%s)\n", name, n, op ? op : "?");
        if (run_step(sc, step, &why) != 0) {
            printf("FAIL %s: step %d (%s): %s\n", name, n, op ? op : "?",
                   why.text);
            return FAILED;
        }
    }
    printf("ok %s\n", name);
    return PASSED;
}

static verdict run_scenario(const rn_env *env, const char *path, int verbose) {
    char *text = read_file(path);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const char *name = rn_string_field(root, "name");
    rn_why why = {""};
    verdict v;

    free(text);
    if (root == NULL || name == NULL ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "steps")) ||
        rn_check_keys(root, "name,description,requires,knobs,steps",
                      "the scenario", &why) != 0) {
        printf("FAIL %s: not a scenario: %s\n", path,
               why.text[0] ? why.text
                           : "unreadable, not JSON, or without name and steps");
        cJSON_Delete(root);
        return FAILED;
    }
    const char *missing =
        missing_capability(cJSON_GetObjectItemCaseSensitive(root, "requires"));
    if (missing != NULL) {
        printf("skip %s: requires %s\n", name, missing);
        cJSON_Delete(root);
        return SKIPPED;
    }
    scenario sc = {.env = env, .verbose = verbose};
    v = run_steps(&sc, name, root);
    scenario_clear(&sc);
    cJSON_Delete(root);
    return v;
}

/* Runs the scenario in a child process: the library keeps providers whose
 * last handle is gone while their token is usable, and no cache may carry
 * over into the next scenario. The parent never calls the library, so the
 * child starts without its threads or locks. */
static verdict run_isolated(const rn_env *env, const char *path, int verbose) {
    int status = 0;

    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        verdict v = run_scenario(env, path, verbose);
        fflush(stdout);
        exit((int)v);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        printf("FAIL %s: could not run it in a child process\n", path);
        return FAILED;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) <= SKIPPED)
        return (verdict)WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        printf("FAIL %s: crashed (signal %d)\n", path, WTERMSIG(status));
    else
        printf("FAIL %s: crashed (exit status %d)\n", path,
               WEXITSTATUS(status));
    return FAILED;
}

int main(int argc, char **argv) {
    const char *env_file = NULL;
    int verbose = 0, first = 1;
    int counts[3] = {0, 0, 0};
    rn_env env = {0};
    rn_why why = {""};

    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[first], "--env-file") == 0 && first + 1 < argc)
            env_file = argv[++first];
        else
            break;
    }
    if (env_file == NULL || first >= argc) {
        fprintf(stderr, "usage: conformance_runner [-v] --env-file FILE "
                        "scenario.json...\n");
        return 2;
    }
    if (rn_env_load(&env, env_file, &why) != 0) {
        fprintf(stderr, "conformance_runner: %s\n", why.text);
        rn_env_free(&env);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int i = first; i < argc; i++)
        counts[run_isolated(&env, argv[i], verbose)]++;
    curl_global_cleanup();
    rn_env_free(&env);

    if (counts[SKIPPED] > 0)
        printf("%d passed, %d failed, %d skipped\n", counts[PASSED],
               counts[FAILED], counts[SKIPPED]);
    else
        printf("%d passed, %d failed\n", counts[PASSED], counts[FAILED]);
    if (counts[FAILED] > 0)
        return 1;
    return counts[PASSED] == 0 ? 77 : 0;
}
