package io.lakebase;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;

/**
 * A handle on the core's process-wide credential provider for one key
 * (workspace, identity, endpoint or instance, claims, group, ttl): handles,
 * pools and data sources with an equal key share one cache, one refresh
 * schedule and one mint in flight. Thread-safe. Close it when done (the
 * provider stops refreshing with its last handle); a closed handle throws
 * {@link IllegalStateException}.
 */
public final class LakebaseCredentials implements AutoCloseable {
    private final NativeHandle handle;
    private final Callbacks.Hooks hooks;
    private final Runnable guard;
    private final Cleaner.Cleanable cleanable;

    private LakebaseCredentials(long ptr, Callbacks.Hooks hooks) {
        this.handle = new NativeHandle("LakebaseCredentials", ptr, NativeApi::credentialsFree);
        this.hooks = hooks;
        NativeHandle h = handle;
        this.guard = NativeHandle.leakGuard(() -> {
            if (h.close() && hooks != null) {
                hooks.release();
            }
        }, "LakebaseCredentials");
        this.cleanable = NativeHandle.CLEANER.register(this, guard);
    }

    /**
     * Resolves and validates the configuration; no network call (the first
     * mint happens on first use or in {@link #open()}).
     *
     * @throws LakebaseConfigException naming the key and the fix
     */
    public static LakebaseCredentials create(LakebaseConfig config) {
        Callbacks.Hooks[] hooks = new Callbacks.Hooks[1];
        long ptr = config.makeNative(NativeApi::credentialsNew, hooks);
        return new LakebaseCredentials(ptr, hooks[0]);
    }

    /**
     * A credential valid for at least the core's hard margin: cached, or
     * minted (one mint in flight per key; concurrent callers wait for it).
     * Blocks while a mint is needed.
     */
    public LakebaseCredential get() {
        long p = handle.enter();
        try {
            return NativeApi.credentialsGet(p);
        } catch (LakebaseException e) {
            throw Callbacks.explain(e, hooks);
        } finally {
            handle.exit();
        }
    }

    /** Mints now if nothing is cached and waits: fails fast at start-up on a wrong identity or endpoint. */
    public void open() {
        long p = handle.enter();
        try {
            NativeApi.credentialsOpen(p);
        } catch (LakebaseException e) {
            throw Callbacks.explain(e, hooks);
        } finally {
            handle.exit();
        }
    }

    /** Drops the cached token if it is still this credential's (after a login refused with 28P01). */
    public void invalidate(LakebaseCredential credential) {
        invalidate(credential.token());
    }

    /** Drops the cached token if it is still {@code token}; null drops whatever is cached. Never blocks on the network. */
    public void invalidate(char[] token) {
        byte[] t = Utf8.of(token, "the token");
        long p = handle.enter();
        try {
            NativeApi.credentialsInvalidate(p, t);
        } finally {
            handle.exit();
            Utf8.wipe(t);
        }
    }

    /** The provider's counters; never blocks. */
    public LakebaseCredentialStats stats() {
        long[] v = new long[8];
        long p = handle.enter();
        try {
            return LakebaseCredentialStats.fromNative(v, NativeApi.credentialsStats(p, v));
        } finally {
            handle.exit();
        }
    }

    /** The current points of the provider's metrics (mints by result, seconds to expiry, degraded); never blocks. */
    public List<LakebaseMetricPoint> metrics() {
        List<LakebaseMetricPoint> out = new ArrayList<>();
        long p = handle.enter();
        try {
            NativeApi.credentialsMetrics(p, out);
        } finally {
            handle.exit();
        }
        return out;
    }

    /** Releases the handle, after calls in progress. Idempotent. */
    @Override
    public void close() {
        NativeHandle.closeOwned(cleanable, guard);
    }

    @Override
    public String toString() {
        return "LakebaseCredentials[" + (handle.isClosed() ? "closed" : "open") + "]";
    }
}
