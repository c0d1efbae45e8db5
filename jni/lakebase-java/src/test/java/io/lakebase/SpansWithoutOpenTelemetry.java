package io.lakebase;

/**
 * A program on a class path of lakebase-java's classes alone (no OpenTelemetry, no Micrometer), run by
 * {@link SpansWithoutOpenTelemetryTest}: opens a pool from the environment with a span listener and prints
 * "span NAME ok|ERRORNAME" for each span. Exits 3 when OpenTelemetry is on its class path after all.
 */
public final class SpansWithoutOpenTelemetry {
    private SpansWithoutOpenTelemetry() {}

    public static void main(String[] args) {
        try {
            Class.forName("io.opentelemetry.api.OpenTelemetry");
            System.out.println("OpenTelemetry is on the class path");
            System.exit(3);
        } catch (ClassNotFoundException expected) {
            // The point of this program.
        }
        LakebaseConfig config = LakebaseConfig.fromEnvironment().toBuilder().set("pool.min_size", 1)
                .spanListener(s -> System.out.println(
                        "span " + s.name() + " " + (s.error() == null ? "ok" : s.error().errorName())))
                .build();
        try (LakebasePool pool = LakebasePool.open(config)) {
            System.out.println("query " + pool.query("SELECT 1").scalar());
        }
    }
}
