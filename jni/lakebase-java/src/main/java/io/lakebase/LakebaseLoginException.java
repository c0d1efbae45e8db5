package io.lakebase;

/** PostgreSQL refused the login (ELOGIN: 28P01, 28000, 3D000...); the message names the role and the identity. */
public class LakebaseLoginException extends LakebaseAuthException {
    private static final long serialVersionUID = 1L;

    LakebaseLoginException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
