package io.lakebase.otel;

import io.lakebase.Lakebase;
import io.lakebase.LakebaseFinishedSpan;
import io.lakebase.LakebaseSpan;
import io.lakebase.LakebaseSpanListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Turns the core's spans (a credential mint attempt, a new connection: {@link LakebaseSpan#table()},
 * docs/observability.md) into spans of an OpenTelemetry {@link Tracer}, as the core names, times and fills
 * them: this class keeps no names of its own.
 *
 * <ul>
 * <li>Kind {@link SpanKind#CLIENT}; start and end are the core's wall-clock times.
 * <li>Attributes as the core types them: integers ({@code server.port}, {@code http.response.status_code})
 * as long attributes, the rest as strings ({@code error.type}, {@code db.response.status_code}...).
 * <li>A failed mint or connect has status {@link StatusCode#ERROR} with the core's message (never a token or
 * secret); a successful one leaves the status unset.
 * <li>The parent is the current context of the thread that ended the mint or connect: the caller's current
 * span when that is the caller's thread, none on the core's own threads (a background refresh).
 * </ul>
 *
 * OpenTelemetry (io.opentelemetry:opentelemetry-api) is an optional dependency of lakebase-java: only this
 * package needs it.
 *
 * <pre>{@code
 * LakebaseConfig config = LakebaseConfig.builder()
 *         .spanListener(OpenTelemetrySpanListener.of(openTelemetry))
 *         .build();
 * }</pre>
 */
public final class OpenTelemetrySpanListener implements LakebaseSpanListener {
    /** The instrumentation scope of the spans. */
    public static final String INSTRUMENTATION_NAME = "io.lakebase";

    private final Tracer tracer;

    private OpenTelemetrySpanListener(Tracer tracer) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
    }

    /** Spans of the tracer {@value #INSTRUMENTATION_NAME} (at the library's version) of {@code openTelemetry}. */
    public static OpenTelemetrySpanListener of(OpenTelemetry openTelemetry) {
        return of(openTelemetry.getTracer(INSTRUMENTATION_NAME, Lakebase.version()));
    }

    /** Spans of {@code tracer}. */
    public static OpenTelemetrySpanListener of(Tracer tracer) {
        return new OpenTelemetrySpanListener(tracer);
    }

    /** Starts and ends one OpenTelemetry span with the core span's times, attributes and status. */
    @Override
    public void spanEnded(LakebaseFinishedSpan finished) {
        Span span = tracer.spanBuilder(finished.name()).setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(finished.startEpochNanos(), TimeUnit.NANOSECONDS)
                .setAllAttributes(attributes(finished.attributes())).startSpan();
        if (finished.error() != null) {
            span.setStatus(StatusCode.ERROR, finished.error().getMessage());
        }
        span.end(finished.endEpochNanos(), TimeUnit.NANOSECONDS);
    }

    private static Attributes attributes(Map<String, Object> attributes) {
        AttributesBuilder b = Attributes.builder();
        attributes.forEach((key, value) -> {
            if (value instanceof Long) {
                b.put(key, (long) (Long) value);
            } else {
                b.put(key, String.valueOf(value));
            }
        });
        return b.build();
    }
}
