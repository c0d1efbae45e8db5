#include "emulator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define MAX_VARS 64

static char *names[MAX_VARS], *values[MAX_VARS];
static int n_vars;

static void die(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "emulator helper: ");
    fprintf(stderr, fmt, a ? a : "", b ? b : "");
    fprintf(stderr, "\n");
    exit(1);
}

/* Lines look like: export KEY='value' (values never hold a quote here). */
void emu_load(void) {
    const char *path = getenv("LAKEBASE_EMULATOR_ENV_FILE");
    if (!path || !path[0]) {
        fprintf(stderr, "LAKEBASE_EMULATOR_ENV_FILE is not set: skipped\n");
        exit(EMU_SKIP);
    }
    FILE *fp = fopen(path, "r");
    if (!fp)
        die("cannot open %s%s", path, NULL);
    char line[4096];
    while (fgets(line, sizeof line, fp) && n_vars < MAX_VARS) {
        if (strncmp(line, "export ", 7) != 0)
            continue;
        char *eq = strchr(line + 7, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *v = eq + 1;
        v[strcspn(v, "\r\n")] = '\0';
        size_t len = strlen(v);
        if (len >= 2 && v[0] == '\'' && v[len - 1] == '\'') {
            v[len - 1] = '\0';
            v++;
        }
        names[n_vars] = strdup(line + 7);
        values[n_vars++] = strdup(v);
    }
    fclose(fp);
    if (!emu_env("EMULATOR_URL"))
        die("no EMULATOR_URL in %s%s", path, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *emu_env(const char *key) {
    for (int i = 0; i < n_vars; i++)
        if (strcmp(names[i], key) == 0)
            return values[i];
    return NULL;
}

typedef struct buffer {
    char data[256 * 1024];
    size_t len;
} buffer;

static size_t collect(char *p, size_t size, size_t n, void *ctx) {
    buffer *b = ctx;
    size_t len = size * n;
    if (b->len + len >= sizeof b->data)
        len = sizeof b->data - 1 - b->len;
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return size * n;
}

/* One HTTPS request to the emulator (its CA trusted): `body` (a POST when
 * set) of `content_type`; `user`/`pass` for basic authentication when
 * set. Dies unless it succeeds with a 2xx. */
static void send_request(const char *url, const char *body,
                         const char *content_type, const char *user,
                         const char *pass, buffer *out) {
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, emu_env("LAKEBASE_CA_FILE"));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    char header[128];
    snprintf(header, sizeof header, "Content-Type: %s", content_type);
    struct curl_slist *headers = curl_slist_append(NULL, header);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
    }
    out->len = 0;
    out->data[0] = '\0';
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK)
        die("%s failed: %s", url, curl_easy_strerror(rc));
    if (status < 200 || status > 299)
        die("%s answered: %s", url, out->data);
}

/* A request to the emulator's control API (`json` posted when set). */
static void request(const char *path, const char *json, buffer *out) {
    /* The control listener stays up while an API outage closes the
     * workspace's; older emulators have only EMULATOR_URL. */
    const char *base = emu_env("EMULATOR_CONTROL_URL");
    char url[512];
    snprintf(url, sizeof url, "%s%s", base ? base : emu_env("EMULATOR_URL"),
             path);
    send_request(url, json, "application/json", NULL, NULL, out);
}

void emu_post(const char *path, const char *json) {
    buffer *b = malloc(sizeof *b);
    request(path, json ? json : "", b);
    free(b);
}

void emu_post_answer(const char *path, const char *json, char *out,
                     size_t cap) {
    buffer *b = malloc(sizeof *b);
    request(path, json ? json : "", b);
    snprintf(out, cap, "%s", b->data);
    free(b);
}

cJSON *emu_get_json(const char *path) {
    buffer *b = malloc(sizeof *b);
    request(path, NULL, b);
    cJSON *j = cJSON_Parse(b->data);
    free(b);
    if (!j)
        die("%s: the answer is not JSON%s", path, "");
    return j;
}

void emu_oauth_token(const char *client_id, const char *secret, char *out,
                     size_t cap) {
    char url[512];
    snprintf(url, sizeof url, "%s/oidc/v1/token", emu_env("DATABRICKS_HOST"));
    buffer *b = malloc(sizeof *b);
    send_request(url, "grant_type=client_credentials&scope=all-apis",
                 "application/x-www-form-urlencoded", client_id, secret, b);
    cJSON *j = cJSON_Parse(b->data);
    free(b);
    cJSON *t = j ? cJSON_GetObjectItem(j, "access_token") : NULL;
    if (!cJSON_IsString(t) || strlen(t->valuestring) >= cap)
        die("%s%s", "no access_token from the token endpoint", "");
    snprintf(out, cap, "%s", t->valuestring);
    cJSON_Delete(j);
}

