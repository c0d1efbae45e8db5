package io.lakebase;

import java.lang.ref.Cleaner;

/**
 * A connection of the caller's own: leased from a {@link LakebasePool} (for
 * transactions and session state) or opened directly with {@link #open}.
 * Use it from one thread at a time (another thread may {@link #cancel()});
 * close it to give it back (a transaction left open is rolled back). After
 * close, or after its pool closed, calls throw {@link IllegalStateException}.
 */
public final class LakebaseConnection implements AutoCloseable {
    private final ConnState state;
    private final Runnable guard;
    private final Cleaner.Cleanable cleanable;

    LakebaseConnection(ConnState state) {
        this.state = state;
        this.guard = NativeHandle.leakGuard(() -> state.close(true), "LakebaseConnection");
        this.cleanable = NativeHandle.CLEANER.register(this, guard);
    }

    /** One direct connection (no pool) with the same configuration, credentials and retry rules. */
    public static LakebaseConnection open(LakebaseConfig config) {
        Callbacks.Hooks[] hooks = new Callbacks.Hooks[1];
        long ptr = config.makeNative(NativeApi::connect, hooks);
        return new LakebaseConnection(new ConnState(ptr, null, hooks[0]));
    }

    /** Runs one statement; see {@link LakebasePool#query}. */
    public LakebaseResult query(String sql, Object... params) {
        return state.query(sql, params, false);
    }

    /** {@link #query} with every non-NULL value as the server prints it. */
    public LakebaseResult queryText(String sql, Object... params) {
        return state.query(sql, params, true);
    }

    /** Runs one statement and returns the rows it affected (-1 when it has no count). */
    public long execute(String sql, Object... params) {
        return state.query(sql, params, false).rowsAffected();
    }

    /** BEGIN; the transaction rolls back on close unless committed. */
    public LakebaseTransaction begin() {
        execute("BEGIN");
        return new LakebaseTransaction(this);
    }

    /**
     * Asks the server to cancel the statement running on this connection
     * (from another thread); it then fails with {@link LakebaseCanceledException}.
     */
    public void cancel() {
        state.cancel();
    }

    /** Gives the connection back (after a statement in progress). Idempotent. */
    @Override
    public void close() {
        state.close(false);
        NativeHandle.closeOwned(cleanable, guard);
    }

    public boolean isClosed() {
        return state.handle.isClosed();
    }

    @Override
    public String toString() {
        return state.handle.what() + "[" + (isClosed() ? "closed" : "open") + "]";
    }
}
