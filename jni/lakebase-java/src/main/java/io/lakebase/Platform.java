package io.lakebase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The platform the JVM runs on, named as the JAR's native directories are:
 * {@code linux-x86_64}, {@code linux-aarch64}, {@code linux-x86_64-musl}.
 * Overrides: {@code lakebase.jni.os}, {@code lakebase.jni.arch},
 * {@code lakebase.jni.libc} ({@code glibc} or {@code musl}).
 */
record Platform(String os, String arch, String libc) {

    static Platform current() {
        String os = System.getProperty("lakebase.jni.os", normalizeOs(System.getProperty("os.name", "")));
        String arch = System.getProperty("lakebase.jni.arch", normalizeArch(System.getProperty("os.arch", "")));
        String libc = System.getProperty("lakebase.jni.libc", os.equals("linux") ? detectLibc() : "");
        return new Platform(os, arch, libc);
    }

    /** The directory under META-INF/native/lakebase/ for this platform. */
    String directory() {
        return os + "-" + arch + (libc.equals("musl") ? "-musl" : "");
    }

    static String normalizeOs(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return "linux";
        }
        if (n.startsWith("mac") || n.startsWith("darwin")) {
            return "macos";
        }
        if (n.startsWith("windows")) {
            return "windows";
        }
        return n.replaceAll("[^a-z0-9]", "");
    }

    static String normalizeArch(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64":
            case "x86_64":
            case "x86-64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return a.replaceAll("[^a-z0-9_]", "");
        }
    }

    /**
     * The C library the JVM itself is linked with, read from the libraries
     * mapped into this process ({@code /proc/self/maps}).
     */
    static String detectLibc() {
        try {
            return libcOfMaps(Files.readString(Path.of("/proc/self/maps")));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String libcOfMaps(String maps) {
        if (maps.contains("/ld-musl-") || maps.contains("/libc.musl-")) {
            return "musl";
        }
        if (maps.contains("/libc.so.6") || maps.contains("/libc-2.")) {
            return "glibc";
        }
        return "unknown";
    }
}
