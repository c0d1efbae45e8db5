package io.lakebase;

/** The workspace refused the identity (EAUTH: HTTP 401, a bad secret or token) or it lacks permission (EPERM: HTTP 403). */
public class LakebaseAuthException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseAuthException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
