package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader, each case in a JVM of its own (a library loads once per JVM). */
class NativeLoaderTest {
    @TempDir
    Path tmp;

    /** Prints Lakebase.version(), or the load error's message. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("loaded " + Lakebase.version());
            } catch (UnsatisfiedLinkError e) {
                System.out.println("error " + e.getMessage());
            }
        }
    }

    private static String probe(String... props) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of(props));
        cmd.addAll(List.of("-Djava.library.path=/nonexistent", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void bundled_library_loads_and_its_temporary_copy_is_deleted() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("extract"));
        String out = probe("-Dlakebase.jni.tmpdir=" + dir);
        assertTrue(out.startsWith("loaded " + Lakebase.version()), out);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the extracted library must be deleted once loaded");
        }
    }

    @Test
    void unwritable_temporary_directory_names_the_directory_the_libc_and_the_properties() throws Exception {
        Path notADir = Files.writeString(tmp.resolve("a-file"), "x");
        String out = probe("-Dlakebase.jni.tmpdir=" + notADir);
        assertTrue(out.startsWith("error liblakebase: could not load the native library for linux-"), out);
        assertTrue(out.contains("Temporary directory " + notADir + ": not a directory"), out);
        assertTrue(out.contains("C library: glibc"), out);
        assertTrue(out.contains("-Dlakebase.jni.tmpdir="), out);
        assertTrue(out.contains("-Dlakebase.jni.library="), out);
        assertTrue(out.contains("System.loadLibrary(\"lakebase_jni\")"), out);
        assertTrue(out.contains("META-INF/native/lakebase/linux-x86_64/liblakebase_jni.so"), out);
    }

    @Test
    void explicit_library_path_is_used_with_no_fallback() throws Exception {
        String out = probe("-Dlakebase.jni.library=" + tmp.resolve("missing.so"));
        assertTrue(out.startsWith("error liblakebase: could not load " + tmp.resolve("missing.so")), out);
        assertTrue(out.contains("unset lakebase.jni.library"), out);
    }

    @Test
    void platform_names_the_jar_directory() {
        assertEquals("x86_64", Platform.normalizeArch("amd64"));
        assertEquals("aarch64", Platform.normalizeArch("arm64"));
        assertEquals("musl", Platform.libcOfMaps("7f00 r-xp 00 08:01 1 /lib/ld-musl-x86_64.so.1\n"));
        assertEquals("glibc", Platform.libcOfMaps("7f00 r-xp 00 08:01 1 /usr/lib/x86_64-linux-gnu/libc.so.6\n"));
        assertEquals("linux-aarch64-musl", new Platform("linux", "aarch64", "musl").directory());
        assertEquals("linux-x86_64", new Platform("linux", "x86_64", "glibc").directory());
    }
}
