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
import io.lakebase.testing.EmulatorTest;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HikariCP over {@link LakebaseDataSource} ({@code setDataSource}, as Spring
 * Boot 3 and 4 configure it) through the emulator's login proxy, which admits
 * only unexpired minted credentials. Maven runs this class twice: with
 * HikariCP 7 and with 6.3.3 (Spring Boot 3.5's), the version named by
 * lakebase.test.hikaricp.
 */
class HikariDataSourceTest extends EmulatorTest {
    @BeforeAll
    static void theHikariCpAsked() throws Exception {
        Properties pom = new Properties();
        try (InputStream in = HikariConfig.class.getResourceAsStream("/META-INF/maven/com.zaxxer/HikariCP/pom.properties")) {
            pom.load(in);
        }
        assertEquals(System.getProperty("lakebase.test.hikaricp"), pom.getProperty("version"),
                "the HikariCP on the class path");
        System.out.println("HikariCP " + pom.getProperty("version"));
    }

    /** Token life; Hikari refuses a maxLifetime under 30 s, so tokens live 60 s here. */
    private static final int TOKEN_TTL_S = 60;
    private static final long MAX_LIFETIME_MS = 30_000;
    private static final long RUN_MS = 75_000;

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
        // verify-full with the CA file of pg.sslrootcert: the core's settings reach pgjdbc.
        try (LakebaseDataSource ds = new LakebaseDataSource(config)) {
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
