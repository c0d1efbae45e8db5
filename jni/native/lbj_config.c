/* io.lakebase.NativeApi: configurations. A configuration lives only while
 * a handle is made from it; values arrive as UTF-8 byte[] and the copies are
 * zeroed (secrets are among them). */
#include "lbj.h"

#define NATIVE(name) Java_io_lakebase_NativeApi_##name

JNIEXPORT jlong JNICALL NATIVE(configNew)(JNIEnv *env, jclass cls) {
    (void)cls;
    lakebase_config *cfg = NULL;
    lakebase_error *err = NULL;
    int rc = lakebase_config_new(&cfg, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return 0;
    }
    return LBJ_HANDLE(cfg);
}

JNIEXPORT void JNICALL NATIVE(configSet)(JNIEnv *env, jclass cls, jlong cfg,
                                         jbyteArray key, jbyteArray value) {
    (void)cls;
    lbj_bytes k, v;
    if (!lbj_bytes_get(env, key, &k))
        return;
    lbj_bytes_get(env, value, &v);
    if (!(*env)->ExceptionCheck(env)) {
        lakebase_error *err = NULL;
        int rc =
            lakebase_config_set(LBJ_PTR(lakebase_config, cfg), k.s, v.s, &err);
        if (rc != 0)
            lbj_throw(env, rc, err);
    }
    lbj_bytes_free(&v);
    lbj_bytes_free(&k);
}

JNIEXPORT void JNICALL NATIVE(configSetDsn)(JNIEnv *env, jclass cls, jlong cfg,
                                            jbyteArray dsn) {
    (void)cls;
    lbj_bytes d;
    if (!lbj_bytes_get(env, dsn, &d))
        return;
    lakebase_error *err = NULL;
    int rc = lakebase_config_set_dsn(LBJ_PTR(lakebase_config, cfg), d.s, &err);
    lbj_bytes_free(&d);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(configSetTokenSource)(JNIEnv *env, jclass cls,
                                                    jlong cfg, jlong hooks) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc = lakebase_config_set_token_source(LBJ_PTR(lakebase_config, cfg),
                                              lbj_token_trampoline,
                                              (void *)(intptr_t)hooks, &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(configSetLogger)(JNIEnv *env, jclass cls,
                                               jlong cfg, jlong hooks,
                                               jint max_level) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc = lakebase_config_set_logger(
        LBJ_PTR(lakebase_config, cfg), lbj_log_trampoline,
        (void *)(intptr_t)hooks, max_level, &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(configSetSpanListener)(JNIEnv *env, jclass cls,
                                                     jlong cfg, jlong hooks) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc = lakebase_config_set_span_listener(LBJ_PTR(lakebase_config, cfg),
                                               lbj_span_trampoline,
                                               (void *)(intptr_t)hooks, &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(configFree)(JNIEnv *env, jclass cls, jlong cfg) {
    (void)env;
    (void)cls;
    lakebase_config_free(LBJ_PTR(lakebase_config, cfg));
}
