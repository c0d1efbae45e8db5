/* io.lakebase.NativeApi: pools, leased and direct connections, statements.
 * SQL and parameters arrive as UTF-8 byte[] (a null parameter is SQL NULL);
 * results leave as io.lakebase.LakebaseResult. */
#include <stdlib.h>
#include <string.h>

#include "lbj.h"

#define NATIVE(name) Java_io_lakebase_NativeApi_##name

/* Text parameters copied out of a byte[][]: one buffer for all values. */
typedef struct params {
    int n;
    const char **values;
    char *text;
    const char *stack_values[16];
    char stack_text[512];
} params;

static void params_free(params *p) {
    if (p->values != p->stack_values)
        free((void *)p->values);
    if (p->text != p->stack_text)
        free(p->text);
}

/* Returns 0, or -1 with an exception pending. */
static int params_get(JNIEnv *env, jobjectArray arr, params *p) {
    memset(p, 0, sizeof *p);
    p->values = p->stack_values;
    p->text = p->stack_text;
    if (!arr)
        return 0;
    p->n = (*env)->GetArrayLength(env, arr);
    size_t total = 0;
    for (int i = 0; i < p->n; i++) {
        jbyteArray v = (*env)->GetObjectArrayElement(env, arr, i);
        if (v) {
            total += (size_t)(*env)->GetArrayLength(env, v) + 1;
            (*env)->DeleteLocalRef(env, v);
        }
    }
    if (p->n > 16)
        p->values = malloc((size_t)p->n * sizeof *p->values);
    if (total > sizeof p->stack_text)
        p->text = malloc(total);
    if (!p->values || !p->text) {
        params_free(p);
        lbj_throw_oom(env, "statement parameters");
        return -1;
    }
    size_t at = 0;
    for (int i = 0; i < p->n; i++) {
        jbyteArray v = (*env)->GetObjectArrayElement(env, arr, i);
        if (!v) {
            p->values[i] = NULL;
            continue;
        }
        jsize len = (*env)->GetArrayLength(env, v);
        (*env)->GetByteArrayRegion(env, v, 0, len, (jbyte *)p->text + at);
        (*env)->DeleteLocalRef(env, v);
        p->text[at + (size_t)len] = '\0';
        p->values[i] = p->text + at;
        at += (size_t)len + 1;
    }
    return 0;
}

typedef int (*run_fn)(void *handle, const char *sql, int nparams,
                      const char *const *values, lakebase_result **out,
                      lakebase_error **err);

static int run_pool(void *h, const char *sql, int n, const char *const *v,
                    lakebase_result **out, lakebase_error **err) {
    return lakebase_pool_query(h, sql, n, v, out, err);
}

static int run_conn(void *h, const char *sql, int n, const char *const *v,
                    lakebase_result **out, lakebase_error **err) {
    return lakebase_conn_query(h, sql, n, v, out, err);
}

static jobject run(JNIEnv *env, run_fn fn, void *handle, jbyteArray sql,
                   jobjectArray values, jboolean as_text) {
    lbj_bytes s;
    params p;
    if (!lbj_bytes_get(env, sql, &s))
        return NULL;
    if (params_get(env, values, &p) != 0) {
        lbj_bytes_free(&s);
        return NULL;
    }
    lakebase_result *res = NULL;
    lakebase_error *err = NULL;
    int rc = fn(handle, s.s, p.n, p.values, &res, &err);
    params_free(&p);
    lbj_bytes_free(&s);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return NULL;
    }
    return lbj_result_to_java(env, res, as_text);
}

JNIEXPORT jlong JNICALL NATIVE(poolNew)(JNIEnv *env, jclass cls, jlong cfg) {
    (void)cls;
    lakebase_pool *pool = NULL;
    lakebase_error *err = NULL;
    int rc = lakebase_pool_new(&pool, LBJ_PTR(lakebase_config, cfg), &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return 0;
    }
    return LBJ_HANDLE(pool);
}

