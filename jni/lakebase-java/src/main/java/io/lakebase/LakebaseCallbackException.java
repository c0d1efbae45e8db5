package io.lakebase;

/** The {@link LakebaseTokenSource} failed (ECALLBACK); the cause is what it threw. */
public class LakebaseCallbackException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseCallbackException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
