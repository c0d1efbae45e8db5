// Code generated from core/config_keys.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* THE key table: every configuration key, where it may come from, its
 * default and how its values are checked. docs/configuration.md documents
 * this table and a unit test keeps the two in step. */
#include "config_keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *const auth_types[] = {"pat", "oauth-m2m", "external", NULL};

/* libpq's sslmode values, weakest first. */
static const char *const ssl_modes[] = {
    "disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL};

/* --- key-specific validators ---------------------------------------------- */

static int ascii_ieq_prefix(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != *prefix)
            return 0;
    return 1;
}

/* Splits "scheme://authority/..." into the part after the scheme. Returns
 * the scheme length consumed (0 for a bare host) or -1 for a scheme other
 * than http/https. *is_http is set for plain http. */
static int host_scheme(const char *v, int *is_http) {
    *is_http = 0;
    if (ascii_ieq_prefix(v, "https://"))
        return 8;
    if (ascii_ieq_prefix(v, "http://")) {
        *is_http = 1;
        return 7;
    }
    return strstr(v, "://") ? -1 : 0;
}

static int is_host_char(int c) {
    return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* Length of a valid authority (host[:port] or [v6][:port]) at the start of
 * s, stopping at '/' or the end; 0 when malformed. */
static size_t authority_len(const char *s, size_t *host_len) {
    size_t i = 0;
    if (s[0] == '[') {
        for (i = 1; s[i] && s[i] != ']'; i++)
            if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
                return 0;
        if (s[i] != ']' || i == 1)
            return 0;
        i++;
    } else {
        while (is_host_char((unsigned char)s[i]))
            i++;
        if (i == 0)
            return 0;
    }
    *host_len = i;
    if (s[i] == ':') {
        size_t digits = 0;
        for (i++; isdigit((unsigned char)s[i]); i++)
            digits++;
        if (digits == 0 || digits > 5)
            return 0;
    }
    return (s[i] == '\0' || s[i] == '/') ? i : 0;
}

static int is_loopback(const char *host, size_t len) {
    if (len == 9 && ascii_ieq_prefix(host, "localhost"))
        return 1;
    if (len == 5 && memcmp(host, "[::1]", 5) == 0)
        return 1;
    if (len < 5 || memcmp(host, "127.", 4) != 0)
        return 0;
    for (size_t i = 4; i < len; i++)
        if (!isdigit((unsigned char)host[i]) && host[i] != '.')
            return 0;
    return 1;
}

static int validate_host(const lb_key_def *key, const char *value,
                         const char *where, lakebase_error **err) {
    int is_http;
    int skip = host_scheme(value, &is_http);
    size_t host_len = 0,
           alen = skip < 0 ? 0 : authority_len(value + skip, &host_len);
    if (alen == 0)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): \"%.200s\" is not a workspace URL; expected "
                      "https://<workspace host>, e.g. "
                      "https://adb-123.4.azuredatabricks.net",
                      key->name, where, value);
    for (const char *p = value + skip + alen; *p; p++)
        if (*p != '/')
            return lb_err(err, LAKEBASE_ECONFIG,
                          "%s (%s): \"%.200s\" has a path or query; use only "
                          "the workspace URL, e.g. https://<workspace host>",
                          key->name, where, value);
    if (is_http && !is_loopback(value + skip, host_len))
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): \"%.200s\" uses http://, which is allowed "
                      "only for a loopback address; use https://",
                      key->name, where, value);
    return 0;
}

char *lb_value_normalize_host(const char *value) {
    int is_http;
    int skip = host_scheme(value, &is_http);
    if (skip < 0)
        skip = 0;
    size_t len = strlen(value + skip);
    while (len > 0 && value[skip + len - 1] == '/')
        len--;
    const char *scheme = is_http ? "http://" : "https://";
    size_t slen = strlen(scheme);
    char *out = malloc(slen + len + 1);
    if (!out)
        return NULL;
    memcpy(out, scheme, slen);
    memcpy(out + slen, value + skip, len);
    out[slen + len] = '\0';
    return out;
}

