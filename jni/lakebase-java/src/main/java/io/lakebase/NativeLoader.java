package io.lakebase;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the JNI library (liblakebase_jni, which links the core statically),
 * once per class loader:
 * <ol>
 * <li>{@code -Dlakebase.jni.library=/abs/path/liblakebase_jni.so}: that
 * file, with no fallback;</li>
 * <li>else the copy bundled in the JAR under
 * {@code META-INF/native/lakebase/<os>-<arch>[-musl]/}, copied to an
 * owner-only temporary file in {@code lakebase.jni.tmpdir} (default
 * {@code java.io.tmpdir}), loaded, and deleted at once;</li>
 * <li>else {@code System.loadLibrary("lakebase_jni")} (java.library.path).</li>
 * </ol>
 * Then the native side's version must equal {@link #EXPECTED_NATIVE_VERSION}.
 * A failure throws an {@link UnsatisfiedLinkError} naming every attempt, the
 * temporary directory, the C library and the property to set; it is thrown
 * again, unchanged, by every later use.
 */
final class NativeLoader {
    /** The core's LAKEBASE_VERSION_NUMBER this JAR was built for (jni/CMakeLists.txt checks it). */
    static final int EXPECTED_NATIVE_VERSION = 300;

    static final String LIBRARY_PROPERTY = "lakebase.jni.library";
    static final String TMPDIR_PROPERTY = "lakebase.jni.tmpdir";
    static final String LIBRARY_NAME = "lakebase_jni";
    static final String RESOURCE_ROOT = "META-INF/native/lakebase/";

    private static boolean loaded;
    private static String failure;

    private NativeLoader() {}

    /** Loads the library if not yet done; throws the load's failure otherwise. */
    static synchronized void load() {
        if (loaded) {
            return;
        }
        if (failure == null) {
            try {
                loadOnce();
                loaded = true;
                return;
            } catch (UnsatisfiedLinkError e) {
                failure = e.getMessage();
            }
        }
        throw new UnsatisfiedLinkError(failure);
    }

    private static void loadOnce() {
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        if (explicit != null && !explicit.isEmpty()) {
            try {
                System.load(explicit);
            } catch (UnsatisfiedLinkError e) {
                throw new UnsatisfiedLinkError("liblakebase: could not load " + explicit + " (set by -D"
                        + LIBRARY_PROPERTY + "): " + e.getMessage()
                        + ". Fix the path, or unset " + LIBRARY_PROPERTY + " to use the copy inside the JAR.");
            }
            checkVersion(explicit);
            return;
        }
        Platform platform = Platform.current();
        String resource = RESOURCE_ROOT + platform.directory() + "/" + System.mapLibraryName(LIBRARY_NAME);
        Path tmpdir = Path.of(System.getProperty(TMPDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        List<String> tried = new ArrayList<>();
        String from = loadBundled(resource, tmpdir, tried);
        if (from == null) {
            try {
                System.loadLibrary(LIBRARY_NAME);
                from = "java.library.path";
            } catch (UnsatisfiedLinkError e) {
                tried.add("System.loadLibrary(\"" + LIBRARY_NAME + "\") on java.library.path="
                        + System.getProperty("java.library.path") + ": " + e.getMessage());
                throw new UnsatisfiedLinkError(explain(platform, resource, tmpdir, tried));
            }
        }
        checkVersion(from);
    }

    /** Returns where the library came from, or null (with the reason in tried). */
    private static String loadBundled(String resource, Path tmpdir, List<String> tried) {
        InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            tried.add("the JAR resource " + resource + ": not in the JAR (no build for this platform)");
            return null;
        }
        Path file = null;
        try (in) {
            file = Files.createTempFile(tmpdir, "liblakebase_jni-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
            return resource;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            tried.add("the JAR resource " + resource + ", copied to " + tmpdir + ": " + e);
            return null;
        } catch (UnsatisfiedLinkError e) {
            tried.add("the JAR resource " + resource + ", copied to " + file + ": " + e.getMessage());
            return null;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // Best effort: a file we could not delete holds no secret.
                }
            }
        }
    }

    private static String explain(Platform platform, String resource, Path tmpdir, List<String> tried) {
        StringBuilder m = new StringBuilder("liblakebase: could not load the native library for ")
                .append(platform.directory()).append(" (C library: ").append(platform.libc()).append("). Tried:");
        for (int i = 0; i < tried.size(); i++) {
            m.append(' ').append(i + 1).append(") ").append(tried.get(i)).append(';');
        }
        m.append(" Temporary directory ").append(tmpdir).append(": ").append(TempDirProbe.describe(tmpdir)).append('.');
        m.append(" Fix: point -D").append(TMPDIR_PROPERTY)
                .append("=<a writable directory on a filesystem mounted without noexec>, or -D")
                .append(LIBRARY_PROPERTY).append("=<absolute path of ").append(System.mapLibraryName(LIBRARY_NAME))
                .append(">, or override the platform with -Dlakebase.jni.libc=glibc|musl / -Dlakebase.jni.arch.");
        return m.toString();
    }

    private static void checkVersion(String from) {
        int actual;
        try {
            actual = NativeApi.versionNumber();
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError("liblakebase: " + from + " is not a lakebase JNI library: " + e.getMessage());
        }
        if (actual != EXPECTED_NATIVE_VERSION) {
            throw new UnsatisfiedLinkError("liblakebase: " + from + " is version " + actual
                    + " but this JAR needs " + EXPECTED_NATIVE_VERSION
                    + " (MAJOR*10000+MINOR*100+PATCH): use the library built with this JAR, or unset -D"
                    + LIBRARY_PROPERTY + " to use the copy inside the JAR.");
        }
    }
}
