/* The configuration key table and the checks every value passes, whatever
 * layer (explicit, environment, profile, DSN) it came from. */
#ifndef LB_CONFIG_KEYS_H
#define LB_CONFIG_KEYS_H

#include <stddef.h>

#include "lakebase.h"

/* Indexes into the key table; the table in config_keys.c is in this order.
 * New keys (pool.*) are appended before LB_KEY_COUNT: names are the ABI,
 * positions are not. */
typedef enum lb_key_id {
    LB_KEY_WORKSPACE_HOST,
    LB_KEY_AUTH_TYPE,
    LB_KEY_AUTH_TOKEN,
    LB_KEY_AUTH_CLIENT_ID,
    LB_KEY_AUTH_CLIENT_SECRET,
    LB_KEY_AUTH_PROFILE,
    LB_KEY_AUTH_CONFIG_FILE,
    LB_KEY_HTTP_CA_FILE,
    LB_KEY_HTTP_TIMEOUT_MS,
    LB_KEY_LAKEBASE_ENDPOINT,
    LB_KEY_LAKEBASE_INSTANCE,
    LB_KEY_LAKEBASE_TTL_SECONDS,
    LB_KEY_LAKEBASE_CLAIMS,
    LB_KEY_LAKEBASE_GROUP_NAME,
    LB_KEY_LAKEBASE_READ_ONLY,
    LB_KEY_CREDENTIAL_REFRESH_FRACTION,
    LB_KEY_CREDENTIAL_HARD_MARGIN_SECONDS,
    LB_KEY_CREDENTIAL_MINT_TIMEOUT_MS,
    LB_KEY_PG_HOST,
    LB_KEY_PG_HOSTADDR,
    LB_KEY_PG_PORT,
    LB_KEY_PG_DATABASE,
    LB_KEY_PG_USER,
    LB_KEY_PG_SSLMODE,
    LB_KEY_PG_SSLROOTCERT,
    LB_KEY_PG_APPLICATION_NAME,
    LB_KEY_PG_PASSWORD,
    LB_KEY_CONFIG_USE_ENVIRONMENT,
    LB_KEY_POOL_MIN_SIZE,
    LB_KEY_POOL_MAX_SIZE,
    LB_KEY_POOL_MAX_IDLE,
    LB_KEY_POOL_IDLE_TIMEOUT_SECONDS,
    LB_KEY_POOL_MAX_LIFETIME_SECONDS,
    LB_KEY_POOL_LIFETIME_JITTER,
    LB_KEY_POOL_ACQUIRE_TIMEOUT_MS,
    LB_KEY_POOL_CONNECT_TIMEOUT_MS,
    LB_KEY_POOL_STATEMENT_TIMEOUT_MS,
    LB_KEY_POOL_PREPARE_THRESHOLD,
    LB_KEY_POOL_MAX_CONNECTING,
    LB_KEY_POOL_VALIDATE_AFTER_IDLE_MS,
    LB_KEY_POOL_PIPELINE,
    LB_KEY_COUNT
} lb_key_id;

typedef enum lb_key_kind {
    LB_KIND_STRING,
    LB_KIND_SECRET, /* a string never echoed, zeroed when dropped */
    LB_KIND_INT,    /* decimal, within [min, max] */
    LB_KIND_NUMBER, /* decimal fraction like 0.25, within [min, max] */
    LB_KIND_BOOL,   /* true/false/1/0/yes/no/on/off, any case */
    LB_KIND_ENUM,   /* one of `choices`, exact */
    LB_KIND_JSON    /* a JSON array */
} lb_key_kind;

typedef struct lb_key_def lb_key_def;

/* A key-specific check run after the kind's check. `where` says where the
 * value came from ("set explicitly", "from LAKEBASE_ENDPOINT", ...). */
typedef int (*lb_key_validator)(const lb_key_def *key, const char *value,
                                const char *where, lakebase_error **err);

struct lb_key_def {
    const char *name;
    const char *env;         /* variables in precedence order, ","-separated */
    const char *profile_key; /* key in a .databrickscfg section, or NULL */
    lb_key_kind kind;
    const char *default_value;  /* NULL when none */
    const char *doc;            /* one line */
    double min, max;            /* LB_KIND_INT and LB_KIND_NUMBER */
    const char *const *choices; /* LB_KIND_ENUM: NULL-terminated */
    lb_key_validator validate;  /* NULL when the kind's check is enough */
};

/* Longest value accepted for any key. */
#define LB_CONFIG_MAX_VALUE (64 * 1024)

/* The table: LB_KEY_COUNT entries, indexed by lb_key_id. */
const lb_key_def *lb_key_table(void);

/* The entry for `name`, or NULL for an unknown key. */
const lb_key_def *lb_key_find(const char *name);

/* Checks `value` (non-NULL) for `key`: its kind, then its validator.
 * LAKEBASE_ECONFIG names the key and `where`; a secret is never echoed. */
int lb_key_check(const lb_key_def *key, const char *value, const char *where,
                 lakebase_error **err);

/* Parsers for values that passed lb_key_check (they return -1 otherwise). */
int lb_value_parse_long(const char *s, long *out);
int lb_value_parse_number(const char *s, double *out);
int lb_value_parse_bool(const char *s, int *out);

/* "https://host[:port]" from a value that passed the workspace.host check:
 * "https://" added to a bare host, trailing '/' dropped. Caller frees;
 * NULL when out of memory. */
char *lb_value_normalize_host(const char *value);

#endif
