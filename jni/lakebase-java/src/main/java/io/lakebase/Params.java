package io.lakebase;

/**
 * Statement parameters as the text PostgreSQL reads ($1..$n are sent as
 * text and typed by the server): null is SQL NULL, byte[] becomes bytea hex
 * ({@code \x...}), booleans "true"/"false", numbers and dates their
 * {@code toString()} (ISO 8601 for java.time), everything else
 * {@code toString()}.
 */
final class Params {
    private static final byte[][] NONE = new byte[0][];
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Params() {}

    static byte[][] encode(Object[] params) {
        if (params == null || params.length == 0) {
            return NONE;
        }
        byte[][] out = new byte[params.length][];
        for (int i = 0; i < params.length; i++) {
            out[i] = Utf8.of(text(params[i]), "parameter $" + (i + 1));
        }
        return out;
    }

    static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[]) {
            byte[] b = (byte[]) v;
            char[] hex = new char[2 + 2 * b.length];
            hex[0] = '\\';
            hex[1] = 'x';
            for (int i = 0; i < b.length; i++) {
                hex[2 + 2 * i] = HEX[(b[i] >> 4) & 0xf];
                hex[3 + 2 * i] = HEX[b[i] & 0xf];
            }
            return new String(hex);
        }
        return v.toString();
    }
}
