package io.lakebase;

/** A failure that may pass: the network (ENETWORK) or the API kept failing until the deadline (ESERVER). */
public class LakebaseTransientException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseTransientException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
