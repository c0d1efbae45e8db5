package io.lakebase;

import java.util.ArrayList;
import java.util.List;

/**
 * A pool's native handle, its leased connections and its last counters,
 * apart from the {@link LakebasePool} that owns it (so the Cleaner never
 * reaches the owner). Closing closes the leased connections first.
 */
final class PoolState {
    final NativeHandle handle;
    private final Callbacks.Hooks hooks;
    private final Leases leases = new Leases("LakebasePool");
    private volatile LakebasePoolStats finalStats;
    private volatile LakebaseCredentialStats finalCredentialStats;

    PoolState(long ptr, Callbacks.Hooks hooks) {
        this.hooks = hooks;
        this.handle = new NativeHandle("LakebasePool", ptr, p -> {
            NativeApi.poolFree(p);
            if (hooks != null) {
                hooks.release();
            }
        });
    }

    Callbacks.Hooks hooks() {
        return hooks;
    }

    /** Leases a connection: the caller holds the pool entered. */
    ConnState lease(long poolPtr, long timeoutMs) {
        return leases.track(NativeApi.poolAcquire(poolPtr, timeoutMs));
    }

    void close(boolean cancelRunning) {
        handle.close(p -> {
            leases.closeAll(cancelRunning);
            try {
                NativeApi.poolClose(p, cancelRunning);
            } finally {
                long[] v = new long[LakebasePoolStats.NATIVE_LENGTH];
                NativeApi.poolStats(p, v);
                finalStats = LakebasePoolStats.fromNative(v);
                long[] cv = new long[8];
                finalCredentialStats = LakebaseCredentialStats.fromNative(cv, NativeApi.poolCredentialStats(p, cv));
            }
        });
    }

    LakebasePoolStats stats() {
        long[] v = new long[LakebasePoolStats.NATIVE_LENGTH];
        long p;
        try {
            p = handle.enter();
        } catch (IllegalStateException closed) {
            return afterClose(finalStats, closed);
        }
        try {
            NativeApi.poolStats(p, v);
            return LakebasePoolStats.fromNative(v);
        } finally {
            handle.exit();
        }
    }

    /** The core's points for the pool and its provider; {@link IllegalStateException} once closed. */
    List<LakebaseMetricPoint> metrics(String poolName) {
        byte[] name = Utf8.of(poolName, "the pool name");
        List<LakebaseMetricPoint> out = new ArrayList<>();
        long p = handle.enter();
        try {
            NativeApi.poolMetrics(p, name, out);
        } finally {
            handle.exit();
        }
        return out;
    }

    LakebaseCredentialStats credentialStats() {
        long[] v = new long[8];
        long p;
        try {
            p = handle.enter();
        } catch (IllegalStateException closed) {
            return afterClose(finalCredentialStats, closed);
        }
        try {
            return LakebaseCredentialStats.fromNative(v, NativeApi.poolCredentialStats(p, v));
        } finally {
            handle.exit();
        }
    }

    private static <T> T afterClose(T last, IllegalStateException closed) {
        if (last == null) {
            throw closed; // still closing
        }
        return last;
    }
}
