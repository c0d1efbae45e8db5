// Code generated from core/api_parse.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "api_parse.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "rfc3339.h"
#include "secret.h"

/* Upper bounds on what any sane answer holds; anything longer is hostile. */
#define MAX_TOKEN_LEN        65536
#define MAX_URL_LEN          2048
#define MAX_HOST_LEN         253
#define MAX_NAME_LEN         256
#define MAX_STATE_LEN        64
#define MAX_TIMESTAMP_LEN    64
#define DEFAULT_EXPIRES_IN_S 3600
#define MAX_ERROR_TEXT       200

typedef bool (*char_class_fn)(unsigned char c);

/* Tokens end up in HTTP headers and libpq connection parameters, where a
 * space or a CR/LF could smuggle in another field. */
static bool visible_ascii(unsigned char c) { return c > 0x20 && c < 0x7f; }

/* DNS names (and IPv4 literals) in ASCII, whatever the process locale says
 * isalnum() means: a host goes into libpq connection parameters. */
static bool host_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* Names and states may be UTF-8 (user e-mails) but never control bytes. */
static bool no_control(unsigned char c) { return c >= 0x20 && c != 0x7f; }

static bool printable_ascii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

static int parse_fail(lakebase_error **err, const char *api, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

static int parse_fail(lakebase_error **err, const char *api, const char *fmt,
                      ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return lb_err(err, LAKEBASE_EPROTOCOL, "%s response: %s", api, what);
}

/* cJSON's parser records its last error in a process-wide variable; serialise
 * parses so concurrent mints never race on it. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

cJSON *lb_json_parse_exact(const char *body, size_t len) {
    if (!body || len == 0)
        return NULL;
    const char *end = NULL;
    pthread_mutex_lock(&parse_lock);
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    pthread_mutex_unlock(&parse_lock);
    if (!root)
        return NULL;
    for (size_t i = (size_t)(end - body); i < len; i++) {
        char c = body[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            cJSON_Delete(root);
            return NULL;
        }
    }
    return root;
}

/* Zeroes every string in the tree before freeing it: answers carry tokens,
 * and cJSON_Delete would leave them readable in freed memory. */
static void json_scrub(cJSON *node) {
    for (; node; node = node->next) {
        if (node->valuestring)
            lb_memzero(node->valuestring, strlen(node->valuestring));
        json_scrub(node->child);
    }
}

static void json_free(cJSON *root) {
    json_scrub(root);
    cJSON_Delete(root);
}

static int parse_root(const char *api, const char *body, size_t len,
                      cJSON **out, lakebase_error **err) {
    *out = NULL;
    if (!body || len == 0)
        return parse_fail(err, api, "the body is empty");
    cJSON *root = lb_json_parse_exact(body, len);
    if (!root)
        return parse_fail(err, api, "the body is not valid JSON");
    if (!cJSON_IsObject(root)) {
        json_free(root);
        return parse_fail(err, api, "the body is not a JSON object");
    }
    *out = root;
    return 0;
}

/* Follows a dotted path ("status.hosts.host") through nested objects. */
static const cJSON *lookup(const cJSON *root, const char *path) {
    char segment[64];
    const cJSON *node = root;
    while (node && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof segment || !cJSON_IsObject(node))
            return NULL;
        memcpy(segment, path, n);
        segment[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, segment);
        path += n + (path[n] == '.');
    }
    return node;
}

typedef struct string_field {
    const char *path;
    bool required;
    size_t max_len;
    char_class_fn allowed;
} string_field;

/* Finds and validates a string field; *out borrows from the tree and is
 * NULL when an optional field is absent or null. Never echoes the value:
 * the field may be a token. */
static int read_string(const cJSON *root, const char *api,
                       const string_field *f, const char **out,
                       lakebase_error **err) {
    *out = NULL;
    const cJSON *item = lookup(root, f->path);
    if (!item || cJSON_IsNull(item)) {
        if (f->required)
            return parse_fail(err, api, "field \"%s\" is missing", f->path);
        return 0;
    }
    if (!cJSON_IsString(item) || !item->valuestring)
        return parse_fail(err, api, "field \"%s\" is not a string", f->path);
    const char *v = item->valuestring;
    size_t n = strlen(v);
    if (n == 0)
        return parse_fail(err, api, "field \"%s\" is empty", f->path);
    if (n > f->max_len)
        return parse_fail(err, api, "field \"%s\" is longer than %zu bytes",
                          f->path, f->max_len);
    for (size_t i = 0; i < n; i++) {
        if (!f->allowed((unsigned char)v[i]))
            return parse_fail(err, api,
                              "field \"%s\" contains a character that is not "
                              "allowed there",
                              f->path);
    }
    *out = v;
    return 0;
}

