package io.lakebase;

/** The server reported an SQL error (ESQL); {@link #sqlState()} holds the SQLSTATE. */
public class LakebaseSqlException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseSqlException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
