package io.lakebase;

/**
 * The JNI glue (jni/native): one static method per C function the binding
 * uses. Handles travel as {@code long}; strings going in are UTF-8 byte arrays
 * (the glue zeroes its copies); failures throw {@link LakebaseException}.
 * Callers hold the handle's lock ({@link NativeHandle}) around every call.
 */
final class NativeApi {
    static {
        NativeLoader.load();
    }

    private NativeApi() {}

    static native int versionNumber();

    static native String version();

    static native String errorName(int code);

    static native String[] configKeys();

    static native long configNew();

    static native void configSet(long cfg, byte[] key, byte[] value);

    static native void configSetDsn(long cfg, byte[] dsn);

    static native void configSetTokenSource(long cfg, long hooks);

    static native void configSetLogger(long cfg, long hooks, int maxLevel);

    static native void configSetSpanListener(long cfg, long hooks);

    static native void configFree(long cfg);

    static native long credentialsNew(long cfg);

    static native LakebaseCredential credentialsGet(long creds);

    static native void credentialsOpen(long creds);

    static native void credentialsInvalidate(long creds, byte[] token);

    static native String credentialsStats(long creds, long[] out);

    static native void credentialsFree(long creds);

    static native long poolNew(long cfg);

    static native void poolOpen(long pool, boolean await);

    static native long poolAcquire(long pool, long timeoutMs);

    static native LakebaseResult poolQuery(long pool, byte[] sql, byte[][] params, boolean asText);

    static native void poolClose(long pool, boolean cancelInflight);

    static native void poolFree(long pool);

    static native void poolStats(long pool, long[] out);

    static native String poolCredentialStats(long pool, long[] out);

    static native long connect(long cfg);

    static native LakebaseResult connQuery(long conn, byte[] sql, byte[][] params, boolean asText);

    static native void connCancel(long conn);

    static native void connRelease(long conn);

    static native String[] metricAt(int index, int[] kind);

    static native String[] spanAt(int index);

    static native String poolNameAttribute();

    static native void poolMetrics(long pool, byte[] poolName, java.util.List<LakebaseMetricPoint> out);

    static native void credentialsMetrics(long creds, java.util.List<LakebaseMetricPoint> out);

    static native long poolSetNew(long cfg, int maxPools, int idleEvictSeconds);

    static native long poolSetAcquire(long set, byte[] key, byte[] workspaceToken, long timeoutMs);

    static native String poolSetStats(long set, long[] out, long[] credential);

    static native void poolSetMetrics(long set, byte[] name, java.util.List<LakebaseMetricPoint> out);

    static native void poolSetClose(long set);

    static native void poolSetFree(long set);
}