static int dup_string(const char *s, char **out, lakebase_error **err) {
    *out = NULL;
    if (!s)
        return 0;
    *out = strdup(s);
    if (!*out)
        return lb_err(err, LAKEBASE_ENOMEM,
                      "out of memory copying a response field");
    return 0;
}

static const string_field token_field = {"token", true, MAX_TOKEN_LEN,
                                         visible_ascii};

int lb_parse_credential(lb_api_kind kind, const char *body, size_t len,
                        char **token, int64_t *expire_unix_ns,
                        lakebase_error **err) {
    if (!token || !expire_unix_ns ||
        (kind != LB_API_AUTOSCALING && kind != LB_API_PROVISIONED))
        return lb_err(err, LAKEBASE_EINVAL,
                      "lb_parse_credential: bad arguments");
    *token = NULL;
    const char *api = kind == LB_API_AUTOSCALING ? "postgres/credentials"
                                                 : "database/credentials";
    /* Each API names its expiry differently; accepting the other name would
     * hide a request sent to the wrong product line. */
    const string_field expiry = {kind == LB_API_AUTOSCALING ? "expire_time"
                                                            : "expiration_time",
                                 true, MAX_TIMESTAMP_LEN, printable_ascii};
    cJSON *root;
    int rc = parse_root(api, body, len, &root, err);
    if (rc)
        return rc;
    const char *tok, *when;
    int64_t expire_ns = 0;
    rc = read_string(root, api, &token_field, &tok, err);
    if (!rc)
        rc = read_string(root, api, &expiry, &when, err);
    if (!rc && lb_rfc3339_parse(when, strlen(when), &expire_ns) != 0)
        /* A well-formed stamp can still be out of the range we represent
         * (int64 nanoseconds): say so rather than call it malformed. */
        rc = parse_fail(err, api,
                        "field \"%s\" is not an RFC 3339 timestamp between "
                        "1970 and 2262",
                        expiry.path);
    if (!rc)
        rc = dup_string(tok, token, err);
    if (!rc)
        *expire_unix_ns = expire_ns;
    json_free(root);
    return rc;
}

int lb_parse_oidc_discovery(const char *body, size_t len, char **token_endpoint,
                            lakebase_error **err) {
    static const char api[] = "OIDC discovery";
    static const string_field field = {"token_endpoint", true, MAX_URL_LEN,
                                       visible_ascii};
    if (!token_endpoint)
        return lb_err(err, LAKEBASE_EINVAL,
                      "lb_parse_oidc_discovery: bad arguments");
    *token_endpoint = NULL;
    cJSON *root;
    int rc = parse_root(api, body, len, &root, err);
    if (rc)
        return rc;
    const char *url;
    rc = read_string(root, api, &field, &url, err);
    if (!rc && strncmp(url, "https://", 8) != 0 &&
        strncmp(url, "http://", 7) != 0)
        rc = parse_fail(err, api,
                        "field \"token_endpoint\" is not an http(s) URL");
    if (!rc)
        rc = dup_string(url, token_endpoint, err);
    json_free(root);
    return rc;
}

/* expires_in as a number or a numeric string, whole seconds. */
static int read_expires_in(const cJSON *root, const char *api, int64_t *out,
                           lakebase_error **err) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
    double v;
    if (!item || cJSON_IsNull(item)) {
        *out = DEFAULT_EXPIRES_IN_S;
        return 0;
    }
    if (cJSON_IsNumber(item)) {
        v = item->valuedouble;
    } else if (cJSON_IsString(item) && item->valuestring) {
        const char *s = item->valuestring;
        size_t n = strlen(s);
        if (n == 0 || n > 10 || strspn(s, "0123456789") != n)
            return parse_fail(err, api, "field \"expires_in\" is not a number");
        v = strtod(s, NULL);
    } else {
        return parse_fail(err, api, "field \"expires_in\" is not a number");
    }
    if (isnan(v) || v < 0)
        return parse_fail(err, api, "field \"expires_in\" is negative");
    if (v > INT32_MAX)
        return parse_fail(err, api, "field \"expires_in\" is out of range");
    *out = (int64_t)v;
    return 0;
}

