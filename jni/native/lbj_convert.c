/* Strings, byte arrays and exceptions across JNI. Strings leave C as UTF-16
 * decoded here (JNI's NewStringUTF takes "modified" UTF-8, which is wrong
 * for characters outside the BMP); strings enter C as UTF-8 byte[] encoded
 * by Java, copied and zeroed after use. */
#include <stdlib.h>
#include <string.h>

#include "lbj.h"

static int is_plain_ascii(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] - 1u >= 0x7fu) /* NUL or >= 0x80 */
            return 0;
    return 1;
}

/* Decodes one UTF-8 sequence at s[*i] (len bytes in all), advancing *i.
 * Returns the code point, or U+FFFD for an invalid sequence. */
static uint32_t next_code_point(const unsigned char *s, size_t len, size_t *i) {
    unsigned char c = s[*i];
    size_t need;
    uint32_t cp, min;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if ((c & 0xe0) == 0xc0) {
        need = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        need = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        (*i)++;
        return 0xfffd;
    }
    if (*i + need >= len) {
        (*i)++;
        return 0xfffd;
    }
    for (size_t k = 1; k <= need; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            (*i)++;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    }
    *i += need + 1;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    return cp;
}

jstring lbj_string_n(JNIEnv *env, const char *utf8, size_t len) {
    if (!utf8)
        return NULL;
    if (is_plain_ascii(utf8, len) && utf8[len] == '\0')
        return (*env)->NewStringUTF(env, utf8);
    /* Every byte gives at most one UTF-16 unit (4 bytes give 2). */
    jchar stack[256] = {0};
    jchar *buf = len <= 256 ? stack : malloc(len * sizeof(jchar));
    if (!buf) {
        lbj_throw_oom(env, "a string");
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)utf8;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = next_code_point(s, len, &i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            buf[n++] = (jchar)(0xd800 + (cp >> 10));
            buf[n++] = (jchar)(0xdc00 + (cp & 0x3ff));
        } else {
            buf[n++] = (jchar)cp;
        }
    }
    jstring out = (*env)->NewString(env, buf, (jsize)n);
    if (buf != stack)
        free(buf);
    return out;
}

jstring lbj_string(JNIEnv *env, const char *utf8) {
    return utf8 ? lbj_string_n(env, utf8, strlen(utf8)) : NULL;
}

const char *lbj_bytes_get(JNIEnv *env, jbyteArray arr, lbj_bytes *b) {
    b->s = NULL;
    b->len = 0;
    if (!arr)
        return NULL;
    jsize len = (*env)->GetArrayLength(env, arr);
    b->s = (size_t)len < sizeof b->stack ? b->stack : malloc((size_t)len + 1);
    if (!b->s) {
        lbj_throw_oom(env, "a string argument");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, arr, 0, len, (jbyte *)b->s);
    b->s[len] = '\0';
    b->len = (size_t)len;
    return b->s;
}

void lbj_bytes_free(lbj_bytes *b) {
    if (!b->s)
        return;
    /* volatile: the copy may hold a secret, keep the zeroing. */
    volatile char *p = b->s;
    for (size_t i = 0; i < b->len; i++)
        p[i] = 0;
    if (b->s != b->stack)
        free(b->s);
    b->s = NULL;
}

void lbj_throw_oom(JNIEnv *env, const char *what) {
    if ((*env)->ExceptionCheck(env))
        return;
    jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
    if (oom)
        (*env)->ThrowNew(env, oom, what);
}

void lbj_throw(JNIEnv *env, int code, lakebase_error *err) {
    if (err)
        code = lakebase_error_code(err);
    const char *message =
        err ? lakebase_error_message(err) : lakebase_strerror(code);
    jstring name = lbj_string(env, lakebase_error_name(code));
    jstring msg = lbj_string(env, message);
    jstring api = lbj_string(env, err ? lakebase_error_api_code(err) : "");
    jstring state = lbj_string(env, err ? lakebase_error_sqlstate(err) : "");
    int http = err ? lakebase_error_http_status(err) : 0;
    lakebase_error_free(err);
    if ((*env)->ExceptionCheck(env))
        return;
    jthrowable ex = (*env)->CallStaticObjectMethod(
        env, lbj.exception_factory, lbj.exception_from_native, code, name, msg,
        http, api, state);
    if (ex && !(*env)->ExceptionCheck(env))
        (*env)->Throw(env, ex);
}
