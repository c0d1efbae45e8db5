package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakebase.testing.EmulatorTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool, credentials and callbacks against the emulator (ctest's fixture). */
class PoolEmulatorTest extends EmulatorTest {
    /** Runs a statement on another thread: its result, or the exception it threw. */
    private static CompletableFuture<Object> inBackground(LakebaseConnection conn, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return conn.query(sql);
            } catch (RuntimeException e) {
                return e;
            }
        });
    }

    @Test
    void values_come_back_typed_and_parameters_go_in_as_text() {
        try (LakebasePool pool = LakebasePool.open(emu.config().build())) {
            LakebaseResult r = pool.query("SELECT 42::int4, 9000000000::int8, 1.5::float8, true, 'h\u00e9llo \uD83D\uDE00'::text,"
                    + " NULL::int, 12.50::numeric, '2026-02-06 17:07:00.123456+00'::timestamptz, '\\x01ff'::bytea,"
                    + " $1::int + 1, $2::bytea, $3::bool, $4::timestamptz, $5::text IS NULL",
                    41, new byte[] {1, 2}, false, OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC), null);
            List<Object> row = r.rows().get(0);
            assertEquals(42, row.get(0));
            assertEquals(9_000_000_000L, row.get(1));
            assertEquals(1.5, row.get(2));
            assertEquals(true, row.get(3));
            assertEquals("h\u00e9llo \uD83D\uDE00", row.get(4));
            assertNull(row.get(5));
            assertEquals("12.50", row.get(6));
            assertEquals(OffsetDateTime.of(2026, 2, 6, 17, 7, 0, 123_456_000, ZoneOffset.UTC), row.get(7));
            assertArrayEquals(new byte[] {1, (byte) 0xff}, (byte[]) row.get(8));
            assertEquals(42, row.get(9));
            assertArrayEquals(new byte[] {1, 2}, (byte[]) row.get(10));
            assertEquals(false, row.get(11));
            assertEquals(OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC), row.get(12));
            assertEquals(true, row.get(13));
            assertEquals("SELECT 1", r.command());
            LakebaseSqlException e = assertThrows(LakebaseSqlException.class, () -> pool.query("SELECT 1/0"));
            assertEquals("22012", e.sqlState());
        }
    }

    @Test
    void every_row_keeps_its_cells_in_order_with_nulls_empties_and_values_the_typed_form_cannot_hold() {
        try (LakebasePool pool = LakebasePool.open(emu.config().build())) {
            LakebaseResult r = pool.query("SELECT g::int2, CASE WHEN g % 2 = 0 THEN NULL ELSE g::oid END,"
                    + " (g * 0.25)::float4, CASE WHEN g = 2 THEN '' ELSE repeat('\u00fc', g) END,"
                    + " CASE WHEN g = 3 THEN ''::bytea ELSE NULL END,"
                    + " CASE WHEN g = 1 THEN 'infinity'::timestamptz ELSE '1969-12-31 23:59:59.5+00' END"
                    + " FROM generate_series(1, 3) g");
            assertEquals(3, r.rowCount());
            assertEquals(6, r.columnCount());
            for (int row = 0; row < 3; row++) {
                int g = row + 1;
                assertEquals((Object) g, r.get(row, 0));
                assertEquals(g % 2 == 0 ? null : (Object) (long) g, r.get(row, 1));
                assertEquals(g * 0.25, r.get(row, 2));
                assertEquals(g == 2 ? "" : "\u00fc".repeat(g), r.get(row, 3));
                if (g == 3) {
                    assertArrayEquals(new byte[0], (byte[]) r.get(row, 4));
                } else {
                    assertNull(r.get(row, 4));
                }
                assertEquals(g == 1 ? "infinity"
                        : OffsetDateTime.of(1969, 12, 31, 23, 59, 59, 500_000_000, ZoneOffset.UTC), r.get(row, 5));
            }
            LakebaseResult none = pool.query("SELECT 1 WHERE false");
            assertEquals(0, none.rowCount());
            assertEquals(1, none.columnCount());
            LakebaseResult text = pool.queryText("SELECT 7::int4, NULL::int8, true");
            assertEquals(java.util.Arrays.asList("7", null, "t"), text.rows().get(0));
        }
    }

    @Test
    void transactions_commit_or_roll_back_on_a_leased_connection() {
        try (LakebasePool pool = LakebasePool.open(emu.config().build())) {
            pool.execute("DROP TABLE IF EXISTS java_tx");
            pool.execute("CREATE TABLE java_tx (n int)");
            try (LakebaseConnection conn = pool.acquire(); LakebaseTransaction tx = conn.begin()) {
                assertEquals(1, conn.execute("INSERT INTO java_tx VALUES ($1)", 1));
                tx.commit();
            }
            try (LakebaseConnection conn = pool.acquire(); LakebaseTransaction tx = conn.begin()) {
                conn.execute("INSERT INTO java_tx VALUES (2)");
            } // rolled back
            assertEquals(1L, pool.query("SELECT count(*) FROM java_tx").scalar());
            pool.execute("DROP TABLE java_tx");
        }
    }

    @Test
    void acquire_timeout_and_cancel() throws Exception {
        try (LakebasePool pool = LakebasePool.open(emu.config().set("pool.max_size", 1).build());
                LakebaseConnection held = pool.acquire()) {
            assertThrows(LakebaseTimeoutException.class, () -> pool.acquire(Duration.ZERO));
            CompletableFuture<Object> sleeping = inBackground(held, "SELECT pg_sleep(30)");
            Thread.sleep(300);
            held.cancel();
            Object outcome = sleeping.get(20, TimeUnit.SECONDS);
            LakebaseCanceledException e = assertInstanceOf(LakebaseCanceledException.class, outcome);
            assertEquals("57014", e.sqlState());
            assertEquals(2, held.query("SELECT 2").scalar());
        }
    }

    @Test
    void closing_a_pool_while_a_leased_connection_runs_cancels_it_and_closes_the_connection() throws Exception {
        LakebasePool pool = LakebasePool.open(emu.config().build());
        LakebaseConnection conn = pool.acquire();
        CompletableFuture<Object> running = inBackground(conn, "SELECT pg_sleep(30)");
        Thread.sleep(300);
        pool.close(true);
        assertInstanceOf(LakebaseCanceledException.class, running.get(20, TimeUnit.SECONDS));
        assertTrue(conn.isClosed(), "a closed pool's connection is closed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> conn.query("SELECT 1"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        conn.close(); // harmless
        assertThrows(IllegalStateException.class, () -> pool.query("SELECT 1"));
        assertEquals(0, pool.stats().total());
    }

    @Test
    void a_connection_runs_one_statement_at_a_time() throws Exception {
        try (LakebasePool pool = LakebasePool.open(emu.config().build()); LakebaseConnection conn = pool.acquire()) {
            CompletableFuture<Object> running = inBackground(conn, "SELECT pg_sleep(1)");
            Thread.sleep(200);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> conn.query("SELECT 1"));
            assertTrue(e.getMessage().contains("one thread at a time"), e.getMessage());
            assertInstanceOf(LakebaseResult.class, running.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_wrong_secret_fails_at_pool_start_naming_the_fix() {
        LakebaseConfig config = emu.config().set("auth.client_secret", "wrong-secret-3f9a").build();
        LakebaseAuthException e = assertThrows(LakebaseAuthException.class, () -> LakebasePool.open(config));
        assertEquals("EAUTH", e.errorName());
        assertTrue(e.getMessage().contains("DATABRICKS_CLIENT_SECRET"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-secret-3f9a"), "the secret must never appear");
    }

    @Test
    void a_token_source_logs_in_on_behalf_of_a_user_and_its_failure_is_the_cause() {
        LakebaseConfig.Builder base = LakebaseConfig.builder().set("config.use_environment", false)
                .set("workspace.host", emu.get("DATABRICKS_HOST")).set("http.ca_file", emu.get("LAKEBASE_CA_FILE"))
                .set("lakebase.endpoint", emu.get("LAKEBASE_ENDPOINT")).set("pg.port", emu.get("EMULATOR_PROXY_PORT"));
        LakebaseConfig user = base.tokenSource(() -> LakebaseTokenSource.Token.of(emu.get("EMULATOR_USER_TOKEN"), null))
                .build();
        try (LakebaseCredentials creds = LakebaseCredentials.create(user); LakebaseCredential cred = creds.get()) {
            assertEquals(emu.get("EMULATOR_USER_EMAIL"), cred.user());
            assertTrue(cred.token().length > 0);
        }
        IllegalStateException boom = new IllegalStateException("no user token in this request");
        LakebaseConfig failing = base.tokenSource(() -> {
            throw boom;
        }).build();
        try (LakebaseCredentials creds = LakebaseCredentials.create(failing)) {
            LakebaseCallbackException e = assertThrows(LakebaseCallbackException.class, creds::get);
            assertEquals(boom, e.getCause());
        }
    }

    @Test
    void the_logger_gets_events_from_the_refresh_thread_and_never_the_token() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        System.Logger logger = new RecordingLogger(events, threads);
        emu.knobs("{\"ttl_seconds\": 10}");
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.9").logger(logger).build();
        char[] token;
        try (LakebaseCredentials creds = LakebaseCredentials.create(config); LakebaseCredential cred = creds.get()) {
            token = cred.token().clone();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (creds.stats().mintsOk() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(creds.stats().mintsOk() >= 2, "no background refresh");
        }
        assertFalse(events.isEmpty());
        assertTrue(threads.contains("lakebase-native"), "events of the core's own thread: " + threads);
        for (String event : events) {
            assertFalse(event.contains(new String(token)), "a log event holds the token");
        }
    }

    @Test
    void a_closed_handles_logger_is_never_called_again_while_the_shared_provider_goes_on() throws Exception {
        emu.knobs("{\"ttl_seconds\": 10}");
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        // A key of its own (the refresh fraction is part of it): no provider left by another test.
        LakebaseConfig.Builder base = emu.config().set("credential.refresh_fraction", "0.85");
        LakebaseConfig a = base.logger(new RecordingLogger(first, new CopyOnWriteArrayList<>())).build();
        LakebaseConfig b = base.logger(new RecordingLogger(second, new CopyOnWriteArrayList<>())).build();
        try (LakebaseCredentials kept = LakebaseCredentials.create(b)) {
            LakebaseCredentials closed = LakebaseCredentials.create(a);
            closed.get().close();
            kept.get().close();
            assertEquals(1, kept.stats().mintsOk(), "one provider for both handles");
            closed.close();
            int afterClose = first.size();
            int secondBefore = second.size();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (kept.stats().mintsOk() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(kept.stats().mintsOk() >= 3, "no background refresh");
            assertTrue(second.size() > secondBefore, "the open handle's logger heard the refreshes");
            assertEquals(afterClose, first.size(), "the closed handle's logger was called: " + first);
        }
    }

    /** A System.Logger that records messages and the threads they came from. */
    static final class RecordingLogger implements System.Logger {
        private final List<String> events;
        private final List<String> threads;

        RecordingLogger(List<String> events, List<String> threads) {
            this.events = events;
            this.threads = threads;
        }

        @Override
        public String getName() {
            return "recording";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
            events.add(msg);
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
            log(level, bundle, format, (Throwable) null);
        }
    }
}