double emu_json_number(const char *json, const char *dotted) {
    cJSON *root = cJSON_Parse(json);
    cJSON *node = root;
    char path[128];
    snprintf(path, sizeof path, "%s", dotted);
    char *save = NULL;
    for (char *part = strtok_r(path, ".", &save); part && node;
         part = strtok_r(NULL, ".", &save))
        node = cJSON_GetObjectItemCaseSensitive(node, part);
    double v = cJSON_IsNumber(node) ? node->valuedouble : -1;
    cJSON_Delete(root);
    return v;
}

void emu_reset(const char *knobs_json) {
    emu_post("/emulator/reset", NULL);
    if (knobs_json)
        emu_post("/emulator/knobs", knobs_json);
}

long emu_stat(const char *dotted) {
    buffer *b = malloc(sizeof *b);
    request("/emulator/stats", NULL, b);
    long v = (long)emu_json_number(b->data, dotted);
    free(b);
    return v;
}

void emu_check(int code, lakebase_error *err, const char *what) {
    if (code == 0)
        return;
    fprintf(stderr, "%s failed: %d (%s) %s\n", what, code,
            lakebase_strerror(code), err ? lakebase_error_message(err) : "");
    exit(1);
}

void emu_config_apply(lakebase_config *cfg, const char *const *pairs) {
    for (size_t i = 0; pairs && pairs[i]; i += 2) {
        lakebase_error *err = NULL;
        int rc = lakebase_config_set(cfg, pairs[i], pairs[i + 1], &err);
        emu_check(rc, err, pairs[i]);
    }
}

static lakebase_config *config_with(const char *const *base,
                                    const char *const *extra) {
    lakebase_config *cfg = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_config_new(&cfg, &err), err, "lakebase_config_new");
    emu_config_apply(cfg, base);
    emu_config_apply(cfg, extra);
    return cfg;
}

lakebase_config *emu_config_minting(const char *const *extra) {
    const char *port = emu_env("EMULATOR_PROXY_PORT");
    const char *const base[] = {"config.use_environment",
                                "false",
                                "workspace.host",
                                emu_env("DATABRICKS_HOST"),
                                "auth.client_id",
                                emu_env("DATABRICKS_CLIENT_ID"),
                                "auth.client_secret",
                                emu_env("DATABRICKS_CLIENT_SECRET"),
                                "lakebase.endpoint",
                                emu_env("LAKEBASE_ENDPOINT"),
                                "http.ca_file",
                                emu_env("LAKEBASE_CA_FILE"),
                                "pg.sslrootcert",
                                emu_env("LAKEBASE_CA_FILE"),
                                "pg.sslmode",
                                "verify-full",
                                "pg.port",
                                port ? port : "5432",
                                NULL};
    return config_with(base, extra);
}

lakebase_config *emu_config_static(const char *const *extra) {
    const char *const base[] = {"config.use_environment",
                                "false",
                                "pg.host",
                                emu_env("EMULATOR_DIRECT_HOST"),
                                "pg.port",
                                emu_env("EMULATOR_DIRECT_PORT"),
                                "pg.user",
                                emu_env("DATABRICKS_CLIENT_ID"),
                                "pg.password",
                                emu_env("EMULATOR_DIRECT_PASSWORD"),
                                "pg.sslmode",
                                "disable",
                                NULL};
    return config_with(base, extra);
}

long long emu_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

lakebase_pool *emu_pool(lakebase_config *cfg) {
    lakebase_pool *pool = NULL;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_new(&pool, cfg, &err), err, "lakebase_pool_new");
    lakebase_config_free(cfg);
    return pool;
}

lakebase_pool_stats emu_pool_stats(lakebase_pool *pool) {
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_get_stats(pool, &st, &err), err, "stats");
    return st;
}

lakebase_credential_stats emu_credential_stats(lakebase_pool *pool) {
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_error *err = NULL;
    emu_check(lakebase_pool_credential_stats(pool, &st, &err), err,
              "credential stats");
    return st;
}

long emu_refused_logins(void) {
    static const char *const reasons[] = {"expired",          "workspace_token",
                                          "wrong_identity",   "unknown_token",
                                          "rejected_by_knob", "ssl_required",
                                          "cold_start"};
    long sum = 0;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "logins.refused.%s", reasons[i]);
        long v = emu_stat(path);
        sum += v > 0 ? v : 0;
    }
    return sum;
}
