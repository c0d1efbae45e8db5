/* io.lakebase.NativeApi: credential providers. A credential leaves C as a
 * io.lakebase.LakebaseCredential whose token is a char[] (zeroed by its
 * close); the C credential is freed (and its token zeroed) at once. */
#include <stdlib.h>
#include <string.h>

#include "lbj.h"

#define NATIVE(name) Java_io_lakebase_NativeApi_##name

JNIEXPORT jlong JNICALL NATIVE(credentialsNew)(JNIEnv *env, jclass cls,
                                               jlong cfg) {
    (void)cls;
    lakebase_credentials *creds = NULL;
    lakebase_error *err = NULL;
    int rc =
        lakebase_credentials_new(&creds, LBJ_PTR(lakebase_config, cfg), &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return 0;
    }
    return LBJ_HANDLE(creds);
}

JNIEXPORT void JNICALL NATIVE(credentialsFree)(JNIEnv *env, jclass cls,
                                               jlong creds) {
    (void)env;
    (void)cls;
    lakebase_credentials_free(LBJ_PTR(lakebase_credentials, creds));
}

/* The token as a char[] (tokens are ASCII; each byte is one char). */
static jcharArray token_chars(JNIEnv *env, const char *token) {
    size_t len = strlen(token);
    jchar stack[2048];
    jchar *buf = len <= 2048 ? stack : malloc(len * sizeof(jchar));
    if (!buf) {
        lbj_throw_oom(env, "a credential");
        return NULL;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)token[i];
    jcharArray out = (*env)->NewCharArray(env, (jsize)len);
    if (out)
        (*env)->SetCharArrayRegion(env, out, 0, (jsize)len, buf);
    volatile jchar *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = 0;
    if (buf != stack)
        free(buf);
    return out;
}

JNIEXPORT jobject JNICALL NATIVE(credentialsGet)(JNIEnv *env, jclass cls,
                                                 jlong creds) {
    (void)cls;
    lakebase_credential *cred = NULL;
    lakebase_error *err = NULL;
    int rc = lakebase_credentials_get(LBJ_PTR(lakebase_credentials, creds),
                                      &cred, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return NULL;
    }
    jobject out = NULL;
    jcharArray token = token_chars(env, lakebase_credential_token(cred));
    jstring user = lbj_string(env, lakebase_credential_user(cred));
    jstring host = lbj_string(env, lakebase_credential_host(cred));
    jstring db = lbj_string(env, lakebase_credential_database(cred));
    jstring ssl = lbj_string(env, lakebase_credential_sslmode(cred));
    /* NULL (not configured) stays null. */
    jstring rootcert = lbj_string(env, lakebase_credential_sslrootcert(cred));
    jstring hostaddr = lbj_string(env, lakebase_credential_hostaddr(cred));
    jstring app = lbj_string(env, lakebase_credential_application_name(cred));
    if (!(*env)->ExceptionCheck(env))
        out =
            (*env)->NewObject(env, lbj.credential, lbj.credential_ctor, token,
                              (jlong)lakebase_credential_expire_time_ms(cred),
                              user, host, (jint)lakebase_credential_port(cred),
                              db, ssl, rootcert, hostaddr, app);
    lakebase_credential_free(cred);
    return out;
}

JNIEXPORT void JNICALL NATIVE(credentialsOpen)(JNIEnv *env, jclass cls,
                                               jlong creds) {
    (void)cls;
    lakebase_error *err = NULL;
    int rc =
        lakebase_credentials_open(LBJ_PTR(lakebase_credentials, creds), &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(credentialsInvalidate)(JNIEnv *env, jclass cls,
                                                     jlong creds,
                                                     jbyteArray token) {
    (void)cls;
    lbj_bytes t;
    lbj_bytes_get(env, token, &t);
    if ((*env)->ExceptionCheck(env))
        return;
    lakebase_error *err = NULL;
    int rc = lakebase_credentials_invalidate(
        LBJ_PTR(lakebase_credentials, creds), t.s, &err);
    lbj_bytes_free(&t);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

jstring lbj_credential_stats_out(JNIEnv *env,
                                 const lakebase_credential_stats *st,
                                 jlongArray out) {
    jlong v[8] = {(jlong)st->mints_ok,        (jlong)st->mints_failed,
                  st->last_mint_latency_us,   st->expire_time_unix_ms,
                  st->degraded_since_unix_ms, st->last_error_code,
                  st->last_error_http_status, st->next_refresh_unix_ms};
    (*env)->SetLongArrayRegion(env, out, 0, 8, v);
    if ((*env)->ExceptionCheck(env))
        return NULL;
    return lbj_string(env, st->last_error_message);
}

JNIEXPORT jstring JNICALL NATIVE(credentialsStats)(JNIEnv *env, jclass cls,
                                                   jlong creds,
                                                   jlongArray out) {
    (void)cls;
    lakebase_credential_stats st = LAKEBASE_CREDENTIAL_STATS_INIT;
    lakebase_error *err = NULL;
    int rc = lakebase_credentials_stats(LBJ_PTR(lakebase_credentials, creds),
                                        &st, &err);
    if (rc != 0) {
        lbj_throw(env, rc, err);
        return NULL;
    }
    return lbj_credential_stats_out(env, &st, out);
}
