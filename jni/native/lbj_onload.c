/* Loading and unloading: the JVM and the classes and members the glue calls
 * are resolved once here, and threads of the library that call into Java are
 * attached once and detached when they exit. Also the natives that describe
 * the library (version, error names, configuration keys). */
#include <pthread.h>
#include <string.h>

#include "lbj.h"

lbj_refs lbj;

static pthread_key_t detach_key;

/* Runs when an attached library thread exits. */
static void detach_thread(void *vm) {
    (*(JavaVM *)vm)->DetachCurrentThread((JavaVM *)vm);
}

JNIEnv *lbj_env(void) {
    JNIEnv *env = NULL;
    jint rc = (*lbj.vm)->GetEnv(lbj.vm, (void **)&env, LBJ_JNI_VERSION);
    if (rc == JNI_OK)
        return env;
    if (rc != JNI_EDETACHED)
        return NULL;
    JavaVMAttachArgs args = {LBJ_JNI_VERSION, "lakebase-native", NULL};
    if ((*lbj.vm)->AttachCurrentThreadAsDaemon(lbj.vm, (void **)&env, &args) !=
        JNI_OK)
        return NULL;
    pthread_setspecific(detach_key, lbj.vm);
    return env;
}

static jclass global_class(JNIEnv *env, const char *name) {
    jclass local = (*env)->FindClass(env, name);
    if (!local)
        return NULL;
    jclass global = (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    return global;
}

static void drop_refs(JNIEnv *env) {
    jclass *classes[] = {
        &lbj.exception_factory, &lbj.callbacks, &lbj.result, &lbj.credential,
        &lbj.metric_points,     &lbj.object,    &lbj.string, &lbj.byte_array,
        &lbj.long_class};
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (*classes[i])
            (*env)->DeleteGlobalRef(env, *classes[i]);
        *classes[i] = NULL;
    }
}

static int resolve_refs(JNIEnv *env) {
    if (!(lbj.exception_factory =
              global_class(env, "io/lakebase/LakebaseException")) ||
        !(lbj.callbacks = global_class(env, "io/lakebase/Callbacks")) ||
        !(lbj.result = global_class(env, "io/lakebase/LakebaseResult")) ||
        !(lbj.credential =
              global_class(env, "io/lakebase/LakebaseCredential")) ||
        !(lbj.metric_points = global_class(env, "io/lakebase/MetricPoints")) ||
        !(lbj.object = global_class(env, "java/lang/Object")) ||
        !(lbj.string = global_class(env, "java/lang/String")) ||
        !(lbj.byte_array = global_class(env, "[B")) ||
        !(lbj.long_class = global_class(env, "java/lang/Long")))
        return -1;
    lbj.exception_from_native = (*env)->GetStaticMethodID(
        env, lbj.exception_factory, "fromNative",
        "(ILjava/lang/String;Ljava/lang/String;ILjava/lang/String;"
        "Ljava/lang/String;)Lio/lakebase/LakebaseException;");
    lbj.callbacks_log = (*env)->GetStaticMethodID(env, lbj.callbacks, "log",
                                                  "(JILjava/lang/String;)V");
    lbj.callbacks_token =
        (*env)->GetStaticMethodID(env, lbj.callbacks, "token", "(J[B)J");
    lbj.callbacks_span = (*env)->GetStaticMethodID(
        env, lbj.callbacks, "span",
        "(JLjava/lang/String;JJILjava/lang/String;Ljava/lang/String;"
        "[Ljava/lang/String;[Ljava/lang/Object;)V");
    lbj.result_from_native = (*env)->GetStaticMethodID(
        env, lbj.result, "fromNative",
        "(Ljava/lang/String;J[Ljava/lang/String;[I[BI)"
        "Lio/lakebase/LakebaseResult;");
    lbj.credential_ctor = (*env)->GetMethodID(
        env, lbj.credential, "<init>",
        "([CJLjava/lang/String;Ljava/lang/String;ILjava/lang/String;"
        "Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;"
        "Ljava/lang/String;)V");
    lbj.metric_points_add = (*env)->GetStaticMethodID(
        env, lbj.metric_points, "add",
        "(Ljava/util/List;I[Ljava/lang/String;[Ljava/lang/String;DJDZ[D[J)V");
    lbj.long_value_of = (*env)->GetStaticMethodID(
        env, lbj.long_class, "valueOf", "(J)Ljava/lang/Long;");
    if (!lbj.exception_from_native || !lbj.callbacks_log ||
        !lbj.callbacks_token || !lbj.callbacks_span ||
        !lbj.result_from_native || !lbj.credential_ctor ||
        !lbj.metric_points_add || !lbj.long_value_of)
        return -1;
    return 0;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, LBJ_JNI_VERSION) != JNI_OK)
        return JNI_ERR;
    memset(&lbj, 0, sizeof lbj);
    lbj.vm = vm;
    if (resolve_refs(env) != 0) {
        /* The pending NoClassDefFoundError / NoSuchMethodError names what
         * does not match: a JAR and native library of different builds. */
        drop_refs(env);
        return JNI_ERR;
    }
    if (pthread_key_create(&detach_key, detach_thread) != 0) {
        drop_refs(env);
        return JNI_ERR;
    }
    return LBJ_JNI_VERSION;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, LBJ_JNI_VERSION) != JNI_OK)
        return;
    drop_refs(env);
    pthread_key_delete(detach_key);
}

JNIEXPORT jint JNICALL Java_io_lakebase_NativeApi_versionNumber(JNIEnv *env,
                                                                jclass cls) {
    (void)env;
    (void)cls;
    return lakebase_version_number();
}

JNIEXPORT jstring JNICALL Java_io_lakebase_NativeApi_version(JNIEnv *env,
                                                             jclass cls) {
    (void)cls;
    return lbj_string(env, lakebase_version());
}

JNIEXPORT jstring JNICALL Java_io_lakebase_NativeApi_errorName(JNIEnv *env,
                                                               jclass cls,
                                                               jint code) {
    (void)cls;
    return lbj_string(env, lakebase_error_name(code));
}

JNIEXPORT jobjectArray JNICALL
Java_io_lakebase_NativeApi_configKeys(JNIEnv *env, jclass cls) {
    (void)cls;
    size_t n = 0;
    while (lakebase_config_key_at(n, NULL, NULL, NULL) == 0)
        n++;
    jobjectArray out = (*env)->NewObjectArray(env, (jsize)n, lbj.string, NULL);
    for (size_t i = 0; out && i < n; i++) {
        const char *name = NULL;
        lakebase_config_key_at(i, &name, NULL, NULL);
        jstring s = lbj_string(env, name);
        if (!s)
            return NULL;
        (*env)->SetObjectArrayElement(env, out, (jsize)i, s);
        (*env)->DeleteLocalRef(env, s);
    }
    return out;
}
