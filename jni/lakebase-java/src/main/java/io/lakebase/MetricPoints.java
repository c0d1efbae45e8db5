package io.lakebase;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where the glue hands each point the core reports (jni/native/lbj_metrics.c). */
final class MetricPoints {
    private MetricPoints() {}

    /** Called by the glue, on the thread that collects. */
    static void add(List<LakebaseMetricPoint> out, int metric, String[] keys, String[] values, double value,
            long count, double sum, boolean hasSum, double[] bounds, long[] bucketCounts) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) {
            attributes.put(keys[i], values[i]);
        }
        out.add(new LakebaseMetricPoint(LakebaseMetric.at(metric), Collections.unmodifiableMap(attributes), value,
                count, sum, hasSum, Arrays.stream(bounds).boxed().toList(),
                Arrays.stream(bucketCounts).boxed().toList()));
    }
}
