package io.lakebase;

import java.util.List;

/**
 * A pool's counters. Connections are counted by state: total = idle + inUse +
 * connecting.
 *
 * @param total open or opening connections
 * @param idle open and not in use
 * @param inUse leased, or running a statement
 * @param connecting connects in flight
 * @param waiting callers waiting for a connection
 * @param connectsOk successful connects
 * @param connectsFailed failed connects
 * @param recycled closed for age (pool.max_lifetime_seconds)
 * @param discarded closed because broken or failed validation
 * @param trimmed closed as surplus (pool.idle_timeout_seconds, pool.max_idle)
 * @param acquires leases
 * @param acquireTimeouts leases that got no connection in time
 * @param waitHistogram acquire wait times: &lt;10us, &lt;100us, &lt;1ms, &lt;10ms, &lt;100ms, &lt;1s, &gt;=1s
 */
public record LakebasePoolStats(int total, int idle, int inUse, int connecting, int waiting, long connectsOk,
        long connectsFailed, long recycled, long discarded, long trimmed, long acquires, long acquireTimeouts,
        List<Long> waitHistogram) {

    static final int NATIVE_LENGTH = 19;

    static LakebasePoolStats fromNative(long[] v) {
        Long[] histogram = new Long[7];
        for (int i = 0; i < 7; i++) {
            histogram[i] = v[12 + i];
        }
        return new LakebasePoolStats((int) v[0], (int) v[1], (int) v[2], (int) v[3], (int) v[4], v[5], v[6], v[7],
                v[8], v[9], v[10], v[11], List.of(histogram));
    }
}
