package io.lakebase;

import java.time.Instant;
import java.util.Map;

/**
 * One finished span as the core reports it ({@code lakebase_span}): a credential mint attempt
 * ({@code lakebase.credential.mint}, one per HTTPS call, so a retry is a span of its own) or a new
 * PostgreSQL connection ({@code lakebase.connect}). The core names, times and fills it; this binding only
 * carries it. Its name and attribute keys are those of {@link LakebaseSpan#table()}.
 *
 * @param name the span's name, as in {@link LakebaseSpan#table()}
 * @param startEpochNanos wall-clock start, nanoseconds since the Unix epoch
 * @param endEpochNanos wall-clock end (the start plus the monotonic duration: never before the start)
 * @param error null when the mint or connect succeeded; else the exception the same failure raises from a
 *     call (the subclass chosen from the core's code, with its message: never a token or secret)
 * @param attributes the attributes in the core's order: {@link Long} values where the core reports an integer
 *     ({@code server.port}, {@code http.response.status_code}), {@link String} otherwise
 */
public record LakebaseFinishedSpan(String name, long startEpochNanos, long endEpochNanos, LakebaseException error,
        Map<String, Object> attributes) {
    /** The start as an Instant. */
    public Instant start() {
        return instant(startEpochNanos);
    }

    /** The end as an Instant. */
    public Instant end() {
        return instant(endEpochNanos);
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
    }
}
