#include "provider_registry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "error.h"
#include "secret.h"

typedef struct entry {
    char *key;
    lb_provider *provider;
    int refs;
    struct entry *next;
} entry;

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static entry *registry_head;

/* Secrets enter the key only as a SHA-256 digest, so the key string itself
 * is not one more copy of a secret. */
static void digest_hex(const char *s, char out[65]) {
    unsigned char md[32];
    unsigned int len = 0;
    out[0] = '\0';
    if (!s || !EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL))
        return;
    for (unsigned int i = 0; i < len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *make_key(const lb_resolved_config *rc) {
    char token_digest[65], secret_digest[65];
    digest_hex(rc->token, token_digest);
    digest_hex(rc->client_secret, secret_digest);
    char source[64] = "";
    if (rc->token_source)
        snprintf(source, sizeof source, "%p/%p",
                 (void *)(uintptr_t)rc->token_source,
                 rc->token_source_userdata);
    const char *fmt = "host=%s|auth=%d|pat=%s|client=%s|secret=%s|source=%s|"
                      "ep=%s|inst=%s|ttl=%d|claims=%s|group=%s|ro=%d|pghost=%s|"
                      "pguser=%s|ca=%s|frac=%.4f|margin=%d|mint=%ld|http=%ld";
#define ARGS                                                                   \
    rc->host ? rc->host : "", (int)rc->auth_type, token_digest,                \
        rc->client_id ? rc->client_id : "", secret_digest, source,             \
        rc->endpoint ? rc->endpoint : "", rc->instance ? rc->instance : "",    \
        rc->ttl_seconds, rc->claims_json ? rc->claims_json : "",               \
        rc->group_name ? rc->group_name : "", rc->read_only,                   \
        rc->pg_host ? rc->pg_host : "", rc->pg_user ? rc->pg_user : "",        \
        rc->ca_file ? rc->ca_file : "", rc->refresh_fraction,                  \
        rc->hard_margin_seconds, rc->mint_timeout_ms, rc->http_timeout_ms
    int n = snprintf(NULL, 0, fmt, ARGS);
    char *key = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (key)
        snprintf(key, (size_t)n + 1, fmt, ARGS);
#undef ARGS
    return key;
}

int lb_registry_acquire(const lb_resolved_config *rc, lb_provider **out,
                        lakebase_error **err) {
    char *key = make_key(rc);
    if (!key)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    pthread_mutex_lock(&registry_mu);
    for (entry *e = registry_head; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            e->refs++;
            *out = e->provider;
            pthread_mutex_unlock(&registry_mu);
            free(key);
            return 0;
        }
    }
    entry *e = calloc(1, sizeof *e);
    int rc_code = e ? lb_provider_new(&e->provider, rc, NULL, err)
                    : lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    if (rc_code != 0) {
        pthread_mutex_unlock(&registry_mu);
        free(e);
        free(key);
        return rc_code;
    }
    e->key = key;
    e->refs = 1;
    e->next = registry_head;
    registry_head = e;
    *out = e->provider;
    pthread_mutex_unlock(&registry_mu);
    return 0;
}

void lb_registry_release(lb_provider *p) {
    if (!p)
        return;
    entry *gone = NULL;
    pthread_mutex_lock(&registry_mu);
    for (entry **link = &registry_head; *link; link = &(*link)->next) {
        if ((*link)->provider == p) {
            if (--(*link)->refs == 0) {
                gone = *link;
                *link = gone->next;
            }
            break;
        }
    }
    pthread_mutex_unlock(&registry_mu);
    if (gone) {
        /* Freed outside the lock: stopping may wait for a mint in flight. */
        lb_provider_free(gone->provider);
        free(gone->key);
        free(gone);
    }
}
