#include "provider_registry.h"

#include <pthread.h>
#include <stdint.h>
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
    /* The last reference is being dropped (pausing, outside the lock):
     * acquires of this key wait until it is settled. */
    int settling;
    uint64_t released_seq; /* orders lingering entries, oldest first */
    struct entry *next;
} entry;

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t registry_settled = PTHREAD_COND_INITIALIZER;
static entry *registry_head;
static uint64_t release_counter;

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

static int lingering(const entry *e) { return e->refs == 0 && !e->settling; }

/* Moves lingering entries whose token can no longer be used onto `*dead`,
 * and the oldest ones beyond the bound (lock held). */
static void collect_dead_locked(entry **dead) {
    int count = 0;
    for (entry **link = &registry_head; *link;) {
        entry *e = *link;
        if (lingering(e) && !lb_provider_usable(e->provider)) {
            *link = e->next;
            e->next = *dead;
            *dead = e;
            continue;
        }
        count += lingering(e);
        link = &e->next;
    }
    while (count-- > LB_REGISTRY_MAX_LINGERING) {
        entry **oldest = NULL;
        for (entry **link = &registry_head; *link; link = &(*link)->next)
            if (lingering(*link) &&
                (!oldest || (*link)->released_seq < (*oldest)->released_seq))
                oldest = link;
        entry *e = *oldest;
        *oldest = e->next;
        e->next = *dead;
        *dead = e;
    }
}

/* Outside the lock: stopping may wait for a mint in flight. */
static void free_entries(entry *e) {
    while (e) {
        entry *next = e->next;
        lb_provider_free(e->provider);
        free(e->key);
        free(e);
        e = next;
    }
}

static void unlink_locked(entry *gone) {
    for (entry **link = &registry_head; *link; link = &(*link)->next)
        if (*link == gone) {
            *link = gone->next;
            gone->next = NULL;
            return;
        }
}

/* The entry for `key`, waiting out a release in progress (lock held). */
static entry *find_settled_locked(const char *key) {
    for (;;) {
        entry *e = registry_head;
        while (e && strcmp(e->key, key) != 0)
            e = e->next;
        if (!e || !e->settling)
            return e;
        pthread_cond_wait(&registry_settled, &registry_mu);
    }
}

int lb_registry_acquire_with(const lb_resolved_config *rc,
                             const lb_provider_deps *deps, lb_provider **out,
                             lakebase_error **err) {
    char *key = make_key(rc);
    if (!key)
        return lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    entry *dead = NULL;
    int code = 0;
    pthread_mutex_lock(&registry_mu);
    entry *e = find_settled_locked(key);
    if (e && e->refs == 0 && !lb_provider_resume(e->provider)) {
        unlink_locked(e);
        e->next = dead;
        dead = e;
        e = NULL;
    }
    if (e) {
        e->refs++;
        free(key);
    } else if (!(e = calloc(1, sizeof *e))) {
        free(key);
        code = lb_err(err, LAKEBASE_ENOMEM, "out of memory");
    } else if ((code = lb_provider_new(&e->provider, rc, deps, err)) != 0) {
        free(e);
        free(key);
        e = NULL;
    } else {
        e->key = key;
        e->refs = 1;
        e->next = registry_head;
        registry_head = e;
    }
    if (e)
        *out = e->provider;
    collect_dead_locked(&dead);
    pthread_mutex_unlock(&registry_mu);
    free_entries(dead);
    return code;
}

int lb_registry_acquire(const lb_resolved_config *rc, lb_provider **out,
                        lakebase_error **err) {
    return lb_registry_acquire_with(rc, NULL, out, err);
}

void lb_registry_release(lb_provider *p) {
    if (!p)
        return;
    entry *e = NULL, *dead = NULL;
    pthread_mutex_lock(&registry_mu);
    for (e = registry_head; e && e->provider != p; e = e->next)
        ;
    if (!e || --e->refs > 0) {
        pthread_mutex_unlock(&registry_mu);
        return;
    }
    e->settling = 1;
    pthread_mutex_unlock(&registry_mu);

    /* Outside the lock: pausing may wait for a refresh in flight. */
    int keep = lb_provider_pause(p);

    pthread_mutex_lock(&registry_mu);
    e->settling = 0;
    e->released_seq = ++release_counter;
    if (!keep) {
        unlink_locked(e);
        dead = e;
    }
    collect_dead_locked(&dead);
    pthread_cond_broadcast(&registry_settled);
    pthread_mutex_unlock(&registry_mu);
    free_entries(dead);
}

/* Lingering tokens are zeroed at exit rather than freed with their
 * providers: by then OpenSSL and libcurl may have cleaned up already. */
__attribute__((destructor)) static void registry_at_exit(void) {
    if (pthread_mutex_trylock(&registry_mu) != 0)
        return;
    for (entry *e = registry_head; e; e = e->next)
        if (lingering(e))
            lb_provider_invalidate(e->provider, NULL);
    pthread_mutex_unlock(&registry_mu);
}
