package io.lakebase;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The native pointer of one handle, freed exactly once. Every call enters
 * (a shared hold: a count) and exits; {@link #close} marks the handle closed
 * (later entries throw {@link IllegalStateException}), waits until the calls
 * in progress have exited, then frees. So closing never races a call into
 * freed memory. Owners register {@link #leakGuard} with the {@link #CLEANER}:
 * it holds this object, never the owner, and closes what was not closed.
 */
final class NativeHandle {
    static final Cleaner CLEANER = Cleaner.create();

    private static final int CLOSED = Integer.MIN_VALUE;
    private static final System.Logger LOG = System.getLogger("io.lakebase");

    private final AtomicInteger state = new AtomicInteger();
    private final String what;
    private final long ptr;
    private final LongConsumer free;

    NativeHandle(String what, long ptr, LongConsumer free) {
        this.what = what;
        this.ptr = ptr;
        this.free = free;
    }

    /** Enters a call: the pointer stays valid until {@link #exit}. */
    long enter() {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                throw new IllegalStateException("the " + what + " is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return ptr;
            }
        }
    }

    void exit() {
        if (state.decrementAndGet() == CLOSED) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    boolean isClosed() {
        return state.get() < 0;
    }

    String what() {
        return what;
    }

    /** Closes and frees; false when it was closed already. */
    boolean close() {
        return close(null);
    }

    /**
     * Closes: marks the handle closed, runs {@code beforeWait} with the
     * pointer (still valid; calls in progress may use it too), waits for the
     * calls in progress, then frees. Returns false when closed already.
     */
    boolean close(LongConsumer beforeWait) {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                break;
            }
        }
        try {
            if (beforeWait != null) {
                beforeWait.accept(ptr);
            }
        } finally {
            awaitCalls();
            free.accept(ptr);
        }
        return true;
    }

    private void awaitCalls() {
        boolean interrupted = false;
        synchronized (this) {
            while (state.get() != CLOSED) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The Cleaner action for an owner that may never be closed. */
    static Runnable leakGuard(Runnable close, String what) {
        return new LeakGuard(close, what);
    }

    private static final class LeakGuard implements Runnable {
        private final Runnable close;
        private final String what;
        private volatile boolean closedByOwner;

        LeakGuard(Runnable close, String what) {
            this.close = close;
            this.what = what;
        }

        @Override
        public void run() {
            if (!closedByOwner) {
                LOG.log(System.Logger.Level.WARNING, "a " + what
                        + " became unreachable without close(): closed by the garbage collector; use try-with-resources");
            }
            close.run();
        }
    }

    /** Runs the owner's close and unregisters its guard silently. */
    static void closeOwned(Cleaner.Cleanable cleanable, Runnable guard) {
        ((LeakGuard) guard).closedByOwner = true;
        cleanable.clean();
    }
}
