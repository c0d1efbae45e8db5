/* DSNs come from users and environment files: any bytes (as a C string, so
 * up to the first NUL). Beyond "no crash, no leak": a failure leaves an error
 * object with the same code, and its message never holds the password that
 * libpq itself reads out of the DSN. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "config.h"
#include "fuzz_check.h"

/* libpq's reading of the password, when it is distinctive enough that its
 * appearance in a message could only be a leak: 8+ letters and digits with
 * a digit (no message template has such a run, and a quote cannot be part
 * of it), and not inside any other option's value (those may be quoted
 * legitimately). */
static char *distinctive_password(const char *dsn) {
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    if (!opts)
        return NULL;
    const char *pw = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && strcmp(o->keyword, "password") == 0)
            pw = o->val;
    int ok = pw && strlen(pw) >= 8 && strpbrk(pw, "0123456789") &&
             strspn(pw, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789") == strlen(pw);
    for (PQconninfoOption *o = opts; ok && o->keyword; o++)
        if (o->val && o->val != pw && strstr(o->val, pw))
            ok = 0;
    char *copy = ok ? strdup(pw) : NULL;
    PQconninfoFree(opts);
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *dsn = malloc(size + 1);
    if (!dsn)
        return 0;
    memcpy(dsn, data, size);
    dsn[size] = '\0';
    lakebase_config *cfg = NULL;
    if (lakebase_config_new(&cfg, NULL) != 0) {
        free(dsn);
        return 0;
    }
    lakebase_error *err = NULL;
    int rc = lakebase_config_set_dsn(cfg, dsn, &err);
    if (rc == 0) {
        CHECK(err == NULL);
    } else {
        CHECK(rc == LAKEBASE_ECONFIG || rc == LAKEBASE_ENOMEM);
        CHECK(err != NULL && lakebase_error_code(err) == rc);
        /* All or nothing. */
        for (size_t i = 0; i < LB_KEY_COUNT; i++)
            CHECK(cfg->values[i] == NULL);
        char *pw = distinctive_password(dsn);
        if (pw)
            CHECK(strstr(lakebase_error_message(err), pw) == NULL);
        free(pw);
    }
    lakebase_error_free(err);
    lakebase_config_free(cfg);
    free(dsn);
    return 0;
}
