package io.lakebase.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseMetric;
import io.lakebase.LakebaseMetricPoint;
import io.lakebase.LakebasePool;
import io.lakebase.LakebasePoolSet;
import io.lakebase.LakebaseSpan;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The meters of lazy handles (no network): named, typed and described by the
 * core's table read through JNI, with the values of the core's points.
 */
class LakebaseMeterBinderTest {
    private static LakebaseConfig staticConfig() {
        return LakebaseConfig.builder().set("config.use_environment", false).set("pg.host", "127.0.0.1")
                .set("pg.port", 1).set("pg.user", "nobody").set("pg.password", "static").build();
    }

    private static LakebaseConfig setConfig() {
        return LakebaseConfig.builder().set("config.use_environment", false)
                .set("workspace.host", "https://127.0.0.1:1")
                .set("lakebase.endpoint", "projects/p/branches/b/endpoints/e").build();
    }

    static Set<String> names(MeterRegistry registry) {
        return registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
    }

    static Set<String> names(List<LakebaseMetricPoint> points) {
        return points.stream().map(p -> p.metric().name()).collect(Collectors.toSet());
    }

    /** Each meter's type is the one its kind in the core's table asks for, with the table's description. */
    static void assertTypedByTheTable(MeterRegistry registry) {
        Map<String, LakebaseMetric> table = LakebaseMetric.table().stream()
                .collect(Collectors.toMap(LakebaseMetric::name, m -> m));
        for (Meter meter : registry.getMeters()) {
            LakebaseMetric m = table.get(meter.getId().getName());
            assertTrue(m != null, meter.getId() + " is not in the core's table");
            assertEquals(m.description(), meter.getId().getDescription());
            switch (m.kind()) {
                case COUNTER -> assertInstanceOf(FunctionCounter.class, meter, m.name());
                case UPDOWN_COUNTER, GAUGE -> assertInstanceOf(Gauge.class, meter, m.name());
                case HISTOGRAM -> assertEquals(Meter.Type.DISTRIBUTION_SUMMARY, meter.getId().getType(), m.name());
            }
        }
    }

    @Test
    void the_tables_come_from_the_core() {
        List<LakebaseMetric> table = LakebaseMetric.table();
        assertFalse(table.isEmpty());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < table.size(); i++) {
            assertEquals(i, table.get(i).index());
            assertTrue(seen.add(table.get(i).name()), "a name twice: " + table.get(i).name());
            assertTrue(table.get(i).name().startsWith("lakebase.")
                    || table.get(i).name().startsWith("db.client.connection."), table.get(i).name());
        }
        LakebaseMetric count = table.stream().filter(m -> m.name().equals("db.client.connection.count")).findFirst()
                .orElseThrow();
        assertEquals(LakebaseMetric.Kind.UPDOWN_COUNTER, count.kind());
        assertEquals("{connection}", count.unit());
        assertEquals(List.of("db.client.connection.state"), count.attributes());
        assertEquals("db.client.connection.pool.name", LakebaseMetric.POOL_NAME_ATTRIBUTE);
        assertEquals(List.of("lakebase.credential.mint", "lakebase.connect"),
                LakebaseSpan.table().stream().map(LakebaseSpan::name).toList());
    }

    @Test
    void a_pools_meters_are_the_cores_points_under_the_tables_names() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LakebasePool pool = LakebasePool.create(staticConfig());
        try {
            LakebaseMeterBinder.of(pool, "orders").bindTo(registry);
            List<LakebaseMetricPoint> points = pool.metrics("orders");
            assertEquals(names(points), names(registry));
            assertTrue(names(registry).contains("db.client.connection.count"), names(registry).toString());
            assertTypedByTheTable(registry);
            for (Meter meter : registry.getMeters()) {
                assertEquals("orders", meter.getId().getTag(LakebaseMetric.POOL_NAME_ATTRIBUTE), meter.getId().toString());
            }
            assertEquals(0.0, registry.get("lakebase.pool.connects").tag("lakebase.result", "ok").functionCounter()
                    .count());
            assertEquals(0.0, registry.get("db.client.connection.count").tag("db.client.connection.state", "idle")
                    .gauge().value());
            assertNull(registry.find("lakebase.credential.expires_in").gauge(), "a static password never expires");
            // The acquire wait histogram has no sum in the core: a count only.
            Meter wait = registry.get("db.client.connection.wait_time").meter();
            List<Statistic> statistics = new java.util.ArrayList<>();
            for (Measurement m : wait.measure()) {
                statistics.add(m.getStatistic());
                assertEquals(0.0, m.getValue());
            }
            assertEquals(List.of(Statistic.COUNT), statistics);
            assertEquals("seconds", wait.getId().getBaseUnit());
        } finally {
            pool.close();
        }
        assertTrue(Double.isNaN(registry.get("lakebase.pool.acquires").functionCounter().count()),
                "a closed pool's meters read NaN");
    }

    @Test
    void a_pool_sets_meters_are_per_set() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LakebasePoolSet set = LakebasePoolSet.create(setConfig(), 4, Duration.ofMinutes(1))) {
            LakebaseMeterBinder.of(set, "users").bindTo(registry);
            assertEquals(names(set.metrics("users")), names(registry));
            assertTypedByTheTable(registry);
            assertEquals(0.0, registry.get("lakebase.pool_set.pools").gauge().value());
            assertEquals(0.0, registry.get("lakebase.pool_set.evictions").tag("lakebase.eviction.reason", "idle")
                    .functionCounter().count());
            assertEquals(0.0, registry.get("lakebase.pool_set.rejections").functionCounter().count());
        }
    }

    @Test
    void units_are_micrometers() {
        assertEquals("seconds", LakebaseMeterBinder.baseUnit("s"));
        assertNull(LakebaseMeterBinder.baseUnit("{connection}"));
        assertNull(LakebaseMeterBinder.baseUnit("1"));
    }
}
