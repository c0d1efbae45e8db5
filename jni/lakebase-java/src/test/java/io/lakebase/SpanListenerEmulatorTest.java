package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakebase.testing.EmulatorTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The span listener of LakebaseConfig against the emulator, without OpenTelemetry. */
class SpanListenerEmulatorTest extends EmulatorTest {
    static final String MINT = "lakebase.credential.mint";
    static final String CONNECT = "lakebase.connect";

    private static List<LakebaseFinishedSpan> named(List<LakebaseFinishedSpan> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name)).collect(Collectors.toList());
    }

    /** Every span is named and keyed by the core's table, and ends no earlier than it starts. */
    static void assertShapedByTheTable(List<LakebaseFinishedSpan> spans) {
        for (LakebaseFinishedSpan s : spans) {
            LakebaseSpan def = LakebaseSpan.table().stream().filter(d -> d.name().equals(s.name())).findFirst()
                    .orElseThrow(() -> new AssertionError(s.name() + " is not in the span table"));
            assertTrue(def.attributes().containsAll(s.attributes().keySet()), s + " has keys beyond " + def);
            assertTrue(s.startEpochNanos() <= s.endEpochNanos(), s.toString());
            assertFalse(s.start().isAfter(s.end()), s.toString());
        }
    }

    @Test
    void opening_a_pool_reports_a_mint_and_a_connect_with_typed_attributes() {
        List<LakebaseFinishedSpan> spans = new CopyOnWriteArrayList<>();
        // A provider of its own (the refresh fraction is part of its key): its first mint is this test's.
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.63").set("pool.min_size", 1)
                .spanListener(spans::add).build();
        long before = System.currentTimeMillis() * 1_000_000L;
        try (LakebasePool pool = LakebasePool.open(config)) {
            assertEquals(1, pool.query("SELECT 1").scalar());
        }
        long after = (System.currentTimeMillis() + 1) * 1_000_000L;

        List<LakebaseFinishedSpan> mints = named(spans, MINT);
        assertEquals(1, mints.size(), "one mint attempt: " + spans);
        LakebaseFinishedSpan mint = mints.get(0);
        assertNull(mint.error());
        assertEquals(200L, mint.attributes().get("http.response.status_code"));
        assertEquals("postgres", mint.attributes().get("lakebase.credential.api"));

        List<LakebaseFinishedSpan> connects = named(spans, CONNECT);
        assertFalse(connects.isEmpty(), "no connect span: " + spans);
        for (LakebaseFinishedSpan c : connects) {
            assertNull(c.error(), c.toString());
            assertEquals("postgresql", c.attributes().get("db.system.name"));
            assertEquals(Long.parseLong(emu.get("EMULATOR_PROXY_PORT")), c.attributes().get("server.port"));
            assertInstanceOf(String.class, c.attributes().get("server.address"));
            assertFalse(c.attributes().containsKey("error.type"));
        }
        for (LakebaseFinishedSpan s : spans) {
            assertTrue(s.startEpochNanos() >= before && s.endEpochNanos() <= after, s + " outside the test");
        }
        assertShapedByTheTable(spans);
    }

    @Test
    void a_refused_login_is_a_failed_connect_span_with_the_login_exception() throws Exception {
        emu.knobs("{\"reject_logins\": true}");
        List<LakebaseFinishedSpan> spans = new CopyOnWriteArrayList<>();
        LakebaseConfig config = emu.config().set("pool.min_size", 1).spanListener(spans::add).build();
        assertThrows(LakebaseLoginException.class, () -> LakebasePool.open(config).close());

        List<LakebaseFinishedSpan> failed = named(spans, CONNECT).stream().filter(s -> s.error() != null)
                .collect(Collectors.toList());
        assertFalse(failed.isEmpty(), "no failed connect span: " + spans);
        for (LakebaseFinishedSpan s : failed) {
            LakebaseLoginException e = assertInstanceOf(LakebaseLoginException.class, s.error());
            assertEquals("ELOGIN", e.errorName());
            assertFalse(e.getMessage().isEmpty());
            assertEquals("ELOGIN", s.attributes().get("error.type"));
            assertEquals("28P01", s.attributes().get("db.response.status_code"));
        }
        assertShapedByTheTable(spans);
    }

    @Test
    void credentials_and_a_pool_sets_user_pools_report_their_spans() throws Exception {
        List<LakebaseFinishedSpan> spans = new CopyOnWriteArrayList<>();
        LakebaseConfig creds = emu.config().set("credential.refresh_fraction", "0.62").spanListener(spans::add)
                .build();
        try (LakebaseCredentials c = LakebaseCredentials.create(creds)) {
            c.get().close();
        }
        assertEquals(1, named(spans, MINT).size(), "the credentials handle's mint: " + spans);
        assertTrue(named(spans, CONNECT).isEmpty(), "a credentials handle connects nowhere: " + spans);

        spans.clear();
        LakebaseConfig set = LakebaseConfig.builder().set("config.use_environment", false)
                .set("workspace.host", emu.get("DATABRICKS_HOST")).set("http.ca_file", emu.get("LAKEBASE_CA_FILE"))
                .set("lakebase.endpoint", emu.get("LAKEBASE_ENDPOINT")).set("pg.port", emu.get("EMULATOR_PROXY_PORT"))
                .set("pg.sslrootcert", emu.get("LAKEBASE_CA_FILE")).set("pg.sslmode", "verify-full")
                .spanListener(spans::add).build();
        char[] token = emu.oauthToken(emu.get("DATABRICKS_CLIENT_ID"), emu.get("DATABRICKS_CLIENT_SECRET"))
                .toCharArray();
        try (LakebasePoolSet users = LakebasePoolSet.create(set, 4, Duration.ofMinutes(5));
                LakebaseConnection conn = users.acquire("alice", token)) {
            assertEquals(1, conn.query("SELECT 1").scalar());
        }
        assertFalse(named(spans, MINT).isEmpty(), "no mint span of the user's pool: " + spans);
        assertFalse(named(spans, CONNECT).isEmpty(), "no connect span of the user's pool: " + spans);
        assertShapedByTheTable(spans);
    }

    @Test
    void a_throwing_listener_breaks_nothing_and_a_closed_handles_listener_hears_no_more() throws Exception {
        emu.knobs("{\"ttl_seconds\": 10}");
        List<LakebaseFinishedSpan> closedOnes = new CopyOnWriteArrayList<>();
        List<LakebaseFinishedSpan> kept = new CopyOnWriteArrayList<>();
        // One provider for both (same key), a key of its own: no provider left by another test.
        LakebaseConfig.Builder base = emu.config().set("credential.refresh_fraction", "0.84");
        LakebaseConfig a = base.spanListener(s -> {
            closedOnes.add(s);
            throw new IllegalStateException("a listener that throws");
        }).build();
        List<String> threads = new CopyOnWriteArrayList<>();
        LakebaseConfig b = base.spanListener(s -> {
            kept.add(s);
            threads.add(Thread.currentThread().getName());
        }).build();
        try (LakebaseCredentials keptCreds = LakebaseCredentials.create(b)) {
            LakebaseCredentials closed = LakebaseCredentials.create(a);
            closed.get().close();
            assertEquals(1, named(closedOnes, MINT).size(), "the throwing listener heard the mint");
            assertEquals(1, named(kept, MINT).size(), "a shared provider reports to every handle's listener");
            closed.close();
            int heardBeforeClose = closedOnes.size();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (keptCreds.stats().mintsOk() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(keptCreds.stats().mintsOk() >= 3, "no background refresh");
            assertTrue(named(kept, MINT).size() >= 3, "the open handle's listener heard the refreshes: " + kept);
            assertEquals(heardBeforeClose, closedOnes.size(), "the closed handle's listener was called");
        }
        assertTrue(threads.contains("lakebase-native"), "spans of the core's own thread: " + threads);
    }
}
