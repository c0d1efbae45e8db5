package io.lakebase;

/**
 * Receives the spans of the handles made from a {@link LakebaseConfig}
 * ({@link LakebaseConfig.Builder#spanListener}). The core calls it once a
 * mint attempt or a connect ends, on the thread that ended it: a caller's,
 * the core's background thread or a worker, possibly several at once. It
 * must not block for long; what it throws is dropped (never reaches the
 * library). Like the logger, a credential provider shared by several
 * handles reports its mints to every handle's listener, and a closed
 * handle's listener is never called for it again.
 * {@code io.lakebase.otel.OpenTelemetrySpanListener} turns the spans into
 * OpenTelemetry spans.
 */
@FunctionalInterface
public interface LakebaseSpanListener {
    void spanEnded(LakebaseFinishedSpan span);
}
