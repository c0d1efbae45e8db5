/* The library's callbacks into Java: the logger, the span listener and the
 * workspace token source. Their userdata is a hooks id of io.lakebase.Callbacks
 * (never a pointer or a global reference), so a call through a stale id is
 * dropped on the Java side. They run on caller threads or on library threads,
 * which are attached to the JVM once; every local reference they make is
 * released with their local frame, and no Java exception ever crosses back into
 * C. */
#include <string.h>

#include "lbj.h"

void lbj_log_trampoline(void *userdata, int level, const char *message) {
    JNIEnv *env = lbj_env();
    if (!env || (*env)->PushLocalFrame(env, 4) != 0) {
        if (env)
            (*env)->ExceptionClear(env);
        return;
    }
    jstring msg = lbj_string(env, message);
    if (msg)
        (*env)->CallStaticVoidMethod(env, lbj.callbacks, lbj.callbacks_log,
                                     (jlong)(intptr_t)userdata, level, msg);
    (*env)->ExceptionClear(env);
    (*env)->PopLocalFrame(env, NULL);
}

/* The attributes of a span as String[] keys and Object[] values (a Long
 * where the core reports an integer, else a String). Returns 0, or -1 when
 * they cannot be made (the span is then dropped). */
static int span_attributes(JNIEnv *env, const lakebase_span *sp,
                           jobjectArray *keys, jobjectArray *values) {
    jsize n = (jsize)sp->attribute_count;
    *keys = (*env)->NewObjectArray(env, n, lbj.string, NULL);
    *values = *keys ? (*env)->NewObjectArray(env, n, lbj.object, NULL) : NULL;
    if (!*values)
        return -1;
    for (jsize i = 0; i < n; i++) {
        jstring key = lbj_string(env, sp->attribute_keys[i]);
        if (!key)
            return -1;
        jobject value;
        if (sp->attribute_is_int[i])
            value = (*env)->CallStaticObjectMethod(
                env, lbj.long_class, lbj.long_value_of,
                (jlong)sp->attribute_ints[i]);
        else
            value = lbj_string(env, sp->attribute_values[i]);
        if (!value || (*env)->ExceptionCheck(env))
            return -1;
        (*env)->SetObjectArrayElement(env, *keys, i, key);
        (*env)->SetObjectArrayElement(env, *values, i, value);
        (*env)->DeleteLocalRef(env, key);
        (*env)->DeleteLocalRef(env, value);
    }
    return 0;
}

void lbj_span_trampoline(void *userdata, const lakebase_span *sp) {
    JNIEnv *env = lbj_env();
    if (!env || (*env)->PushLocalFrame(env, 16) != 0) {
        if (env)
            (*env)->ExceptionClear(env);
        return;
    }
    jobjectArray keys = NULL, values = NULL;
    jstring name = lbj_string(env, sp->name);
    jstring error_name = NULL, error_message = NULL;
    if (name && sp->error_code != 0) {
        error_name = lbj_string(env, lakebase_error_name(sp->error_code));
        error_message = lbj_string(env, sp->error_message);
    }
    if (name && !(*env)->ExceptionCheck(env) &&
        span_attributes(env, sp, &keys, &values) == 0)
        (*env)->CallStaticVoidMethod(
            env, lbj.callbacks, lbj.callbacks_span, (jlong)(intptr_t)userdata,
            name, (jlong)sp->start_unix_nanos, (jlong)sp->end_unix_nanos,
            (jint)sp->error_code, error_name, error_message, keys, values);
    (*env)->ExceptionClear(env);
    (*env)->PopLocalFrame(env, NULL);
}

/* Overwrites a Java byte[] that held a token. */
static void zero_java_bytes(JNIEnv *env, jbyteArray arr, jsize len) {
    static const jbyte zeros[512];
    const jsize chunk = (jsize)sizeof zeros;
    for (jsize at = 0; at < len; at += chunk) {
        jsize n = len - at < chunk ? len - at : chunk;
        (*env)->SetByteArrayRegion(env, arr, at, n, zeros);
    }
}

int lbj_token_trampoline(void *userdata, char *buf, size_t cap,
                         int64_t *expires_at_unix_ms) {
    JNIEnv *env = lbj_env();
    if (!env || cap == 0 || cap > 0x7fffffff)
        return -1;
    if ((*env)->PushLocalFrame(env, 4) != 0) {
        (*env)->ExceptionClear(env);
        return -1;
    }
    int rc = -1;
    jsize len = (jsize)cap;
    jbyteArray arr = (*env)->NewByteArray(env, len);
    if (arr) {
        /* Java writes the UTF-8 token and a NUL into arr and answers its
         * expiry (0 when unknown) or -1 when the source failed; the cause
         * stays on the Java side. */
        jlong expiry = (*env)->CallStaticLongMethod(
            env, lbj.callbacks, lbj.callbacks_token, (jlong)(intptr_t)userdata,
            arr);
        if (!(*env)->ExceptionCheck(env) && expiry >= 0) {
            (*env)->GetByteArrayRegion(env, arr, 0, len, (jbyte *)buf);
            buf[cap - 1] = '\0';
            *expires_at_unix_ms = expiry;
            rc = 0;
        }
        (*env)->ExceptionClear(env);
        zero_java_bytes(env, arr, len);
    }
    (*env)->ExceptionClear(env);
    (*env)->PopLocalFrame(env, NULL);
    return rc;
}
