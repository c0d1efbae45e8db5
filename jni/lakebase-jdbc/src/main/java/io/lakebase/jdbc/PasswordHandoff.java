package io.lakebase.jdbc;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passes a token from {@link LakebaseDataSource} to the
 * {@link LakebaseAuthenticationPlugin} instance pgjdbc makes for that one
 * login, as a char[] (pgjdbc zeroes what the plugin returns): the password
 * never becomes a String. The connection properties carry only a one-time
 * key.
 */
final class PasswordHandoff {
    static final String PROPERTY = "lakebase.jdbc.handoff";
    private static final ConcurrentHashMap<String, char[]> PENDING = new ConcurrentHashMap<>();

    private PasswordHandoff() {}

    /** Registers a copy of token; returns its key. */
    static String offer(char[] token) {
        String key = UUID.randomUUID().toString();
        PENDING.put(key, token.clone());
        return key;
    }

    /** Takes the token once (null when taken or withdrawn). */
    static char[] take(String key) {
        return key == null ? null : PENDING.remove(key);
    }

    /** Zeroes and drops a token the login did not take. */
    static void withdraw(String key) {
        char[] left = PENDING.remove(key);
        if (left != null) {
            Arrays.fill(left, '\0');
        }
    }
}
