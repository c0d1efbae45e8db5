package io.lakebase.jdbc;

import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseCredential;
import io.lakebase.LakebaseCredentials;
import io.lakebase.LakebaseException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * A {@link DataSource} over pgjdbc whose every {@link #getConnection()}
 * logs in with the current Lakebase credential: host, port, database, role
 * and sslmode come from the core (endpoint or instance lookup, role
 * resolution), the token is the password. The credential is cached and
 * refreshed by the core (one mint per token lifetime, whatever the number of
 * connections); a login refused with SQLSTATE 28P01 drops the token and is
 * retried once with a fresh one. Give it to a pool:
 *
 * <pre>{@code
 * LakebaseDataSource lakebase = new LakebaseDataSource(LakebaseConfig.fromEnvironment());
 * HikariConfig hikari = new HikariConfig();
 * hikari.setDataSource(lakebase);          // HikariCP 5, 6, 7 (Spring Boot 3 and 4)
 * hikari.setMaxLifetime(30 * 60_000);      // below the token lifetime (1 h by default)
 * HikariDataSource pool = new HikariDataSource(hikari);
 * }</pre>
 *
 * Each physical connection needs a credential once, when it logs in; queries
 * never touch this class. The core's {@code pg.sslrootcert} and
 * {@code pg.application_name} reach pgjdbc as sslrootcert and ApplicationName
 * (so sslmode=verify-full works with the CA file configured once); other
 * pgjdbc connection properties (tcpKeepAlive, socketTimeout...) go through
 * {@link #setProperty}. Close it with the pool that uses it.
 */
public final class LakebaseDataSource implements DataSource, AutoCloseable {
    private static final String SQLSTATE_INVALID_PASSWORD = "28P01";

    private final LakebaseCredentials credentials;
    private final Driver driver = new Driver();
    private final Properties extra = new Properties();
    private volatile int loginTimeoutSeconds;
    private PrintWriter logWriter;

    /** Validates the configuration (no network call until the first connection). */
    public LakebaseDataSource(LakebaseConfig config) {
        this.credentials = LakebaseCredentials.create(config);
    }

    /** The credential provider handle this data source logs in with (stats, open). */
    public LakebaseCredentials credentials() {
        return credentials;
    }

    /**
     * Sets a pgjdbc connection property for every login ("tcpKeepAlive",
     * "socketTimeout"...; "sslrootcert" and "ApplicationName" here win over
     * the core's). The role, password and sslmode come from the core.
     */
    public LakebaseDataSource setProperty(String name, String value) {
        if ("password".equals(name) || "user".equals(name) || "sslmode".equals(name)) {
            throw new IllegalArgumentException(name + " comes from the Lakebase credential: set pg.user, "
                    + "pg.sslmode or the identity in the LakebaseConfig instead");
        }
        synchronized (extra) {
            extra.setProperty(name, value);
        }
        return this;
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            return connect(false);
        } catch (SQLException e) {
            if (!SQLSTATE_INVALID_PASSWORD.equals(e.getSQLState())) {
                throw e;
            }
            // The token was refused (revoked, or expired in flight): connect()
            // dropped it; one more login with a fresh one.
            return connect(true);
        }
    }

    private Connection connect(boolean retry) throws SQLException {
        LakebaseCredential cred;
        try {
            cred = credentials.get();
        } catch (LakebaseException e) {
            throw JdbcErrors.toSql(e);
        }
        try {
            PgjdbcLogin login = PgjdbcLogin.of(cred);
            Properties props = loginProperties(login);
            String key = PasswordHandoff.offer(cred.token());
            props.setProperty(PasswordHandoff.PROPERTY, key);
            try {
                return driver.connect(login.url(), props);
            } catch (SQLException e) {
                if (!retry && SQLSTATE_INVALID_PASSWORD.equals(e.getSQLState())) {
                    credentials.invalidate(cred);
                }
                throw e;
            } finally {
                PasswordHandoff.withdraw(key);
            }
        } finally {
            cred.close();
        }
    }

    private Properties loginProperties(PgjdbcLogin login) {
        Properties props;
        synchronized (extra) {
            props = login.properties(extra);
        }
        props.setProperty("authenticationPluginClassName", LakebaseAuthenticationPlugin.class.getName());
        if (loginTimeoutSeconds > 0 && !props.containsKey("loginTimeout")) {
            props.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
        }
        return props;
    }

    /** Not supported: the role and password come from the Lakebase credential. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("LakebaseDataSource logs in as the credential's role with its "
                + "token: leave the pool's username and password unset");
    }

    /** Releases the credential provider handle. */
    @Override
    public void close() {
        credentials.close();
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("io.lakebase.jdbc");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("LakebaseDataSource does not wrap " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
