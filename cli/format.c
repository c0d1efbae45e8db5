/* Escaping for the two formats the CLI prints (JSON and shell) and the
 * timestamp format they carry. */
#include <time.h>

#include "cli.h"

/* Length of the valid UTF-8 sequence at `p`, or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static int utf8_sequence_length(const unsigned char *p) {
    int len;
    unsigned char lo = 0x80, hi = 0xBF;

    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        if (p[0] == 0xE0)
            lo = 0xA0;
        else if (p[0] == 0xED)
            hi = 0x9F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        if (p[0] == 0xF0)
            lo = 0x90;
        else if (p[0] == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

void cli_json_string(FILE *out, const char *s) {
    const unsigned char *p = (const unsigned char *)s;

    fputc('"', out);
    while (*p) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                fprintf(out, "\\u%04x", *p);
            } else if (*p >= 0x80) {
                int len = utf8_sequence_length(p);
                if (len == 0) {
                    fputs("\\ufffd", out);
                } else {
                    fwrite(p, 1, (size_t)len, out);
                    p += len - 1;
                }
            } else {
                fputc(*p, out);
            }
        }
        p++;
    }
    fputc('"', out);
}

void cli_shell_word(FILE *out, const char *s) {
    fputc('\'', out);
    for (; *s; s++) {
        /* Inside single quotes nothing is special but the quote itself:
         * close, emit an escaped quote, reopen. */
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

int cli_rfc3339(int64_t unix_ms, char *buf, size_t cap) {
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;

    if (gmtime_r(&secs, &tm) == NULL)
        return -1;
    return strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ? -1 : 0;
}
