package io.lakebase;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A pool's native handle, its leased connections and its last counters,
 * apart from the {@link LakebasePool} that owns it (so the Cleaner never
 * reaches the owner). Closing closes the leased connections first (after
 * their statements in progress), since the core's close waits for every
 * lease and its free needs them returned.
 */
final class PoolState {
    final NativeHandle handle;
    private final Callbacks.Hooks hooks;
    private final Set<ConnState> leased = new HashSet<>();
    private boolean closing;
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
        long c = NativeApi.poolAcquire(poolPtr, timeoutMs);
        ConnState conn = new ConnState(c, this, null);
        synchronized (this) {
            if (!closing) {
                leased.add(conn);
                return conn;
            }
        }
        NativeApi.connRelease(c);
        throw new IllegalStateException("the LakebasePool is closed");
    }

    synchronized void returned(ConnState conn) {
        leased.remove(conn);
    }

    void close(boolean cancelRunning) {
        handle.close(p -> {
            List<ConnState> held;
            synchronized (this) {
                closing = true;
                held = new ArrayList<>(leased);
            }
            for (ConnState c : held) {
                c.close(cancelRunning);
            }
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
