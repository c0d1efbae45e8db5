package io.lakebase;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection's native handle and what its closing needs, apart from the
 * {@link LakebaseConnection} that owns it (so the Cleaner never reaches the
 * owner). Statements run one at a time per connection; {@code cancel} may
 * run beside a statement.
 */
final class ConnState {
    final NativeHandle handle;
    final AtomicBoolean running = new AtomicBoolean();
    private final Leases pool; // null for a direct connection
    private final Callbacks.Hooks hooks; // a direct connection's

    ConnState(long ptr, Leases pool, Callbacks.Hooks hooks) {
        this.handle = new NativeHandle(pool == null ? "LakebaseConnection" : "LakebaseConnection (leased)", ptr,
                NativeApi::connRelease);
        this.pool = pool;
        this.hooks = hooks;
    }

    LakebaseResult query(String sql, Object[] params, boolean asText) {
        byte[] s = Utf8.of(sql, "the SQL text");
        byte[][] p = Params.encode(params);
        long ptr = handle.enter();
        try {
            if (!running.compareAndSet(false, true)) {
                throw new IllegalStateException(
                        "the connection is running another statement: use it from one thread at a time");
            }
            try {
                return NativeApi.connQuery(ptr, s, p, asText);
            } finally {
                running.set(false);
            }
        } finally {
            handle.exit();
        }
    }

    void cancel() {
        long ptr = handle.enter();
        try {
            NativeApi.connCancel(ptr);
        } finally {
            handle.exit();
        }
    }

    /** Returns the connection (after a statement in progress, which cancelRunning cancels). */
    void close(boolean cancelRunning) {
        boolean closed = handle.close(ptr -> {
            if (cancelRunning && running.get()) {
                try {
                    NativeApi.connCancel(ptr);
                } catch (LakebaseException e) {
                    // The statement then ends on its own; close still waits for it.
                }
            }
        });
        if (closed) {
            if (pool != null) {
                pool.returned(this);
            }
            if (hooks != null) {
                hooks.release();
            }
        }
    }
}
