/* The emulator's environment file and ${VAR} substitution in scenarios. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

/* A growable string; on allocation failure `failed` is set and the text is
 * abandoned (the runner then reports "out of memory"). */
typedef struct buf {
    char *data;
    size_t len, cap;
    int failed;
} buf;

static void buf_putn(buf *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static char *buf_finish(buf *b) {
    if (!b->failed && b->data == NULL)
        buf_putn(b, "", 0);
    if (b->failed) {
        free(b->data);
        return NULL;
    }
    return b->data;
}

/* Reads one shell word at `p` (quotes and backslashes as sh does). */
static char *read_shell_word(const char *p) {
    buf b = {0};

    while (*p && !isspace((unsigned char)*p)) {
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (end == NULL)
                end = p + strlen(p);
            buf_putn(&b, p + 1, (size_t)(end - p - 1));
            p = *end ? end + 1 : end;
        } else if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
                    p++;
                buf_putn(&b, p, 1);
            }
            if (*p)
                p++;
        } else {
            if (*p == '\\' && p[1])
                p++;
            buf_putn(&b, p, 1);
            p++;
        }
    }
    return buf_finish(&b);
}

static int env_add(rn_env *env, const char *key, size_t key_len, char *value) {
    char **keys = realloc(env->keys, (env->count + 1) * sizeof *keys);
    if (keys == NULL)
        return -1;
    env->keys = keys;
    char **values = realloc(env->values, (env->count + 1) * sizeof *values);
    if (values == NULL)
        return -1;
    env->values = values;
    env->keys[env->count] = strndup(key, key_len);
    if (env->keys[env->count] == NULL)
        return -1;
    env->values[env->count++] = value;
    return 0;
}

int rn_env_load(rn_env *env, const char *path, rn_why *why) {
    FILE *f = fopen(path, "r");
    char line[8192];
    int lineno = 0;

    if (f == NULL)
        return rn_fail(why, "cannot open the environment file %s", path);
    while (fgets(line, sizeof line, f) != NULL) {
        char *p = line, *eq, *value;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        eq = strchr(p, '=');
        if (eq == NULL || eq == p) {
            fclose(f);
            return rn_fail(why, "%s:%d: expected KEY=value", path, lineno);
        }
        value = read_shell_word(eq + 1);
        if (value == NULL || env_add(env, p, (size_t)(eq - p), value) != 0) {
            free(value);
            fclose(f);
            return rn_fail(why, "out of memory reading %s", path);
        }
    }
    fclose(f);
    return 0;
}

const char *rn_env_get(const rn_env *env, const char *key) {
    /* Later lines win, as when a shell sources the file. */
    for (size_t i = env->count; i-- > 0;)
        if (strcmp(env->keys[i], key) == 0)
            return env->values[i];
    return NULL;
}

char *rn_env_expand(const rn_env *env, const char *text, rn_why *why) {
    buf b = {0};
    const char *p = text;

    while (*p) {
        if (strncmp(p, "$${", 3) == 0) {
            buf_putn(&b, "${", 2);
            p += 3;
            continue;
        }
        if (strncmp(p, "${", 2) != 0) {
            buf_putn(&b, p++, 1);
            continue;
        }
        const char *end = strchr(p + 2, '}');
        if (end == NULL) {
            free(b.data);
            rn_fail(why, "unterminated ${ in \"%s\"", text);
            return NULL;
        }
        char *name = strndup(p + 2, (size_t)(end - p - 2));
        if (name == NULL) {
            free(b.data);
            rn_fail(why, "out of memory");
            return NULL;
        }
        char *dflt = strstr(name, ":-");
        if (dflt != NULL) {
            *dflt = '\0';
            dflt += 2;
        }
        const char *value = rn_env_get(env, name);
        if (value == NULL)
            value = dflt;
        if (value == NULL) {
            rn_fail(why, "${%s} is not defined in the environment file", name);
            free(name);
            free(b.data);
            return NULL;
        }
        buf_putn(&b, value, strlen(value));
        free(name);
        p = end + 1;
    }
    char *out = buf_finish(&b);
    if (out == NULL)
        rn_fail(why, "out of memory");
    return out;
}

void rn_env_free(rn_env *env) {
    for (size_t i = 0; i < env->count; i++) {
        free(env->keys[i]);
        free(env->values[i]);
    }
    free(env->keys);
    free(env->values);
    *env = (rn_env){0};
}
