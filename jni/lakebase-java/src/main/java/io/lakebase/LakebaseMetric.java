package io.lakebase;

import java.util.ArrayList;
import java.util.List;

/**
 * One metric of the core's table (docs/observability.md), read through
 * {@code lakebase_metric_at}: every binding exports the same names, kinds,
 * units and attributes, and none keeps a table of its own.
 *
 * @param index the metric's place in the core's table (metrics are only ever appended)
 * @param name its name ({@code db.client.connection.count}, {@code lakebase.credential.mints}...)
 * @param kind how it aggregates
 * @param unit its unit as OpenTelemetry writes it (UCUM: {@code s}, {@code {connection}})
 * @param description one line
 * @param attributes the keys of the attributes its points carry, besides {@link #POOL_NAME_ATTRIBUTE}
 */
public record LakebaseMetric(int index, String name, Kind kind, String unit, String description,
        List<String> attributes) {

    /** The core's LAKEBASE_METRIC_* kinds. */
    public enum Kind {
        /** A monotonic, cumulative count. */
        COUNTER,
        /** A count that goes up and down (connections, waiters). */
        UPDOWN_COUNTER,
        /** A value sampled when read (seconds to expiry, degraded). */
        GAUGE,
        /** A cumulative histogram with explicit bucket bounds. */
        HISTOGRAM;

        static Kind fromNative(int kind) {
            // LAKEBASE_METRIC_COUNTER is 1, and the kinds follow in this order.
            if (kind < 1 || kind > values().length) {
                throw new IllegalStateException("the native library reports a metric kind " + kind
                        + " this binding does not know: use a lakebase-java of the library's version");
            }
            return values()[kind - 1];
        }
    }

    /** The attribute every point collected through a named pool (or pool set) carries. */
    public static final String POOL_NAME_ATTRIBUTE;

    private static final List<LakebaseMetric> TABLE;

    static {
        NativeLoader.load();
        POOL_NAME_ATTRIBUTE = NativeApi.poolNameAttribute();
        List<LakebaseMetric> table = new ArrayList<>();
        int[] kind = new int[1];
        for (int i = 0;; i++) {
            String[] s = NativeApi.metricAt(i, kind);
            if (s == null) {
                break;
            }
            table.add(new LakebaseMetric(i, s[0], Kind.fromNative(kind[0]), s[1], s[2], keys(s[3])));
        }
        TABLE = List.copyOf(table);
    }

    /** The core's metric table, in its order. */
    public static List<LakebaseMetric> table() {
        return TABLE;
    }

    static LakebaseMetric at(int index) {
        return TABLE.get(index);
    }

    static List<String> keys(String commaSeparated) {
        return commaSeparated.isEmpty() ? List.of() : List.of(commaSeparated.split(","));
    }
}
