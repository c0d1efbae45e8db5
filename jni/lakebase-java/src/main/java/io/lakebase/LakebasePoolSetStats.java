package io.lakebase;

import java.util.Arrays;

/**
 * A per-user pool set's counters: per set, never per user.
 *
 * @param pools pools (identities) open now
 * @param poolsCreated pools made since the set was made
 * @param evictedIdle pools closed after the idle eviction time without use
 * @param evictedFull pools closed to make room for another identity
 * @param rejected acquires refused: the set was full and every pool in use
 * @param pool every pool's counters summed (those of evicted pools included, so counts never go back)
 * @param credential the providers' counters summed; the soonest expiry of a token cached now
 */
public record LakebasePoolSetStats(int pools, long poolsCreated, long evictedIdle, long evictedFull, long rejected,
        LakebasePoolStats pool, LakebaseCredentialStats credential) {

    static final int NATIVE_LENGTH = 5 + LakebasePoolStats.NATIVE_LENGTH;

    static LakebasePoolSetStats fromNative(long[] v, long[] credential, String message) {
        return new LakebasePoolSetStats((int) v[0], v[1], v[2], v[3], v[4],
                LakebasePoolStats.fromNative(Arrays.copyOfRange(v, 5, NATIVE_LENGTH)),
                LakebaseCredentialStats.fromNative(credential, message));
    }
}
