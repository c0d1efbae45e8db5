package io.lakebase.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseCredentials;
import io.lakebase.LakebaseMetric;
import io.lakebase.LakebasePool;
import io.lakebase.LakebasePoolStats;
import io.lakebase.testing.EmulatorTest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The meters of a pool against the emulator: a mint and a connect, under the core table's names. */
class LakebaseMeterBinderEmulatorTest extends EmulatorTest {
    @Test
    void a_mint_and_a_connect_show_in_the_meters_named_by_the_core_table() throws Exception {
        // A provider of its own (the refresh fraction is part of its key): its counters start here.
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.65").build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Tags orders = Tags.of(LakebaseMetric.POOL_NAME_ATTRIBUTE, "orders");
        try (LakebasePool pool = LakebasePool.create(config)) {
            LakebaseMeterBinder.of(pool, "orders").bindTo(registry);
            assertEquals(0.0, mints(registry, orders, "ok"));
            assertEquals(0.0, connects(registry, orders, "ok"));
            assertNull(registry.find("lakebase.credential.expires_in").gauge(), "no expiry before the first mint");

            pool.open();
            assertEquals(1, pool.query("SELECT 1").scalar());

            assertEquals(1.0, mints(registry, orders, "ok"), "one mint");
            assertEquals(0.0, mints(registry, orders, "failed"));
            assertEquals(1, emu.stats().path("mints").path("autoscaling").asInt(), "the workspace saw one mint");
            LakebasePoolStats st = pool.stats();
            assertTrue(st.connectsOk() >= 1, "no connect");
            assertEquals(st.connectsOk(), connects(registry, orders, "ok"));
            assertEquals(st.acquires(), registry.get("lakebase.pool.acquires").tags(orders).functionCounter().count());
            assertEquals(st.idle(), registry.get("db.client.connection.count").tags(orders)
                    .tag("db.client.connection.state", "idle").gauge().value());
            long waits = st.waitHistogram().stream().mapToLong(Long::longValue).sum();
            for (Measurement m : registry.get("db.client.connection.wait_time").tags(orders).meter().measure()) {
                assertEquals(Statistic.COUNT, m.getStatistic());
                assertEquals(waits, m.getValue());
            }

            // The expiry is reported once a credential is cached: registered at the readings above.
            Gauge expiresIn = registry.get("lakebase.credential.expires_in").tags(orders).gauge();
            assertTrue(expiresIn.value() > 0 && expiresIn.value() <= 3600, "expires in " + expiresIn.value());
            assertEquals(0.0, registry.get("lakebase.credential.refresh.degraded").tags(orders).gauge().value());

            Set<String> reported = pool.metrics("orders").stream().map(p -> p.metric().name())
                    .collect(Collectors.toSet());
            assertEquals(reported, LakebaseMeterBinderTest.names(registry));
            assertTrue(LakebaseMetric.table().stream().map(LakebaseMetric::name).collect(Collectors.toSet())
                    .containsAll(reported));
            LakebaseMeterBinderTest.assertTypedByTheTable(registry);
        }
    }

    @Test
    void a_credential_providers_meters_count_its_mints() {
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.64").build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LakebaseCredentials creds = LakebaseCredentials.create(config)) {
            LakebaseMeterBinder.of(creds).bindTo(registry);
            assertEquals(0.0, registry.get("lakebase.credential.mints").tag("lakebase.result", "ok")
                    .functionCounter().count());
            creds.get().close();
            assertEquals(1.0, registry.get("lakebase.credential.mints").tag("lakebase.result", "ok")
                    .functionCounter().count());
            assertEquals(creds.metrics().stream().map(p -> p.metric().name()).collect(Collectors.toSet()),
                    LakebaseMeterBinderTest.names(registry));
        }
    }

    private static double mints(SimpleMeterRegistry registry, Tags pool, String result) {
        return registry.get("lakebase.credential.mints").tags(pool).tag("lakebase.result", result).functionCounter()
                .count();
    }

    private static double connects(SimpleMeterRegistry registry, Tags pool, String result) {
        return registry.get("lakebase.pool.connects").tags(pool).tag("lakebase.result", result).functionCounter()
                .count();
    }
}
