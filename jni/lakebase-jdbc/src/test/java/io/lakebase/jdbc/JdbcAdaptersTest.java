package io.lakebase.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseCredentials;
import io.lakebase.LakebaseFinishedSpan;
import io.lakebase.testing.EmulatorTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The other ways into pgjdbc against the emulator: HikariCP 7's credentials
 * provider, a plain JDBC URL with the authentication plugin, the 28P01 retry
 * and the core's login settings (sslrootcert, application name, hostaddr);
 * the data source's span listener.
 */
class JdbcAdaptersTest extends EmulatorTest {
    @Test
    void hikari_7_credentials_provider_logs_in_with_the_current_credential() throws Exception {
        try (LakebaseCredentials creds = LakebaseCredentials.create(emu.config().build())) {
            LakebaseCredentialsProvider provider = new LakebaseCredentialsProvider(creds);
            HikariConfig hc = new HikariConfig();
            // verify-full, with the CA file of pg.sslrootcert in the URL.
            hc.setJdbcUrl(provider.jdbcUrl());
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
    void a_data_sources_span_listener_hears_its_mint() throws Exception {
        List<LakebaseFinishedSpan> spans = new CopyOnWriteArrayList<>();
        // A provider of its own (the refresh fraction is part of its key): its first mint is this test's.
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.59").spanListener(spans::add)
                .build();
        try (LakebaseDataSource ds = new LakebaseDataSource(config); Connection c = ds.getConnection()) {
            assertFalse(c.isClosed());
        }
        assertEquals(List.of("lakebase.credential.mint"), spans.stream().map(LakebaseFinishedSpan::name).toList(),
                "one mint, and no connect span: the connections are pgjdbc's");
        assertEquals(200L, spans.get(0).attributes().get("http.response.status_code"));
    }

    @Test
    void a_refused_token_is_dropped_and_the_login_retried_once() throws Exception {
        try (LakebaseDataSource ds = new LakebaseDataSource(emu.config().build())) {
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
    void the_cores_application_name_and_hostaddr_reach_pgjdbc() throws Exception {
        LakebaseConfig named = emu.config().set("pg.application_name", "lakebase-jdbc-test").build();
        try (LakebaseDataSource ds = new LakebaseDataSource(named); Connection c = ds.getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('application_name')")) {
            rs.next();
            assertEquals("lakebase-jdbc-test", rs.getString(1));
        }
        // A host name that never resolves: the login goes to pg.hostaddr.
        LakebaseConfig.Builder byAddress = emu.config().set("pg.host", "lakebase-proxy.invalid")
                .set("pg.hostaddr", emu.get("EMULATOR_PROXY_HOST"));
        try (LakebaseDataSource ds = new LakebaseDataSource(byAddress.set("pg.sslmode", "verify-ca").build());
                Connection c = ds.getConnection()) {
            assertFalse(c.isClosed());
        }
        // pgjdbc verifies the name it connects to: verify-full cannot keep pg.host's name.
        try (LakebaseDataSource ds = new LakebaseDataSource(byAddress.set("pg.sslmode", "verify-full").build())) {
            SQLException e = assertThrows(SQLException.class, ds::getConnection);
            assertEquals("08001", e.getSQLState());
            assertTrue(e.getMessage().contains("unset pg.hostaddr"), e.getMessage());
        }
    }

}
