package io.lakebase;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A keyed set of the core's pools, one per identity, for a web handler that
 * acts on behalf of each user (a Databricks App gets the user's workspace
 * token in {@code x-forwarded-access-token} with every request). Each
 * identity's pool mints with that identity's own token and logs in as the
 * role the workspace names for it, so no credential and no connection
 * crosses users. The core bounds the set to {@code maxPools} pools (the
 * least recently used idle one makes room), closes pools idle for the
 * eviction time on its background thread, and keeps the counters per set,
 * never per user; this class only carries the calls (lakebase_user_pools_*).
 * Thread-safe.
 *
 * <pre>{@code
 * LakebaseConfig config = LakebaseConfig.builder()          // no identity: no client secret, token or pg.user
 *         .set("lakebase.endpoint", "projects/my-app/branches/main/endpoints/primary")
 *         .set("pool.max_size", 4)
 *         .build();
 * try (LakebasePoolSet users = LakebasePoolSet.create(config, 100, Duration.ofMinutes(10))) {
 *     // per request:
 *     try (LakebaseConnection conn = users.acquire(request.getHeader("x-forwarded-email"),
 *             request.getHeader("x-forwarded-access-token").toCharArray())) {
 *         conn.query("SELECT current_user");                // the user's own role
 *     }
 * }
 * }</pre>
 */
public final class LakebasePoolSet implements AutoCloseable {
    private final State state;
    private final Runnable guard;
    private final Cleaner.Cleanable cleanable;

    private LakebasePoolSet(State state) {
        this.state = state;
        this.guard = NativeHandle.leakGuard(state::close, "LakebasePoolSet");
        this.cleanable = NativeHandle.CLEANER.register(this, guard);
    }

    /**
     * Makes a set (no network call). The configuration names the endpoint or
     * instance, the workspace host and the {@code pool.*} and credential keys
     * every identity's pool uses, and must not name an identity.
     *
     * @param maxPools the most pools (identities) held at once, at least 1
     * @param idleEvict how long a pool with nothing leased and nobody waiting stays open (whole seconds, rounded
     *     up; at least one)
     * @throws LakebaseConfigException when the configuration names an identity (the message names the key)
     */
    public static LakebasePoolSet create(LakebaseConfig config, int maxPools, Duration idleEvict) {
        long ms = idleEvict.toMillis();
        int seconds = (int) Math.min(Integer.MAX_VALUE, ms <= 0 ? ms / 1000 : (ms + 999) / 1000);
        Callbacks.Hooks[] hooks = new Callbacks.Hooks[1];
        long ptr = config.makeNative(cfg -> NativeApi.poolSetNew(cfg, maxPools, seconds), hooks);
        return new LakebasePoolSet(new State(ptr, hooks[0]));
    }

    /** {@link #acquire(String, char[], Duration)} waiting up to the set's {@code pool.acquire_timeout_ms}. */
    public LakebaseConnection acquire(String key, char[] workspaceToken) {
        return state.acquire(key, workspaceToken, -1);
    }

    /**
     * Leases a connection from the pool of the identity {@code key}, making
     * that pool when the set has none for it. Close the connection to give it
     * back; a pool is never evicted while one of its connections is leased.
     *
     * @param key a stable, non-secret name of the user (their user name or id), never the token
     * @param workspaceToken the user's current workspace token (the forwarded one): the newest given for a key is
     *     what its credential is minted with. The array is left as given; the binding's copy is zeroed once the
     *     core has copied it. Null for a key whose pool exists.
     * @param timeout the longest wait for a connection; a full set whose pools are all in use fails at once with
     *     {@link LakebaseTimeoutException}
     * @throws IllegalStateException once the set is closed
     */
    public LakebaseConnection acquire(String key, char[] workspaceToken, Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        return state.acquire(key, workspaceToken, timeout.toMillis());
    }

    /** The set's counters (never per user). Never blocks. */
    public LakebasePoolSetStats stats() {
        return state.stats();
    }

    /**
     * The current points of the set's metrics: its pools' counters summed and
     * the set's own ({@code lakebase.pool_set.*}), as the core maps them. Never
     * one series per user.
     *
     * @param name becomes {@link LakebaseMetric#POOL_NAME_ATTRIBUTE} of every point (null: none)
     */
    public List<LakebaseMetricPoint> metrics(String name) {
        return state.metrics(name);
    }

    /**
     * Ends acquires still waiting for a connection (they throw
     * {@link LakebaseClosedException}), closes every connection still leased
     * (after its statement in progress), then every pool, and frees the set;
     * waits for calls in progress. Idempotent.
     */
    @Override
    public void close() {
        state.close();
        NativeHandle.closeOwned(cleanable, guard);
    }

    @Override
    public String toString() {
        return "LakebasePoolSet[" + (state.handle.isClosed() ? "closed" : "open") + "]";
    }

    /** The native handle and the leases, apart from the owner (so the Cleaner never reaches it). */
    private static final class State {
        final NativeHandle handle;
        private final Callbacks.Hooks hooks;
        private final Leases leases = new Leases("LakebasePoolSet");

        State(long ptr, Callbacks.Hooks hooks) {
            this.hooks = hooks;
            this.handle = new NativeHandle("LakebasePoolSet", ptr, p -> {
                NativeApi.poolSetFree(p);
                if (hooks != null) {
                    hooks.release();
                }
            });
        }

        LakebaseConnection acquire(String key, char[] workspaceToken, long timeoutMs) {
            byte[] k = Utf8.of(key, "the identity's key");
            byte[] t = Utf8.of(workspaceToken, "the workspace token");
            try {
                long p = handle.enter();
                try {
                    return new LakebaseConnection(leases.track(NativeApi.poolSetAcquire(p, k, t, timeoutMs)));
                } catch (LakebaseException e) {
                    throw Callbacks.explain(e, hooks);
                } finally {
                    handle.exit();
                }
            } finally {
                Utf8.wipe(t);
            }
        }

        LakebasePoolSetStats stats() {
            long[] v = new long[LakebasePoolSetStats.NATIVE_LENGTH];
            long[] cv = new long[8];
            long p = handle.enter();
            try {
                String message = NativeApi.poolSetStats(p, v, cv);
                return LakebasePoolSetStats.fromNative(v, cv, message);
            } finally {
                handle.exit();
            }
        }

        List<LakebaseMetricPoint> metrics(String name) {
            byte[] n = Utf8.of(name, "the pool set's name");
            List<LakebaseMetricPoint> out = new ArrayList<>();
            long p = handle.enter();
            try {
                NativeApi.poolSetMetrics(p, n, out);
            } finally {
                handle.exit();
            }
            return out;
        }

        /** Acquires still waiting end at once (LakebaseClosedException), so the wait for the calls in progress is short. */
        void close() {
            handle.close(p -> {
                NativeApi.poolSetClose(p);
                leases.closeAll(false);
            });
        }
    }
}
