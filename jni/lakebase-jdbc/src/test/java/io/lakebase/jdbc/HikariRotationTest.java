package io.lakebase.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.lakebase.LakebaseAuthException;
import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseCredential;
import io.lakebase.LakebaseCredentials;
import io.lakebase.testing.Emulator;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** pgjdbc + HikariCP through the emulator's login proxy, which admits only unexpired minted credentials. */
@Tag("emulator")
class HikariRotationTest {
    /** Token life; Hikari refuses a maxLifetime under 30 s, so tokens live 60 s here. */
    private static final int TOKEN_TTL_S = 60;
    private static final long MAX_LIFETIME_MS = 30_000;
    private static final long RUN_MS = 75_000;

    static Emulator emu;

    @BeforeAll
    static void emulator() throws Exception {
        emu = Emulator.fromEnvironment();
    }

    @BeforeEach
    void reset() throws Exception {
        emu.reset();
    }

    /** One physical connection: the expiry of the token it logged in with, and when Hikari closed it. */
    record Session(Instant tokenExpiry, AtomicReference<Instant> closedAt) {}

    /**
     * Wraps the data source to record, per physical connection, the expiry of
     * the credential current just before its login (the data source's own is
     * the same or newer) and when the pool closed it.
     */
    static DataSource recording(LakebaseDataSource ds, List<Session> sessions) {
        return new DelegatingDataSource(ds) {
            @Override
            public Connection getConnection() throws SQLException {
                Instant expiry;
                try (LakebaseCredential cred = ds.credentials().get()) {
                    expiry = cred.expireTime();
                }
                Connection real = ds.getConnection();
                Session s = new Session(expiry, new AtomicReference<>());
                sessions.add(s);
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().equals("close")) {
                                s.closedAt().compareAndSet(null, Instant.now());
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
    }

    @Test
    void hikari_over_the_data_source_rotates_with_no_failed_query_and_no_session_older_than_its_token()
            throws Exception {
        emu.knobs("{\"ttl_seconds\": " + TOKEN_TTL_S + "}");
        // A refresh when 60 % of the life is left: every login gets a token
        // with more than maxLifetime to go.
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.6").build();
        List<Session> shared = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long mintsBefore = emu.stats().path("mints").path("autoscaling").asLong();
        long t0;
        long elapsed;
        try (LakebaseDataSource ds = new LakebaseDataSource(config)) {
            ds.setProperty("sslrootcert", emu.get("LAKEBASE_CA_FILE")).setProperty("sslmode", "verify-full");
            HikariConfig hc = new HikariConfig();
            hc.setDataSource(recording(ds, shared));
            hc.setMaximumPoolSize(4);
            hc.setMinimumIdle(4);
            hc.setMaxLifetime(MAX_LIFETIME_MS);
            try (HikariDataSource pool = new HikariDataSource(hc)) {
                t0 = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Thread th = new Thread(() -> {
                        while (System.nanoTime() - t0 < RUN_MS * 1_000_000) {
                            try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                                    ResultSet rs = st.executeQuery("SELECT 1")) {
                                rs.next();
                                ok.incrementAndGet();
                            } catch (SQLException e) {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, e);
                            }
                        }
                    });
                    th.start();
                    threads.add(th);
                }
                for (Thread th : threads) {
                    th.join();
                }
                elapsed = (System.nanoTime() - t0) / 1_000_000;
            }
        }
        Instant end = Instant.now();
        long mints = emu.stats().path("mints").path("autoscaling").asLong() - mintsBefore;
        long refused = 0;
        for (var it = emu.stats().path("logins").path("refused").elements(); it.hasNext();) {
            refused += it.next().asLong();
        }
        System.out.printf("queries %d, failed %d, physical connections %d, mints %d, refused logins %d%n", ok.get(),
                failed.get(), shared.size(), mints, refused);
        assertEquals(0, failed.get(), () -> "first failure: " + firstFailure.get());
        assertTrue(ok.get() > 1000);
        assertEquals(0, refused);
        // Hikari replaced every connection at least once (4 at the start, 4 per 30 s).
        assertTrue(shared.size() >= 12, "physical connections: " + shared.size());
        for (Session s : shared) {
            Instant closed = s.closedAt().get() == null ? end : s.closedAt().get();
            assertTrue(closed.isBefore(s.tokenExpiry()),
                    "a session outlived its token: closed " + closed + ", token expired " + s.tokenExpiry());
        }
        // One mint per refresh period (40 % of the life), not one per connection.
        long period = TOKEN_TTL_S * 1000L * 4 / 10;
        assertTrue(mints >= 2 && mints <= elapsed / period + 2, "mints: " + mints);
        assertTrue(mints < shared.size());
    }

    @Test
    void hikari_7_credentials_provider_logs_in_with_the_current_credential() throws Exception {
        try (LakebaseCredentials creds = LakebaseCredentials.create(emu.config().build())) {
            LakebaseCredentialsProvider provider = new LakebaseCredentialsProvider(creds);
            HikariConfig hc = new HikariConfig();
            // The credential says verify-full; pgjdbc needs the CA file (the core has no accessor for it).
            hc.setJdbcUrl(provider.jdbcUrl() + "&sslrootcert=" + emu.get("LAKEBASE_CA_FILE"));
            hc.setCredentialsProvider(provider);
            hc.setMaximumPoolSize(2);
            try (HikariDataSource pool = new HikariDataSource(hc); Connection c = pool.getConnection();
                    ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
                rs.next();
                assertEquals(emu.get("DATABRICKS_CLIENT_ID"), rs.getString(1));
            }
        }
    }

    @Test
    void a_plain_jdbc_url_logs_in_through_the_authentication_plugin() throws Exception {
        String url = "jdbc:postgresql://" + emu.get("EMULATOR_PROXY_HOST") + ":" + emu.get("EMULATOR_PROXY_PORT")
                + "/databricks_postgres?sslmode=require&user=" + emu.get("DATABRICKS_CLIENT_ID")
                + "&authenticationPluginClassName=" + LakebaseAuthenticationPlugin.class.getName()
                + "&config.use_environment=false&workspace.host=" + emu.get("DATABRICKS_HOST")
                + "&auth.client_id=" + emu.get("DATABRICKS_CLIENT_ID")
                + "&auth.client_secret=" + emu.get("DATABRICKS_CLIENT_SECRET")
                + "&http.ca_file=" + emu.get("LAKEBASE_CA_FILE") + "&lakebase.endpoint=" + emu.get("LAKEBASE_ENDPOINT");
        for (int i = 0; i < 3; i++) {
            try (Connection c = DriverManager.getConnection(url);
                    ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
                rs.next();
                assertEquals(emu.get("DATABRICKS_CLIENT_ID"), rs.getString(1));
            }
        }
        // One provider for equal URLs (it may reuse the token an earlier test of this JVM minted for the key).
        assertTrue(emu.stats().path("mints").path("autoscaling").asLong() <= 1, "one provider for equal URLs");
    }

    @Test
    void a_refused_token_is_dropped_and_the_login_retried_once() throws Exception {
        try (LakebaseDataSource ds = new LakebaseDataSource(emu.config().build())) {
            ds.setProperty("sslrootcert", emu.get("LAKEBASE_CA_FILE"));
            try (Connection c = ds.getConnection()) {
                assertFalse(c.isClosed());
            }
            // The proxy refuses the next login with 28P01 only while the knob
            // is on; each refusal makes the data source drop the token.
            emu.knobs("{\"reject_logins\": true}");
            SQLException e = assertThrows(SQLException.class, ds::getConnection);
            assertEquals("28P01", e.getSQLState());
            assertEquals(2, emu.stats().path("logins").path("refused").path("rejected_by_knob").asLong(),
                    "one login and one retry");
            long mints = emu.stats().path("mints").path("autoscaling").asLong();
            assertTrue(mints >= 1 && mints <= 2, "the retry minted anew: " + mints);
        }
    }

    @Test
    void a_wrong_secret_fails_at_pool_start_with_an_auth_error_naming_the_fix() {
        LakebaseConfig config = emu.config().set("auth.client_secret", "wrong-secret-77c1").build();
        try (LakebaseDataSource ds = new LakebaseDataSource(config)) {
            HikariConfig hc = new HikariConfig();
            hc.setDataSource(ds);
            HikariPool.PoolInitializationException e =
                    assertThrows(HikariPool.PoolInitializationException.class, () -> new HikariDataSource(hc).close());
            SQLInvalidAuthorizationSpecException sql =
                    assertInstanceOf(SQLInvalidAuthorizationSpecException.class, e.getCause());
            assertEquals("28000", sql.getSQLState());
            LakebaseAuthException auth = assertInstanceOf(LakebaseAuthException.class, sql.getCause());
            assertTrue(auth.getMessage().contains("DATABRICKS_CLIENT_SECRET"), auth.getMessage());
            assertFalse(sql.getMessage().contains("wrong-secret-77c1"));
        }
    }
}
