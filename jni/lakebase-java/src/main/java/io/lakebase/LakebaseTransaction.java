package io.lakebase;

/**
 * A transaction on a {@link LakebaseConnection}, from
 * {@link LakebaseConnection#begin()}: {@link #commit()} or
 * {@link #rollback()}; closing it without either rolls back.
 */
public final class LakebaseTransaction implements AutoCloseable {
    private final LakebaseConnection conn;
    private boolean done;

    LakebaseTransaction(LakebaseConnection conn) {
        this.conn = conn;
    }

    public void commit() {
        finish("COMMIT");
    }

    public void rollback() {
        finish("ROLLBACK");
    }

    private void finish(String sql) {
        if (done) {
            throw new IllegalStateException("the transaction is already finished");
        }
        done = true;
        conn.execute(sql);
    }

    /** Rolls back unless committed or rolled back; nothing when the connection is gone. */
    @Override
    public void close() {
        if (!done && !conn.isClosed()) {
            rollback();
        }
    }
}
