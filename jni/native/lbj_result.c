/* A statement's result as an io.lakebase.LakebaseResult. The cells cross
 * into Java as one byte[] (LakebaseResult.fromNative decodes it), not as a
 * JNI call per cell: each cell is a tag byte and its value in the
 * platform's byte order, typed here with the core's getters by column type
 * (int2/int4 -> int, int8/oid -> long, float4/float8 -> double, bool,
 * bytea -> bytes, timestamptz -> long microseconds, anything else -> the
 * server's text as UTF-8), or with as_text every cell as text. A value the
 * typed getter refuses (a timestamp of 'infinity', say) goes as its text.
 * The tags are LakebaseResult's CELL_* constants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lbj.h"

enum {
    CELL_NULL = 0,
    CELL_TEXT = 1,
    CELL_INT = 2,
    CELL_LONG = 3,
    CELL_DOUBLE = 4,
    CELL_BOOL = 5,
    CELL_BYTES = 6,
    CELL_TIMESTAMP_US = 7
};

static int kind_of(uint32_t oid) {
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

/* The cells being packed; `failed` once it could not grow (the size a
 * Java array can hold is the limit). */
typedef struct packer {
    unsigned char *buf;
    size_t len, cap;
    int failed;
} packer;

static unsigned char *room(packer *pk, size_t n) {
    if (pk->failed)
        return NULL;
    if (n > (size_t)INT32_MAX - pk->len) {
        pk->failed = 1;
        return NULL;
    }
    if (pk->len + n > pk->cap) {
        size_t cap = pk->cap ? pk->cap : 256;
        while (cap < pk->len + n)
            cap = cap > (size_t)INT32_MAX / 2 ? (size_t)INT32_MAX : cap * 2;
        unsigned char *grown = realloc(pk->buf, cap);
        if (!grown) {
            pk->failed = 1;
            return NULL;
        }
        pk->buf = grown;
        pk->cap = cap;
    }
    unsigned char *at = pk->buf + pk->len;
    pk->len += n;
    return at;
}

/* A tag and `n` bytes of value. */
static void put(packer *pk, int tag, const void *value, size_t n) {
    unsigned char *at = room(pk, 1 + n);
    if (!at)
        return;
    at[0] = (unsigned char)tag;
    if (n)
        memcpy(at + 1, value, n);
}

/* A tag, a 32-bit length and the bytes. */
static void put_bytes(packer *pk, int tag, const void *bytes, size_t n) {
    if (n > INT32_MAX) {
        pk->failed = 1;
        return;
    }
    int32_t len = (int32_t)n;
    unsigned char *at = room(pk, 1 + sizeof len + n);
    if (!at)
        return;
    at[0] = (unsigned char)tag;
    memcpy(at + 1, &len, sizeof len);
    if (n)
        memcpy(at + 1 + sizeof len, bytes, n);
}

static void put_text(packer *pk, const lakebase_result *res, int r, int c) {
    size_t len = 0;
    const char *s = lakebase_result_text(res, r, c, &len);
    put_bytes(pk, CELL_TEXT, s, len);
}

/* One non-NULL cell. */
static void put_cell(packer *pk, const lakebase_result *res, int r, int c,
                     int kind) {
    int64_t i64;
    double d;
    int b;
    switch (kind) {
    case CELL_INT:
        if (lakebase_result_int64(res, r, c, &i64) == 0) {
            int32_t i32 = (int32_t)i64;
            put(pk, CELL_INT, &i32, sizeof i32);
            return;
        }
        break;
    case CELL_LONG:
        if (lakebase_result_int64(res, r, c, &i64) == 0) {
            put(pk, CELL_LONG, &i64, sizeof i64);
            return;
        }
        break;
    case CELL_TIMESTAMP_US:
        if (lakebase_result_timestamp_us(res, r, c, &i64) == 0) {
            put(pk, CELL_TIMESTAMP_US, &i64, sizeof i64);
            return;
        }
        break;
    case CELL_DOUBLE:
        if (lakebase_result_double(res, r, c, &d) == 0) {
            put(pk, CELL_DOUBLE, &d, sizeof d);
            return;
        }
        break;
    case CELL_BOOL:
        if (lakebase_result_bool(res, r, c, &b) == 0) {
            unsigned char v = b != 0;
            put(pk, CELL_BOOL, &v, 1);
            return;
        }
        break;
    case CELL_BYTES: {
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (lakebase_result_bytea(res, r, c, &bytes, &len) != 0)
            break;
        put_bytes(pk, CELL_BYTES, bytes, len);
        lakebase_free(bytes);
        return;
    }
    }
    put_text(pk, res, r, c);
}

static void pack_cells(packer *pk, const lakebase_result *res, int rows,
                       int cols, const int *kinds) {
    for (int r = 0; r < rows && !pk->failed; r++)
        for (int c = 0; c < cols; c++) {
            if (lakebase_result_is_null(res, r, c))
                put(pk, CELL_NULL, NULL, 0);
            else
                put_cell(pk, res, r, c, kinds[c]);
        }
}

static jobject build(JNIEnv *env, const lakebase_result *res, int as_text) {
    int rows = lakebase_result_rows(res);
    int cols = lakebase_result_columns(res);
    jobjectArray names = (*env)->NewObjectArray(env, cols, lbj.string, NULL);
    jintArray types = (*env)->NewIntArray(env, cols);
    int *kinds = malloc(((size_t)cols + 1) * sizeof *kinds);
    jint *oids = malloc(((size_t)cols + 1) * sizeof *oids);
    packer pk = {0};
    jobject out = NULL;
    if (!names || !types || !kinds || !oids) {
        lbj_throw_oom(env, "a result");
        goto done;
    }
    for (int c = 0; c < cols; c++) {
        uint32_t oid = lakebase_result_column_type(res, c);
        oids[c] = (jint)oid;
        kinds[c] = as_text ? CELL_TEXT : kind_of(oid);
        jstring name = lbj_string(env, lakebase_result_column_name(res, c));
        if (!name)
            goto done;
        (*env)->SetObjectArrayElement(env, names, c, name);
        (*env)->DeleteLocalRef(env, name);
    }
    (*env)->SetIntArrayRegion(env, types, 0, cols, oids);
    pack_cells(&pk, res, rows, cols, kinds);
    jbyteArray cells =
        pk.failed ? NULL : (*env)->NewByteArray(env, (jsize)pk.len);
    if (!cells) {
        lbj_throw_oom(env, "a result's cells");
        goto done;
    }
    (*env)->SetByteArrayRegion(env, cells, 0, (jsize)pk.len,
                               (const jbyte *)pk.buf);
    jstring command = lbj_string(env, lakebase_result_command(res));
    if (!(*env)->ExceptionCheck(env))
        out = (*env)->CallStaticObjectMethod(
            env, lbj.result, lbj.result_from_native, command,
            (jlong)lakebase_result_rows_affected(res), names, types, cells,
            (jint)rows);
done:
    free(pk.buf);
    free(kinds);
    free(oids);
    return out;
}

jobject lbj_result_to_java(JNIEnv *env, lakebase_result *res, int as_text) {
    jobject out = build(env, res, as_text);
    lakebase_result_free(res);
    return out;
}
