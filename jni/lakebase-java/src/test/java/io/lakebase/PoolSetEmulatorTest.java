package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakebase.testing.EmulatorTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Per-user pool sets against the emulator: three identities (two service
 * principals by their OAuth workspace tokens, a user by a PAT), each logging
 * in as its own role, concurrently, with no credential or connection
 * crossing identities; the bound on pools, idle eviction, and counters per
 * set.
 */
class PoolSetEmulatorTest extends EmulatorTest {
    /** An identity as a web handler sees it: a stable key, the role it must log in as, its forwarded token. */
    private record Identity(String key, String role, String token) {
    }

    private static List<Identity> identities() throws Exception {
        return List.of(
                new Identity("alice", emu.get("DATABRICKS_CLIENT_ID"),
                        emu.oauthToken(emu.get("DATABRICKS_CLIENT_ID"), emu.get("DATABRICKS_CLIENT_SECRET"))),
                new Identity("bob", emu.get("EMULATOR_OTHER_CLIENT_ID"),
                        emu.oauthToken(emu.get("EMULATOR_OTHER_CLIENT_ID"), emu.get("EMULATOR_OTHER_CLIENT_SECRET"))),
                new Identity("carol", emu.get("EMULATOR_USER_EMAIL"), emu.get("EMULATOR_USER_TOKEN")));
    }

    /** The set's configuration: where to log in, and no identity. */
    private static LakebaseConfig.Builder setConfig() {
        return LakebaseConfig.builder()
                .set("config.use_environment", false)
                .set("workspace.host", emu.get("DATABRICKS_HOST"))
                .set("http.ca_file", emu.get("LAKEBASE_CA_FILE"))
                .set("lakebase.endpoint", emu.get("LAKEBASE_ENDPOINT"))
                .set("pg.port", emu.get("EMULATOR_PROXY_PORT"))
                .set("pg.sslrootcert", emu.get("LAKEBASE_CA_FILE"))
                .set("pg.sslmode", "verify-full")
                .set("pool.max_size", 2);
    }

    private static String currentUser(LakebasePoolSet set, Identity id) {
        try (LakebaseConnection conn = set.acquire(id.key(), id.token().toCharArray())) {
            return (String) conn.query("SELECT current_user").scalar();
        }
    }

    @Test
    void three_identities_each_log_in_as_their_own_role_and_never_cross() throws Exception {
        List<Identity> ids = identities();
        LakebasePoolSet set = LakebasePoolSet.create(setConfig().build(), 3, Duration.ofMinutes(10));
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> seen = new ArrayList<>();
            for (Identity id : ids) {
                seen.add(threads.submit(() -> {
                    List<String> roles = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        roles.add(currentUser(set, id));
                    }
                    return roles;
                }));
            }
            for (int i = 0; i < ids.size(); i++) {
                List<String> roles = seen.get(i).get(120, TimeUnit.SECONDS);
                assertEquals(10, roles.size());
                for (String role : roles) {
                    assertEquals(ids.get(i).role(), role, ids.get(i).key() + " logged in as another role");
                }
            }

            LakebasePoolSetStats st = set.stats();
            assertEquals(3, st.pools());
            assertEquals(3, st.poolsCreated());
            assertEquals(30, st.pool().acquires());
            assertEquals(3, st.credential().mintsOk(), "one mint per identity");

            JsonNode refused = emu.stats().path("logins").path("refused");
            for (Map.Entry<String, JsonNode> r : refused.properties()) {
                assertEquals(0, r.getValue().asLong(), "the login proxy refused logins: " + r.getKey());
            }
            Map<String, Integer> mintsByRole = new HashMap<>();
            for (JsonNode r : emu.getJson("/emulator/mint-requests").path("requests")) {
                assertTrue(r.path("refused").isMissingNode(), "a refused mint request: " + r);
                mintsByRole.merge(r.path("role").asText(), 1, Integer::sum);
            }
            for (Identity id : ids) {
                assertEquals(1, mintsByRole.getOrDefault(id.role(), 0), id.role() + " minted once");
            }

