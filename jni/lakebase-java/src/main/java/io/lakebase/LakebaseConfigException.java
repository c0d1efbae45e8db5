package io.lakebase;

/** The configuration is invalid or incomplete (ECONFIG); the message names the key and the fix. */
public class LakebaseConfigException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseConfigException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
