package io.lakebase;

/** A deadline ran out (ETIMEOUT): no connection within the acquire timeout, a statement timeout, a mint deadline. */
public class LakebaseTimeoutException extends LakebaseTransientException {
    private static final long serialVersionUID = 1L;

    LakebaseTimeoutException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
