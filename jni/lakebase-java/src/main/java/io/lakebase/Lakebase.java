package io.lakebase;

/** The library as a whole. */
public final class Lakebase {
    private Lakebase() {}

    /** The native library's version, "MAJOR.MINOR.PATCH" (loads it if needed). */
    public static String version() {
        NativeLoader.load();
        return NativeApi.version();
    }
}
