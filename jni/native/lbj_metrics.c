/* io.lakebase.NativeApi: the core's metric and span tables, and the points
 * of a pool, a credential provider or a pool set. Each point the core
 * reports goes to io.lakebase.MetricPoints.add on the calling thread, in a
 * local frame of its own; the names and the mapping stay the core's. */
#include "lbj.h"

#define NATIVE(name) Java_io_lakebase_NativeApi_##name

/* A String[] of `n` C strings; NULL with an exception pending. */
static jobjectArray string_array(JNIEnv *env, size_t n,
                                 const char *const *strings) {
    jobjectArray out = (*env)->NewObjectArray(env, (jsize)n, lbj.string, NULL);
    for (size_t i = 0; out && i < n; i++) {
        jstring s = lbj_string(env, strings[i]);
        if (!s)
            return NULL;
        (*env)->SetObjectArrayElement(env, out, (jsize)i, s);
        (*env)->DeleteLocalRef(env, s);
    }
    return out;
}

/* {name, unit, description, attribute keys} of the metric at `index`, its
 * kind in kind[0]; null past the last metric. */
JNIEXPORT jobjectArray JNICALL NATIVE(metricAt)(JNIEnv *env, jclass cls,
                                                jint index, jintArray kind) {
    (void)cls;
    const char *s[4];
    int k = 0;
    if (index < 0 ||
        lakebase_metric_at((size_t)index, &s[0], &k, &s[1], &s[2], &s[3]) != 0)
        return NULL;
    jint kv = k;
    (*env)->SetIntArrayRegion(env, kind, 0, 1, &kv);
    if ((*env)->ExceptionCheck(env))
        return NULL;
    return string_array(env, 4, s);
}

/* {name, description, attribute keys} of the span at `index`; null past the
 * last span. */
JNIEXPORT jobjectArray JNICALL NATIVE(spanAt)(JNIEnv *env, jclass cls,
                                              jint index) {
    (void)cls;
    const char *s[3];
    if (index < 0 || lakebase_span_at((size_t)index, &s[0], &s[1], &s[2]) != 0)
        return NULL;
    return string_array(env, 3, s);
}

JNIEXPORT jstring JNICALL NATIVE(poolNameAttribute)(JNIEnv *env, jclass cls) {
    (void)cls;
    return lbj_string(env, LAKEBASE_ATTRIBUTE_POOL_NAME);
}

typedef struct point_sink {
    JNIEnv *env;
    jobject out; /* a java.util.List of io.lakebase.LakebaseMetricPoint */
    int failed;  /* a Java exception is pending: drop the rest */
} point_sink;

static void add_point(void *userdata, const lakebase_metric_point *p) {
    point_sink *sink = userdata;
    JNIEnv *env = sink->env;
    /* After a failure (out of memory), the rest is dropped: the exception
     * reaches the caller when the collect function returns. */
    if (sink->failed || (*env)->PushLocalFrame(env, 8) != 0) {
        sink->failed = 1;
        return;
    }
    jobjectArray keys =
        string_array(env, p->attribute_count, p->attribute_keys);
    jobjectArray values =
        keys ? string_array(env, p->attribute_count, p->attribute_values)
             : NULL;
    size_t nbounds = p->bucket_count > 0 ? p->bucket_count - 1 : 0;
    jdoubleArray bounds =
        values ? (*env)->NewDoubleArray(env, (jsize)nbounds) : NULL;
    jlongArray buckets =
        bounds ? (*env)->NewLongArray(env, (jsize)p->bucket_count) : NULL;
    if (buckets) {
        for (size_t i = 0; i < nbounds; i++) {
            jdouble b = p->bounds[i];
            (*env)->SetDoubleArrayRegion(env, bounds, (jsize)i, 1, &b);
        }
        for (size_t i = 0; i < p->bucket_count; i++) {
            jlong n = (jlong)p->bucket_counts[i];
            (*env)->SetLongArrayRegion(env, buckets, (jsize)i, 1, &n);
        }
        (*env)->CallStaticVoidMethod(
            env, lbj.metric_points, lbj.metric_points_add, sink->out,
            (jint)p->metric, keys, values, (jdouble)p->value, (jlong)p->count,
            (jdouble)p->sum, (jboolean)(p->has_sum != 0), bounds, buckets);
    }
    sink->failed = (*env)->ExceptionCheck(env);
    (*env)->PopLocalFrame(env, NULL);
}

JNIEXPORT void JNICALL NATIVE(poolMetrics)(JNIEnv *env, jclass cls, jlong pool,
                                           jbyteArray name, jobject out) {
    (void)cls;
    lbj_bytes n;
    lbj_bytes_get(env, name, &n);
    if ((*env)->ExceptionCheck(env))
        return;
    point_sink sink = {env, out, 0};
    lakebase_error *err = NULL;
    int rc = lakebase_pool_metrics(LBJ_PTR(lakebase_pool, pool), n.s, add_point,
                                   &sink, &err);
    lbj_bytes_free(&n);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(credentialsMetrics)(JNIEnv *env, jclass cls,
                                                  jlong creds, jobject out) {
    (void)cls;
    point_sink sink = {env, out, 0};
    lakebase_error *err = NULL;
    int rc = lakebase_credentials_metrics(LBJ_PTR(lakebase_credentials, creds),
                                          add_point, &sink, &err);
    if (rc != 0)
        lbj_throw(env, rc, err);
}

JNIEXPORT void JNICALL NATIVE(poolSetMetrics)(JNIEnv *env, jclass cls,
                                              jlong set, jbyteArray name,
                                              jobject out) {
    (void)cls;
    lbj_bytes n;
    lbj_bytes_get(env, name, &n);
    if ((*env)->ExceptionCheck(env))
        return;
    point_sink sink = {env, out, 0};
    lakebase_error *err = NULL;
    int rc = lakebase_user_pools_metrics(LBJ_PTR(lakebase_user_pools, set), n.s,
                                         add_point, &sink, &err);
    lbj_bytes_free(&n);
    if (rc != 0)
        lbj_throw(env, rc, err);
}
