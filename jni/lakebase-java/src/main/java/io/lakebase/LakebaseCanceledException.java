package io.lakebase;

/** The statement was cancelled (ECANCELED; SQLSTATE 57014). */
public class LakebaseCanceledException extends LakebaseSqlException {
    private static final long serialVersionUID = 1L;

    LakebaseCanceledException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