int lb_parse_oauth_token(const char *body, size_t len, char **access_token,
                         int64_t *expires_in_s, lakebase_error **err) {
    static const char api[] = "OAuth token";
    static const string_field field = {"access_token", true, MAX_TOKEN_LEN,
                                       visible_ascii};
    if (!access_token || !expires_in_s)
        return lb_err(err, LAKEBASE_EINVAL,
                      "lb_parse_oauth_token: bad arguments");
    *access_token = NULL;
    cJSON *root;
    int rc = parse_root(api, body, len, &root, err);
    if (rc)
        return rc;
    const char *tok;
    int64_t expires_in = 0;
    rc = read_string(root, api, &field, &tok, err);
    if (!rc)
        rc = read_expires_in(root, api, &expires_in, err);
    if (!rc)
        rc = dup_string(tok, access_token, err);
    if (!rc)
        *expires_in_s = expires_in;
    json_free(root);
    return rc;
}

/* Shared by the two host lookups: a required host plus an optional state. */
static int parse_host_and_state(const char *api, const char *body, size_t len,
                                const char *host_path, const char *state_path,
                                char **host, char **state,
                                lakebase_error **err) {
    if (!host || !state)
        return lb_err(err, LAKEBASE_EINVAL, "%s: bad arguments", api);
    *host = NULL;
    *state = NULL;
    const string_field host_field = {host_path, true, MAX_HOST_LEN, host_char};
    const string_field state_field = {state_path, false, MAX_STATE_LEN,
                                      printable_ascii};
    cJSON *root;
    int rc = parse_root(api, body, len, &root, err);
    if (rc)
        return rc;
    const char *h, *st;
    rc = read_string(root, api, &host_field, &h, err);
    if (!rc)
        rc = read_string(root, api, &state_field, &st, err);
    if (!rc)
        rc = dup_string(h, host, err);
    if (!rc && (rc = dup_string(st, state, err)) != 0) {
        free(*host);
        *host = NULL;
    }
    json_free(root);
    return rc;
}

int lb_parse_endpoint(const char *body, size_t len, char **host, char **state,
                      lakebase_error **err) {
    /* status.hosts.pooled_host is never read: the built-in pooler only
     * accepts native passwords, not OAuth credentials. */
    return parse_host_and_state("postgres endpoint", body, len,
                                "status.hosts.host", "status.current_state",
                                host, state, err);
}

int lb_parse_instance(const char *body, size_t len, int read_only, char **host,
                      char **state, lakebase_error **err) {
    return parse_host_and_state("database instance", body, len,
                                read_only ? "read_only_dns" : "read_write_dns",
                                "state", host, state, err);
}

int lb_parse_scim_me(const char *body, size_t len, char **user_name,
                     lakebase_error **err) {
    static const char api[] = "SCIM Me";
    static const string_field field = {"userName", true, MAX_NAME_LEN,
                                       no_control};
    if (!user_name)
        return lb_err(err, LAKEBASE_EINVAL, "lb_parse_scim_me: bad arguments");
    *user_name = NULL;
    cJSON *root;
    int rc = parse_root(api, body, len, &root, err);
    if (rc)
        return rc;
    const char *name;
    rc = read_string(root, api, &field, &name, err);
    if (!rc)
        rc = dup_string(name, user_name, err);
    json_free(root);
    return rc;
}

/* ---- error answers ------------------------------------------------------ */

/* Copies at most cap-1 bytes, replacing anything but printable ASCII. */
static void copy_sanitized(char *dst, size_t cap, const char *src, size_t n) {
    size_t i = 0;
    for (; i < n && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = printable_ascii(c) ? (char)c : '?';
    }
    dst[i] = '\0';
}

static void copy_json_string(char *dst, size_t cap, const cJSON *item) {
    if (cJSON_IsString(item) && item->valuestring)
        copy_sanitized(dst, cap, item->valuestring, strlen(item->valuestring));
}

/* error_code is a string on most APIs, a number on some. */
static void copy_error_code(char *dst, size_t cap, const cJSON *item) {
    if (cJSON_IsNumber(item)) {
        double v = item->valuedouble;
        if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
            snprintf(dst, cap, "%lld", (long long)v);
        return;
    }
    copy_json_string(dst, cap, item);
}

/* protobuf-JSON Duration: "1s", "1.5s", "0.250s". Sub-millisecond parts round
 * up: the server asked us to wait at least that long. */
