/* A statement's result as an io.lakebase.LakebaseResult: column names, type
 * OIDs and every cell, converted by column type (int2/int4 -> Integer,
 * int8/oid -> Long, float4/float8 -> Double, bool -> Boolean, bytea ->
 * byte[], timestamptz -> Long microseconds that Java turns into an
 * OffsetDateTime, anything else -> the server's text as a String), or with
 * as_text every cell as the server's text. */
#include "lbj.h"

typedef enum cell_kind {
    CELL_TEXT,
    CELL_INT,
    CELL_LONG,
    CELL_DOUBLE,
    CELL_BOOL,
    CELL_BYTES,
    CELL_TIMESTAMP_US
} cell_kind;

static cell_kind kind_of(uint32_t oid) {
    switch (oid) {
    case LAKEBASE_TYPE_INT2:
    case LAKEBASE_TYPE_INT4: return CELL_INT;
    case LAKEBASE_TYPE_INT8:
    case LAKEBASE_TYPE_OID: return CELL_LONG;
    case LAKEBASE_TYPE_FLOAT4:
    case LAKEBASE_TYPE_FLOAT8: return CELL_DOUBLE;
    case LAKEBASE_TYPE_BOOL: return CELL_BOOL;
    case LAKEBASE_TYPE_BYTEA: return CELL_BYTES;
    case LAKEBASE_TYPE_TIMESTAMPTZ: return CELL_TIMESTAMP_US;
    default: return CELL_TEXT;
    }
}

static jobject text_cell(JNIEnv *env, const lakebase_result *res, int r,
                         int c) {
    size_t len = 0;
    const char *s = lakebase_result_text(res, r, c, &len);
    return lbj_string_n(env, s, len);
}

/* One non-NULL cell; a value the typed getter refuses (a timestamp of
 * 'infinity', say) comes back as its text. */
static jobject cell(JNIEnv *env, const lakebase_result *res, int r, int c,
                    cell_kind kind) {
    int64_t i64;
    double d;
    int b;
    switch (kind) {
    case CELL_INT:
        if (lakebase_result_int64(res, r, c, &i64) == 0)
            return (*env)->CallStaticObjectMethod(
                env, lbj.integer_class, lbj.integer_value_of, (jint)i64);
        break;
    case CELL_LONG:
        if (lakebase_result_int64(res, r, c, &i64) == 0)
            return (*env)->CallStaticObjectMethod(env, lbj.long_class,
                                                  lbj.long_value_of, i64);
        break;
    case CELL_TIMESTAMP_US:
        if (lakebase_result_timestamp_us(res, r, c, &i64) == 0)
            return (*env)->CallStaticObjectMethod(env, lbj.long_class,
                                                  lbj.long_value_of, i64);
        break;
    case CELL_DOUBLE:
        if (lakebase_result_double(res, r, c, &d) == 0)
            return (*env)->CallStaticObjectMethod(env, lbj.double_class,
                                                  lbj.double_value_of, d);
        break;
    case CELL_BOOL:
        if (lakebase_result_bool(res, r, c, &b) == 0)
            return (*env)->CallStaticObjectMethod(env, lbj.boolean_class,
                                                  lbj.boolean_value_of,
                                                  (jboolean)(b != 0));
        break;
    case CELL_BYTES: {
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (lakebase_result_bytea(res, r, c, &bytes, &len) != 0)
            break;
        jbyteArray out = (*env)->NewByteArray(env, (jsize)len);
        if (out)
            (*env)->SetByteArrayRegion(env, out, 0, (jsize)len,
                                       (const jbyte *)bytes);
        lakebase_free(bytes);
        return out;
    }
    case CELL_TEXT: break;
    }
    return text_cell(env, res, r, c);
}

static jobject build(JNIEnv *env, const lakebase_result *res, int as_text) {
    int rows = lakebase_result_rows(res);
    int cols = lakebase_result_columns(res);
    jobjectArray names = (*env)->NewObjectArray(env, cols, lbj.string, NULL);
    jintArray types = (*env)->NewIntArray(env, cols);
    jobjectArray cells = (*env)->NewObjectArray(
        env, (jsize)((int64_t)rows * cols), lbj.object, NULL);
    if (!names || !types || !cells)
        return NULL;
    cell_kind kinds[64];
    for (int c = 0; c < cols; c++) {
        uint32_t oid = lakebase_result_column_type(res, c);
        jint t = (jint)oid;
        (*env)->SetIntArrayRegion(env, types, c, 1, &t);
        if (c < 64)
            kinds[c] = as_text ? CELL_TEXT : kind_of(oid);
        jstring name = lbj_string(env, lakebase_result_column_name(res, c));
        if (!name)
            return NULL;
        (*env)->SetObjectArrayElement(env, names, c, name);
        (*env)->DeleteLocalRef(env, name);
    }
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            if (lakebase_result_is_null(res, r, c))
                continue;
            cell_kind kind = as_text ? CELL_TEXT
                             : c < 64
                                 ? kinds[c]
                                 : kind_of(lakebase_result_column_type(res, c));
            jobject v = cell(env, res, r, c, kind);
            if ((*env)->ExceptionCheck(env))
                return NULL;
            (*env)->SetObjectArrayElement(env, cells, (jsize)r * cols + c, v);
            (*env)->DeleteLocalRef(env, v);
        }
    }
    jstring command = lbj_string(env, lakebase_result_command(res));
    if ((*env)->ExceptionCheck(env))
        return NULL;
    return (*env)->NewObject(env, lbj.result, lbj.result_ctor, command,
                             (jlong)lakebase_result_rows_affected(res), names,
                             types, cells);
}

jobject lbj_result_to_java(JNIEnv *env, lakebase_result *res, int as_text) {
    jobject out = build(env, res, as_text);
    lakebase_result_free(res);
    return out;
}
