package io.lakebase;

import java.time.Instant;
import java.util.Arrays;

/**
 * Supplies a workspace access token (not a database credential): for
 * on-behalf-of-user requests (a Databricks App's x-forwarded-access-token)
 * or for applications that own their workspace auth. The core calls it on
 * the thread that needs a token (a caller's, or its refresh thread),
 * possibly from several threads at once. A source that throws makes the
 * call fail with {@link LakebaseCallbackException}, whose cause is what it
 * threw.
 */
@FunctionalInterface
public interface LakebaseTokenSource {
    /** Returns a workspace token; the binding zeroes its characters after use. */
    Token token() throws Exception;

    /** A workspace token and its expiry (null when unknown: asked again before every request). */
    final class Token {
        private final char[] value;
        private final Instant expiresAt;

        private Token(char[] value, Instant expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }

        /** Takes ownership of {@code value}: the binding zeroes it once copied. */
        public static Token of(char[] value, Instant expiresAt) {
            if (value == null || value.length == 0) {
                throw new IllegalArgumentException("the workspace token must not be empty");
            }
            return new Token(value, expiresAt);
        }

        public static Token of(String value, Instant expiresAt) {
            return of(value == null ? null : value.toCharArray(), expiresAt);
        }

        char[] value() {
            return value;
        }

        Instant expiresAt() {
            return expiresAt;
        }

        void wipe() {
            Arrays.fill(value, '\0');
        }

        @Override
        public String toString() {
            return "Token[expiresAt=" + expiresAt + "]";
        }
    }
}