static int64_t parse_duration_ms(const char *s) {
    size_t int_digits = strspn(s, "0123456789");
    if (int_digits == 0 || int_digits > 9)
        return -1;
    int64_t ms = strtoll(s, NULL, 10) * 1000;
    s += int_digits;
    if (*s == '.') {
        s++;
        size_t frac_digits = strspn(s, "0123456789");
        if (frac_digits == 0 || frac_digits > 9)
            return -1;
        int64_t ns = 0;
        for (size_t i = 0; i < 9; i++)
            ns = ns * 10 + (i < frac_digits ? s[i] - '0' : 0);
        ms += (ns + 999999) / 1000000;
        s += frac_digits;
    }
    return strcmp(s, "s") == 0 ? ms : -1;
}

static int64_t find_retry_delay(const cJSON *details) {
    const cJSON *d;
    if (!cJSON_IsArray(details))
        return -1;
    cJSON_ArrayForEach(d, details) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "@type");
        const cJSON *delay = cJSON_GetObjectItemCaseSensitive(d, "retry_delay");
        if (cJSON_IsString(type) && type->valuestring &&
            strstr(type->valuestring, "RetryInfo") && cJSON_IsString(delay) &&
            delay->valuestring)
            return parse_duration_ms(delay->valuestring);
    }
    return -1;
}

static void fill_from_json(const cJSON *root, lb_api_error *out) {
    copy_error_code(out->error_code, sizeof out->error_code,
                    cJSON_GetObjectItemCaseSensitive(root, "error_code"));
    copy_json_string(out->message, sizeof out->message,
                     cJSON_GetObjectItemCaseSensitive(root, "message"));
    /* OAuth and older APIs: {"error": "...", "error_description": "..."}. */
    if (!out->error_code[0])
        copy_json_string(out->error_code, sizeof out->error_code,
                         cJSON_GetObjectItemCaseSensitive(root, "error"));
    if (!out->message[0])
        copy_json_string(
            out->message, sizeof out->message,
            cJSON_GetObjectItemCaseSensitive(root, "error_description"));
    out->retry_delay_ms =
        find_retry_delay(cJSON_GetObjectItemCaseSensitive(root, "details"));
}

static const char *find_ci(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (strncasecmp(hay + i, needle, n) == 0)
            return hay + i;
    }
    return NULL;
}

/* The first non-empty line of a gateway's text or HTML page. For HTML the
 * <title> is the best one-line summary; otherwise tags are dropped. */
static void fill_from_text(const char *body, size_t len, lb_api_error *out) {
    const char *start = body;
    while (start < body + len && *start && strchr(" \t\r\n\v\f", *start))
        start++;
    len -= (size_t)(start - body);
    bool html = len > 0 && *start == '<';
    if (html) {
        const char *title = find_ci(start, len, "<title>");
        if (title) {
            title += strlen("<title>");
            len -= (size_t)(title - start);
            start = title;
            const char *close = memchr(start, '<', len);
            if (close)
                len = (size_t)(close - start);
        }
    }
    char line[MAX_ERROR_TEXT + 1];
    size_t n = 0;
    bool in_tag = false;
    for (size_t i = 0; i < len && n < MAX_ERROR_TEXT; i++) {
        unsigned char c = (unsigned char)start[i];
        bool blank = c == ' ' || c == '\t';
        if (html && (in_tag || c == '<')) {
            in_tag = c != '>';
            blank = !in_tag; /* a tag separates words like a space */
            if (!blank)
                continue;
        }
        if (c == '\n' || c == '\r') {
            if (n > 0)
                break;
            continue;
        }
        if (blank) {
            if (n > 0 && line[n - 1] != ' ')
                line[n++] = ' ';
            continue;
        }
        line[n++] = printable_ascii(c) ? (char)c : '?';
    }
    while (n > 0 && line[n - 1] == ' ')
        n--;
    copy_sanitized(out->message, sizeof out->message, line, n);
}

void lb_parse_api_error(const char *body, size_t len, lb_api_error *out) {
    if (!out)
        return;
    out->error_code[0] = '\0';
    out->message[0] = '\0';
    out->retry_delay_ms = -1;
    if (!body || len == 0)
        return;
    cJSON *root = lb_json_parse_exact(body, len);
    if (cJSON_IsObject(root))
        fill_from_json(root, out);
    else
        fill_from_text(body, len, out);
    json_free(root);
}
