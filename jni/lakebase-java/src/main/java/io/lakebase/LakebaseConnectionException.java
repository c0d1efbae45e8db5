package io.lakebase;

/** The database connection broke or could not be established (ECONNECTION). */
public class LakebaseConnectionException extends LakebaseTransientException {
    private static final long serialVersionUID = 1L;

    LakebaseConnectionException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
