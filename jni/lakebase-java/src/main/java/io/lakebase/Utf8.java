package io.lakebase;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Strings into the glue: UTF-8, with no NUL (C would cut the text there). */
final class Utf8 {
    private Utf8() {}

    static byte[] of(String s, String what) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character");
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] of(char[] chars, String what) {
        if (chars == null) {
            return null;
        }
        for (char c : chars) {
            if (c == '\0') {
                throw new IllegalArgumentException(what + " must not contain a NUL character");
            }
        }
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = Arrays.copyOfRange(b.array(), b.position(), b.limit());
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
