package io.lakebase.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseFinishedSpan;
import io.lakebase.LakebaseLoginException;
import io.lakebase.LakebasePool;
import io.lakebase.LakebaseSpan;
import io.lakebase.testing.EmulatorTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The core's spans as OpenTelemetry spans (an in-memory exporter) against the emulator. */
class OpenTelemetrySpanListenerEmulatorTest extends EmulatorTest {
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> DB_STATUS = AttributeKey.stringKey("db.response.status_code");

    private InMemorySpanExporter exporter;
    private OpenTelemetrySdk otel;

    @BeforeEach
    void tracer() {
        exporter = InMemorySpanExporter.create();
        otel = OpenTelemetrySdk.builder().setTracerProvider(
                SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    }

    @AfterEach
    void closeTracer() {
        otel.close();
    }

    private List<SpanData> named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name))
                .collect(Collectors.toList());
    }

    private void assertNamedByTheTable() {
        Set<String> table = LakebaseSpan.table().stream().map(LakebaseSpan::name).collect(Collectors.toSet());
        for (SpanData s : exporter.getFinishedSpanItems()) {
            assertTrue(table.contains(s.getName()), s.getName() + " is not in the span table " + table);
            assertEquals(SpanKind.CLIENT, s.getKind());
            assertTrue(s.getStartEpochNanos() <= s.getEndEpochNanos(), s.toString());
            assertEquals(OpenTelemetrySpanListener.INSTRUMENTATION_NAME, s.getInstrumentationScopeInfo().getName());
        }
    }

    @Test
    void opening_a_pool_reports_a_mint_and_a_connect_at_the_cores_times() {
        OpenTelemetrySpanListener toOtel = OpenTelemetrySpanListener.of(otel);
        List<LakebaseFinishedSpan> core = new CopyOnWriteArrayList<>();
        // A provider of its own (the refresh fraction is part of its key): its first mint is this test's.
        LakebaseConfig config = emu.config().set("credential.refresh_fraction", "0.61").set("pool.min_size", 1)
                .spanListener(s -> {
                    core.add(s);
                    toOtel.spanEnded(s);
                }).build();
        try (LakebasePool pool = LakebasePool.open(config)) {
            assertEquals(1, pool.query("SELECT 1").scalar());
        }
        assertEquals(core.stream().map(s -> s.name() + " " + s.startEpochNanos() + ".." + s.endEpochNanos())
                .sorted().collect(Collectors.toList()),
                exporter.getFinishedSpanItems().stream()
                        .map(s -> s.getName() + " " + s.getStartEpochNanos() + ".." + s.getEndEpochNanos()).sorted()
                        .collect(Collectors.toList()),
                "one OpenTelemetry span per core span, at its times");
        List<SpanData> mints = named("lakebase.credential.mint");
        assertEquals(1, mints.size(), "one mint: " + exporter.getFinishedSpanItems());
        assertEquals(StatusCode.UNSET, mints.get(0).getStatus().getStatusCode());
        assertEquals(200L, mints.get(0).getAttributes().get(HTTP_STATUS));

        List<SpanData> connects = named("lakebase.connect");
        assertFalse(connects.isEmpty(), "no connect: " + exporter.getFinishedSpanItems());
        for (SpanData c : connects) {
            assertNotEquals(StatusCode.ERROR, c.getStatus().getStatusCode());
            assertEquals(Long.parseLong(emu.get("EMULATOR_PROXY_PORT")), c.getAttributes().get(SERVER_PORT));
            assertEquals("postgresql", c.getAttributes().get(AttributeKey.stringKey("db.system.name")));
            assertNull(c.getAttributes().get(ERROR_TYPE));
        }
        assertNamedByTheTable();
    }

    @Test
    void a_refused_login_is_a_connect_span_with_status_error() throws Exception {
        emu.knobs("{\"reject_logins\": true}");
        LakebaseConfig config = emu.config().set("pool.min_size", 1)
                .spanListener(OpenTelemetrySpanListener.of(otel)).build();
        assertThrows(LakebaseLoginException.class, () -> LakebasePool.open(config).close());

        List<SpanData> failed = named("lakebase.connect").stream()
                .filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR).collect(Collectors.toList());
        assertFalse(failed.isEmpty(), "no failed connect: " + exporter.getFinishedSpanItems());
        for (SpanData s : failed) {
            assertEquals("ELOGIN", s.getAttributes().get(ERROR_TYPE));
            assertEquals("28P01", s.getAttributes().get(DB_STATUS));
            assertFalse(s.getStatus().getDescription().isEmpty(), "the core's message");
        }
        assertNamedByTheTable();
    }
}
