package io.lakebase;

import java.time.Duration;
import java.time.Instant;

/**
 * A credential provider's counters (never the token). Times are null when
 * they do not apply (no token cached, healthy, no refresh planned).
 *
 * @param mintsOk successful mints
 * @param mintsFailed failed mint attempts, each retry counted
 * @param lastMintLatency duration of the last successful mint
 * @param expireTime expiry of the cached token
 * @param degradedSince first failure of the current failing run while a valid token is served
 * @param lastErrorCode LAKEBASE_E* code of the last failure, or 0
 * @param lastErrorName its name ("ESERVER"), or "" when 0
 * @param lastErrorHttpStatus its HTTP status, or 0
 * @param lastErrorMessage its message, or ""
 * @param nextRefresh the planned background refresh
 */
public record LakebaseCredentialStats(long mintsOk, long mintsFailed, Duration lastMintLatency, Instant expireTime,
        Instant degradedSince, int lastErrorCode, String lastErrorName, int lastErrorHttpStatus,
        String lastErrorMessage, Instant nextRefresh) {

    /** True while a failing refresh leaves the provider serving its still-valid token. */
    public boolean degraded() {
        return degradedSince != null;
    }

    static LakebaseCredentialStats fromNative(long[] v, String message) {
        int code = (int) v[5];
        return new LakebaseCredentialStats(v[0], v[1], Duration.ofNanos(v[2] * 1000), instant(v[3]), instant(v[4]),
                code, code == 0 ? "" : NativeApi.errorName(code), (int) v[6], message == null ? "" : message,
                instant(v[7]));
    }

    private static Instant instant(long ms) {
        return ms == 0 ? null : Instant.ofEpochMilli(ms);
    }
}
