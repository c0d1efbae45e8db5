package io.lakebase;

import java.util.List;
import java.util.Map;

/**
 * One data point as the core reports it ({@code lakebase_pool_metrics},
 * {@code lakebase_credentials_metrics}, {@code lakebase_user_pools_metrics}):
 * the core maps the counters to points, this binding only carries them.
 * Counters and histograms are cumulative.
 *
 * @param metric the metric of the core's table the point belongs to
 * @param attributes its attributes, in the core's order (the pool name first, when named)
 * @param value counters, up-down counters and gauges: the value
 * @param count histograms: the number of observations
 * @param sum histograms: their sum in the metric's unit, when {@code hasSum}
 * @param hasSum whether the core keeps a sum for this histogram
 * @param bounds histograms: the bucket bounds (one fewer than the buckets)
 * @param bucketCounts histograms: bucket i counts observations at most bounds[i] and more
 *     than bounds[i-1]; the last one everything above the last bound
 */
public record LakebaseMetricPoint(LakebaseMetric metric, Map<String, String> attributes, double value, long count,
        double sum, boolean hasSum, List<Double> bounds, List<Long> bucketCounts) {
}
