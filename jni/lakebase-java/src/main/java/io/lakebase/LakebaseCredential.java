package io.lakebase;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

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
    private final String sslrootcert;
    private final String hostaddr;
    private final String applicationName;
    private volatile boolean closed;

    /** Made by the glue; the last three are null when not configured. */
    LakebaseCredential(char[] token, long expireTimeMs, String user, String host, int port, String database,
            String sslmode, String sslrootcert, String hostaddr, String applicationName) {
        this.token = token;
        this.expireTime = Instant.ofEpochMilli(expireTimeMs);
        this.user = user;
        this.host = host;
        this.port = port;
        this.database = database;
        this.sslmode = sslmode;
        this.sslrootcert = sslrootcert;
        this.hostaddr = hostaddr;
        this.applicationName = applicationName;
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

    /**
     * The CA bundle that verifies the server ({@code pg.sslrootcert}; needed
     * with sslmode verify-ca and verify-full), if configured.
     */
    public Optional<String> sslrootcert() {
        return Optional.ofNullable(sslrootcert);
    }

    /** The address to connect to instead of resolving the host ({@code pg.hostaddr}), if configured. */
    public Optional<String> hostaddr() {
        return Optional.ofNullable(hostaddr);
    }

    /** The application name the server sees ({@code pg.application_name}), if configured. */
    public Optional<String> applicationName() {
        return Optional.ofNullable(applicationName);
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
