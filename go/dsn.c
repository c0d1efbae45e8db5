// Code generated from core/dsn.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* libpq DSNs (key=value and postgres:// URLs) applied to the pg.* keys.
 * libpq does the parsing so every form it accepts is accepted here. Its
 * error messages quote pieces of the input, which may be the password, so
 * they are never passed on. */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <libpq-fe.h>

#include "error.h"
#include "secret.h"

static const struct {
    const char *libpq;
    const char *key;
} dsn_keys[] = {
    {"host", "pg.host"},
    {"hostaddr", "pg.hostaddr"},
    {"port", "pg.port"},
    {"dbname", "pg.database"},
    {"user", "pg.user"},
    {"password", "pg.password"},
    {"sslmode", "pg.sslmode"},
    {"sslrootcert", "pg.sslrootcert"},
    {"application_name", "pg.application_name"},
};

#define N_DSN_KEYS (sizeof dsn_keys / sizeof dsn_keys[0])

static const char *key_for(const char *libpq_keyword) {
    for (size_t i = 0; i < N_DSN_KEYS; i++)
        if (strcmp(dsn_keys[i].libpq, libpq_keyword) == 0)
            return dsn_keys[i].key;
    return NULL;
}

static int unsupported_option(const char *name, lakebase_error **err) {
    return lb_err(err, LAKEBASE_ECONFIG,
                  "DSN: option \"%s\" is not supported; use only host, "
                  "hostaddr, port, dbname, user, password, sslmode, "
                  "sslrootcert and application_name",
                  name);
}

/* libpq names an unknown option in its message; the name is safe to repeat
 * when it looks like an option name (never a value: values follow '='). */
static int unknown_option_name(const char *libpq_msg, char *name, size_t cap) {
    static const char *const prefixes[] = {"invalid connection option \"",
                                           "invalid URI query parameter: \""};
    for (size_t i = 0; i < 2; i++) {
        size_t plen = strlen(prefixes[i]);
        if (strncmp(libpq_msg, prefixes[i], plen) != 0)
            continue;
        const char *p = libpq_msg + plen;
        size_t n = 0;
        while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n + 1 < cap)
            n++;
        if (n == 0 || p[n] != '"')
            return 0;
        memcpy(name, p, n);
        name[n] = '\0';
        return 1;
    }
    return 0;
}

static void free_options(PQconninfoOption *opts) {
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val)
            lb_memzero(o->val, strlen(o->val));
    PQconninfoFree(opts);
}

int lb_config_apply_dsn(lakebase_config *cfg, const char *dsn,
                        lakebase_error **err) {
    char *libpq_msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &libpq_msg);
    if (!opts) {
        /* NULL message means libpq ran out of memory. */
        if (!libpq_msg)
            return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
        char name[64];
        int named = unknown_option_name(libpq_msg, name, sizeof name);
        lb_memzero(libpq_msg, strlen(libpq_msg));
        PQfreemem(libpq_msg);
        if (named)
            return unsupported_option(name, err);
        return lb_err(err, LAKEBASE_ECONFIG,
                      "DSN: libpq cannot parse it as a postgres:// URL or as "
                      "key=value pairs (the text is not repeated here "
                      "because it may hold a password); check quoting, "
                      "percent-encoding and the option names");
    }
    const char *keys[N_DSN_KEYS];
    const char *values[N_DSN_KEYS];
    size_t n = 0;
    int rc = 0;
    for (PQconninfoOption *o = opts; o->keyword && rc == 0; o++) {
        if (!o->val)
            continue;
        keys[n] = key_for(o->keyword);
        values[n] = o->val;
        if (keys[n])
            n++;
        else
            rc = unsupported_option(o->keyword, err);
    }
    if (rc == 0)
        rc = lb_config_set_many(cfg, keys, values, n, "from the DSN", err);
    free_options(opts);
    return rc;
}
