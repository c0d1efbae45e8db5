package io.lakebase;

/**
 * A failure reported by liblakebase. Unchecked. The message names the cause
 * and, where known, the fix; it never contains a token or secret. The
 * subclass is chosen once, from the core's name of the code
 * ({@code lakebase_error_name}): {@link LakebaseConfigException},
 * {@link LakebaseAuthException} (and {@link LakebaseLoginException}),
 * {@link LakebaseApiException}, {@link LakebaseTransientException} (and
 * {@link LakebaseTimeoutException}, {@link LakebaseConnectionException}),
 * {@link LakebaseClosedException}, {@link LakebaseSqlException} (and
 * {@link LakebaseCanceledException}), {@link LakebaseCallbackException};
 * other codes (EINVAL, ENOMEM, ERANGE, EINTERNAL, codes newer than this JAR)
 * are plain {@code LakebaseException}s.
 */
public class LakebaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String errorName;
    private final int httpStatus;
    private final String apiCode;
    private final String sqlState;

    LakebaseException(int code, String errorName, String message, int httpStatus, String apiCode, String sqlState) {
        super(message);
        this.code = code;
        this.errorName = errorName;
        this.httpStatus = httpStatus;
        this.apiCode = apiCode == null ? "" : apiCode;
        this.sqlState = sqlState == null ? "" : sqlState;
    }

    /** The LAKEBASE_E* code (negative; append-only in the C ABI). */
    public int code() {
        return code;
    }

    /** The code's name as the core spells it: "ECONFIG", "EAUTH", "ESQL"... */
    public String errorName() {
        return errorName;
    }

    /** HTTP status of the workspace API answer behind the error, or 0. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The API's error_code ("RESOURCE_DOES_NOT_EXIST"), or "". */
    public String apiCode() {
        return apiCode;
    }

    /** The PostgreSQL SQLSTATE ("28P01"), or "". */
    public String sqlState() {
        return sqlState;
    }

    /** Called by the glue with the core's error; picks the subclass by name. */
    static LakebaseException fromNative(int code, String name, String message, int httpStatus, String apiCode,
            String sqlState) {
        switch (name) {
            case "ECONFIG":
                return new LakebaseConfigException(code, name, message, httpStatus, apiCode, sqlState);
            case "EAUTH":
            case "EPERM":
                return new LakebaseAuthException(code, name, message, httpStatus, apiCode, sqlState);
            case "ELOGIN":
                return new LakebaseLoginException(code, name, message, httpStatus, apiCode, sqlState);
            case "ENOTFOUND":
            case "EAPI":
            case "EPROTOCOL":
                return new LakebaseApiException(code, name, message, httpStatus, apiCode, sqlState);
            case "ENETWORK":
            case "ESERVER":
                return new LakebaseTransientException(code, name, message, httpStatus, apiCode, sqlState);
            case "ETIMEOUT":
                return new LakebaseTimeoutException(code, name, message, httpStatus, apiCode, sqlState);
            case "ECONNECTION":
                return new LakebaseConnectionException(code, name, message, httpStatus, apiCode, sqlState);
            case "ECLOSED":
            case "EHANDLE":
                return new LakebaseClosedException(code, name, message, httpStatus, apiCode, sqlState);
            case "ESQL":
                return new LakebaseSqlException(code, name, message, httpStatus, apiCode, sqlState);
            case "ECANCELED":
                return new LakebaseCanceledException(code, name, message, httpStatus, apiCode, sqlState);
            case "ECALLBACK":
                return new LakebaseCallbackException(code, name, message, httpStatus, apiCode, sqlState);
            default:
                return new LakebaseException(code, name, message, httpStatus, apiCode, sqlState);
        }
    }
}