/* Databricks resource ids: 1-63 chars, lowercase letter first, [a-z0-9-]. */
static int resource_id_len(const char *s) {
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    int n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
           s[n] == '-')
        n++;
    return n <= 63 ? n : 0;
}

#define ID_RULE                                                                \
    "each id 1-63 characters of a-z, 0-9 and '-', starting with a letter"

static int validate_endpoint(const lb_key_def *key, const char *value,
                             const char *where, lakebase_error **err) {
    static const char *const parts[] = {"projects/", "branches/", "endpoints/"};
    const char *p = value;
    for (size_t i = 0; i < 3; i++) {
        size_t plen = strlen(parts[i]);
        int n = strncmp(p, parts[i], plen) == 0 ? resource_id_len(p + plen) : 0;
        if (n == 0 || p[plen + n] != (i < 2 ? '/' : '\0'))
            return lb_err(err, LAKEBASE_ECONFIG,
                          "%s (%s): \"%.200s\" is not an endpoint name; "
                          "expected projects/{project}/branches/{branch}/"
                          "endpoints/{endpoint}, " ID_RULE,
                          key->name, where, value);
        p += plen + n + (i < 2);
    }
    return 0;
}

static int validate_instance(const lb_key_def *key, const char *value,
                             const char *where, lakebase_error **err) {
    int n = resource_id_len(value);
    if (n == 0 || value[n] != '\0')
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%s (%s): \"%.200s\" is not an instance name; expected "
                      "1-63 characters of a-z, 0-9 and '-', starting with a "
                      "letter",
                      key->name, where, value);
    return 0;
}

/* --- the table ------------------------------------------------------------ */

#define STR(n, env, prof, def, doc)                                            \
    { n, env, prof, LB_KIND_STRING, def, doc, 0, 0, NULL, NULL }
#define SECRET(n, env, prof, doc)                                              \
    { n, env, prof, LB_KIND_SECRET, NULL, doc, 0, 0, NULL, NULL }
#define INT(n, env, def, lo, hi, doc)                                          \
    { n, env, NULL, LB_KIND_INT, def, doc, lo, hi, NULL, NULL }
#define BOOL(n, env, def, doc)                                                 \
    { n, env, NULL, LB_KIND_BOOL, def, doc, 0, 0, NULL, NULL }