JNIEXPORT void JNICALL NATIVE(poolOpen)(JNIEnv *env, jclass cls, jlong pool,
                                        jboolean wait) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc = lakebase_pool_open(LBJ_PTR(lakebase_pool, pool), wait, &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT jlong JNICALL NATIVE(poolAcquire)(JNIEnv *env, jclass cls, jlong pool,
                                            jlong timeout_ms) {
    (void)cls;
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    int rc = lakebase_pool_acquire_timeout(LBJ_PTR(lakebase_pool, pool),
                                           (long)timeout_ms, &conn, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return 0;
    }
    return LBJ_HANDLE(conn);
}

JNIEXPORT jobject JNICALL NATIVE(poolQuery)(JNIEnv *env, jclass cls, jlong pool,
                                            jbyteArray sql, jobjectArray values,
                                            jboolean as_text) {
    (void)cls;
    return run(env, run_pool, LBJ_PTR(void, pool), sql, values, as_text);
}

JNIEXPORT void JNICALL NATIVE(poolClose)(JNIEnv *env, jclass cls, jlong pool,
                                         jboolean cancel_inflight) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc = lakebase_pool_close(LBJ_PTR(lakebase_pool, pool), cancel_inflight,
                                 &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(poolFree)(JNIEnv *env, jclass cls, jlong pool) {
    (void)env;
    (void)cls;
    lakebase_pool_free(LBJ_PTR(lakebase_pool, pool));
}

void lbj_pool_stats_fill(const lakebase_pool_stats *st, jlong *v) {
    v[0] = st->total;
    v[1] = st->idle;
    v[2] = st->in_use;
    v[3] = st->connecting;
    v[4] = st->waiting;
    v[5] = (jlong)st->connects_ok;
    v[6] = (jlong)st->connects_failed;
    v[7] = (jlong)st->recycled;
    v[8] = (jlong)st->discarded;
    v[9] = (jlong)st->trimmed;
    v[10] = (jlong)st->acquires;
    v[11] = (jlong)st->acquire_timeouts;
    for (int i = 0; i < 7; i++)
        v[12 + i] = (jlong)st->wait_histogram[i];
}

JNIEXPORT void JNICALL NATIVE(poolStats)(JNIEnv *env, jclass cls, jlong pool,
                                         jlongArray out) {
    (void)cls;
    lakebase_pool_stats st = LAKEBASE_POOL_STATS_INIT;
    lakebase_error *err = NULL;
    int rc = lakebase_pool_get_stats(LBJ_PTR(lakebase_pool, pool), &st, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return;
    }
    jlong v[LBJ_POOL_STATS_LENGTH];
    lbj_pool_stats_fill(&st, v);
    (*env)->SetLongArrayRegion(env, out, 0, LBJ_POOL_STATS_LENGTH, v);
}

JNIEXPORT jstring JNICALL NATIVE(poolCredentialStats)(JNIEnv *env, jclass cls,
                                                      jlong pool,
                                                      jlongArray out) {
    (void)cls;
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_error *err = NULL;
    int rc =
        lakebase_pool_credential_stats(LBJ_PTR(lakebase_pool, pool), &st, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return NULL;
    }
    return lbj_credential_stats_out(env, &st, out);
}

JNIEXPORT jlong JNICALL NATIVE(connect)(JNIEnv *env, jclass cls, jlong cfg) {
    (void)cls;
    lakebase_conn *conn = NULL;
    lakebase_error *err = NULL;
    int rc = lakebase_connect(&conn, LBJ_PTR(lakebase_config, cfg), &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return 0;
    }
    return LBJ_HANDLE(conn);
}

JNIEXPORT jobject JNICALL NATIVE(connQuery)(JNIEnv *env, jclass cls, jlong conn,
                                            jbyteArray sql, jobjectArray values,
                                            jboolean as_text) {
    (void)cls;
    return run(env, run_conn, LBJ_PTR(void, conn), sql, values, as_text);
}

JNIEXPORT void JNICALL NATIVE(connCancel)(JNIEnv *env, jclass cls, jlong conn) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc = lakebase_conn_cancel(LBJ_PTR(lakebase_conn, conn), &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(connRelease)(JNIEnv *env, jclass cls,
                                           jlong conn) {
    (void)env;
    (void)cls;
    lakebase_conn_release(LBJ_PTR(lakebase_conn, conn));
}
