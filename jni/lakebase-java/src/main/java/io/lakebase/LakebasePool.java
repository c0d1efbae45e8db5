package io.lakebase;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.List;

/**
 * The core's connection pool: every new physical connection logs in with
 * the current credential of the shared provider; connections retire after
 * {@code pool.max_lifetime_seconds}; the {@code pool.*} keys configure it.
 * Thread-safe.
 *
 * <pre>{@code
 * try (LakebasePool pool = LakebasePool.open(LakebaseConfig.fromEnvironment())) {
 *     long n = (Long) pool.query("SELECT count(*) FROM t WHERE id > $1", 10).scalar();
 *     try (LakebaseConnection conn = pool.acquire(); LakebaseTransaction tx = conn.begin()) {
 *         conn.execute("UPDATE t SET n = n + 1 WHERE id = $1", 7);
 *         tx.commit();
 *     }
 * }
 * }</pre>
 */
public final class LakebasePool implements AutoCloseable {
    private final PoolState state;
    private final Runnable guard;
    private final Cleaner.Cleanable cleanable;

    private LakebasePool(PoolState state) {
        this.state = state;
        this.guard = NativeHandle.leakGuard(() -> state.close(true), "LakebasePool");
        this.cleanable = NativeHandle.CLEANER.register(this, guard);
    }

    /** A lazy pool: no connection (and no network call) until {@link #open()} or first use. */
    public static LakebasePool create(LakebaseConfig config) {
        Callbacks.Hooks[] hooks = new Callbacks.Hooks[1];
        long ptr = config.makeNative(NativeApi::poolNew, hooks);
        return new LakebasePool(new PoolState(ptr, hooks[0]));
    }

    /**
     * Creates the pool and opens it ({@link #open()}): fails fast, at start-up,
     * on a wrong identity, endpoint, role or database.
     */
    public static LakebasePool open(LakebaseConfig config) {
        LakebasePool pool = create(config);
        try {
            pool.open();
            return pool;
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /** Warms up pool.min_size connections and waits for max(1, min_size) of them. */
    public void open() {
        openNative(true);
    }

    /** Starts warming up pool.min_size connections without waiting. */
    public void start() {
        openNative(false);
    }

    private void openNative(boolean await) {
        long p = state.handle.enter();
        try {
            NativeApi.poolOpen(p, await);
        } catch (LakebaseException e) {
            throw Callbacks.explain(e, state.hooks());
        } finally {
            state.handle.exit();
        }
    }

    /**
     * Runs one statement on a pooled connection. {@code params} fill $1..$n
     * (sent as text: null is SQL NULL, byte[] is bytea). With no parameters
     * the text may hold several statements separated by ';' (the last one's
     * result is returned). Values are typed as {@link LakebaseResult} says.
     */
    public LakebaseResult query(String sql, Object... params) {
        return run(sql, params, false);
    }

    /** {@link #query} with every non-NULL value as the server prints it (a String). */
    public LakebaseResult queryText(String sql, Object... params) {
        return run(sql, params, true);
    }

    /** Runs one statement and returns the rows it affected (-1 when it has no count). */
    public long execute(String sql, Object... params) {
        return run(sql, params, false).rowsAffected();
    }

    private LakebaseResult run(String sql, Object[] params, boolean asText) {
        byte[] s = Utf8.of(sql, "the SQL text");
        byte[][] p = Params.encode(params);
        long ptr = state.handle.enter();
        try {
            return NativeApi.poolQuery(ptr, s, p, asText);
        } catch (LakebaseException e) {
            throw Callbacks.explain(e, state.hooks());
        } finally {
            state.handle.exit();
        }
    }

    /** Leases a connection of the caller's own, waiting up to pool.acquire_timeout_ms. */
    public LakebaseConnection acquire() {
        return acquire(-1);
    }

    /**
     * Leases a connection, waiting at most {@code timeout} (zero: an idle one
     * or {@link LakebaseTimeoutException} at once).
     */
    public LakebaseConnection acquire(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        return acquire(timeout.toMillis());
    }

    private LakebaseConnection acquire(long timeoutMs) {
        long p = state.handle.enter();
        try {
            return new LakebaseConnection(state.lease(p, timeoutMs));
        } catch (LakebaseException e) {
            throw Callbacks.explain(e, state.hooks());
        } finally {
            state.handle.exit();
        }
    }

    /** The pool's counters; after close, the last ones. Never blocks. */
    public LakebasePoolStats stats() {
        return state.stats();
    }

    /** The counters of the pool's credential provider (zero in static-password mode); after close, the last ones. */
    public LakebaseCredentialStats credentialStats() {
        return state.credentialStats();
    }

    /**
     * The current points of every metric the pool and its credential provider
     * have, as the core maps its counters (docs/observability.md). Never blocks.
     *
     * @param poolName becomes {@link LakebaseMetric#POOL_NAME_ATTRIBUTE} of every point (null: none); one name
     *     per pool of the program, never a user's
     * @throws IllegalStateException once the pool is closed
     */
    public List<LakebaseMetricPoint> metrics(String poolName) {
        return state.metrics(poolName);
    }

    /**
     * Closes the pool, waiting for statements in progress: later calls throw
     * {@link IllegalStateException}, leased connections are closed once their
     * statement (if any) ends, idle ones at once. Idempotent.
     */
    @Override
    public void close() {
        close(false);
    }

    /** {@link #close()}; with {@code cancelRunning} the statements in progress are cancelled instead of awaited. */
    public void close(boolean cancelRunning) {
        state.close(cancelRunning);
        NativeHandle.closeOwned(cleanable, guard);
    }

    @Override
    public String toString() {
        return "LakebasePool[" + (state.handle.isClosed() ? "closed" : "open") + "]";
    }
}
