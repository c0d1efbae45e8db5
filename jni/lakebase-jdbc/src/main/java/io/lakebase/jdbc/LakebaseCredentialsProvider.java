package io.lakebase.jdbc;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import io.lakebase.LakebaseCredential;
import io.lakebase.LakebaseCredentials;
import java.sql.SQLException;

/**
 * HikariCP 7's credentials provider: Hikari asks it for a role and password
 * at every physical connect. Set the instance (the class-name setter of
 * HikariCP 7.0.2 is broken), with the JDBC URL of the same credential:
 *
 * <pre>{@code
 * LakebaseCredentials creds = LakebaseCredentials.create(LakebaseConfig.fromEnvironment());
 * LakebaseCredentialsProvider provider = new LakebaseCredentialsProvider(creds);
 * hikari.setJdbcUrl(provider.jdbcUrl());
 * hikari.setCredentialsProvider(provider);
 * }</pre>
 *
 * Hikari's interface takes the password as a String, so the token becomes
 * one here (a {@link LakebaseDataSource} given to {@code setDataSource}
 * keeps it in a char[] and also retries a 28P01 once).
 */
public final class LakebaseCredentialsProvider implements HikariCredentialsProvider {
    private final LakebaseCredentials credentials;

    public LakebaseCredentialsProvider(LakebaseCredentials credentials) {
        this.credentials = credentials;
    }

    /**
     * {@code jdbc:postgresql://host:port/database?sslmode=...} of the current
     * credential (mints one if none is cached), with the core's sslrootcert
     * and ApplicationName when configured.
     *
     * @throws SQLException when pgjdbc cannot log in the way the core would
     *     (pg.hostaddr with sslmode=verify-full)
     */
    public String jdbcUrl() throws SQLException {
        try (LakebaseCredential cred = credentials.get()) {
            return PgjdbcLogin.of(cred).urlWithQuery();
        }
    }

    @Override
    public Credentials getCredentials() {
        try (LakebaseCredential cred = credentials.get()) {
            return Credentials.of(cred.user(), new String(cred.token()));
        }
    }
}
