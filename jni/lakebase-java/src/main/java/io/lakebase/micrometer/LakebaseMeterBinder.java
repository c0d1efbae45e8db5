package io.lakebase.micrometer;

import io.lakebase.LakebaseCredentials;
import io.lakebase.LakebaseMetric;
import io.lakebase.LakebaseMetricPoint;
import io.lakebase.LakebasePool;
import io.lakebase.LakebasePoolSet;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a pool, a per-user pool set or a credential
 * provider, named, typed and described by the core's one table
 * ({@link LakebaseMetric#table()}, docs/observability.md), with the values
 * the core maps from its counters ({@link LakebasePool#metrics},
 * {@link LakebasePoolSet#metrics}, {@link LakebaseCredentials#metrics}):
 * this class keeps no mapping of its own.
 *
 * <ul>
 * <li>Counters are {@link FunctionCounter}s; up-down counters and gauges are {@link Gauge}s.
 * <li>Histograms (the acquire wait time; connect and mint durations once the core reports them): Micrometer
 * has no meter whose buckets come from outside it (its timers and summaries record observations themselves),
 * so each histogram is one meter of type {@link Meter.Type#DISTRIBUTION_SUMMARY} with the observation count
 * ({@link Statistic#COUNT}) and, when the core keeps one, the sum in seconds ({@link Statistic#TOTAL}). The
 * core's bucket counts are in {@link LakebaseMetricPoint#bucketCounts()}, not in Micrometer.
 * <li>One meter per series the core reports (a metric and its attributes; the pool name becomes the
 * {@code db.client.connection.pool.name} tag). A series the core starts reporting later (seconds to expiry,
 * once a credential is cached) is registered at the first reading of any of this binder's meters after it
 * appears. A meter of a closed handle, or of a series no longer reported, reads NaN.
 * <li>Units: the table's UCUM units, with {@code s} as Micrometer's {@code seconds}; annotations
 * ({@code {connection}}) and {@code 1} have no base unit (as OpenTelemetry's Prometheus exporter drops them).
 * </ul>
 *
 * Every reading of a meter asks the core for the handle's points (it never blocks: counters only).
 * Micrometer (io.micrometer:micrometer-core) is an optional dependency of lakebase-java: only this package
 * needs it.
 *
 * <pre>{@code
 * LakebaseMeterBinder.of(pool, "orders").bindTo(registry);
 * }</pre>
 */
public final class LakebaseMeterBinder implements MeterBinder {
    private final Supplier<List<LakebaseMetricPoint>> source;
    private final Set<Series> known = ConcurrentHashMap.newKeySet();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    private LakebaseMeterBinder(Supplier<List<LakebaseMetricPoint>> source) {
        this.source = source;
    }

    /**
     * The meters of a pool and its credential provider.
     *
     * @param poolName the {@code db.client.connection.pool.name} tag (null: none): one name per pool of the
     *     program, never a user's
     */
    public static LakebaseMeterBinder of(LakebasePool pool, String poolName) {
        return new LakebaseMeterBinder(() -> pool.metrics(poolName));
    }

    /** The meters of a per-user pool set: its pools' counters summed, and the set's own; never per user. */
    public static LakebaseMeterBinder of(LakebasePoolSet set, String name) {
        return new LakebaseMeterBinder(() -> set.metrics(name));
    }

    /** The meters of a credential provider: mints by result, seconds to expiry, degraded. */
    public static LakebaseMeterBinder of(LakebaseCredentials credentials) {
        return new LakebaseMeterBinder(credentials::metrics);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        for (Series s : known) {
            s.register(this, registry);
        }
        discover(points());
    }

    /** One series: a metric of the table and the attributes of its points. */
    private record Series(LakebaseMetric metric, Map<String, String> attributes, boolean hasSum) {
        static Series of(LakebaseMetricPoint p) {
            return new Series(p.metric(), p.attributes(), p.hasSum());
        }

        boolean matches(LakebaseMetricPoint p) {
            return p.metric().index() == metric.index() && p.attributes().equals(attributes);
        }

        void register(LakebaseMeterBinder binder, MeterRegistry registry) {
            List<Tag> tags = new ArrayList<>();
            attributes.forEach((k, v) -> tags.add(Tag.of(k, v)));
            String unit = baseUnit(metric.unit());
            switch (metric.kind()) {
                case COUNTER -> FunctionCounter.builder(metric.name(), this, s -> binder.read(s, p -> p.value()))
                        .tags(tags).description(metric.description()).baseUnit(unit).register(registry);
                case UPDOWN_COUNTER, GAUGE -> Gauge.builder(metric.name(), this, s -> binder.read(s, p -> p.value()))
                        .tags(tags).description(metric.description()).baseUnit(unit).strongReference(true)
                        .register(registry);
                case HISTOGRAM -> {
                    List<Measurement> measurements = new ArrayList<>();
                    measurements.add(new Measurement(() -> binder.read(this, p -> p.count()), Statistic.COUNT));
                    if (hasSum) {
                        measurements.add(new Measurement(() -> binder.read(this, p -> p.sum()), Statistic.TOTAL));
                    }
                    Meter.builder(metric.name(), Meter.Type.DISTRIBUTION_SUMMARY, measurements).tags(Tags.of(tags))
                            .description(metric.description()).baseUnit(unit).register(registry);
                }
            }
        }
    }

    /** Micrometer's base unit for a UCUM unit of the table. */
    static String baseUnit(String ucum) {
        if (ucum.equals("s")) {
            return "seconds"; // Micrometer's BaseUnits.SECONDS
        }
        if (ucum.equals("1") || ucum.startsWith("{")) {
            return null;
        }
        return ucum;
    }

    private List<LakebaseMetricPoint> points() {
        try {
            return source.get();
        } catch (IllegalStateException closed) {
            return List.of();
        }
    }

    /** Registers, in every registry bound, the series the core reports for the first time. */
    private void discover(List<LakebaseMetricPoint> points) {
        for (LakebaseMetricPoint p : points) {
            Series s = Series.of(p);
            if (known.add(s)) {
                for (MeterRegistry r : registries) {
                    s.register(this, r);
                }
            }
        }
    }

    private double read(Series series, ToDoubleFunction<LakebaseMetricPoint> value) {
        List<LakebaseMetricPoint> points = points();
        discover(points);
        for (LakebaseMetricPoint p : points) {
            if (series.matches(p)) {
                return value.applyAsDouble(p);
            }
        }
        return Double.NaN;
    }
}