            // Counters per set, never per user: no point names a key, a role or a token.
            List<LakebaseMetricPoint> points = set.metrics("users");
            assertFalse(points.isEmpty());
            for (LakebaseMetricPoint p : points) {
                assertEquals("users", p.attributes().get(LakebaseMetric.POOL_NAME_ATTRIBUTE));
                for (Identity id : ids) {
                    for (String v : p.attributes().values()) {
                        assertFalse(v.equals(id.key()) || v.equals(id.role()) || v.contains(id.token()),
                                "a point names a user: " + p);
                    }
                }
            }
            assertEquals(3.0, value(points, "lakebase.pool_set.pools"));

            // A key with no pool yet needs its token.
            LakebaseException noToken = assertThrows(LakebaseException.class, () -> set.acquire("dave", null));
            assertEquals("EINVAL", noToken.errorName());
        } finally {
            threads.shutdownNow();
            set.close();
        }
        assertThrows(IllegalStateException.class, () -> set.acquire("alice", ids.get(0).token().toCharArray()));
        set.close(); // idempotent
    }

    @Test
    void closing_ends_an_acquire_waiting_for_a_full_pool() throws Exception {
        Identity alice = identities().get(0);
        LakebasePoolSet set = LakebasePoolSet.create(setConfig().build(), 3, Duration.ofMinutes(10));
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            set.acquire(alice.key(), alice.token().toCharArray());
            set.acquire(alice.key(), alice.token().toCharArray()); // pool.max_size 2: full
            Future<?> waiting = threads.submit(() -> set.acquire(alice.key(), null, Duration.ofMinutes(1)));
            for (int i = 0; i < 1000 && set.stats().pool().waiting() < 1; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, set.stats().pool().waiting());
            // The waiting acquire ends at once, not after its minute; the
            // leased connections are closed with the set.
            set.close();
            java.util.concurrent.ExecutionException ended = assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> waiting.get(20, TimeUnit.SECONDS));
            assertTrue(ended.getCause() instanceof LakebaseClosedException, "ended with " + ended.getCause());
        } finally {
            threads.shutdownNow();
            set.close();
        }
    }

    @Test
    void a_full_set_refuses_a_new_identity_until_a_pool_is_idle() throws Exception {
        List<Identity> ids = identities();
        try (LakebasePoolSet set = LakebasePoolSet.create(setConfig().build(), 2, Duration.ofMinutes(10))) {
            LakebaseConnection a = set.acquire(ids.get(0).key(), ids.get(0).token().toCharArray());
            try (LakebaseConnection b = set.acquire(ids.get(1).key(), ids.get(1).token().toCharArray())) {
                assertThrows(LakebaseTimeoutException.class,
                        () -> set.acquire(ids.get(2).key(), ids.get(2).token().toCharArray(), Duration.ZERO));
                assertEquals(1, set.stats().rejected());
                a.close();
                assertEquals(ids.get(2).role(), currentUser(set, ids.get(2)));
            }
            LakebasePoolSetStats st = set.stats();
            assertEquals(2, st.pools());
            assertEquals(1, st.evictedFull(), "the idle pool made room");
        }
    }

    @Test
    void a_pool_left_idle_is_evicted() throws Exception {
        Identity carol = identities().get(2);
        try (LakebasePoolSet set = LakebasePoolSet.create(setConfig().build(), 3, Duration.ofSeconds(1))) {
            assertEquals(carol.role(), currentUser(set, carol));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (set.stats().pools() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            LakebasePoolSetStats st = set.stats();
            assertEquals(0, st.pools(), "the idle pool was not closed");
            assertEquals(1, st.evictedIdle());
            assertEquals(carol.role(), currentUser(set, carol), "the identity gets a new pool");
        }
    }

    @Test
    void a_configuration_that_names_an_identity_is_refused_naming_the_key() {
        LakebaseConfigException e = assertThrows(LakebaseConfigException.class,
                () -> LakebasePoolSet.create(emu.config().build(), 3, Duration.ofMinutes(1)));
        assertTrue(e.getMessage().contains("auth.client_secret"), e.getMessage());
    }

    private static double value(List<LakebaseMetricPoint> points, String name) {
        return points.stream().filter(p -> p.metric().name().equals(name)).findFirst().orElseThrow().value();
    }
}
