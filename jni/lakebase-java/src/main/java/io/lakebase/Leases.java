package io.lakebase;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The connections leased from one owner (a {@link LakebasePool} or a
 * {@link LakebasePoolSet}) and not yet returned. Closing the owner closes
 * them first (after their statements in progress), since the core's close
 * waits for every lease and its free needs them returned.
 */
final class Leases {
    private final String owner;
    private final Set<ConnState> leased = new HashSet<>();
    private boolean closing;

    Leases(String owner) {
        this.owner = owner;
    }

    /**
     * Tracks a connection the core just leased; when the owner began closing
     * meanwhile, gives it back and throws {@link IllegalStateException}.
     */
    ConnState track(long connPtr) {
        ConnState conn = new ConnState(connPtr, this, null);
        synchronized (this) {
            if (!closing) {
                leased.add(conn);
                return conn;
            }
        }
        NativeApi.connRelease(connPtr);
        throw new IllegalStateException("the " + owner + " is closed");
    }

    synchronized void returned(ConnState conn) {
        leased.remove(conn);
    }

    /** Refuses later leases and closes every connection still leased ({@code cancelRunning}: cancels its statement). */
    void closeAll(boolean cancelRunning) {
        List<ConnState> held;
        synchronized (this) {
            closing = true;
            held = new ArrayList<>(leased);
        }
        for (ConnState c : held) {
            c.close(cancelRunning);
        }
    }
}
