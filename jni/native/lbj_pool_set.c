/* io.lakebase.NativeApi: per-user pool sets. The identity's key and its
 * forwarded workspace token arrive as UTF-8 byte[]; the glue's copy of the
 * token is zeroed as soon as the core has copied it. */
#include "lbj.h"

#define NATIVE(name) Java_io_lakebase_NativeApi_##name

JNIEXPORT jlong JNICALL NATIVE(poolSetNew)(JNIEnv *env, jclass cls, jlong cfg,
                                           jint max_pools,
                                           jint idle_evict_seconds) {
    (void)cls;
    lakebase_user_pools *set = NULL;
    lakebase_error *err = NULL;
    int rc = lakebase_user_pools_new(&set, LBJ_PTR(lakebase_config, cfg),
                                     max_pools, idle_evict_seconds, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return 0;
    }
    return LBJ_HANDLE(set);
}

JNIEXPORT jlong JNICALL NATIVE(poolSetAcquire)(JNIEnv *env, jclass cls,
                                               jlong set, jbyteArray key,
                                               jbyteArray token,
                                               jlong timeout_ms) {
    (void)cls;
    lbj_bytes k, t;
    if (!lbj_bytes_get(env, key, &k))
        return 0;
    lbj_bytes_get(env, token, &t);
    jlong out = 0;
    if (!(*env)->ExceptionCheck(env)) {
        lakebase_conn *conn = NULL;
        lakebase_error *err = NULL;
        int rc =
            lakebase_user_pools_acquire(LBJ_PTR(lakebase_user_pools, set), k.s,
                                        t.s, (long)timeout_ms, &conn, &err);
        if (rc != 0)
            lbj_throw(env, rc, err);
        else
            out = LBJ_HANDLE(conn);
    }
    lbj_bytes_free(&t);
    lbj_bytes_free(&k);
    return out;
}

JNIEXPORT void JNICALL NATIVE(poolSetClose)(JNIEnv *env, jclass cls,
                                            jlong set) {
    (void)env;
    (void)cls;
    /* Cannot fail on a live handle, which the caller holds. */
    lakebase_user_pools_close(LBJ_PTR(lakebase_user_pools, set), NULL);
}

JNIEXPORT void JNICALL NATIVE(poolSetFree)(JNIEnv *env, jclass cls, jlong set) {
    (void)env;
    (void)cls;
    lakebase_user_pools_free(LBJ_PTR(lakebase_user_pools, set));
}

/* Fills `out` with the set's own counters then its pools' summed (5 + 19
 * longs, in the order of io.lakebase.LakebasePoolSetStats), `credential`
 * with the providers' summed (as lbj_credential_stats_out), and returns the
 * last error message. */
JNIEXPORT jstring JNICALL NATIVE(poolSetStats)(JNIEnv *env, jclass cls,
                                               jlong set, jlongArray out,
                                               jlongArray credential) {
    (void)cls;
    lakebase_user_pools_stats st = LAKEBASE_USER_POOLS_STATS_INIT;
    lakebase_error *err = NULL;
    int rc = lakebase_user_pools_get_stats(LBJ_PTR(lakebase_user_pools, set),
                                           &st, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return NULL;
    }
    jlong v[5 + LBJ_POOL_STATS_LENGTH] = {
        st.pools, (jlong)st.pools_created, (jlong)st.evicted_idle,
        (jlong)st.evicted_full, (jlong)st.rejected};
    lbj_pool_stats_fill(&st.pool, v + 5);
    (*env)->SetLongArrayRegion(env, out, 0, 5 + LBJ_POOL_STATS_LENGTH, v);
    if ((*env)->ExceptionCheck(env))
        return NULL;
    return lbj_credential_stats_out(env, &st.credential, credential);
}
