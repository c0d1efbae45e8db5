/* Shared declarations of the JNI glue: the references cached at load time,
 * string and byte[] conversions, exceptions, and the callback trampolines.
 * The glue converts types and errors; it keeps no policy of its own. */
#ifndef LBJ_H
#define LBJ_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

#include "lakebase.h"

#define LBJ_JNI_VERSION JNI_VERSION_1_8

/* Classes and members resolved once in JNI_OnLoad (global references,
 * freed in JNI_OnUnload). */
typedef struct lbj_refs {
    JavaVM *vm;
    jclass exception_factory; /* io.lakebase.LakebaseException */
    jmethodID exception_from_native;
    jclass callbacks; /* io.lakebase.Callbacks */
    jmethodID callbacks_log;
    jmethodID callbacks_token;
    jmethodID callbacks_span;
    jclass result; /* io.lakebase.LakebaseResult */
    jmethodID result_from_native;
    jclass credential; /* io.lakebase.LakebaseCredential */
    jmethodID credential_ctor;
    jclass metric_points; /* io.lakebase.MetricPoints */
    jmethodID metric_points_add;
    jclass object, string, byte_array;
    jclass long_class;
    jmethodID long_value_of;
} lbj_refs;

extern lbj_refs lbj;

/* The JNIEnv of the calling thread, attaching a library thread to the JVM
 * (as a daemon, once: it is detached when the thread exits). NULL when the
 * JVM cannot take it. */
JNIEnv *lbj_env(void);

/* A Java String from UTF-8 (invalid sequences become U+FFFD); NULL for a
 * NULL input or with an exception pending. */
jstring lbj_string(JNIEnv *env, const char *utf8);
jstring lbj_string_n(JNIEnv *env, const char *utf8, size_t len);

/* A NUL-terminated copy of a byte[] (UTF-8 from Java), in `stack` when it
 * fits, else on the heap. Returns NULL with an exception pending on failure.
 * Release with lbj_bytes_free, which zeroes the copy (it may be a secret). */
typedef struct lbj_bytes {
    char *s;
    size_t len;
    char stack[256];
} lbj_bytes;
const char *lbj_bytes_get(JNIEnv *env, jbyteArray arr, lbj_bytes *b);
void lbj_bytes_free(lbj_bytes *b);

/* Throws the io.lakebase.LakebaseException for a failed call (`code` is the
 * function's return value, `err` its error object, freed here). */
void lbj_throw(JNIEnv *env, int code, lakebase_error *err);
/* Throws java.lang.OutOfMemoryError (or keeps a pending exception). */
void lbj_throw_oom(JNIEnv *env, const char *what);

/* Converts a result (freed here) into an io.lakebase.LakebaseResult: cells
 * typed by column, or with as_text all as the server's text. */
jobject lbj_result_to_java(JNIEnv *env, lakebase_result *res, int as_text);

/* The numbers of a lakebase_pool_stats in the order of
 * io.lakebase.LakebasePoolStats. */
#define LBJ_POOL_STATS_LENGTH 19
void lbj_pool_stats_fill(const lakebase_pool_stats *st, jlong *v);

/* Writes the numbers of `st` into `out` (8 longs, in the order of
 * io.lakebase.LakebaseCredentialStats) and returns its message. */
jstring lbj_credential_stats_out(JNIEnv *env,
                                 const lakebase_credential_stats *st,
                                 jlongArray out);

/* Callback trampolines; userdata is a hooks id of io.lakebase.Callbacks. */
void lbj_log_trampoline(void *userdata, int level, const char *message);
int lbj_token_trampoline(void *userdata, char *buf, size_t cap,
                         int64_t *expires_at_unix_ms);
void lbj_span_trampoline(void *userdata, const lakebase_span *span);

/* Handles travel to Java as jlong. */
#define LBJ_PTR(type, handle) ((type *)(intptr_t)(handle))
#define LBJ_HANDLE(ptr)       ((jlong)(intptr_t)(ptr))

#endif
