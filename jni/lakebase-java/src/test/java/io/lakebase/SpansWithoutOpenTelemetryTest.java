package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakebase.testing.EmulatorTest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry is an optional dependency: a JVM whose class path holds lakebase-java's classes and nothing
 * else (as an application that depends on lakebase-java alone) gets the spans through the plain listener.
 */
class SpansWithoutOpenTelemetryTest extends EmulatorTest {
    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void the_listener_gets_a_mint_and_a_connect_with_no_opentelemetry_on_the_class_path() throws Exception {
        String classPath = location(LakebaseConfig.class) + File.pathSeparator
                + location(SpansWithoutOpenTelemetry.class);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xcheck:jni", "-cp", classPath, SpansWithoutOpenTelemetry.class.getName())
                .redirectErrorStream(true);
        // The identity, workspace and endpoint from the environment, as a deployed application gets them.
        pb.environment().putAll(emu.env());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the program did not end: " + out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.contains("span lakebase.credential.mint ok"), out);
        assertTrue(lines.contains("span lakebase.connect ok"), out);
        assertTrue(lines.contains("query 1"), out);
        assertFalse(out.contains("WARNING in native method") || out.contains("FATAL ERROR in native method"), out);
    }
}
