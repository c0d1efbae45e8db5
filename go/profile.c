// Code generated from core/profile.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* The Databricks config file (~/.databrickscfg): a bounded INI reader that
 * picks one profile the way the Databricks SDKs do. The file holds secrets,
 * so no message ever quotes a line of it, and the text is zeroed after use. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "secret.h"

#define SETTINGS_SECTION "__settings__"
#define DEFAULT_SECTION  "DEFAULT"

/* --- the INI scanner --------------------------------------------------------
 */

/* Called for each section header (key NULL) and each key = value inside a
 * section. Returns 0 to go on, or an error code. */
typedef int (*ini_entry_fn)(void *ctx, const char *section, size_t slen,
                            const char *key, size_t klen, const char *val,
                            size_t vlen, lakebase_error **err);

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *len) {
    while (*len > 0 && is_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_blank((*s)[*len - 1]))
        (*len)--;
}

static int malformed(const char *origin, int line, const char *why,
                     lakebase_error **err) {
    return lb_err(err, LAKEBASE_ECONFIG,
                  "%.300s:%d: %s; expected [section], key = value or a # "
                  "comment (the line is not shown: it may hold a secret)",
                  origin, line, why);
}

static int ini_scan(const char *text, size_t len, const char *origin,
                    ini_entry_fn fn, void *ctx, lakebase_error **err) {
    const char *section = NULL;
    size_t slen = 0, pos = 0;
    int line = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark from a Windows editor */
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        line++;
        if (memchr(s, '\0', n))
            return malformed(origin, line, "NUL byte", err);
        trim(&s, &n);
        if (n == 0 || s[0] == '#' || s[0] == ';')
            continue;
        if (s[0] == '[') {
            if (s[n - 1] != ']')
                return malformed(origin, line, "unterminated section", err);
            section = s + 1;
            slen = n - 2;
            trim(&section, &slen);
            if (slen == 0)
                return malformed(origin, line, "empty section name", err);
            int rc = fn(ctx, section, slen, NULL, 0, NULL, 0, err);
            if (rc != 0)
                return rc;
            continue;
        }
        const char *eq = memchr(s, '=', n);
        if (!eq)
            return malformed(origin, line, "no '=' in the line", err);
        if (!section)
            return malformed(origin, line, "key outside any [section]", err);
        const char *key = s, *val = eq + 1;
        size_t klen = (size_t)(eq - s), vlen = n - klen - 1;
        trim(&key, &klen);
        trim(&val, &vlen);
        if (klen == 0)
            return malformed(origin, line, "empty key", err);
        int rc = fn(ctx, section, slen, key, klen, val, vlen, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int span_eq(const char *s, size_t n, const char *z) {
    return strlen(z) == n && memcmp(s, z, n) == 0;
}

/* --- profile fields ------------------------------------------------------- */

static char **profile_field(lb_profile *p, const char *key, size_t klen) {
    if (span_eq(key, klen, "host"))
        return &p->host;
    if (span_eq(key, klen, "token"))
        return &p->token;
    if (span_eq(key, klen, "client_id"))
        return &p->client_id;
    if (span_eq(key, klen, "client_secret"))
        return &p->client_secret;
    if (span_eq(key, klen, "auth_type"))
        return &p->auth_type;
    return NULL;
}

const char *lb_profile_value(const lb_profile *p, const char *key) {
    char **f = profile_field((lb_profile *)p, key, strlen(key));
    return f ? *f : NULL;
}

void lb_profile_clear(lb_profile *p) {
    if (!p)
        return;
    lb_secret_clear(&p->host);
    lb_secret_clear(&p->token);
    lb_secret_clear(&p->client_id);
    lb_secret_clear(&p->client_secret);
    lb_secret_clear(&p->auth_type);
    lb_secret_clear(&p->name);
}

/* Replaces *slot with a copy of val (an empty value unsets). */
static int store(char **slot, const char *val, size_t vlen,
                 lakebase_error **err) {
    lb_secret_clear(slot);
    if (vlen == 0)
        return 0;
    *slot = strndup(val, vlen);
    return *slot ? 0 : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
}

/* --- pass 1: [__settings__] default_profile --------------------------------
 */

static int find_default_profile(void *ctx, const char *section, size_t slen,
                                const char *key, size_t klen, const char *val,
                                size_t vlen, lakebase_error **err) {
    if (key && span_eq(section, slen, SETTINGS_SECTION) &&
        span_eq(key, klen, "default_profile"))
        return store((char **)ctx, val, vlen, err);
    return 0;
}

/* --- pass 2: the chosen section --------------------------------------------
 */

typedef struct collect_ctx {
    const char *name;
    int found;
    lb_profile *out;
} collect_ctx;

static int collect_section(void *ctx, const char *section, size_t slen,
                           const char *key, size_t klen, const char *val,
                           size_t vlen, lakebase_error **err) {
    collect_ctx *c = ctx;
    if (!span_eq(section, slen, c->name))
        return 0;
    c->found = 1;
    char **slot = key ? profile_field(c->out, key, klen) : NULL;
    return slot ? store(slot, val, vlen, err) : 0;
}

int lb_profile_parse(const char *text, size_t len, const char *name,
                     const char *origin, lb_profile *out,
                     lakebase_error **err) {
    memset(out, 0, sizeof *out);
    if (!origin)
        origin = "config file";
    if (len > LB_PROFILE_MAX_FILE)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "%.300s is larger than %d bytes; is it a Databricks "
                      "config file?",
                      origin, LB_PROFILE_MAX_FILE);
    char *settings_choice = NULL;
    int rc = 0;
    if (!name) {
        rc = ini_scan(text, len, origin, find_default_profile, &settings_choice,
                      err);
        if (rc != 0) {
            free(settings_choice);
            return rc;
        }
    }
    const char *wanted = name              ? name
                         : settings_choice ? settings_choice
                                           : DEFAULT_SECTION;
    collect_ctx c = {wanted, 0, out};
    rc = ini_scan(text, len, origin, collect_section, &c, err);
    if (rc == 0 && c.found) {
        out->name = strdup(wanted);
        if (!out->name)
            rc = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    } else if (rc == 0 && name) {
        rc = lb_err(err, LAKEBASE_ENOTFOUND,
                    "profile \"%.100s\" (auth.profile, "
                    "DATABRICKS_CONFIG_PROFILE) is not in %.300s; add a "
                    "[%.100s] section or name an existing profile",
                    name, origin, name);
    } else if (rc == 0 && settings_choice) {
        rc = lb_err(err, LAKEBASE_ENOTFOUND,
                    "profile \"%.100s\", named by [" SETTINGS_SECTION
                    "] default_profile, is not in %.300s; add that section "
                    "or fix default_profile",
                    settings_choice, origin);
    }
    free(settings_choice);
    if (rc != 0)
        lb_profile_clear(out);
    return rc;
}

/* --- the file --------------------------------------------------------------
 */

static int read_bounded(int fd, char *buf, size_t cap, size_t *len) {
    *len = 0;
    while (*len < cap) {
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        *len += (size_t)n;
    }
    return 0;
}

static int unreadable(const char *path, int errnum, lakebase_error **err) {
    const char *why = errnum == EACCES || errnum == EPERM ? "permission denied"
                      : errnum == EISDIR                  ? "it is a directory"
                                                          : "read error";
    return lb_err(err, LAKEBASE_ECONFIG,
                  "config file %.300s cannot be read (%s); fix it or point "
                  "auth.config_file (DATABRICKS_CONFIG_FILE) elsewhere",
                  path, why);
}

int lb_profile_load(const char *path, const char *name, lb_profile *out,
                    lakebase_error **err) {
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && !name)
        return 0;
    if (fd < 0 && errno == ENOENT)
        return lb_err(err, LAKEBASE_ECONFIG,
                      "profile \"%.100s\" (auth.profile, "
                      "DATABRICKS_CONFIG_PROFILE) cannot be read: config file "
                      "%.300s does not exist; create it or set "
                      "auth.config_file (DATABRICKS_CONFIG_FILE)",
                      name, path);
    if (fd < 0)
        return unreadable(path, errno, err);
    struct stat st;
    int errnum = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (errnum != 0) {
        close(fd);
        return unreadable(path, errnum, err);
    }
    /* One byte more than allowed tells an oversized file apart. */
    char *buf = malloc(LB_PROFILE_MAX_FILE + 1);
    if (!buf) {
        close(fd);
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    }
    size_t len;
    int rd = read_bounded(fd, buf, LB_PROFILE_MAX_FILE + 1, &len);
    errnum = errno;
    close(fd);
    int rc;
    if (rd != 0) {
        rc = unreadable(path, errnum, err);
    } else {
        lakebase_error *perr = NULL;
        rc = lb_profile_parse(buf, len, name, path, out, &perr);
        /* A profile that was asked for and is absent is a config error. */
        if (rc == LAKEBASE_ENOTFOUND)
            rc = LAKEBASE_ECONFIG;
        if (rc != 0)
            lb_err(err, rc, "%s",
                   perr ? lb_err_message(perr) : "profile not found");
        lb_err_destroy(perr);
    }
    lb_memzero(buf, len);
    free(buf);
    return rc;
}