static const lb_key_def keys[LB_KEY_COUNT] = {
    [LB_KEY_WORKSPACE_HOST] =
        {"workspace.host", "DATABRICKS_HOST", "host", LB_KIND_STRING, NULL,
         "Workspace URL; a bare host gets https://, http:// only for loopback",
         0, 0, NULL, validate_host},
    [LB_KEY_AUTH_TYPE] =
        {"auth.type", "DATABRICKS_AUTH_TYPE", "auth_type", LB_KIND_ENUM, NULL,
         "Forces one workspace auth method: pat, oauth-m2m or external", 0, 0,
         auth_types, NULL},
    [LB_KEY_AUTH_TOKEN] = SECRET("auth.token", "DATABRICKS_TOKEN", "token",
                                 "Personal access token (secret)"),
    [LB_KEY_AUTH_CLIENT_ID] =
        STR("auth.client_id", "DATABRICKS_CLIENT_ID", "client_id", NULL,
            "OAuth M2M service principal application id"),
    [LB_KEY_AUTH_CLIENT_SECRET] =
        SECRET("auth.client_secret", "DATABRICKS_CLIENT_SECRET",
               "client_secret", "OAuth M2M service principal secret (secret)"),
    [LB_KEY_AUTH_PROFILE] =
        STR("auth.profile", "DATABRICKS_CONFIG_PROFILE", NULL, NULL,
            "Profile (section) of the config file to use"),
    [LB_KEY_AUTH_CONFIG_FILE] = STR(
        "auth.config_file", "DATABRICKS_CONFIG_FILE", NULL, "~/.databrickscfg",
        "Path of the Databricks config file; ~/ is $HOME"),
    [LB_KEY_HTTP_CA_FILE] =
        STR("http.ca_file", "LAKEBASE_CA_FILE", NULL, NULL,
            "CA bundle (PEM) for the workspace API instead of the system one"),
    [LB_KEY_HTTP_TIMEOUT_MS] =
        INT("http.timeout_ms", "", "30000", 1, 600000,
            "Timeout of one workspace API request, milliseconds"),
    [LB_KEY_LAKEBASE_ENDPOINT] =
        {"lakebase.endpoint", "LAKEBASE_ENDPOINT,ENDPOINT_NAME", NULL,
         LB_KIND_STRING, NULL,
         "Autoscaling endpoint: projects/{p}/branches/{b}/endpoints/{e}", 0, 0,
         NULL, validate_endpoint},
    [LB_KEY_LAKEBASE_INSTANCE] = {"lakebase.instance", "LAKEBASE_INSTANCE",
                                  NULL, LB_KIND_STRING, NULL,
                                  "Provisioned instance name", 0, 0, NULL,
                                  validate_instance},
    [LB_KEY_LAKEBASE_TTL_SECONDS] =
        INT("lakebase.ttl_seconds", "", NULL, 300, 3600,
            "Requested credential lifetime, seconds (Autoscaling only)"),
    [LB_KEY_LAKEBASE_CLAIMS] = {"lakebase.claims", "", NULL, LB_KIND_JSON, NULL,
                                "JSON array of claims ({permission_set, "
                                "resources}) for the credential",
                                0, 0, NULL, NULL},
    [LB_KEY_LAKEBASE_GROUP_NAME] =
        STR("lakebase.group_name", "", NULL, NULL,
            "Group whose permissions the credential carries"),
    [LB_KEY_LAKEBASE_READ_ONLY] =
        BOOL("lakebase.read_only", "", "false",
             "Connect to the read-only host (Provisioned read_only_dns)"),
    [LB_KEY_CREDENTIAL_REFRESH_FRACTION] =
        {"credential.refresh_fraction", "", NULL, LB_KIND_NUMBER, "0.25",
         "Refresh in the background when this fraction of the lifetime is left",
         0.05, 0.9, NULL, NULL},
    [LB_KEY_CREDENTIAL_HARD_MARGIN_SECONDS] =
        INT("credential.hard_margin_seconds", "", "60", 5, 900,
            "A token closer than this to expiry is never handed out, seconds"),
    [LB_KEY_CREDENTIAL_MINT_TIMEOUT_MS] =
        INT("credential.mint_timeout_ms", "", "30000", 1, 600000,
            "Deadline for one mint including retries, milliseconds"),
    [LB_KEY_PG_HOST] = STR(
        "pg.host", "PGHOST", NULL, NULL,
        "Postgres host; discovered from the endpoint or instance when unset"),
    [LB_KEY_PG_HOSTADDR] =
        STR("pg.hostaddr", "PGHOSTADDR", NULL, NULL,
            "Postgres IP address to connect to, keeping pg.host for TLS"),
    [LB_KEY_PG_PORT] =
        INT("pg.port", "PGPORT", "5432", 1, 65535, "Postgres port"),
    [LB_KEY_PG_DATABASE] = STR("pg.database", "PGDATABASE", NULL,
                               "databricks_postgres", "Database name"),
    [LB_KEY_PG_USER] =
        STR("pg.user", "PGUSER", NULL, NULL,
            "Postgres role; must be the identity that mints the credential"),
    [LB_KEY_PG_SSLMODE] = {"pg.sslmode", "PGSSLMODE", NULL, LB_KIND_ENUM,
                           "require",
                           "libpq sslmode; Lakebase needs require or stronger",
                           0, 0, ssl_modes, NULL},
    [LB_KEY_PG_SSLROOTCERT] =
        STR("pg.sslrootcert", "PGSSLROOTCERT", NULL, NULL,
            "CA bundle (PEM) that verifies the Postgres server"),
    [LB_KEY_PG_APPLICATION_NAME] =
        STR("pg.application_name", "PGAPPNAME", NULL, NULL,
            "application_name reported to Postgres"),
    [LB_KEY_PG_PASSWORD] = SECRET(
        "pg.password", "", NULL,
        "Static password instead of minting (secret; PGPASSWORD is not read)"),
    [LB_KEY_CONFIG_USE_ENVIRONMENT] =
        BOOL("config.use_environment", "", "true",
             "Read environment variables (false: only values set in code)"),
    [LB_KEY_POOL_MIN_SIZE] =
        INT("pool.min_size", "", "0", 0, 10000,
            "Connections the pool keeps open even when idle"),
    [LB_KEY_POOL_MAX_SIZE] =
        INT("pool.max_size", "", "10", 1, 10000,
            "Most connections open at once (idle + in use + connecting)"),
    [LB_KEY_POOL_MAX_IDLE] =
        INT("pool.max_idle", "", NULL, 0, 10000,
            "Most idle connections kept; more are closed on release "
            "(default: pool.max_size)"),
    [LB_KEY_POOL_IDLE_TIMEOUT_SECONDS] =
        INT("pool.idle_timeout_seconds", "", "600", 1, 86400,
            "Idle connections above pool.min_size are closed after this, "
            "seconds"),
    [LB_KEY_POOL_MAX_LIFETIME_SECONDS] =
        INT("pool.max_lifetime_seconds", "", "2700", 0, 259200,
            "A connection is retired (while idle) after this, seconds; "
            "0 = never"),
    [LB_KEY_POOL_LIFETIME_JITTER] =
        {"pool.lifetime_jitter", "", NULL, LB_KIND_NUMBER, "0.1",
         "Each connection retires up to this fraction earlier (fixed at "
         "birth)",
         0, 0.5, NULL, NULL},
    [LB_KEY_POOL_ACQUIRE_TIMEOUT_MS] =
        INT("pool.acquire_timeout_ms", "", "30000", 1, 3600000,
            "Longest wait for a connection in acquire, milliseconds"),
    [LB_KEY_POOL_CONNECT_TIMEOUT_MS] =
        INT("pool.connect_timeout_ms", "", "30000", 100, 600000,
            "Budget for one connect including cold-start retries, "
            "milliseconds"),
    [LB_KEY_POOL_STATEMENT_TIMEOUT_MS] =
        INT("pool.statement_timeout_ms", "", "0", 0, 2147483647,
            "statement_timeout set at login, milliseconds (the client "
            "waits 1 s more for an answer, then closes the connection); "
            "0 = none"),
    [LB_KEY_POOL_PREPARE_THRESHOLD] =
        INT("pool.prepare_threshold", "", "2", 0, 1000000,
            "Runs of the same SQL text on a connection before it is "
            "prepared there (a named server-side statement: no parse or "
            "plan after); 0 = never"),
    [LB_KEY_POOL_MAX_CONNECTING] =
        INT("pool.max_connecting", "", "4", 1, 1000,
            "Most connects in flight at once per pool"),
    [LB_KEY_POOL_VALIDATE_AFTER_IDLE_MS] =
        INT("pool.validate_after_idle_ms", "", "1000", 0, 3600000,
            "A connection idle longer is checked before it is handed out, "
            "milliseconds"),
    [LB_KEY_POOL_PIPELINE] =
        BOOL("pool.pipeline", "", "true",
             "adaptive pipelining: an asynchronous autocommit statement "
             "joins a busy connection's pipeline only when no connection "
             "is idle; false: never"),
};

const lb_key_def *lb_key_table(void) { return keys; }

const lb_key_def *lb_key_find(const char *name) {
    for (size_t i = 0; i < LB_KEY_COUNT; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}
