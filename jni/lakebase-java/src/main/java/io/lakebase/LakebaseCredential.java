package io.lakebase;

import java.time.Instant;
import java.util.Arrays;

/**
 * One database credential and where to log in with it. The token is the
 * PostgreSQL password: never log it. {@link #close()} zeroes it.
 */
public final class LakebaseCredential implements AutoCloseable {
    private final char[] token;
    private final Instant expireTime;
    private final String user;
    private final String host;
    private final int port;
    private final String database;
    private final String sslmode;
    private volatile boolean closed;

    /** Made by the glue. */
    LakebaseCredential(char[] token, long expireTimeMs, String user, String host, int port, String database,
            String sslmode) {
        this.token = token;
        this.expireTime = Instant.ofEpochMilli(expireTimeMs);
        this.user = user;
        this.host = host;
        this.port = port;
        this.database = database;
        this.sslmode = sslmode;
    }

    /**
     * The token itself (not a copy): valid until {@link #close()}, which
     * zeroes it. Copy it if it must outlive this object.
     */
    public char[] token() {
        if (closed) {
            throw new IllegalStateException("the credential is closed (its token was zeroed)");
        }
        return token;
    }

    /** Expiry of the token (server time, clamped by the requested ttl). */
    public Instant expireTime() {
        return expireTime;
    }

    /** The PostgreSQL role (the identity that minted the token). */
    public String user() {
        return user;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** The libpq sslmode to use ("require" or stronger). */
    public String sslmode() {
        return sslmode;
    }

    /** Zeroes the token. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Arrays.fill(token, '\0');
    }

    @Override
    public String toString() {
        return "LakebaseCredential[user=" + user + ", host=" + host + ", port=" + port + ", database=" + database
                + ", sslmode=" + sslmode + ", expireTime=" + expireTime + "]";
    }
}
